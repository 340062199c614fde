"""Renderers: turn transport events into terminal or pipe output. Never import aiohttp."""
