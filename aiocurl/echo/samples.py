"""Fixed documents served by /json, /html, /xml, /encoding/utf8 and the / index."""

# The UTF-8 sample is non-ASCII on purpose, look-alike letters included.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Any

INDEX = """\
aiocurl-echo: a local httpbin-style server for trying aiocurl and inspecting requests.

Request inspection (JSON; every one also has "raw_headers" in received order and case)
  /get  /post  /put  /patch  /delete     that method only
  /anything  /anything/...               any method, custom verbs too
  /headers  /ip  /user-agent
  /delay/{seconds}                       describe after a delay (at most 10 s)

Status and redirects
  /status/{code}                         empty body with that status
  /redirect/{n}  /absolute-redirect/{n}  n redirects, then /get
  /redirect-to?url=...&status_code=302

Authentication
  /basic-auth/{user}/{passwd}  /bearer  /digest-auth/auth/{user}/{passwd}

Cookies
  /cookies  /cookies/set?name=value  /cookies/delete?name

Response formats
  /json  /html  /xml  /encoding/utf8  /gzip  /deflate
  /bytes/{n}?seed=0                      n deterministic random bytes
  /stream/{n}                            n JSON lines, streamed

Streaming and downloads (bytes are random.Random(seed).randbytes(n), as for /bytes)
  /stream-bytes/{n}?chunk_size=10240&seed=0       n bytes, chunked, one write per chunk_size
  /drip?numbytes=10&duration=2&delay=0&code=200   numbytes '*'s trickled over duration
  /range/{n}?seed=0&etag=...&chunk_size=65536     Range / If-Range aware: 200, 206 or 416
  /range/{n}?ignore_range=1                       the same bytes from a server without ranges
  ...?cut=N   on /bytes, /stream-bytes, /range    cut the connection after N body bytes
  /sse?count=3&interval=1&event=&retry=&multiline=1   Server-Sent Events
  /ndjson?count=3&interval=1                      JSON lines, one every interval seconds

WebSocket (ws://; echoes text as text and binary as binary)
  /ws?protocols=a,b                      subprotocols the server accepts
  /ws?count=3&interval=1                 also push {"push": i} every interval seconds
  /ws?close=1008&reason=...&after=0      close with that code after `after` client messages
  /ws?drop=1&after=0                     drop the TCP connection instead (client sees 1006)
  /ws?no_pong=1                          never answer pings, so client heartbeats time out
  /ws?auth=TOKEN  /ws?status=403         refuse the handshake: 401 without the bearer token
"""

SLIDESHOW: dict[str, Any] = {
    "slideshow": {
        "author": "aiocurl",
        "date": "2025-01-01",
        "title": "A Sample Slide Show",
        "slides": [
            {"title": "Send requests from the terminal", "type": "all"},
            {
                "title": "Overview",
                "type": "all",
                "items": ["Readable output by default", "curl's depth when you need it"],
            },
        ],
    }
}

HTML = """\
<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>aiocurl-echo</title>
  </head>
  <body>
    <h1>aiocurl-echo</h1>
    <p>A small HTML page, served so clients can show and highlight HTML responses.</p>
    <ul>
      <li><a href="/get">/get</a></li>
      <li><a href="/json">/json</a></li>
    </ul>
  </body>
</html>
"""

XML = """\
<?xml version="1.0" encoding="utf-8"?>
<slideshow title="A Sample Slide Show" date="2025-01-01" author="aiocurl">
  <slide type="all">
    <title>Send requests from the terminal</title>
  </slide>
  <slide type="all">
    <title>Overview</title>
    <item>Readable output by default</item>
    <item>curl's depth when you need it</item>
  </slide>
</slideshow>
"""

UTF8 = """\
<!DOCTYPE html>
<html>
  <head><meta charset="utf-8"><title>UTF-8 sample</title></head>
  <body>
    <h1>UTF-8 sample text</h1>
    <ul>
      <li>English: Hello, world!</li>
      <li>Ελληνικά: Γειά σου, κόσμε!</li>
      <li>Русский: Привет, мир!</li>
      <li>日本語: こんにちは、世界！</li>
      <li>中文: 你好，世界！</li>
      <li>한국어: 안녕하세요, 세계!</li>
      <li>العربية: مرحبا بالعالم!</li>
      <li>עברית: שלום עולם!</li>
      <li>Emoji: 👋 🌍 🚀 ✨</li>
      <li>Math: ∀x ∈ ℝ, x² ≥ 0</li>
    </ul>
  </body>
</html>
"""
