"""aiocurl's own redirect loop (aiohttp's is off), so that the rules stay ours to enforce."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from types import SimpleNamespace
from urllib.parse import urljoin

from multidict import CIMultiDict
from yarl import URL

from aiocurl.errors import RequestError
from aiocurl.redact import is_secret_header as is_secret
from aiocurl.redact import redact_url
from aiocurl.request.body import RequestBody
from aiocurl.request.plan import BODILESS_METHODS, Auth, RequestSpec
from aiocurl.request.urls import InvalidURL, origin, prepare_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_BODY_HEADERS = frozenset({"content-type", "content-length", "content-encoding"})


@dataclass(frozen=True)
class Hop:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    skip_auto_headers: frozenset[str] | None  # None: nothing to skip (cheaper for aiohttp)
    body: RequestBody | None
    digest: Auth | None
    chunked: bool = False

    @functools.cached_property
    def target(self) -> URL:
        """The URL as aiohttp takes it, parsed once however often the hop is sent."""
        return URL(self.url, encoded=True)

    @functools.cached_property
    def sent_url(self) -> str:
        """The URL as aiohttp sends it and reports it back: without a fragment."""
        return self.url.partition("#")[0]

    @functools.cached_property
    def header_dict(self) -> CIMultiDict[str]:
        """The headers as aiohttp keeps them, built once (aiohttp copies, never changes it)."""
        return CIMultiDict(self.headers)

    @functools.cached_property
    def trace_context(self) -> SimpleNamespace:
        """What the request tracer (transport.session) is handed with the request."""
        return SimpleNamespace(body=self.body)


@functools.lru_cache(maxsize=16)  # a load run sends the same request again and again
def first_hop(request: RequestSpec) -> Hop:
    digest = request.auth if request.auth and request.auth.kind == "digest" else None
    return Hop(
        request.method,
        request.url,
        request.headers,
        _skipped_headers(request),
        request.body,
        digest,
        request.chunked,
    )


def _skipped_headers(request: RequestSpec) -> frozenset[str] | None:
    """The headers aiohttp must not add: those the user unset, and the Content-Type it
    would give a body the user did not label (application/octet-stream), an empty one
    included (a POST without a body)."""
    skip = set(request.unset_headers)
    labelled = any(name.lower() == "content-type" for name, _ in request.headers)
    if not labelled and (request.body is not None or request.method not in BODILESS_METHODS):
        skip.add("Content-Type")
    return frozenset(skip) or None


def next_hop(
    hop: Hop,
    status: int,
    location: str,
    origin_url: str,
    *,
    trusted: bool = False,
    secret_headers: frozenset[str] = frozenset(),
) -> tuple[Hop, list[str]]:
    """The request a redirect asks for, and the credentials left behind. 307/308 repeat
    the request; 301/302/303 become a GET without body (HEAD stays HEAD). Credentials stay
    with the first origin, and never go from https to http, unless --location-trusted."""
    url = redirect_target(hop.url, location)
    result = replace(hop, url=url)
    if status in (307, 308) and hop.body is not None and not hop.body.replayable:
        raise RequestError(
            f"{status} redirect to {url} needs the body again, but {hop.body.source} was "
            "streamed (a pipe, or too large to keep) and cannot be sent twice; save it to a "
            "file and send it with @FILE"
        )
    if status in (301, 302, 303) and hop.method != "HEAD":
        headers = tuple((n, v) for n, v in hop.headers if n.lower() not in _BODY_HEADERS)
        result = replace(result, method="GET", body=None, headers=headers)
    leaving = origin(url) != origin(origin_url)
    downgrade = hop.url.lower().startswith("https:") and url.lower().startswith("http:")
    if trusted or not (leaving or downgrade):
        return result, []
    dropped = [n for n, _ in result.headers if is_secret(n, secret_headers)]
    if result.digest is not None:
        dropped.append("digest credentials")
    kept = tuple((n, v) for n, v in result.headers if not is_secret(n, secret_headers))
    return replace(result, headers=kept, digest=None), dropped


def redirect_target(current: str, location: str) -> str:
    """The absolute URL a Location points to, checked and encoded like the user's own URL.
    User info in it is dropped: a server cannot hand out credentials to send elsewhere."""
    try:
        joined = urljoin(current, location)
    except ValueError:  # urllib's own check of an IPv6 bracket
        joined = location
    if not joined.lower().startswith(("http://", "https://")):
        raise RequestError(f"redirect to unsupported URL {redact_url(location)!r} from {current}")
    try:
        return prepare_url(joined, path_as_is=True).url
    except InvalidURL as exc:
        raise RequestError(
            f"redirect from {current} to an invalid URL {redact_url(location)!r}: {exc.reason}"
        ) from None
