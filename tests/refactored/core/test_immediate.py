"""complete(): running a coroutine that never waits, and refusing one that does."""

import asyncio

import pytest

from refactored.core.immediate import Suspended, complete


async def _double(value):
    return 2 * value


async def _waits():
    await asyncio.sleep(0)


def test_a_coroutine_that_never_waits_completes_on_the_spot():
    assert complete(_double(21)) == 42


def test_a_coroutine_that_waits_is_refused_and_closed():
    coroutine = _waits()
    with pytest.raises(Suspended, match="remote backend"):
        complete(coroutine)
    assert coroutine.cr_frame is None  # closed, not left pending
