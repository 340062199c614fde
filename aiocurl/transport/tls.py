"""TLS flags → the SSLContext of a run's connections."""

from __future__ import annotations

import os
import re
import ssl

from aiocurl.errors import UsageError, os_reason
from aiocurl.request.plan_transport import TransportPlan
from aiocurl.transport.trust import DeferredTrustContext

_VERSIONS = {"tls1.2": ssl.TLSVersion.TLSv1_2, "tls1.3": ssl.TLSVersion.TLSv1_3}


def ssl_setting(plan: TransportPlan) -> ssl.SSLContext:
    """Always a context of aiocurl's own: aiohttp's default ones are left without CAs
    (transport/trust.py)."""
    context = _verifying_context(plan.ca_bundle)
    if not plan.custom_tls:
        return context
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
    """The system's CAs (loaded when the first connection starts), or those of --verify
    PATH (a PEM file or a hashed directory)."""
    if ca_bundle is None:
        context: ssl.SSLContext = DeferredTrustContext()
        context.set_alpn_protocols(["http/1.1"])  # as aiohttp's own default context does
        return context
    is_dir = os.path.isdir(ca_bundle)
    try:
        return ssl.create_default_context(
            cafile=None if is_dir else ca_bundle, capath=ca_bundle if is_dir else None
        )
    except OSError as exc:  # ssl.SSLError included: the file is not PEM certificates
        reason = "it holds no PEM certificates" if isinstance(exc, ssl.SSLError) else None
        raise UsageError(
            f"--verify: cannot load CA certificates from {ca_bundle!r}: {reason or os_reason(exc)}"
        ) from None


_CERTIFICATE = re.compile(rb"-----BEGIN (TRUSTED )?CERTIFICATE-----")
_PRIVATE_KEY = re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----")


def _load_client_cert(
    context: ssl.SSLContext, cert: str, key: str | None, password: str | None
) -> None:
    """Load --cert (and --cert-key), saying which file is wrong and how: OpenSSL only says
    "PEM lib" for a missing certificate, a missing key and a wrong passphrase alike."""
    cert_pem = _read_pem("--cert", cert)
    key_pem = _read_pem("--cert-key", key) if key else cert_pem
    if not _CERTIFICATE.search(cert_pem):
        raise UsageError(f"--cert: {cert!r} holds no PEM certificate")
    if not _PRIVATE_KEY.search(key_pem):
        if key:
            raise UsageError(f"--cert-key: {key!r} holds no PEM private key")
        raise UsageError(f"--cert: {cert!r} holds no private key; name its file with --cert-key")
    try:
        context.load_cert_chain(
            os.path.expanduser(cert), key and os.path.expanduser(key), password=password
        )
    except ssl.SSLError as exc:
        raise UsageError(_unloadable(exc, cert, key, encrypted=b"ENCRYPTED" in key_pem)) from None
    except OSError as exc:
        raise UsageError(f"--cert: cannot load the client certificate: {os_reason(exc)}") from None


def _read_pem(flag: str, path: str) -> bytes:
    try:
        with open(os.path.expanduser(path), "rb") as handle:
            return handle.read(1024 * 1024)
    except OSError as exc:
        raise UsageError(f"{flag}: cannot read {path!r}: {os_reason(exc)}") from None


def _unloadable(exc: ssl.SSLError, cert: str, key: str | None, *, encrypted: bool) -> str:
    key_file = key or cert
    if exc.reason == "KEY_VALUES_MISMATCH":
        return f"--cert-key: the private key in {key_file!r} does not belong to the certificate"
    if encrypted:
        return f"--cert-key-pass: wrong passphrase for the client key {key_file!r}"
    return (
        f"--cert: cannot load the client certificate {cert!r}: "
        "OpenSSL rejects the certificate or its private key"
    )
