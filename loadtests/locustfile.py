"""Locust load test: users replay recordings (``wsgm/1`` transcripts) over WebSocket.

    python -m loadtests.serve legacy --port 8765 &
    locust -f loadtests/locustfile.py --host ws://127.0.0.1:8765/ --headless -u 200 -r 50 -t 60s

Distributed (one master, N workers, on one or many machines)::

    locust -f loadtests/locustfile.py --master --host ws://HOST:8765/ --headless -u 2000 -r 100 -t 5m --expect-workers 4
    locust -f loadtests/locustfile.py --worker --master-host MASTER_IP     # once per worker

Environment: ``LOAD_RECORDINGS`` (paths separated by ``:``; default ``recordings/``, or the
benchmark corpus when that is empty), ``LOAD_SKIP_TAGS`` (comma-separated; default
sessions,collections,reconnect,limits,admin: those change server-wide state or need the
recording's own server settings), ``LOAD_TIMEOUT`` (seconds per wait, default 5),
``LOAD_WAIT`` (seconds between replays per user, default 1).
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

from locust import User, between, events, task

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import BENCH_CORPUS  # noqa: E402
from loadtests.replay import DEFAULT_SKIP_TAGS, cooperative_selectors, load_corpus, replay  # noqa: E402

cooperative_selectors()


def _paths() -> list[Path]:
    configured = os.environ.get("LOAD_RECORDINGS")
    if configured:
        return [Path(p) for p in configured.split(":") if p]
    recordings = ROOT / "recordings"
    return [recordings] if any(recordings.glob("*.jsonl")) else [BENCH_CORPUS]


def _skip_tags() -> frozenset[str]:
    raw = os.environ.get("LOAD_SKIP_TAGS")
    return DEFAULT_SKIP_TAGS if raw is None else frozenset(t.strip() for t in raw.split(",") if t.strip())


TRANSCRIPTS = load_corpus(_paths(), _skip_tags())
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "5"))
WAIT = float(os.environ.get("LOAD_WAIT", "1"))


@events.init.add_listener
def _check_corpus(environment, **_kwargs) -> None:
    if not TRANSCRIPTS:
        raise SystemExit(f"locustfile: no loadable recordings in {', '.join(map(str, _paths()))}")


# Requests per worker, so a distributed run shows how the load was shared: each worker sends its
# running totals with every report; the master keeps the latest per worker and writes them to
# ``<csv prefix>_workers.csv`` when it quits.
_COUNTS = {"requests": 0, "failures": 0}
_PER_WORKER: dict[str, dict[str, int]] = {}


@events.request.add_listener
def _count(exception=None, **_kwargs) -> None:
    _COUNTS["requests"] += 1
    _COUNTS["failures"] += exception is not None


@events.report_to_master.add_listener
def _send_counts(client_id, data, **_kwargs) -> None:
    data["worker_counts"] = dict(_COUNTS)


@events.worker_report.add_listener
def _keep_counts(client_id, data, **_kwargs) -> None:
    if "worker_counts" in data:
        _PER_WORKER[client_id] = data["worker_counts"]


@events.quitting.add_listener
def _write_worker_counts(environment, **_kwargs) -> None:
    prefix = getattr(environment.parsed_options, "csv_prefix", None)
    if not (_PER_WORKER and prefix):
        return
    lines = ["worker,requests,failures"]
    lines += [f"{worker},{c['requests']},{c['failures']}" for worker, c in sorted(_PER_WORKER.items())]
    Path(f"{prefix}_workers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


class TranscriptUser(User):
    """Replays a random loadable recording, pauses, and again; every awaited reply is a request."""

    wait_time = between(WAIT * 0.5, WAIT * 1.5)

    def _report(self, name: str, ms: float, length: int, error: Exception | None) -> None:
        self.environment.events.request.fire(request_type="WS", name=name, response_time=ms,
                                             response_length=length, exception=error, context={})

    @task
    def replay_recording(self) -> None:
        transcript = random.choice(TRANSCRIPTS)
        started = time.perf_counter()
        error: Exception | None = None
        try:
            replay(transcript, self.host, self._report, TIMEOUT)
        except Exception as exc:  # a refused connection, a timeout, a closed socket: a failed replay
            error = exc
        self._report(f"replay {transcript.name}", (time.perf_counter() - started) * 1000, 0, error)
