"""Where --download saves: a safe file name from the response or URL, never an existing file."""

from __future__ import annotations

import itertools
import mimetypes
import os
import re
from collections.abc import Callable
from email.message import Message
from typing import BinaryIO
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


def claim(directory: str, name: str) -> tuple[str, BinaryIO]:
    """A new file `name` (or `stem-1.ext`, ...) in `directory`, created at once, so that
    requests running side by side never pick the same one."""
    stem, ext = os.path.splitext(name)
    for counter in itertools.count():
        path = os.path.join(directory, name if not counter else f"{stem}-{counter}{ext}")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        return path, os.fdopen(fd, "wb")
    raise AssertionError("unreachable: the counter never ends")


def unique(name: str, exists: Callable[[str], bool] = os.path.exists) -> str:
    """`name`, or `stem-1.ext`, `stem-2.ext`, ... whichever is free."""
    if not exists(name):
        return name
    stem, ext = os.path.splitext(name)
    counter = 1
    while exists(f"{stem}-{counter}{ext}"):
        counter += 1
    return f"{stem}-{counter}{ext}"
