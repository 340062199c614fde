"""Planning: Options and items → a frozen RequestPlan, with no network I/O. Items grammar,
URLs, nested JSON, bodies, multipart, stdin, the planners, the resume state of a download.

May import: cli/options.py (the Options it plans from) and the shared modules at the
package's top. Never aiohttp, yarl, tenacity, rich, prompt_toolkit, render/, transport/ or
modes/: `--offline` runs on this package alone.
"""
