"""The installed command in real processes: imports at start-up, pipes, exit codes, a pty."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from typing import Any

import pytest

from aiocurl import __version__

PROBE = """
import sys
{setup}
heavy = sorted(m for m in ("aiohttp", "rich", "yarl", "click") if m in sys.modules)
print("IMPORTED:" + ",".join(heavy), file=sys.stderr)
"""


def imported_after(setup: str) -> list[str]:
    code = PROBE.format(setup=setup)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    line = next(x for x in done.stderr.splitlines() if x.startswith("IMPORTED:"))
    return [m for m in line.removeprefix("IMPORTED:").split(",") if m]


def test_version_imports_neither_aiohttp_nor_click() -> None:
    setup = "sys.argv = ['aiocurl', '--version']\nfrom aiocurl.__main__ import main\nmain()"
    assert imported_after(setup) == []


@pytest.mark.parametrize(
    "argv", [["--offline", "POST", "example.org/x", "a=b", "X:1"], ["--offline", "-v", "h"]]
)
def test_offline_does_not_import_aiohttp_or_rich(argv: list[str]) -> None:
    setup = f"from aiocurl.cli.main import main\nmain({argv!r})"
    assert imported_after(setup) == ["click"]


def test_help_does_not_import_aiohttp() -> None:
    setup = "from aiocurl.cli.main import main\nmain(['--help'])"
    assert imported_after(setup) == ["click", "rich"]  # rich-click draws the help


# The console script's own start, in a process of its own with stdout a pipe, reporting at
# exit what it imported and how it left the garbage collector.
RUN_PROBE = """
import atexit, gc, json, sys

def report():
    found = {{"modules": sorted(sys.modules), "collecting": gc.isenabled(),
             "frozen": gc.get_freeze_count()}}
    print("REPORT:" + json.dumps(found), file=sys.stderr)

atexit.register(report)
sys.argv = ["aiocurl", *{argv!r}]
from aiocurl.__main__ import main
main()
"""


def run_reporting(*argv: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    code = RUN_PROBE.format(argv=list(argv))
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("REPORT:"))
    return done, json.loads(line.removeprefix("REPORT:"))


# What a GET into a pipe never needs, so never imports (start-up): the terminal's modules,
# --help's and completion's, and the modules of other modes and flags.
NOT_FOR_A_PIPED_GET = (
    "rich",
    "rich_click",
    "prompt_toolkit",
    "pygments",
    "tenacity",
    "click.shell_completion",
    "aiocurl.cli.help",
    "aiocurl.cli.completion",
    "aiocurl.render.console",
    "aiocurl.render.progress",
    "aiocurl.render.transfer",  # --timing, --write-out
    "aiocurl.request.write_out",
    "aiocurl.request.batch",
    "aiocurl.request.load",
    "aiocurl.modes.batch",
    "aiocurl.modes.load",
    "aiocurl.modes.download",
    "aiocurl.modes.websocket",
    "aiocurl.transport.retry",
    "aiocurl.transport.websocket",
    "aiocurl.transport.errors",  # a failure's words
    "aiocurl.transport.raw_body",  # a body the head did not bring along
    "aiocurl.transport.live",  # the shell
    "aiocurl.cli.shell",
    "aiocurl.cli.flag_words",
)


def test_a_piped_get_imports_only_what_it_uses(echo_url: str) -> None:
    done, found = run_reporting(f"{echo_url}/get")
    assert done.returncode == 0 and json.loads(done.stdout)["url"].endswith("/get")
    imported = set(found["modules"])
    assert "aiohttp" in imported
    unwanted = {
        m for m in imported if m in NOT_FOR_A_PIPED_GET or m.split(".")[0] in NOT_FOR_A_PIPED_GET
    }
    assert unwanted == set()


def test_start_up_objects_are_frozen_and_collection_resumes_for_the_run(echo_url: str) -> None:
    """Collection is paused while the command starts, and the objects start-up built are
    moved out of its way once the run begins; what the run allocates is collected."""
    done, found = run_reporting(f"{echo_url}/get")
    assert done.returncode == 0
    assert found["collecting"] is True
    assert found["frozen"] > 10_000  # the modules, classes and functions of start-up


def aiocurl(*argv: str) -> subprocess.CompletedProcess[bytes]:
    executable = shutil.which("aiocurl")
    assert executable, "the aiocurl console script is not installed (pip install -e .)"
    return subprocess.run(
        [executable, *argv], capture_output=True, timeout=60, stdin=subprocess.DEVNULL
    )


def test_console_script_version() -> None:
    done = aiocurl("--version")
    assert (done.returncode, done.stdout) == (0, f"{__version__}\n".encode())


def test_python_dash_m() -> None:
    done = subprocess.run([sys.executable, "-m", "aiocurl", "--version"], capture_output=True)
    assert done.stdout == f"{__version__}\n".encode()


def test_console_script_in_a_pipe(echo_url: str) -> None:
    done = aiocurl("POST", f"{echo_url}/post", "name=ada", "age:=36")
    assert done.returncode == 0
    assert json.loads(done.stdout)["json"] == {"name": "ada", "age": 36}
    assert b"\x1b[" not in done.stdout and done.stderr == b""


def test_console_script_exit_codes(echo_url: str) -> None:
    assert aiocurl("--check-status", f"{echo_url}/status/404").returncode == 4
    assert aiocurl("--check-status", f"{echo_url}/status/503").returncode == 5
    done = aiocurl("--nope", echo_url)
    assert done.returncode == 1
    assert done.stderr.startswith(b"aiocurl: error: unknown option --nope")
    assert done.stderr.count(b"\n") == 1


def test_help_lists_the_flags() -> None:
    done = aiocurl("--help")
    assert done.returncode == 0
    for flag in (b"--follow", b"--timeout", b"--verify", b"--offline", b"--check-status"):
        assert flag in done.stdout


def run_in_pty(*argv: str) -> bytes:
    executable = shutil.which("aiocurl")
    assert executable
    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen(
        [executable, *argv], stdin=terminal, stdout=terminal, stderr=terminal, env=env
    )
    os.close(terminal)
    output = bytearray()
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal side is closed once the process exits
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0
    return bytes(output)


def test_a_real_terminal_gets_headers_and_colour(echo_url: str) -> None:
    output = run_in_pty(f"{echo_url}/get", "a==1")
    assert b"\x1b[" in output
    assert b"HTTP/1.1" in output and b"200" in output and b"Content-Type" in output
    assert b'"a"' in output


async def test_ctrl_c_exits_130(aiohttp_server: object) -> None:
    import asyncio
    import signal

    from aiohttp import web

    arrived = asyncio.Event()
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        arrived.set()
        await release.wait()
        return web.Response(text="late")

    app = web.Application()
    app.router.add_get("/", slow)
    server = await aiohttp_server(app)  # type: ignore[operator]
    executable = shutil.which("aiocurl")
    assert executable
    process = await asyncio.create_subprocess_exec(
        executable,
        str(server.make_url("/")),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )
    await asyncio.wait_for(arrived.wait(), timeout=30)
    process.send_signal(signal.SIGINT)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    release.set()
    assert process.returncode == 130
    assert stdout == b""
    assert b"Traceback" not in stderr and b"interrupted" in stderr
