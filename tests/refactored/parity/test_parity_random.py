"""Random request sequences (fixed seeds) answered the same by both servers.

Single-client scripts mix every message type with plausible and wrong field values;
multi-client scripts add backtests, subscriptions and reconnects with the issued token.
"""

import random

import pytest

from legacy.websocket_server import WebSocketAPIServer as Legacy
from parity_support import differences, run_script
from refactored import WebSocketAPIServer as Refactored

TYPES = ["ping", "heartbeat", "echo", "version", "capabilities", "server_time", "handshake", "command", "auth", "login",
         "logout", "refresh_token", "reconnect", "subscribe", "unsubscribe", "session_start", "session_stop",
         "session_status", "collection_start", "collection_stop", "collection_status", "results_request",
         "get_strategies", "activate_strategy", "deactivate_strategy", "strategy_status", "validate_strategy_config",
         "upsert_strategy"]
FIELDS = ["username", "password", "token", "refresh_token", "reconnect_token", "stream", "symbols", "symbol", "command",
          "session_type", "strategy_config", "config", "idempotent", "session_id", "collection_id", "duration",
          "strategies", "strategy_name", "data", "id"]
VALUES = [None, True, False, 0, 1, -1, 2.5, 1e12, 1001, "", "x", "BTC_USDT", "btc_usdt", "\u00df", "orders", "market_data",
          "sessions", "get_stats", "health_check", "backtest", "paper", "live", "RSIStrategy", "MovingAverageCross",
          "BollingerBands", "Custom1", "1h", "5m", "2d", "trader", "trader123", "admin", "admin123", [], ["BTC_USDT"],
          ["eth_usdt", "ETH_USDT"], ["DOGE_USDT"], {}, {"bars": 3}, {"period": 5}, {"RSIStrategy": ["BTC_USDT"]},
          {"short_window": 2, "long_window": 3}, {"Nope": []}, {"bars": True}, {"quantity": 0}, [1, 2], {"a": {"b": [None]}}]
USERS = ["admin", "trader", "viewer"]
SETTINGS = {"bar_interval": 0.001}


def message(rng):
    kind = rng.choice(TYPES) if rng.random() < 0.95 else rng.choice(VALUES)
    out = {"type": kind.upper() if isinstance(kind, str) and rng.random() < 0.3 else kind}
    for name in rng.sample(FIELDS, rng.randint(0, 5)):
        out[name] = rng.choice(VALUES)
    return out


def login(name, rng):
    user = rng.choice(USERS)
    return [("send", name, {"type": "login", "username": user, "password": user + "123"}), ("recv", name, 1)]


def single_client(rng):
    steps = [("connect", "c1"), *(login("c1", rng) if rng.random() < 0.7 else [])]
    for _ in range(25):
        steps += [("send", "c1", message(rng)), ("recv", "c1", 1)]
    return steps + [("quiet", "c1", 0.15)]


def _backtest(rng, name, open_clients):
    start = {"type": "session_start", "session_type": rng.choice(["backtest", "paper"]), "config": {"bars": rng.randint(5, 30)},
             "strategy_config": {rng.choice(["RSIStrategy", "BollingerBands"]): rng.sample(["BTC_USDT", "ETH_USDT", "SOL_USDT"], 2)}}
    return [("send", name, start), ("recv", name, 1), *[("quiet", other, 0.3) for other in sorted(open_clients)]]


def multi_client(rng):
    steps, open_clients = [], set()
    for name in ("c1", "c2", "c3"):
        stream = rng.choice(["orders", "positions", "sessions", "market_data"])
        steps += [("connect", name), *login(name, rng), ("send", name, {"type": "subscribe", "stream": stream}), ("recv", name, 1)]
        open_clients.add(name)
    for _ in range(15):
        name, roll = rng.choice(sorted(open_clients)), rng.random()
        if roll < 0.15:
            steps += _backtest(rng, name, open_clients)
        elif roll < 0.22 and len(open_clients) > 1:
            again = name + "r"
            open_clients = (open_clients - {name}) | {again}
            steps += [("close", name), ("connect", again, {"X-Reconnect-Token": "{token:%s}" % name}), ("quiet", again, 0.2)]
        else:
            steps += [("send", name, message(rng)), ("recv", name, 1), *[("quiet", o, 0.02) for o in sorted(open_clients)]]
    return steps


async def same(script):
    expected = await run_script(Legacy, script, SETTINGS)
    actual = await run_script(Refactored, script, SETTINGS)
    problems = [f"{client}: {len(frames)} frames != {len(actual.get(client, []))}"
                for client, frames in expected.items() if len(frames) != len(actual.get(client, []))]
    for client, frames in expected.items():
        for index, (want, got) in enumerate(zip(frames, actual.get(client, []))):
            problems += [f"{client}[{index}] {d}" for d in differences(want, got)]
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("seed", range(3))
async def test_single_client(seed):
    await same(single_client(random.Random(seed)))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6, 16))
async def test_single_client_more(seed):
    await same(single_client(random.Random(seed)))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
async def test_multi_client(seed):
    await same(multi_client(random.Random(seed)))
