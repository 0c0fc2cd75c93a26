"""The `cluster:N:TARGET` target: N instances sharing one Redis, connections spread over them,
the `instance` field of connect and call lines, isolation of runs, and every process stopped."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import redis

from harness import transcript as wsgm
from harness.config import ClusterConfig, HarnessConfig, TargetTable, Timeouts
from harness.errors import TargetError, TranscriptError
from harness.replay import replay_recording
from harness.scenario import Scenario, record_scenario
from harness.serving import cluster as cluster_form
from harness.serving.ready import port_taken
from harness.targets import check_target, parse_target, running

HERE = Path(__file__).parent
SERVER = "cluster_servers:ClusterServer"
SCRIPT = HERE / "cluster_servers.py"
HARNESS = Path(sys.executable).parent / "harness"
SHARED = {"redis_url": "{redis_url}", "namespace": "{namespace}"}
META = '{"kind":"meta","format":"wsgm/1","name":"t","settings":{}}'


def config_for(url: str = "", **cluster) -> HarnessConfig:
    timeouts = Timeouts(connect=2.0, frame=2.0, quiet=0.1, quiet_max=1.0, recording=15.0, start=5.0, close=1.0)
    table = ClusterConfig(redis_url=url, settings=cluster.get("settings", SHARED))
    return HarnessConfig(timeouts=timeouts, cluster=table, targets=TargetTable(aliases={"srv": SERVER}))


def lines(*rows: dict) -> str:
    return "\n".join([META, *(json.dumps(row, separators=(",", ":")) for row in rows)]) + "\n"


def connect(client: str, instance: int | None = None) -> dict:
    row = {"kind": "connect", "client": client}
    return row if instance is None else {**row, "instance": instance}


def send(client: str, frame: dict) -> dict:
    return {"kind": "send", "client": client, "text": json.dumps(frame)}


def recv(client: str, frame: dict) -> dict:
    return {"kind": "recv", "client": client, "text": json.dumps(frame)}


def counted(client: str, instance: int, n: int) -> list[dict]:
    """A client connects, is greeted, counts and sees the count (the replay waits for each)."""
    return [connect(client), recv(client, {"type": "hello", "instance": instance}),
            send(client, {"type": "count"}), recv(client, {"type": "count", "n": n})]


async def replay(text: str, target: str, config: HarnessConfig):
    return await replay_recording(wsgm.loads(text, "rec.jsonl"), parse_target(target, config),
                                  timeouts=config.timeouts)


def frames(observation, client: str) -> list[dict]:
    return [json.loads(frame.text) for frame in observation.clients[client].frames]


def instances_of(observation, *clients: str) -> list[int]:
    return [frames(observation, c)[0]["instance"] for c in clients]


# --- the spec -----------------------------------------------------------------------------


def test_cluster_spec_resolves_its_member() -> None:
    spec = parse_target("cluster:3:srv", config_for())
    assert (spec.kind, spec.count, spec.member.kind, spec.member.value) == ("cluster", 3, "class", SERVER)
    assert spec.cluster.settings == SHARED and not spec.in_process
    cmd = parse_target(f"cluster:2:cmd:{sys.executable} {SCRIPT} --port {{port}}", config_for())
    assert (cmd.count, cmd.member.kind) == (2, "cmd")


@pytest.mark.parametrize("spec, reason", [
    ("cluster:0:srv", "N a whole number >= 1"),
    ("cluster:-1:srv", "N a whole number >= 1"),
    ("cluster:two:srv", "N a whole number >= 1"),
    ("cluster:2", "N a whole number >= 1"),
    ("cluster:2:", "names no TARGET"),
    ("cluster:2:ws://127.0.0.1:1/", "must be module:Class or cmd:COMMAND"),
    ("cluster:2:asgi:pkg.mod:app", "must be module:Class or cmd:COMMAND"),
    ("cluster:2:cluster:2:srv", "must be module:Class or cmd:COMMAND"),
    ("cluster:2:cmd:server --no-port", "no {port} placeholder"),
    ("cluster:2:not a target", "want an alias"),
])
def test_bad_cluster_specs_say_why(spec: str, reason: str) -> None:
    with pytest.raises(TargetError, match=f"bad target {spec!r}: .*{reason}".replace("{", r"\{").replace("(", r"\(")):
        parse_target(spec, config_for())


def test_check_refuses_an_unreachable_redis() -> None:
    spec = parse_target("cluster:2:srv", config_for("redis://127.0.0.1:9/0"))
    with pytest.raises(TargetError, match=r"the Redis at redis://127.0.0.1:9/0 does not answer PING"):
        check_target(spec)


def test_check_refuses_no_redis_at_all(monkeypatch) -> None:
    monkeypatch.delenv("WSGM_REDIS_URL", raising=False)
    monkeypatch.setattr(cluster_form, "redis_binary", lambda: None)
    with pytest.raises(TargetError, match="no Redis: set .tool.harness.cluster. redis_url or WSGM_REDIS_URL"):
        check_target(parse_target("cluster:2:srv", config_for()))


def test_the_environment_names_the_redis_when_the_table_does_not(monkeypatch) -> None:
    monkeypatch.setenv("WSGM_REDIS_URL", "redis://127.0.0.1:9/0")
    assert cluster_form.configured_url(ClusterConfig()) == "redis://127.0.0.1:9/0"
    assert cluster_form.configured_url(ClusterConfig(redis_url="redis://h:1/2")) == "redis://h:1/2"


def test_settings_merge_fills_the_placeholders() -> None:
    table = ClusterConfig(settings={"redis_url": "{redis_url}", "nested": {"prefix": "{namespace}:x"}, "n": 3})
    merged = cluster_form.instance_settings({"a": 1, "n": 1}, table, "redis://h:1/0", "ns")
    assert merged == {"a": 1, "n": 3, "redis_url": "redis://h:1/0", "nested": {"prefix": "ns:x"}}


def test_namespaces_are_unique_and_none_prefixes_another() -> None:
    names = {cluster_form.new_namespace() for _ in range(200)}
    assert len(names) == 200 and len({len(n) for n in names}) == 1


def cli_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "WSGM_REDIS_URL"}
    return {**env, "PYTHONPATH": str(HERE)}


@pytest.mark.parametrize("args, message", [
    (["--candidate", "cluster:0:srv"], "want cluster:N:TARGET with N a whole number >= 1"),
    (["--candidate", "cluster:2:ws://127.0.0.1:1/"], "must be module:Class or cmd:COMMAND"),
    (["--candidate", "cluster:2:no_such_module_here:Server"], "cannot import 'no_such_module_here'"),
])
def test_cli_exits_2_on_a_bad_cluster(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "rec.jsonl").write_text(lines(connect("c1")))
    (tmp_path / "pyproject.toml").write_text(f'[tool.harness]\nlegacy = "{SERVER}"\n')
    done = subprocess.run([str(HARNESS), "diff", *args, "rec.jsonl"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env=cli_env())
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr


def test_cli_exits_2_when_the_cluster_redis_is_unreachable(tmp_path: Path) -> None:
    (tmp_path / "rec.jsonl").write_text(lines(connect("c1")))
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.harness]\nlegacy = "{SERVER}"\n[tool.harness.cluster]\nredis_url = "redis://127.0.0.1:9/0"\n')
    done = subprocess.run([str(HARNESS), "diff", "--candidate", f"cluster:2:{SERVER}", "rec.jsonl"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, env=cli_env())
    assert done.returncode == 2, done.stdout + done.stderr
    assert "the Redis at redis://127.0.0.1:9/0 does not answer PING" in done.stderr


# --- routing --------------------------------------------------------------------------------


async def test_connects_go_round_robin_and_instance_names_one(redis_server) -> None:
    text = lines(connect("a"), connect("b"), connect("c"), connect("d", 1), connect("e"), connect("f", 0))
    observation = await replay(text, "cluster:2:srv", config_for(redis_server.url))
    assert observation.failed is None, observation.failed
    # a, b, c, e take turns (0, 1, 0, 1); d and f go where they say
    assert instances_of(observation, "a", "b", "c", "d", "e", "f") == [0, 1, 0, 1, 1, 0]


async def test_three_instances_take_turns(redis_server) -> None:
    text = lines(*(connect(f"c{i}") for i in range(6)))
    observation = await replay(text, "cluster:3:srv", config_for(redis_server.url))
    assert instances_of(observation, *(f"c{i}" for i in range(6))) == [0, 1, 2, 0, 1, 2]


async def test_a_single_server_ignores_the_instance_field(redis_server) -> None:
    observation = await replay(lines(connect("a", 1), connect("b", 7)), "srv", config_for())
    assert observation.failed is None and instances_of(observation, "a", "b") == [0, 0]


async def test_an_instance_past_the_cluster_fails_that_recording(redis_server) -> None:
    text = lines(connect("a"), connect("b", 2))
    observation = await replay(text, "cluster:2:srv", config_for(redis_server.url))
    assert observation.failed == "rec.jsonl:3: instance 2 but cluster:2:srv has 2 (0 to 1)"


async def test_calls_go_to_the_instance_they_name(redis_server) -> None:
    text = lines(
        connect("a"), recv("a", {"type": "hello", "instance": 0}), connect("b"), recv("b", {"type": "hello", "instance": 1}),
        {"kind": "call", "method": "shout", "args": ["from one"], "instance": 1},
        {"kind": "returned", "method": "shout", "value": 1},
        {"kind": "call", "method": "shout", "args": ["from zero"]},
        {"kind": "returned", "method": "shout", "value": 0},
    )
    observation = await replay(text, "cluster:2:srv", config_for(redis_server.url))
    assert [json.loads(f.text) for f in observation.clients["@calls"].frames] == [
        {"method": "shout", "returned": 1}, {"method": "shout", "returned": 0}]
    # what one instance publishes reaches the clients of both, once each
    for client in ("a", "b"):
        heard = [f for f in frames(observation, client) if f["type"] == "heard"]
        assert [f["text"] for f in heard] == ["from one", "from zero"]


async def test_state_is_shared_within_a_run(redis_server) -> None:
    text = lines(*counted("a", 0, 1), *counted("b", 1, 2))
    observation = await replay(text, "cluster:2:srv", config_for(redis_server.url))
    counts = [f["n"] for c in ("a", "b") for f in frames(observation, c) if f["type"] == "count"]
    assert instances_of(observation, "a", "b") == [0, 1] and counts == [1, 2]


async def test_the_events_of_every_instance_make_one_stream(redis_server) -> None:
    text = lines(connect("a"), connect("b"), connect("c"))
    observation = await replay(text, "cluster:2:srv", config_for(redis_server.url))
    events = [json.loads(f.text) for f in observation.clients["@events"].frames]
    assert sorted(e["data"]["instance"] for e in events) == [0, 0, 1]


# --- isolation and clean-up -------------------------------------------------------------------


async def test_concurrent_runs_share_a_redis_but_no_state(redis_server) -> None:
    text = lines(*counted("a", 0, 1), *counted("b", 1, 2))
    config = config_for(redis_server.url)
    observations = await asyncio.gather(*(replay(text, "cluster:2:srv", config) for _ in range(4)))
    for observation in observations:
        assert observation.failed is None, observation.failed
        assert instances_of(observation, "a", "b") == [0, 1]
        assert [f["n"] for c in ("a", "b") for f in frames(observation, c) if f["type"] == "count"] == [1, 2]
    with redis.Redis.from_url(redis_server.url) as client:
        assert client.keys("*") == []  # every run's namespace was deleted


async def test_every_instance_is_stopped(redis_server) -> None:
    spec = parse_target("cluster:3:srv", config_for(redis_server.url))
    async with running(spec, {}, config_for().timeouts) as live:
        ports = [int(i.url.rsplit(":", 1)[1].strip("/")) for i in live.instances]
        assert live.count == 3 and all(port_taken("127.0.0.1", p) for p in ports)
        assert live.url == live.instances[0].url
    assert not any(port_taken("127.0.0.1", p) for p in ports)


async def test_cmd_instances_are_told_the_redis_and_stopped(redis_server) -> None:
    config = config_for(redis_server.url, settings={"namespace": "{namespace}"})  # the URL: WSGM_REDIS_URL
    target = f"cluster:2:cmd:{sys.executable} {SCRIPT} --port {{port}}"
    text = lines(connect("a"), recv("a", {"type": "hello", "instance": 0}), connect("b"),
                 recv("b", {"type": "hello", "instance": 1}), send("b", {"type": "shout", "text": "hi"}))
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    observation = await replay(text, target, config)
    assert observation.failed is None, observation.failed
    assert instances_of(observation, "a", "b") == [0, 1]
    assert [f["text"] for f in frames(observation, "a") if f["type"] == "heard"] == ["hi"]
    left = {p.pid for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE}
    assert left <= before


async def test_an_instance_that_fails_to_start_stops_the_others(redis_server) -> None:
    target = f"cluster:2:cmd:{sys.executable} -c 'import sys; sys.exit(3)' {{port}}"
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    observation = await replay(lines(connect("a")), target, config_for(redis_server.url))
    assert "exited with code 3 (before it was ready)" in observation.failed
    assert {p.pid for p in psutil.Process().children(recursive=True)} <= before


async def test_without_a_configured_redis_the_harness_runs_its_own(monkeypatch) -> None:
    monkeypatch.delenv("WSGM_REDIS_URL", raising=False)
    if cluster_form.redis_binary() is None:
        pytest.skip("redis-server not installed")
    config = config_for("")
    spec = parse_target("cluster:2:srv", config)
    async with running(spec, {}, config.timeouts):
        own = cluster_form.OWN_REDIS.server
        assert own is not None and own.running
        pid = own.process.pid
        async with running(spec, {}, config.timeouts):  # a second cluster shares it
            assert cluster_form.OWN_REDIS.server is own and cluster_form.OWN_REDIS.users == 2
    assert cluster_form.OWN_REDIS.server is None and not psutil.pid_exists(pid)


# --- recording against a cluster ----------------------------------------------------------------


async def scripted(s) -> None:
    a = await s.connect("a")
    b = await s.connect("b", instance=1)
    c = await s.connect("c", instance=0)
    for client in (a, b, c):
        await client.recv()
    await s.call_on(1, "shout", "over the cluster")
    for client in (a, b, c):
        assert (await client.recv())["text"] == "over the cluster"


async def test_a_scenario_records_the_instances_it_names(redis_server) -> None:
    config = config_for(redis_server.url)
    recorded = await record_scenario(Scenario("spread", scripted), "cluster:2:srv", config)
    connects = [e for e in recorded.events if e.kind == "connect"]
    call = next(e for e in recorded.events if e.kind == "call")
    assert [e.instance for e in connects] == [None, 1, 0] and call.instance == 1
    hello = [json.loads(e.text)["instance"] for e in recorded.events if e.kind == "recv" and "hello" in e.text]
    assert hello == [0, 1, 0]
    text = wsgm.dumps(recorded)
    assert '"instance":1' in text
    again = await replay(text, "cluster:2:srv", config)
    assert instances_of(again, "a", "b", "c") == [0, 1, 0]


async def test_a_scenario_naming_a_missing_instance_fails(redis_server) -> None:
    async def too_far(s):
        await s.connect("a", instance=2)

    from harness.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"instance 2 but the target has 2 \(0 to 1\)"):
        await record_scenario(Scenario("far", too_far), "cluster:2:srv", config_for(redis_server.url))


# --- the transcript field -----------------------------------------------------------------------


def test_instance_round_trips_on_connect_and_call() -> None:
    text = lines(connect("a", 1), {"kind": "call", "method": "m", "args": [], "kwargs": {}, "instance": 2},
                 {"kind": "returned", "method": "m", "value": None})
    transcript = wsgm.loads(text)
    assert [e.instance for e in transcript.events] == [1, 2, None]
    assert wsgm.dumps(transcript).splitlines()[1:3] == [
        '{"kind":"connect","client":"a","t":0.0,"instance":1}',
        '{"kind":"call","t":0.0,"method":"m","args":[],"kwargs":{},"instance":2}']
    plain = wsgm.loads(lines(connect("a")))
    assert "instance" not in wsgm.dumps(plain)


@pytest.mark.parametrize("row, reason", [
    ({"kind": "connect", "client": "a", "instance": -1}, "field 'instance' must not be negative"),
    ({"kind": "connect", "client": "a", "instance": "1"}, "field 'instance' must be integer"),
    ({"kind": "connect", "client": "a", "instance": True}, "field 'instance' must be integer"),
    ({"kind": "connect", "client": "a", "instance": 1.5}, "field 'instance' must be integer"),
    ({"kind": "sleep", "ms": 1, "instance": 1}, "unknown field 'instance' for kind 'sleep'"),
])
def test_bad_instance_fields_are_located(row: dict, reason: str) -> None:
    with pytest.raises(TranscriptError, match=f"^rec.jsonl:2: {reason}$"):
        wsgm.loads(lines(row), "rec.jsonl")


def test_a_send_line_takes_no_instance() -> None:
    with pytest.raises(TranscriptError, match="rec.jsonl:3: unknown field 'instance' for kind 'send'"):
        wsgm.loads(lines(connect("a"), {**send("a", {}), "instance": 0}), "rec.jsonl")


def test_the_cluster_table_is_read_and_checked(tmp_path: Path) -> None:
    from harness.config import load_config
    from harness.errors import ConfigError

    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.harness.cluster]\nredis_url = "redis://h:1/0"\nsettings = { url = "{redis_url}" }\n')
    assert load_config(path).cluster == ClusterConfig("redis://h:1/0", {"url": "{redis_url}"})
    path.write_text('[tool.harness]\nlegacy = "a:B"\n\n[tool.harness.cluster]\nredis_url = 5\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml:5: tool.harness.cluster.redis_url must be a string"):
        load_config(path)
    path.write_text('[tool.harness.cluster]\nredis = "x"\n')
    with pytest.raises(ConfigError, match="unknown key tool.harness.cluster.redis"):
        load_config(path)


def test_a_plain_spec_is_one_instance() -> None:
    spec = parse_target("srv", config_for())
    assert (spec.kind, spec.count, spec.member) == ("class", 1, None)


# --- killing an instance ------------------------------------------------------------------------


async def test_a_killed_cmd_instance_is_no_failure_and_the_rest_stop(redis_server) -> None:
    config = config_for(redis_server.url, settings={"namespace": "{namespace}"})
    spec = parse_target(f"cluster:2:cmd:{sys.executable} {SCRIPT} --port {{port}}", config)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    async with running(spec, {}, config.timeouts) as live:
        port = int(live.instance(1).url.rsplit(":", 1)[1].strip("/"))
        await live.kill(1)
        assert not port_taken("127.0.0.1", port) and live.killed == {1}
        assert port_taken("127.0.0.1", int(live.url.rsplit(":", 1)[1].strip("/")))
    left = {p.pid for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE}
    assert left <= before


async def test_a_death_nobody_caused_still_fails_the_run(redis_server) -> None:
    config = config_for(redis_server.url, settings={"namespace": "{namespace}"})
    spec = parse_target(f"cluster:2:cmd:{sys.executable} {SCRIPT} --port {{port}}", config)
    with pytest.raises(TargetError, match="exited with code -9 during the run"):
        async with running(spec, {}, config.timeouts) as live:
            psutil.Process(live.instance(1).pid).kill()
            await asyncio.sleep(0.2)


async def test_an_in_process_instance_cannot_be_killed(redis_server) -> None:
    config = config_for(redis_server.url)
    async with running(parse_target("cluster:2:srv", config), {}, config.timeouts) as live:
        with pytest.raises(TargetError, match="instance 1 runs in this process; only a cmd: instance can be killed"):
            await live.kill(1)
