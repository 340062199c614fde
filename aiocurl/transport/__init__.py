"""The only code that imports aiohttp: sessions, sending, redirects, error mapping."""
