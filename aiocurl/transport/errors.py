"""aiohttp's exceptions → project errors with one line that names the cause and the URL."""

from __future__ import annotations

import asyncio
import errno

import aiohttp

from aiocurl.errors import AiocurlError, RequestError, TimeoutFired
from aiocurl.plan_transport import TransportPlan
from aiocurl.urls import mask_password


def map_error(
    exc: BaseException, url: str, plan: TransportPlan, *, received: int | None = None
) -> AiocurlError:
    """The project error for an exception raised while requesting `url`, marked retryable
    when trying again could help (and nothing of the body has been handed on yet)."""
    error = _describe(exc, url, plan, received=received)
    transient = isinstance(
        exc,
        (
            asyncio.TimeoutError,
            aiohttp.ServerTimeoutError,
            aiohttp.ServerDisconnectedError,
            aiohttp.ClientPayloadError,
            aiohttp.ClientOSError,
        ),
    ) and not isinstance(exc, (aiohttp.ClientSSLError, aiohttp.ClientConnectorDNSError))
    error.retryable = transient and not received
    return error


def _describe(
    exc: BaseException, url: str, plan: TransportPlan, *, received: int | None = None
) -> AiocurlError:
    """The project error for an exception raised while requesting `url`; `received` is how
    many body bytes had arrived, when the body had begun."""
    where = mask_password(url)
    got = f" after {received} body bytes" if received is not None else ""
    if isinstance(exc, (asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        return _timeout(exc, where, plan)
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        reason = getattr(exc.certificate_error, "verify_message", None) or str(
            exc.certificate_error
        )
        return RequestError(f"TLS certificate verification failed for {where}: {reason}")
    if isinstance(exc, aiohttp.ClientConnectorSSLError):
        return RequestError(f"TLS handshake with {where} failed: {_ssl_reason(exc)}")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return RequestError(f"could not resolve host {exc.host!r} ({where})")
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return RequestError(f"cannot connect to proxy {exc.host}:{exc.port}: {_os_reason(exc)}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return RequestError(f"cannot connect to {where}: {_os_reason(exc)}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        if received:
            return RequestError(f"{where}: the server closed the connection{got}")
        return RequestError(f"{where}: the server closed the connection without a response")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return RequestError(f"{where}: the response body broke off{got}: {_payload_reason(exc)}")
    if isinstance(exc, aiohttp.ClientResponseError):
        if received is not None:
            return RequestError(f"{where}: malformed response body{got}: {exc.message}")
        return RequestError(f"{where}: invalid HTTP response: {exc.message}")
    if isinstance(exc, aiohttp.InvalidURL):
        return RequestError(f"invalid URL {str(exc.url)!r}")
    if isinstance(exc, aiohttp.ClientError | OSError):
        return RequestError(f"{where}: {exc or type(exc).__name__}")
    raise exc


def _timeout(exc: BaseException, where: str, plan: TransportPlan) -> TimeoutFired:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return TimeoutFired(
            f"connect timeout: no connection to {where} within {plan.connect_timeout:g} s"
        )
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return TimeoutFired(
            f"read timeout: nothing received from {where} for {plan.read_timeout:g} s (--timeout)"
        )
    limit = f"{plan.total_timeout:g} s" if plan.total_timeout is not None else "the limit"
    return TimeoutFired(f"request to {where} took longer than {limit} (--max-time)")


def _os_reason(exc: aiohttp.ClientConnectorError) -> str:
    if exc.os_error.errno == errno.ECONNREFUSED:
        return "connection refused"
    return exc.os_error.strerror or str(exc.os_error)


def _ssl_reason(exc: aiohttp.ClientConnectorSSLError) -> str:
    error = exc.os_error
    return str(getattr(error, "reason", None) or error)


def _payload_reason(exc: aiohttp.ClientPayloadError) -> str:
    cause = exc.__cause__ or (exc.args[0] if exc.args else exc)
    return str(cause)
