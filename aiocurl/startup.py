"""The cyclic garbage collector is paused while the program starts, and then told to leave
what start-up built alone.

Starting a request imports some 350 modules (aiohttp, asyncio, click, aiocurl's own):
hundreds of thousands of objects that live until the process ends, none of them garbage.
The collector would walk them again and again while they are made, and once more at exit,
about a fifth of a plain GET's whole run here. So the console script pauses collection
first thing (`pause_collection`), and once start-up is over (the run's event loop waits
for the first time, or a session is built), `resume_collection` moves everything alive
into the collector's permanent generation (`gc.freeze`) and turns collection back on:
what the run allocates from then on is collected as usual, for runs of any length.

A process that did not pause collection (tests, a program calling `cli.main` itself) is
left as it is.
"""

from __future__ import annotations

import gc

_paused = False


def pause_collection() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collection() -> None:
    """Start-up is over: collect again, but never walk what start-up built. Only the first
    call after `pause_collection` acts."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
