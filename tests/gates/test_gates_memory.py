"""The memory gate: a leaky fake fails, a clean one passes; bounded structures."""

import asyncio
import sys
from collections import OrderedDict
from pathlib import Path

import pytest

from harness.config import load_config
from harness.gates import runners
from harness.gates.memory.session import Replayer, long_lived
from harness.gates.memory.bounded import bounded_gate, check_bounded
from subject_trading.structures import delivery_queue_subject, session_store_subject
from harness.gates.result import GateError
from harness.gates.memory.gate import MemorySettings, allowed_growth, memory_gate

TINY = MemorySettings(replays=5, warmup=3)
FAKE = "gates_fake_servers:FakeServer"


def test_allowed_growth_rule() -> None:
    assert allowed_growth(0.0, TINY) == 256
    assert allowed_growth(1000.0, TINY) == pytest.approx(1356)


def test_leaky_candidate_fails_with_figures_and_flamegraphs(fakes_on_path: str, corpus_config: Path, tmp_path: Path) -> None:
    result = memory_gate("gates_fake_servers:FakeServer", "gates_fake_servers:LeakyServer", tmp_path, corpus_config, TINY)
    assert not result.passed
    candidate, legacy = result.figures["candidate"], result.figures["legacy"]
    assert candidate["bytes_per_replay"] > 8000 > legacy["bytes_per_replay"]
    assert candidate["peak_bytes"] > 0 and legacy["peak_bytes"] > 0
    assert "B per replay" in result.reason
    page = tmp_path / result.artifacts["candidate_leaks_flamegraph"]
    assert page.stat().st_size > 1000 and "<html" in page.read_text()[:2000].lower()


def test_clean_candidate_passes(fakes_on_path: str, corpus_config: Path, tmp_path: Path) -> None:
    result = memory_gate("gates_fake_servers:LeakyServer", "gates_fake_servers:FakeServer", tmp_path, corpus_config, TINY)
    assert result.passed, result.reason
    assert result.figures["candidate"]["bytes_per_replay"] < 256
    assert result.figures["candidate"]["recordings"] == 1 and result.figures["candidate"]["left_out"] == {}


def test_tracking_stops_only_after_the_server_has_closed_its_connections(
    fakes_on_path: str, corpus_config: Path
) -> None:
    async def tasks_after_replays() -> tuple[int, int, int]:
        config = load_config(corpus_config)
        async with long_lived("gates_fake_servers:LingeringServer", config) as live:
            replayer = Replayer(live, config)
            await replayer.probe()
            await replayer.warm_up(1)
            await replayer.replays(1)
            closing = await live.server.running_tasks(1.0)
            await replayer.settle()
            return replayer.at_rest, closing, await live.server.running_tasks(1.0)

    at_rest, closing, settled = asyncio.run(tasks_after_replays())
    assert closing > at_rest == settled


def test_lingering_cleanup_is_not_counted_as_retained(fakes_on_path: str, corpus_config: Path, tmp_path: Path) -> None:
    result = memory_gate(FAKE, "gates_fake_servers:LingeringServer", tmp_path, corpus_config, TINY)
    assert result.passed, result.reason
    assert result.figures["candidate"]["bytes_per_replay"] < 256


def test_selection_that_matches_nothing_is_a_harness_error(fakes_on_path: str, corpus_config: Path, tmp_path: Path) -> None:
    corpus_config.write_text(corpus_config.read_text().replace('["pings"]', '["nothing*"]'))
    with pytest.raises(GateError, match="no recording matches"):
        memory_gate(FAKE, FAKE, tmp_path, corpus_config, TINY)


class Store:
    """Keeps at most ``limit`` sessions (or all of them when ``limit`` is None)."""

    def __init__(self, limit):
        self.limit, self.entries = limit, OrderedDict()

    async def issue(self, client_id):
        self.entries[client_id] = "token" * 4
        while self.limit is not None and len(self.entries) > self.limit:
            self.entries.popitem(last=False)

    async def save(self, client_id, snapshot, now):
        self.entries[client_id] = (snapshot, now)

    async def purge(self, now):
        return []

    def __len__(self):
        return len(self.entries)


