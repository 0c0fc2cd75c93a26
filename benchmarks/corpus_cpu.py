"""The server's own CPU time while the harness replays the whole corpus (legacy vs refactored).

The wall-clock corpus figure (``corpus_replay``) is set by the recordings' timers and by the
replaying clients, which share the process with the server. Here each server runs in a host
process of its own (``python -m benchmarks.corpus_cpu --host``): for every recording the
driver asks it to start a fresh server with the recording's settings, replays the recording
through the harness replayer (``harness.replay``, no quiet wait) from this process, then asks
it to stop. The host reports the CPU time (``time.process_time``: user + system, every
thread) spent between the server's start and the stop request, so server start-up and
shutdown are left out, as in the wall-clock figure, and idle time costs nothing. GC is
collected before and disabled during each replay (as in every timed round). Rounds rotate
the server order; the ratio is the median of per-round paired ratios.

    python -m benchmarks.corpus_cpu --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.gates.targets import load_class
from harness.redact import Restorer
from harness.replay import _Run
from harness.targets import LiveTarget, constructor_arguments
from harness.transcript import Transcript
from subject_trading.config import harness_config

from benchmarks.corpus import NO_QUIET, corpus_paths, wire_transcripts
from benchmarks.interleave import Timings, orders
from benchmarks.targets import TARGETS

ROOT = Path(__file__).resolve().parent.parent
WORKLOAD = "corpus_replay_server_cpu"
UNIT = "server CPU time for one replay of the whole corpus (fresh server per recording)"
SETTLE = 0.02  # idle wait before reading the clock on stop, for the server's last close handling
REPLY_TIMEOUT = 30.0
REPLAY_TIMEOUT = 60.0

SUBJECT = harness_config()


# -- the host process: one server at a time, CPU time between start and stop ------------------

class _Host:
    def __init__(self, target: str) -> None:
        self.cls = load_class(TARGETS[target])
        self.server: Any = None
        self.cpu_start = 0.0

    async def start(self, settings: dict) -> dict:
        self.server = self.cls(**constructor_arguments(settings))
        await asyncio.wait_for(self.server.start(), 10)
        gc.collect()
        gc.disable()
        self.cpu_start = time.process_time()
        return {"port": self.server.port}

    async def stop(self) -> dict:
        await asyncio.sleep(SETTLE)
        cpu = time.process_time() - self.cpu_start
        gc.enable()
        server, self.server = self.server, None
        await asyncio.wait_for(server.stop(), 10)
        return {"cpu": cpu}


async def _host(target: str) -> None:
    logging.disable(logging.CRITICAL)  # the recordings provoke warnings on purpose
    host = _Host(target)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print(json.dumps({"ready": target}), flush=True)
    try:
        while line := await reader.readline():
            command = json.loads(line)
            reply = await (host.start(command["settings"]) if "start" in command else host.stop())
            print(json.dumps(reply), flush=True)
    finally:
        if host.server is not None:
            await asyncio.wait_for(host.server.stop(), 10)


# -- the driver ------------------------------------------------------------------------------

@dataclass
class HostProcess:
    """A ``--host`` child for one target, spoken to over its stdin/stdout."""

    target: str
    proc: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "benchmarks.corpus_cpu", "--host", self.target]
        self.proc = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._read()

    def _read(self) -> dict:
        """The host's one-line answer, waited for at most ``REPLY_TIMEOUT`` seconds."""
        ready, _, _ = select.select([self.proc.stdout], [], [], REPLY_TIMEOUT)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"{self.target}: corpus host gave no answer (exit code {self.proc.poll()})")
        return json.loads(line)

    def ask(self, command: dict) -> dict:
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        """End of input stops the host; a host that does not stop in time is killed."""
        if self.proc is None:
            return
        try:
            self.proc.stdin.close()
            self.proc.wait(REPLY_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(REPLY_TIMEOUT)


async def replay_on(host: HostProcess, transcript: Transcript) -> float:
    """The host server's CPU seconds while ``transcript`` is replayed against it."""
    settings = transcript.meta.settings
    port = (await asyncio.to_thread(host.ask, {"start": host.target, "settings": settings}))["port"]
    try:
        run = _Run(transcript, LiveTarget(f"ws://127.0.0.1:{port}/"), Restorer(SUBJECT.redact, SUBJECT.fixtures, settings), NO_QUIET)
        await asyncio.wait_for(run.run(), REPLAY_TIMEOUT)
    finally:
        cpu = (await asyncio.to_thread(host.ask, {"stop": True}))["cpu"]
    if run.warnings:
        raise RuntimeError(f"{host.target}: {transcript.name}: {run.warnings[0]}")
    return cpu


async def corpus_cpu(hosts: dict[str, HostProcess], transcripts: list[Transcript], rounds: int,
                     warmup: int = 1) -> Timings:
    """``rounds`` interleaved rounds (after ``warmup``), each the server CPU of a whole-corpus replay."""
    result = Timings(WORKLOAD, UNIT, 1, {name: [] for name in hosts})
    cycle = orders(list(hosts))
    for index in range(warmup + rounds):
        for name in cycle[index % len(cycle)]:
            total = 0.0
            for transcript in transcripts:
                total += await replay_on(hosts[name], transcript)
            if index >= warmup:
                result.rounds[name].append(total)
    return result


def measure(names: list[str], rounds: int, paths: list[Path] | None = None) -> Timings:
    """Start one host per server, measure, always stop the hosts."""
    transcripts = wire_transcripts(paths or corpus_paths())
    hosts: dict[str, HostProcess] = {}
    try:
        for name in names:
            hosts[name] = HostProcess(name)
            hosts[name].start()
        return asyncio.run(corpus_cpu(hosts, transcripts, rounds))
    finally:
        for host in hosts.values():
            host.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus_cpu", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--servers", nargs="+", default=["legacy", "refactored"])
    parser.add_argument("--host", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.host:
        asyncio.run(_host(args.host))
        return 0
    print(json.dumps(measure(args.servers, args.rounds).to_dict(), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
