"""Status codes, redirects and cookies."""

from __future__ import annotations

from aiohttp import web

from .respond import bad_request, json_response


def parse_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


async def status(request: web.Request) -> web.Response:
    code = parse_int(request.match_info["code"])
    # 1xx cannot be a final response; anything outside 200-599 is not a status at all.
    if code is None or not 200 <= code <= 599:
        return bad_request("status code must be an integer from 200 to 599")
    headers: dict[str, str] = {}
    if 300 <= code < 400:
        headers["Location"] = "/redirect/1"
    elif code == 401:
        headers["WWW-Authenticate"] = 'Basic realm="echo"'
    return web.Response(status=code, headers=headers)


def redirect(location: str, code: int = 302) -> web.Response:
    return web.Response(status=code, headers={"Location": location})


def next_hop(request: web.Request, prefix: str) -> str | web.Response:
    """The path the n-th redirect points at, or a 400 when n is not a positive integer."""
    hops = parse_int(request.match_info["n"])
    if hops is None or hops < 1:
        return bad_request("n must be a positive integer")
    return "/get" if hops == 1 else f"{prefix}/{hops - 1}"


async def relative_redirect(request: web.Request) -> web.Response:
    hop = next_hop(request, "/redirect")
    return hop if isinstance(hop, web.Response) else redirect(hop)


async def absolute_redirect(request: web.Request) -> web.Response:
    hop = next_hop(request, "/absolute-redirect")
    if isinstance(hop, web.Response):
        return hop
    return redirect(f"{request.scheme}://{request.host}{hop}")


async def redirect_to(request: web.Request) -> web.Response:
    url = request.query.get("url")
    code = parse_int(request.query.get("status_code", "302"))
    if not url:
        return bad_request("missing ?url=")
    if code is None or not 300 <= code <= 399:
        return bad_request("status_code must be a 3xx code")
    return redirect(url, code)


async def cookies(request: web.Request) -> web.Response:
    return json_response({"cookies": dict(request.cookies)})


async def set_cookies(request: web.Request) -> web.Response:
    response = redirect("/cookies")
    for name, value in request.query.items():
        response.set_cookie(name, value, path="/")
    return response


async def delete_cookies(request: web.Request) -> web.Response:
    response = redirect("/cookies")
    for name in request.query:
        response.del_cookie(name, path="/")
    return response
