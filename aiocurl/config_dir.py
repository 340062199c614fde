"""Where aiocurl keeps its files (config.json, sessions/): one rule, shared by every
part that reads or writes them. Standard library only, so reading the config costs
nothing at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP = "aiocurl"


def config_dir(env: Mapping[str, str]) -> Path:
    """`$AIOCURL_CONFIG_DIR`, else `$XDG_CONFIG_HOME/aiocurl`, else `~/.config/aiocurl`
    (`%APPDATA%\\aiocurl` on Windows). An empty variable counts as unset."""
    explicit = env.get("AIOCURL_CONFIG_DIR")
    if explicit:
        return Path(explicit).expanduser()
    if os.name == "nt" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / APP
    xdg = env.get("XDG_CONFIG_HOME")
    if xdg:
        return Path(xdg).expanduser() / APP
    home = env.get("HOME")
    return (Path(home) if home else Path.home()) / ".config" / APP
