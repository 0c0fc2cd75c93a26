"""harness.serving.redis: a real redis-server, started, restarted on its port, always stopped."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import redis

from harness.errors import TargetError
from harness.serving import redis as redis_serving
from harness.serving.ready import port_taken
from harness.serving.redis import RedisServer, answers_ping

pytestmark = pytest.mark.skipif(redis_serving.redis_binary() is None, reason="redis-server not installed")


def client(server: RedisServer) -> redis.Redis:
    return redis.Redis.from_url(server.url, socket_timeout=2)


def test_fixture_gives_a_flushed_redis_on_loopback(redis_server) -> None:
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"
    with client(redis_server) as c:
        assert c.dbsize() == 0
        c.set("left-by-one-test", "1")


def test_fixture_flushes_what_the_previous_test_left(redis_server) -> None:
    with client(redis_server) as c:
        assert c.get("left-by-one-test") is None


def test_server_is_off_the_disk(redis_server) -> None:
    with client(redis_server) as c:
        assert c.config_get("save") == {"save": ""}
        assert c.config_get("appendonly") == {"appendonly": "no"}
        assert c.config_get("bind") == {"bind": "127.0.0.1"}


def test_restart_keeps_the_port_and_empties_the_data(redis_server) -> None:
    port = redis_server.port
    with client(redis_server) as c:
        c.set("k", "v")
    pid = redis_server.process.pid
    redis_server.restart()
    assert redis_server.port == port and redis_server.process.pid != pid
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    with client(redis_server) as c:
        assert c.get("k") is None


def test_stopped_server_refuses_and_the_fixture_starts_it_again(redis_server) -> None:
    redis_server.stop()
    assert not redis_server.running
    assert not answers_ping(redis_server.url, 0.2)
    assert not port_taken("127.0.0.1", redis_server.port)


def test_after_a_stop_the_next_test_gets_it_running(redis_server) -> None:
    assert answers_ping(redis_server.url)


def test_kill_is_a_crash_and_start_brings_it_back() -> None:
    with RedisServer() as server:
        server.kill()
        assert not answers_ping(server.url, 0.2)
        server.start()
        assert answers_ping(server.url)
    assert not server.running and not server.workdir.exists()


def test_stop_kills_a_server_that_ignores_sigterm() -> None:
    server = RedisServer(grace=0.3).start()
    try:
        pid = server.process.pid
        server.process.send_signal(signal.SIGSTOP)  # a stopped process cannot act on SIGTERM
        server.stop()
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    finally:
        server.close()


def test_a_taken_fixed_port_is_a_clear_error(redis_server) -> None:
    server = RedisServer(redis_server.port, timeout=1.0)
    with pytest.raises(TargetError, match=rf"redis-server on port {redis_server.port}: port .* is taken"):
        server.start()
    server.close()


def test_a_server_that_exits_shows_its_log(monkeypatch) -> None:
    server = RedisServer(timeout=2.0)
    monkeypatch.setattr(server, "argv", lambda: [server.binary, "--no-such-option"])
    with pytest.raises(TargetError, match=r"exited with code \d+ \(before it was ready\); last output:\n(?s:.*)no-such-option"):
        server.start()
    assert not server.running
    server.close()


def test_missing_binary_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setattr(redis_serving, "redis_binary", lambda: None)
    with pytest.raises(TargetError, match="redis-server not found on PATH"):
        RedisServer()


def test_context_manager_leaves_no_process() -> None:
    with redis_serving.redis_server() as server:
        pid = server.process.pid
        assert answers_ping(server.url)
    assert not psutil.pid_exists(pid)


def gone(pid: int) -> bool:
    """Not running (a zombie is gone: its new parent may not reap it at once)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


ORPHANING = (
    "from harness.serving.redis import RedisServer\n"
    "server = RedisServer().start()\n"
    "print(server.process.pid, server.workdir, flush=True)\n"
    "import time; time.sleep(60)\n"
)


def test_a_redis_left_by_a_killed_run_is_stopped_by_the_next(redis_server) -> None:
    starter = subprocess.Popen([sys.executable, "-c", ORPHANING], stdout=subprocess.PIPE, text=True)
    try:
        pid, folder = starter.stdout.readline().split()
    finally:
        starter.kill()  # killed outright: no chance to stop what it started
        starter.wait(10)
    assert psutil.pid_exists(int(pid)) and Path(folder).is_dir()
    assert int(pid) in redis_serving.stop_orphans()
    assert gone(int(pid)) and not Path(folder).exists()
    assert redis_server.running and answers_ping(redis_server.url)  # its starter (this run) is alive