class Queue:
    """A delivery queue; ``leaky`` keeps a dedup record per client forever."""

    def __init__(self, leaky=False):
        self.queues, self.seen, self.leaky = {}, {}, leaky

    async def put(self, client_id, message_id, frame, now):
        self.queues.setdefault(client_id, []).append(frame)
        self.seen.setdefault(client_id, set()).add(message_id)

    async def drain(self, client_id, now):
        return self.queues.pop(client_id, [])

    async def forget(self, client_id):
        self.queues.pop(client_id, None)
        if not self.leaky:
            self.seen.pop(client_id, None)

    async def clients(self):
        return list(self.queues)

    async def pending(self, client_id):
        return len(self.queues.get(client_id, ()))


def test_bounded_structures_pass() -> None:
    result = bounded_gate(
        [session_store_subject(Store(500), 500), delivery_queue_subject(Queue(), 100, window=100)], inserts=20_000
    )
    assert result.passed, result.figures
    assert result.figures["session_store"]["max_size"] == 500


def test_unbounded_store_fails() -> None:
    result = check_bounded(session_store_subject(Store(None), 500), inserts=20_000)
    assert not result.passed and result.max_size > 500


def test_queue_that_keeps_bytes_fails_on_growth() -> None:
    result = check_bounded(delivery_queue_subject(Queue(leaky=True), 100, window=100), inserts=20_000)
    assert result.max_size <= 100
    assert result.growth_bytes_per_session > result.max_growth_bytes_per_session
    assert not result.passed
    assert not bounded_gate([delivery_queue_subject(Queue(leaky=True), 100, window=100)], 20_000).passed


def test_structure_with_another_api_is_a_harness_error() -> None:
    with pytest.raises(GateError, match="bounded check of session_store failed"):
        bounded_gate([session_store_subject(object(), 10)], inserts=10)


def test_worked_subject_plugin_structures_stay_bounded() -> None:
    from harness.config import HarnessConfig
    from subject_trading.plugin import TradingSubject

    subject = TradingSubject(HarnessConfig())
    subjects = subject.bounded_structures("refactored:WebSocketAPIServer")
    assert [s.name for s in subjects] == ["session_store", "delivery_queue"]
    assert subject.bounded_structures("some.other:Server") == ()
    result = bounded_gate(list(subjects), inserts=30_000)
    assert result.passed, result.figures


def command(name: str) -> str:
    return f"cmd:{sys.executable} {Path(__file__).parent / 'gates_fake_command.py'} {name} {{port}}"


def test_server_processes_are_measured_by_resident_memory(fakes_on_path: str, corpus_config: Path, tmp_path: Path) -> None:
    settings = MemorySettings(replays=20, warmup=5)
    leaky = memory_gate(command("FakeServer"), command("LeakyServer"), tmp_path, corpus_config, settings, (), "rss")
    assert leaky.figures["measured_with"] == "rss" and leaky.artifacts == {}
    assert not leaky.passed, leaky.figures
    assert leaky.figures["candidate"]["bytes_per_replay"] > 4000 > leaky.figures["legacy"]["bytes_per_replay"]


def test_memory_method_follows_the_target_forms(tmp_path: Path) -> None:
    from harness.config import HarnessConfig
    from harness.gates.result import NotApplicable

    def method(candidate: str) -> str:
        return runners.memory_method(runners.GateOptions(FAKE, candidate, tmp_path, True, HarnessConfig()))

    assert method(FAKE) == "memray" and method("cmd:node server.js --port {port}") == "rss"
    with pytest.raises(NotApplicable, match="does not start"):
        method("ws://127.0.0.1:9/")
