"""Entry point for `aiocurl` and `python -m aiocurl`.

`aiocurl --version` answers before click is imported: start-up time is a feature.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from aiocurl import __version__

        sys.stdout.write(f"{__version__}\n")
        return
    from aiocurl.startup import pause_collection

    pause_collection()  # until start-up is over: see aiocurl/startup.py
    from aiocurl.cli.main import main as cli_main

    status = cli_main(sys.argv[1:])
    try:
        sys.stdout.flush()
    except OSError:  # the reader went away: nothing more can reach it, and that is fine
        _stdout_to_devnull()
    sys.exit(status)


def _stdout_to_devnull() -> None:
    """Python flushes stdout once more at exit; with the reader gone that would print
    an ignored-exception warning, so stdout now leads nowhere."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


if __name__ == "__main__":
    main()
