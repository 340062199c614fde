"""aiocurl's own redirect loop (aiohttp's is off), so that the rules stay ours to enforce."""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urljoin

from aiocurl.body import RequestBody
from aiocurl.errors import RequestError
from aiocurl.plan import Auth, RequestSpec
from aiocurl.urls import origin

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding"})
# Sent only to the origin the user addressed: a redirect elsewhere must not carry them.
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie"})


@dataclass(frozen=True)
class Hop:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    skip_auto_headers: frozenset[str]
    body: RequestBody | None
    digest: Auth | None
    chunked: bool = False


def first_hop(request: RequestSpec) -> Hop:
    digest = request.auth if request.auth and request.auth.kind == "digest" else None
    skip = set(request.unset_headers)
    if not any(name.lower() == "content-type" for name, _ in request.headers):
        skip.add("Content-Type")  # aiohttp would label bytes application/octet-stream
    return Hop(
        request.method,
        request.url,
        request.headers,
        frozenset(skip),
        request.body,
        digest,
        request.chunked,
    )


def next_hop(hop: Hop, status: int, location: str, origin_url: str) -> Hop:
    """The request a redirect asks for: 307/308 repeat it; 301/302/303 become a GET
    without body (HEAD stays HEAD); credentials stay with the first origin."""
    url = urljoin(hop.url, location)
    if not url.lower().startswith(("http://", "https://")):
        raise RequestError(f"redirect to unsupported URL {location!r} from {hop.url}")
    result = replace(hop, url=url)
    if status in (307, 308) and hop.body is not None and not hop.body.replayable:
        raise RequestError(
            f"{status} redirect to {url} needs the body again, but {hop.body.source} was "
            "streamed (too large to keep) and cannot be sent twice; save it to a file and "
            "send it with @FILE"
        )
    if status in (301, 302, 303) and hop.method != "HEAD":
        headers = tuple((n, v) for n, v in hop.headers if n.lower() not in _BODY_HEADERS)
        result = replace(result, method="GET", body=None, headers=headers)
    if origin(url) != origin(origin_url):
        headers = tuple((n, v) for n, v in result.headers if n.lower() not in _CREDENTIAL_HEADERS)
        result = replace(result, headers=headers, digest=None)
    return result
