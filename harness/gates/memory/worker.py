"""Tracked work in its own process: warm up, then N replays under one memray Tracker.

``python -m harness.gates.memory.worker TARGET REPLAYS WARMUP OUT.bin CONFIG`` prints a JSON line
with the retained (leaked) bytes and the peak of the tracked part, and the recordings replayed.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from pathlib import Path

import memray

from harness.config import HarnessConfig, load_config
from harness.errors import HarnessError
from harness.gates.memory.session import Replayer, long_lived


def figures(path: Path) -> dict:
    """Retained bytes (allocations still alive when tracking stopped) and peak bytes."""
    reader = memray.FileReader(str(path))
    records = list(reader.get_leaked_allocation_records(merge_threads=True))
    return {
        "retained_bytes": sum(r.size for r in records),
        "retained_allocations": sum(r.n_allocations for r in records),
        "peak_bytes": reader.metadata.peak_memory,
    }


async def _tracked(target: str, count: int, warmup: int, out: Path, config: HarnessConfig) -> dict:
    async with long_lived(target, config) as live:
        replayer = Replayer(live, config)
        await replayer.probe()
        await replayer.warm_up(warmup)
        gc.collect()
        with memray.Tracker(str(out), native_traces=False, trace_python_allocators=True):
            await replayer.replays(count)
            await replayer.settle()
            gc.collect()
    return {"recordings": [t.name for t in replayer.transcripts], "left_out": replayer.left_out}


def main(argv: list[str]) -> int:
    target, count, warmup, out, config_path = argv[0], int(argv[1]), int(argv[2]), Path(argv[3]), Path(argv[4])
    out.unlink(missing_ok=True)
    try:
        replayed = asyncio.run(_tracked(target, count, warmup, out, load_config(config_path)))
    except HarnessError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps({"target": target, "replays": count, "capture": str(out), **figures(out), **replayed}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
