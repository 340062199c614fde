"""The command line: the click command, its flags, the Options they make, and the edge
that turns every failure into one line and an exit code.

May import: request/ (to plan), modes/ (to run; only inside functions, so that --help and
--version stay light), and the shared modules at the package's top. Never aiohttp, yarl,
tenacity, rich or prompt_toolkit directly.
"""
