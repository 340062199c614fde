"""Ways of running a plan, one module each: a single exchange, a download, a WebSocket
session. Each wires the plan to the transport and the renderers and returns an exit status.

May import: everything below it (request/, transport/, render/, the shared modules). Only
cli/ imports modes/.
"""
