"""The interactive WebSocket prompt on a terminal: a prompt with history at the bottom,
messages printed above it as they arrive, JSON pretty-printed and coloured. The session
itself is run by modes/websocket.py."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import io
import json
import time
from collections.abc import AsyncIterator

from prompt_toolkit import PromptSession
from prompt_toolkit.formatted_text import ANSI
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout
from prompt_toolkit.shortcuts import print_formatted_text
from rich.console import Console
from rich.syntax import Syntax

from aiocurl.events import Outbox, Outgoing

HELP = """commands:
  /ping [data]            send a ping
  /close [code [reason]]  close the session (default 1000)
  /binary <base64>        send a binary message
  /help                   this text
  //text                  send a message that starts with '/'
Ctrl-D closes normally; Ctrl-C closes and exits 130."""


class PromptView:
    """Prints each message above the prompt, marked by direction and time."""

    def __init__(self, style: str) -> None:
        self._theme = "ansi_dark" if style == "auto" else style

    def opened(self, protocol: str | None) -> None:
        chosen = f" (subprotocol {protocol})" if protocol else ""
        self.note(f"connected{chosen}; /help for commands")

    def message(self, data: str | bytes, *, incoming: bool) -> None:
        arrow = "\x1b[36m<\x1b[0m" if incoming else "\x1b[32m>\x1b[0m"
        stamp = time.strftime("%H:%M:%S")
        print_formatted_text(ANSI(f"{arrow} \x1b[2m{stamp}\x1b[0m {self._render(data)}"))

    def note(self, text: str) -> None:
        print_formatted_text(ANSI(f"\x1b[2m{text}\x1b[0m"))

    def _render(self, data: str | bytes) -> str:
        if isinstance(data, bytes):
            return f"[binary, {len(data)} bytes] {base64.b64encode(data).decode()}"
        try:
            document = json.loads(data)
        except ValueError:
            return data
        pretty = json.dumps(document, indent=2, ensure_ascii=False)
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=True, color_system="256", soft_wrap=True)
        console.print(Syntax("", "json", theme=self._theme).highlight(pretty), end="")
        return buffer.getvalue()


def parse_line(line: str) -> Outgoing | str:
    """A typed line → what to send, or a text to show (help, a mistake)."""
    if not line.startswith("/") or line.startswith("//"):
        return Outgoing("text", (line[1:] if line.startswith("//") else line).encode())
    command, _, rest = line.partition(" ")
    if command == "/ping":
        return Outgoing("ping", rest.encode())
    if command == "/close":
        code_text, _, reason = rest.strip().partition(" ")
        code = int(code_text) if code_text.isdigit() else 1000
        if code_text and not (code_text.isdigit() and is_sendable_close(code)):
            return f"/close: the code must be 1000-1003, 1007-1014 or 3000-4999, got {code_text!r}"
        return Outgoing("close", code=code, reason=reason)
    if command == "/binary":
        try:
            return Outgoing("binary", base64.b64decode(rest.strip(), validate=True))
        except binascii.Error:
            return "/binary: expected base64 data"
    if command == "/help":
        return HELP
    return f"unknown command {command} (/help lists them; //text sends a '/' message)"


def is_sendable_close(code: int) -> bool:
    """The close codes an endpoint may send (RFC 6455 section 7.4; 1004-1006 and 1015 are
    reserved, 1012-1014 registered later)."""
    return code in (1000, 1001, 1002, 1003) or 1007 <= code <= 1014 or 3000 <= code <= 4999


class Prompt:
    """The prompt at the bottom of the terminal: each typed line goes to the outbox as what
    it means; Ctrl-D and Ctrl-C close the session politely."""

    def __init__(self, view: PromptView, outbox: Outbox) -> None:
        self._view = view
        self._outbox = outbox
        self.interrupted = False  # Ctrl-C: the run ends as interrupted once closed

    async def read(self) -> None:
        session: PromptSession[str] = PromptSession(history=InMemoryHistory())
        while True:
            try:
                line = await session.prompt_async("> ")
            except (EOFError, KeyboardInterrupt) as exc:
                self.interrupted = isinstance(exc, KeyboardInterrupt)
                self._outbox.put_nowait(Outgoing("close", code=1000))
                return
            parsed = parse_line(line)
            if isinstance(parsed, str):
                self._view.note(parsed)
                continue
            if parsed.kind in ("text", "binary"):
                data = parsed.data.decode() if parsed.kind == "text" else parsed.data
                self._view.message(data, incoming=False)
            self._outbox.put_nowait(parsed)


@contextlib.asynccontextmanager
async def prompting(view: PromptView, outbox: Outbox) -> AsyncIterator[Prompt]:
    """A prompt that reads while the block runs; output printed meanwhile goes above it."""
    prompt = Prompt(view, outbox)
    with patch_stdout(raw=True):
        reading = asyncio.ensure_future(prompt.read())
        try:
            yield prompt
        finally:
            reading.cancel()
