"""The log watch used by the hostile tests really sees unhandled failures."""

from __future__ import annotations

import asyncio
import gc
import logging

from hostile_support import LogWatch


async def test_logwatch_sees_unretrieved_task_exceptions_and_error_logs():
    watch = LogWatch()
    loop = asyncio.get_running_loop()
    old = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, ctx: watch.loop_errors.append(ctx))
    logging.getLogger("hostile.check").addHandler(watch)
    try:
        async def boom():
            raise RuntimeError("boom")

        task = asyncio.ensure_future(boom())
        await asyncio.sleep(0.01)
        del task
        gc.collect()
        logging.getLogger("hostile.check").error("Connection handler error: KeyError")
        logging.getLogger("hostile.check").error("Failed to write strategy file: OSError")
    finally:
        loop.set_exception_handler(old)
        logging.getLogger("hostile.check").removeHandler(watch)
    problems = watch.problems()
    assert any("Task exception was never retrieved" in p for p in problems), problems
    assert any("Connection handler error" in p for p in problems), problems
    assert not any("Failed to write strategy file" in p for p in problems), problems
