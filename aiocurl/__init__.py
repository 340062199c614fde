"""aiocurl: an HTTPie-compatible command-line HTTP client on aiohttp."""

__version__ = "0.1.0"
