"""Renderers: transport events → terminal, pipe or file output. The only code that imports
rich and prompt_toolkit.

May import: request/ (the plans it renders by) and the shared modules. Never aiohttp,
yarl, tenacity, transport/ or modes/.
"""
