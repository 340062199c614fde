"""Authentication endpoints: Basic, Bearer and real RFC 7616 Digest (MD5, qop=auth)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from urllib.request import parse_http_list, parse_keqv_list

from aiohttp import web

from .respond import json_response

DIGEST_REALM = "me@aiocurl.echo"
# Per-app secret: nonces are signed with it, so no nonce table has to be kept.
DIGEST_SECRET = web.AppKey("digest_secret", bytes)


def new_digest_secret() -> bytes:
    return os.urandom(16)


def same(given: str, expected: str) -> bool:
    """Constant-time equality that, unlike compare_digest on str, accepts non-ASCII text."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def decode_basic(header: str) -> tuple[str, str] | None:
    """(user, password) from `Basic base64(user:password)`, or None if it is not that."""
    # Decoded here because aiohttp.BasicAuth is deprecated on the way to aiohttp 4.
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    user, sep, passwd = decoded.partition(":")
    return (user, passwd) if sep else None


async def basic_auth(request: web.Request) -> web.Response:
    user, passwd = request.match_info["user"], request.match_info["passwd"]
    given = decode_basic(request.headers.get("Authorization", ""))
    if given is None or not (same(given[0], user) and same(given[1], passwd)):
        return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="Fake Realm"'})
    return json_response({"authenticated": True, "user": user})


async def bearer_auth(request: web.Request) -> web.Response:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})
    return json_response({"authenticated": True, "token": token})


def md5_hex(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def sign(secret: bytes, value: str) -> str:
    return hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def make_nonce(secret: bytes) -> str:
    salt = os.urandom(8).hex()
    return f"{salt}{sign(secret, salt)}"


def nonce_is_ours(secret: bytes, nonce: str) -> bool:
    salt, signature = nonce[:16], nonce[16:]
    return len(nonce) == 48 and same(signature, sign(secret, salt))


def opaque_for(secret: bytes) -> str:
    return sign(secret, "opaque")


def digest_challenge(secret: bytes) -> web.Response:
    header = (
        f'Digest realm="{DIGEST_REALM}", nonce="{make_nonce(secret)}", qop="auth", '
        f'opaque="{opaque_for(secret)}", algorithm=MD5'
    )
    return web.Response(status=401, headers={"WWW-Authenticate": header})


def parse_digest_header(header: str) -> dict[str, str] | None:
    """The key=value fields of `Digest ...`, quotes removed; None if not a Digest header."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    try:
        return parse_keqv_list(parse_http_list(rest))
    except ValueError:
        return None


def expected_response(fields: dict[str, str], method: str, user: str, passwd: str) -> str:
    """RFC 7616 §3.4.1 with qop=auth: KD(H(A1), nonce:nc:cnonce:qop:H(A2))."""
    ha1 = md5_hex(f"{user}:{DIGEST_REALM}:{passwd}")
    ha2 = md5_hex(f"{method}:{fields['uri']}")
    return md5_hex(
        f"{ha1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:{fields['qop']}:{ha2}"
    )


def digest_ok(request: web.Request, secret: bytes, user: str, passwd: str) -> bool:
    fields = parse_digest_header(request.headers.get("Authorization", ""))
    required = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
    if fields is None or any(key not in fields for key in required):
        return False
    if fields.get("algorithm", "MD5").upper() != "MD5" or fields["qop"] != "auth":
        return False
    # The digest must be for this very request target, realm and a nonce we issued.
    if fields["uri"] not in (request.raw_path, request.path_qs):
        return False
    if fields["realm"] != DIGEST_REALM or not nonce_is_ours(secret, fields["nonce"]):
        return False
    if fields.get("opaque", opaque_for(secret)) != opaque_for(secret):
        return False
    if not same(fields["username"], user):
        return False
    expected = expected_response(fields, request.method, user, passwd)
    return same(fields["response"].lower(), expected)


async def digest_auth(request: web.Request) -> web.Response:
    user, passwd = request.match_info["user"], request.match_info["passwd"]
    secret = request.app[DIGEST_SECRET]
    if not digest_ok(request, secret, user, passwd):
        return digest_challenge(secret)
    return json_response({"authenticated": True, "user": user})
