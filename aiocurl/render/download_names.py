"""Where --download saves: a safe file name from the response or URL, never an existing file."""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Callable
from email.message import Message
from urllib.parse import unquote, urlsplit

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")
FALLBACK = "index"


def name_for(url: str, content_disposition: str | None, content_type: str | None) -> str:
    """Content-Disposition's filename if it survives sanitising, else the URL's last path
    segment (plus an extension for its type), else `index`."""
    from_header = sanitise(disposition_filename(content_disposition))
    if from_header:
        return from_header
    segment = sanitise(unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2]))
    name = segment or FALLBACK
    if not os.path.splitext(name)[1]:
        name += extension_for(content_type)
    return name


def disposition_filename(value: str | None) -> str | None:
    if not value:
        return None
    message = Message()
    message["Content-Disposition"] = value
    filename = message.get_filename()  # handles filename*=UTF-8''... and quoting
    return str(filename) if filename else None


def sanitise(name: str | None) -> str | None:
    """A bare file name that stays in the current directory: no directories, no leading
    dots, no control characters; None when nothing usable is left."""
    if not name:
        return None
    base = re.split(r"[/\\]", name)[-1]  # a directory part, in either OS's spelling
    base = _UNSAFE.sub("_", base).strip().lstrip(".").strip()
    if base in ("", ".", ".."):
        return None
    return base[:200]


def extension_for(content_type: str | None) -> str:
    mime = (content_type or "").split(";")[0].strip().lower()
    if not mime or mime == "application/octet-stream":
        return ""
    return {"text/plain": ".txt", "application/json": ".json"}.get(mime) or (
        mimetypes.guess_extension(mime) or ""
    )


def unique(name: str, exists: Callable[[str], bool] = os.path.exists) -> str:
    """`name`, or `stem-1.ext`, `stem-2.ext`, ... whichever is free."""
    if not exists(name):
        return name
    stem, ext = os.path.splitext(name)
    counter = 1
    while exists(f"{stem}-{counter}{ext}"):
        counter += 1
    return f"{stem}-{counter}{ext}"
