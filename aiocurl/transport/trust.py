"""The CA store is loaded when a TLS connection starts, not when aiohttp is imported.

aiohttp builds two SSL contexts as it is imported, loading the system's CA certificates for
each: a sixth of a plain-http request's whole run here. aiocurl hands every connector a
context of its own (tls.ssl_setting), so aiohttp's are never used: `import_aiohttp` lets
aiohttp build them without loading any certificate, so that one used by mistake would trust
nothing and fail closed, never open. `DeferredTrustContext` verifies exactly as
`ssl.create_default_context()` does (same CA store, `SSL_CERT_FILE`, `SSL_CERT_DIR`,
`SSLKEYLOGFILE`), loading the store when its first connection starts.

tests/transport/test_trust.py fails should aiohttp build or use its contexts another way.
"""

from __future__ import annotations

import os
import ssl
import sys
from typing import Any


def import_aiohttp() -> None:
    """Import aiohttp with its two import-time SSL contexts left empty (see above)."""
    if "aiohttp.connector" in sys.modules:
        return  # imported already (a test process): its contexts are built, and unused
    create = ssl.create_default_context
    ssl.create_default_context = _empty_client_context
    ssl.SSLContext.set_default_verify_paths = _load_nothing  # type: ignore[method-assign,assignment]
    try:
        import aiohttp.connector  # noqa: F401
    finally:
        ssl.create_default_context = create
        del ssl.SSLContext.set_default_verify_paths  # the C method shows through again


def _empty_client_context(*_args: Any, **_kwargs: Any) -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, against no CA at all


def _load_nothing(_context: ssl.SSLContext) -> None:
    return None


class DeferredTrustContext(ssl.SSLContext):
    """A client context that verifies certificates and host names, loading the default CA
    store when its first connection starts (asyncio wraps every TLS connection with
    wrap_bio). Flags that turn verification off before then leave the store unloaded."""

    _trust_loaded = False

    def __new__(cls) -> DeferredTrustContext:
        context = super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)
        keylog = os.environ.get("SSLKEYLOGFILE")  # as create_default_context honours it
        if keylog and not sys.flags.ignore_environment:
            context.keylog_filename = keylog
        return context

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self.load_trust()
        return super().wrap_bio(*args, **kwargs)

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self.load_trust()
        return super().wrap_socket(*args, **kwargs)

    def load_trust(self) -> None:
        if not self._trust_loaded:
            self._trust_loaded = True
            if self.verify_mode != ssl.CERT_NONE:
                self.load_default_certs(ssl.Purpose.SERVER_AUTH)
