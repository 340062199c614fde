"""Basic, Bearer and Digest authentication endpoints."""

from __future__ import annotations

import base64

import aiohttp
from aiohttp.test_utils import TestClient

from aiocurl.echo.auth import DIGEST_REALM, expected_response, parse_digest_header


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


async def test_basic_auth_right_credentials(echo: TestClient) -> None:
    resp = await echo.get("/basic-auth/ada/s3cret", headers=basic("ada", "s3cret"))
    assert resp.status == 200
    assert await resp.json() == {"authenticated": True, "user": "ada"}


async def test_basic_auth_non_ascii_credentials(echo: TestClient) -> None:
    resp = await echo.get("/basic-auth/jürgen/pässword", headers=basic("jürgen", "pässword"))
    assert resp.status == 200


async def test_basic_auth_wrong_or_missing(echo: TestClient) -> None:
    malformed = {"Authorization": "Basic !!"}
    for headers in (basic("ada", "nope"), basic("bob", "s3cret"), malformed, {}):
        resp = await echo.get("/basic-auth/ada/s3cret", headers=headers)
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"] == 'Basic realm="Fake Realm"'


async def test_bearer(echo: TestClient) -> None:
    resp = await echo.get("/bearer", headers={"Authorization": "Bearer tok.123"})
    assert await resp.json() == {"authenticated": True, "token": "tok.123"}
    for header in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}):
        resp = await echo.get("/bearer", headers=header)
        assert resp.status == 401
        assert resp.headers["WWW-Authenticate"] == "Bearer"


async def test_digest_challenge_fields(echo: TestClient) -> None:
    resp = await echo.get("/digest-auth/auth/ada/pw")
    assert resp.status == 401
    header = resp.headers["WWW-Authenticate"]
    assert header.startswith("Digest ")
    fields = parse_digest_header(header)
    assert fields is not None
    assert fields["realm"] == "me@aiocurl.echo"
    assert fields["qop"] == "auth"
    assert fields["algorithm"] == "MD5"
    assert fields["nonce"] and fields["opaque"]


async def test_digest_round_trip_with_aiohttp_middleware(echo: TestClient) -> None:
    digest = aiohttp.DigestAuthMiddleware("ada", "pw")
    resp = await echo.get("/digest-auth/auth/ada/pw?x=1", middlewares=(digest,))
    assert resp.status == 200
    assert await resp.json() == {"authenticated": True, "user": "ada"}
    # Preemptive reuse of the nonce with nc=2 is accepted as well.
    resp = await echo.post("/digest-auth/auth/ada/pw", middlewares=(digest,))
    assert resp.status == 200


async def test_digest_wrong_password_is_refused(echo: TestClient) -> None:
    digest = aiohttp.DigestAuthMiddleware("ada", "wrong")
    resp = await echo.get("/digest-auth/auth/ada/pw", middlewares=(digest,))
    assert resp.status == 401
    assert resp.headers["WWW-Authenticate"].startswith("Digest ")


def digest_header(nonce: str, opaque: str, uri: str, password: str) -> dict[str, str]:
    """An Authorization header computed by hand (RFC 7616, MD5, qop=auth)."""
    fields = {"nonce": nonce, "uri": uri, "nc": "00000001", "cnonce": "abc", "qop": "auth"}
    response = expected_response(fields, "GET", "ada", password)
    return {
        "Authorization": f'Digest username="ada", realm="{DIGEST_REALM}", nonce="{nonce}", '
        f'uri="{uri}", response="{response}", qop=auth, nc=00000001, cnonce="abc", '
        f'opaque="{opaque}", algorithm=MD5'
    }


async def test_digest_by_hand_and_forged_nonce(echo: TestClient) -> None:
    uri = "/digest-auth/auth/ada/pw"
    challenge = parse_digest_header((await echo.get(uri)).headers["WWW-Authenticate"])
    assert challenge is not None
    nonce, opaque = challenge["nonce"], challenge["opaque"]
    resp = await echo.get(uri, headers=digest_header(nonce, opaque, uri, "pw"))
    assert resp.status == 200
    # Same hash recipe, but a nonce this server never issued.
    resp = await echo.get(uri, headers=digest_header("0" * len(nonce), opaque, uri, "pw"))
    assert resp.status == 401
    # A digest computed for another URI does not authorise this one.
    other = "/digest-auth/auth/ada/pw?other"
    resp = await echo.get(uri, headers=digest_header(nonce, opaque, other, "pw"))
    assert resp.status == 401
