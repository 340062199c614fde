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
    from aiocurl.cli import main as cli_main

    sys.exit(cli_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
