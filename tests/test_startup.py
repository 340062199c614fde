"""Collection paused during start-up is resumed once, and a process that did not pause it
(this one, a program calling cli.main itself) is left as it is."""

from __future__ import annotations

import gc

from helpers import run_cli

from aiocurl import startup


def test_a_process_that_did_not_pause_collection_is_left_alone(echo_url: str) -> None:
    frozen = gc.get_freeze_count()
    assert run_cli(f"{echo_url}/get").exit_status == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_resuming_freezes_once_and_turns_collection_back_on() -> None:
    startup.pause_collection()
    try:
        assert not gc.isenabled()
        startup.resume_collection()
        assert gc.isenabled() and gc.get_freeze_count() > 0
        gc.unfreeze()
        startup.resume_collection()  # only the first call after a pause acts
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
        gc.enable()
