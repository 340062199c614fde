"""The aiocurl-echo application: httpbin-style endpoints on aiohttp.web."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from . import auth, content, events, mirror, ranges, redirects, streams, websocket

# Big enough for realistic uploads; aiohttp's 1 MiB default would turn them into 413s.
MAX_BODY = 100 * 1024 * 1024

LogFn = Callable[[str], None]


def request_line(request: web.BaseRequest, status: int, body_size: int) -> str:
    """One log line: method, target, status, request body size, then every header in order."""
    headers = "; ".join(
        f"{name.decode('latin-1')}: {value.decode('latin-1')}"
        for name, value in request.raw_headers
    )
    return f"{request.method} {request.raw_path} -> {status} | body {body_size} bytes | {headers}"


def logging_middleware(log: LogFn) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        status, size = 500, 0
        try:
            # read() caches the body, so the handlers can still read it afterwards.
            size = len(await request.read())
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:  # 404, 405, 413 ... arrive as exceptions
            status = exc.status
            raise
        finally:
            log(request_line(request, status, size))

    return middleware


def add_routes(app: web.Application) -> None:
    route = app.router.add_route
    route("GET", "/", content.index)
    route("GET", "/get", mirror.get)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        route(method, f"/{method.lower()}", mirror.anything)
    route("*", "/anything", mirror.anything)
    route("*", "/anything/{tail:.*}", mirror.anything)
    route("GET", "/headers", mirror.headers)
    route("GET", "/ip", mirror.ip)
    route("GET", "/user-agent", mirror.user_agent)
    route("*", "/delay/{s}", mirror.delay)
    route("GET", "/stream/{n}", mirror.stream)

    route("*", "/status/{code}", redirects.status)
    route("*", "/redirect/{n}", redirects.relative_redirect)
    route("*", "/absolute-redirect/{n}", redirects.absolute_redirect)
    route("*", "/redirect-to", redirects.redirect_to)
    route("GET", "/cookies", redirects.cookies)
    route("GET", "/cookies/set", redirects.set_cookies)
    route("GET", "/cookies/delete", redirects.delete_cookies)

    route("*", "/basic-auth/{user}/{passwd}", auth.basic_auth)
    route("*", "/bearer", auth.bearer_auth)
    route("*", "/digest-auth/auth/{user}/{passwd}", auth.digest_auth)

    route("GET", "/json", content.json_document)
    route("GET", "/html", content.html_document)
    route("GET", "/xml", content.xml_document)
    route("GET", "/encoding/utf8", content.utf8_document)
    route("GET", "/gzip", content.gzipped)
    route("GET", "/deflate", content.deflated)
    route("GET", "/brotli", content.brotli_encoded)
    route("GET", "/zstd", content.zstd_encoded)
    route("GET", "/bytes/{n}", content.random_bytes)
    route("GET", "/stream-bytes/{n}", streams.stream_bytes)
    route("GET", "/drip", streams.drip)
    # HEAD too: a downloader may ask for the size and validators before fetching.
    route("GET", "/range/{n}", ranges.range_resource)
    route("HEAD", "/range/{n}", ranges.range_resource)
    route("GET", "/sse", events.sse)
    route("GET", "/ndjson", events.ndjson)
    route("GET", "/ws", websocket.websocket)


def make_app(*, log: LogFn | None = None) -> web.Application:
    """Build the echo app; `log`, if given, receives one line per request."""
    middlewares = [logging_middleware(log)] if log is not None else []
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY)
    app[auth.DIGEST_SECRET] = auth.new_digest_secret()
    add_routes(app)
    return app
