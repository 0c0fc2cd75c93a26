"""Legacy and refactored servers, driven by the same scripts, answer the same frames.

Values that differ from run to run (timestamps, generated ids, tokens) are masked
with identity-keeping placeholders before comparing.
"""


import pytest

from legacy.websocket_server import WebSocketAPIServer as Legacy
from refactored import WebSocketAPIServer as Refactored
from parity_support import differences, run_script

LOGIN = {"type": "login", "id": 1, "username": "trader", "password": "trader123"}
ADMIN = {"type": "login", "id": 1, "username": "admin", "password": "admin123"}
VIEWER = {"type": "login", "id": 1, "username": "viewer", "password": "viewer123"}


def ask(client, *messages):
    steps = []
    for message in messages:
        steps += [("send", client, message), ("recv", client, 1)]
    return steps


SCRIPTS = {
    "protocol": [("connect", "c1"), *ask("c1",
        {"type": "ping", "id": 1}, {"type": "PING"}, {"type": "heartbeat", "id": "h"}, {"type": "echo", "data": {"a": [1, 2.5, None]}},
        {"type": "echo"}, {"type": "version"}, {"type": "capabilities", "id": 3}, {"type": "server_time"},
        {"type": "handshake"}, {"type": "command", "command": "get_stats"}, {"type": "nope", "id": 9},
        {"id": 1}, {"type": 5, "session_id": "s1"}, {"type": None}, "[1, 2]", "not json", '{"a": NaN}', "1e400",
        '{"a": ' + "1" * 5000 + "}", "[" * 70 + "]" * 70, '{"a":' * 70 + "1" + "}" * 70, "[" * 5000 + "]" * 5000,
        b"\x00\x01", '"\\ud800"', '{"type": "echo", "data": "\\ud800"}')],
    "auth": [("connect", "c1"), *ask("c1",
        {"type": "logout"}, {"type": "login"}, {"type": "login", "username": "trader"}, {"type": "login", "username": 5, "password": "x"},
        {"type": "login", "username": "trader", "password": 5}, {"type": "auth", "token": ""}, {"type": "auth", "token": 7},
        {"type": "auth", "token": "garbage"}, {"type": "login", "username": "ghost", "password": "x"},
        {"type": "login", "username": "trader", "password": "\\ud800"},
        LOGIN, {"type": "refresh_token"}, {"type": "refresh_token", "refresh_token": 5},
        {"type": "refresh_token", "refresh_token": "x.y.z"}, {"type": "logout", "id": 2}, {"type": "logout"},
        {"type": "reconnect"}, {"type": "reconnect", "reconnect_token": 5}, {"type": "reconnect", "reconnect_token": "nobody:x"})],
    "lockout": [("connect", "c1"), *ask("c1", *[{"type": "login", "username": "viewer", "password": "bad"}] * 6,
                                          VIEWER, LOGIN)],
    "subscriptions": [("connect", "c1"), *ask("c1",
        {"type": "subscribe", "stream": "orders"}, LOGIN, {"type": "subscribe"}, {"type": "subscribe", "stream": "x"},
        {"type": "subscribe", "stream": 5}, {"type": "subscribe", "stream": "market_data", "symbols": "BTC"},
        {"type": "subscribe", "stream": "market_data", "symbols": ["btc-usdt"]},
        {"type": "subscribe", "stream": "market_data", "symbols": ["DOGE_USDT"]},
        {"type": "subscribe", "stream": "market_data", "symbols": ["btc_usdt", "BTC_USDT", "eth_usdt"]},
        {"type": "subscribe", "stream": "market_data"}, {"type": "subscribe", "stream": "orders", "symbols": []},
        {"type": "unsubscribe", "stream": "orders"}, {"type": "unsubscribe", "stream": "orders"},
        {"type": "unsubscribe"}, {"type": "command", "command": "get_stats"})],
    "admin": [("connect", "c1"), *ask("c1", ADMIN, {"type": "command"}, {"type": "command", "command": "nope"},
        {"type": "command", "command": "GET_STATS", "id": 4}, {"type": "command", "command": "health_check"})],
    "permissions": [("connect", "c1"), *ask("c1", VIEWER, {"type": "command", "command": "get_stats"},
        {"type": "session_start", "session_type": "backtest", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}},
        {"type": "session_stop"}, {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT"},
        {"type": "upsert_strategy", "strategy_name": "x", "config": {}}, {"type": "get_strategies"},
        {"type": "session_status"}, {"type": "strategy_status"})],
    "strategies": [("connect", "c1"), *ask("c1", ADMIN, {"type": "get_strategies"},
        {"type": "activate_strategy"}, {"type": "activate_strategy", "strategy_name": "Nope", "symbol": "BTC_USDT"},
        {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "doge_usdt"},
        {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "btc_usdt", "config": []},
        {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "btc_usdt", "config": {"period": 1, "x": 2}},
        {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "btc_usdt", "config": {"oversold": 80}},
        {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "btc_usdt", "config": {"period": 7, "oversold": 25}},
        {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT"},
        {"type": "strategy_status"}, {"type": "strategy_status", "strategy_name": "RSIStrategy"},
        {"type": "strategy_status", "strategy_name": "Nope"},
        {"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "ETH_USDT"},
        {"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "BTC_USDT"},
        {"type": "validate_strategy_config"}, {"type": "validate_strategy_config", "strategy_name": "BollingerBands", "config": 1},
        {"type": "validate_strategy_config", "strategy_name": "BollingerBands", "config": {"num_std": True, "period": 2.5}},
        {"type": "validate_strategy_config", "strategy_name": "MovingAverageCross", "config": {"short_window": 20, "long_window": 10}},
        {"type": "validate_strategy_config", "strategy_name": "BollingerBands", "config": {"num_std": 2}},
        {"type": "upsert_strategy"}, {"type": "upsert_strategy", "strategy_name": "", "config": {}},
        {"type": "upsert_strategy", "strategy_name": "Mine", "config": []},
        {"type": "upsert_strategy", "strategy_name": "RSIStrategy", "config": {"period": 0}},
        {"type": "upsert_strategy", "strategy_name": "RSIStrategy", "config": {"period": 9}},
        {"type": "upsert_strategy", "strategy_name": "My Strategy.v2", "config": {"k": [1, {"z": None}]}},
        {"type": "upsert_strategy", "strategy_name": "My Strategy.v2", "config": {"k": 2}},
        {"type": "upsert_strategy", "strategy_name": "a" * 300, "config": {}},
        {"type": "upsert_strategy", "strategy_name": "nul\u0000x", "config": {}},
        {"type": "upsert_strategy", "strategy_name": "no/such/dir", "config": {}},
        {"type": "activate_strategy", "strategy_name": "My Strategy.v2", "symbol": "SOL_USDT", "config": {"q": 1}},
        {"type": "get_strategies"}, {"type": "strategy_status"})],
    "backtest": [("connect", "c1"), ("connect", "c2"), *ask("c1", LOGIN), *ask("c2", ADMIN),
        *ask("c2", {"type": "subscribe", "stream": "sessions"}, {"type": "subscribe", "stream": "market_data", "symbols": ["ETH_USDT"]}),
        *ask("c1", {"type": "session_start"}, {"type": "session_start", "session_type": "x", "strategy_config": {}},
             {"type": "session_start", "session_type": "backtest", "strategy_config": []},
             {"type": "session_start", "session_type": "backtest", "strategy_config": {"Nope": ["BTC_USDT"], "RSIStrategy": "x", "BollingerBands": ["DOGE_USDT"]}},
             {"type": "session_start", "session_type": "backtest", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": 0}},
             {"type": "session_start", "session_type": "backtest", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"bars": None}},
             {"type": "session_start", "session_type": "backtest", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "config": {"quantity": True}},
             {"type": "session_start", "session_type": "backtest", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "idempotent": None},
             {"type": "session_status", "session_id": 5}, {"type": "session_status", "session_id": "nope"}, {"type": "session_status"},
             {"type": "session_stop"},
             {"type": "session_start", "id": 10, "session_type": "BACKTEST", "config": {"bars": 40, "quantity": 2},
              "strategy_config": {"MovingAverageCross": ["btc_usdt", "ETH_USDT"], "BollingerBands": ["ETH_USDT"], "RSIStrategy": ["BTC_USDT"]}}),
        ("quiet", "c1", 1.0), ("quiet", "c2", 0.3),
        *ask("c1", {"type": "session_status"}, {"type": "session_stop"})],
    "paper_and_conflicts": [("connect", "c1"), ("connect", "c2"), *ask("c1", LOGIN), *ask("c2", ADMIN),
        *ask("c2", {"type": "subscribe", "stream": "sessions"}),
        *ask("c1", {"type": "session_start", "session_type": "live", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}}),
        ("recv", "c1", 1), ("recv", "c2", 1),
        *ask("c1", {"type": "session_start", "session_type": "paper", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}},
             {"type": "session_start", "session_type": "paper", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}, "idempotent": True}),
        *ask("c2", {"type": "session_start", "session_type": "live", "strategy_config": {"RSIStrategy": ["BTC_USDT"]}}),
        *ask("c2", {"type": "session_status"}),
        *ask("c1", {"type": "session_stop"}), ("recv", "c1", 1), ("recv", "c2", 1),
        *ask("c1", {"type": "session_stop"}), ("quiet", "c2", 0.2)],
    "collections": [("connect", "c1"), *ask("c1", LOGIN, {"type": "collection_start"},
        {"type": "collection_start", "symbols": []}, {"type": "collection_start", "symbols": ["BTC_USDT"], "duration": "2x"},
        {"type": "collection_start", "symbols": ["BTC_USDT"], "duration": "25h"},
        {"type": "collection_start", "symbols": ["BTC_USDT"], "strategies": []},
        {"type": "collection_start", "symbols": ["BTC_USDT"], "strategies": ["Nope"]},
        {"type": "collection_status"}, {"type": "collection_status", "collection_id": 3},
        {"type": "collection_status", "collection_id": "nope"},
        {"type": "collection_start", "symbols": ["btc_usdt", "eth_usdt", "SOL_USDT"], "duration": "45m"}),
        ("recv", "c1", 1), ("send", "c1", {"type": "command", "command": "get_stats"}), ("recv", "c1", 1)],
    "rate_limit": [("connect", "c1"), *ask("c1", *[{"type": "ping", "id": n} for n in range(7)], {"type": "ping", "session_id": "s"})],
    "reconnect_header": [("connect", "c1"), *ask("c1", LOGIN, {"type": "subscribe", "stream": "orders"}), ("close", "c1"),
        ("connect", "c2", {"X-Reconnect-Token": "{token:c1}"}), *ask("c2", {"type": "handshake"}, {"type": "logout"})],
    "reconnect_message": [("connect", "c1"), *ask("c1", LOGIN, {"type": "subscribe", "stream": "positions", "symbols": ["BTC_USDT"]}),
        ("close", "c1"), ("connect", "c2"), *ask("c2", {"type": "reconnect", "reconnect_token": "{token:c1}"}, {"type": "handshake"},
        {"type": "reconnect", "reconnect_token": "{token:c1}"})],
    "backtest_owner_away": [("connect", "c1"), *ask("c1", LOGIN,
        {"type": "session_start", "session_type": "backtest", "config": {"bars": 30},
         "strategy_config": {"RSIStrategy": ["BTC_USDT", "SOL_USDT"], "BollingerBands": ["SOL_USDT"]}}),
        ("recv", "c1", 1), ("close", "c1"), ("sleep", 1.0),
        ("connect", "c2", {"X-Reconnect-Token": "{token:c1}"}), ("quiet", "c2", 0.5)],
    "unicode_and_newlines": [("connect", "c1"), *ask("c1", LOGIN,
        {"type": "subscribe", "stream": "orders", "symbols": ["\u00dftc_usdt"]},
        {"type": "subscribe", "stream": "orders", "symbols": ["btc_usdt\n"]},
        {"type": "subscribe", "stream": "orders", "symbols": ["x" * 33]},
        {"type": "collection_start", "symbols": ["ETH_USDT"], "duration": "1h\n", "strategies": ["RSIStrategy", "RSIStrategy"]},
        {"type": "collection_status", "collection_id": None},
        {"type": "login", "username": "admin", "password": "admin123"},
        {"type": "subscribe", "stream": "orders"})],
    "limits": [("connect", "c1"), ("send", "c1", "x" * 3000), ("recv", "c1", 1), ("connect", "c2"), ("connect", "c3"),
               ("connect", "c4"), ("send", "c2", {"type": "ping"}), ("recv", "c2", 1)],
    "token_login_and_refresh": [("connect", "c1"), *ask("c1", LOGIN), ("connect", "c2"),
        ("send", "c2", {"type": "echo"}), ("recv", "c2", 1)],
    "fanout_and_idempotent": [("connect", "c1"), ("connect", "c2"), ("connect", "c3"), *ask("c1", LOGIN), *ask("c2", ADMIN),
        *ask("c3", VIEWER), *ask("c3", {"type": "subscribe", "stream": "sessions"}, {"type": "subscribe", "stream": "orders"}),
        *ask("c2", {"type": "subscribe", "stream": "sessions"}),
        *ask("c1", {"type": "session_start", "session_type": "paper", "strategy_config": {"BollingerBands": ["XRP_USDT"]},
                    "config": {"initial_capital": 5, "quantity": 0.25}}),
        ("recv", "c1", 1), ("recv", "c2", 1), ("recv", "c3", 1),
        *ask("c1", {"type": "session_start", "session_type": "backtest", "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
                    "idempotent": True}),
        *ask("c2", {"type": "session_status", "session_id": "{session}"}, {"type": "command", "command": "get_stats"}),
        *ask("c1", {"type": "session_stop"}), ("recv", "c1", 1), ("recv", "c2", 1), ("recv", "c3", 1)],
}
SETTINGS = {"rate_limit": {"rate_limit": 5}, "limits": {"max_message_size": 2000}, "lockout": {"lockout_threshold": 3},
            "backtest": {"bar_interval": 0.002}, "collections": {"bar_interval": 0.001},
            "backtest_owner_away": {"bar_interval": 0.005}}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_same_frames(name):
    settings = SETTINGS.get(name, {})
    expected = await run_script(Legacy, SCRIPTS[name], settings)
    actual = await run_script(Refactored, SCRIPTS[name], settings)
    assert set(actual) == set(expected)
    problems = []
    for client in expected:
        for index, (want, got) in enumerate(zip(expected[client], actual[client])):
            problems += [f"{client}[{index}] {d}" for d in differences(want, got)]
        if len(actual[client]) != len(expected[client]):
            problems.append(f"{client}: {len(expected[client])} frames expected, {len(actual[client])} received")
    assert not problems, "\n".join(problems[:30])
