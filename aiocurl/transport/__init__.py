"""The network: sessions, sending, redirects, retries, WebSocket, error mapping. The only
code that imports aiohttp, yarl and tenacity.

May import: request/ (the plans it carries out) and the shared modules. Never rich,
prompt_toolkit, render/ or modes/: it reports through the Sink protocol in events.py.
"""

from aiocurl.transport.trust import import_aiohttp

import_aiohttp()  # before any module here imports it: see transport/trust.py
