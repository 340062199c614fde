"""TLS flags → an SSLContext (or aiohttp's own verified default when none are given)."""

from __future__ import annotations

import os
import ssl

from aiocurl.errors import UsageError
from aiocurl.plan_transport import TransportPlan

_VERSIONS = {"tls1.2": ssl.TLSVersion.TLSv1_2, "tls1.3": ssl.TLSVersion.TLSv1_3}


def ssl_setting(plan: TransportPlan) -> ssl.SSLContext | bool:
    """True means aiohttp's default verified context, which it has already built."""
    if not plan.custom_tls:
        return True
    context = _verifying_context(plan.ca_bundle)
    if not plan.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if plan.ssl_version:
        context.minimum_version = context.maximum_version = _VERSIONS[plan.ssl_version]
    if plan.ciphers:
        try:
            context.set_ciphers(plan.ciphers)
        except ssl.SSLError:
            raise UsageError(f"--ciphers: no cipher matches {plan.ciphers!r}") from None
    if plan.cert:
        _load_client_cert(context, plan.cert, plan.cert_key, plan.cert_key_pass)
    return context


def _verifying_context(ca_bundle: str | None) -> ssl.SSLContext:
    """The system's CAs, or those of --verify PATH (a PEM file or a hashed directory)."""
    if ca_bundle is None:
        return ssl.create_default_context()
    is_dir = os.path.isdir(ca_bundle)
    try:
        return ssl.create_default_context(
            cafile=None if is_dir else ca_bundle, capath=ca_bundle if is_dir else None
        )
    except (ssl.SSLError, OSError) as exc:
        raise UsageError(
            f"--verify: cannot load CA certificates from {ca_bundle!r}: {exc}"
        ) from None


def _load_client_cert(
    context: ssl.SSLContext, cert: str, key: str | None, password: str | None
) -> None:
    try:
        context.load_cert_chain(
            os.path.expanduser(cert), key and os.path.expanduser(key), password=password
        )
    except (ssl.SSLError, OSError) as exc:
        raise UsageError(f"--cert: cannot load the client certificate: {exc}") from None
