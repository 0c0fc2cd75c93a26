"""Wrong field types on every message type: each field of a valid request replaced by every JSON type."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _hostile import ask, login, still_serving  # noqa: E402
from harness.scenario import scenario  # noqa: E402

# One value of every JSON type (and the shapes handlers tend to trip over).
WRONG = [None, True, 0, -1, 2.5, "", "x", [], [1], ["BTC_USDT", None], {}, {"a": 1}]
# Long bar interval: sessions and collections started by a probe push nothing but their `running` update.
SLOW = {"bar_interval": 5, "rate_limit": 100_000}

GROUPS = {
    "protocol": [
        ("ping", {}), ("heartbeat", {}), ("echo", {"data": 1}), ("version", {}), ("capabilities", {}),
        ("server_time", {}), ("handshake", {"client_version": "1"}), ("command", {"command": "get_stats"}),
    ],
    "auth": [
        ("login", {"username": "viewer", "password": "viewer123"}), ("auth", {"token": "x"}),
        ("refresh_token", {"refresh_token": "x"}), ("reconnect", {"reconnect_token": "client_0:x"}),
        ("logout", {"all": True}),
    ],
    "subscriptions": [
        ("subscribe", {"stream": "market_data", "symbols": ["BTC_USDT"]}),
        ("unsubscribe", {"stream": "market_data"}),
    ],
    "sessions": [
        ("session_start", {"session_type": "paper", "strategy_config": {"RSIStrategy": ["BTC_USDT"]},
                           "config": {"bars": 5, "initial_capital": 100.0, "quantity": 1.0}, "idempotent": False}),
        ("session_stop", {"session_id": "session_0000000000000000"}),
        ("session_status", {"session_id": "session_0000000000000000"}),
    ],
    "collections": [
        ("collection_start", {"symbols": ["BTC_USDT"], "duration": "1m", "strategies": ["RSIStrategy"]}),
        ("collection_stop", {"collection_id": "collection_0000000000000000"}),
        ("collection_status", {"collection_id": "collection_0000000000000000"}),
        ("results_request", {"collection_id": "collection_0000000000000000"}),
    ],
    "strategies": [
        ("get_strategies", {"filter": "x"}),
        ("activate_strategy", {"strategy_name": "RSIStrategy", "symbol": "BTC_USDT", "config": {"period": 7}}),
        ("deactivate_strategy", {"strategy_name": "RSIStrategy", "symbol": "BTC_USDT"}),
        ("strategy_status", {"strategy_name": "RSIStrategy"}),
        ("validate_strategy_config", {"strategy_name": "RSIStrategy", "config": {"period": 7}}),
        ("upsert_strategy", {"strategy_name": "HostileProbe", "config": {"alpha": 1}}),
    ],
}
# Nested fields whose values have a type of their own.
NESTED = {
    "session_start": [("config", "bars"), ("config", "initial_capital"), ("config", "quantity")],
    "activate_strategy": [("config", "period")],
    "validate_strategy_config": [("config", "period")],
}


def probes(msg_type: str, base: dict) -> list[dict]:
    """The request with each field (top level and nested) set to each wrong value, then all fields missing."""
    out = []
    for field_name in list(base) + ["id", "session_id"]:
        for value in WRONG:
            out.append(dict(base, type=msg_type, **{field_name: value}))
    for outer, inner in NESTED.get(msg_type, []):
        for value in WRONG:
            out.append(dict(base, type=msg_type, **{outer: dict(base[outer], **{inner: value})}))
    out.append({"type": msg_type})
    return out


async def settle(client, answer: dict) -> None:
    """Undo what a probe that happened to be valid started, so the next probe sees the same state."""
    status = answer.get("status")
    if status == "session_started" and not answer.get("already_running"):
        await ask(client, {"type": "session_stop", "id": "undo"})
    elif status == "collection_started":
        await ask(client, {"type": "collection_stop", "collection_id": answer["collection_id"], "id": "undo"})
    elif status == "strategy_activated":
        await ask(client, {"type": "deactivate_strategy", "strategy_name": answer["strategy_name"],
                           "symbol": answer["symbol"], "id": "undo"})
    elif status in ("logged_out", "logged_in", "token_refreshed", "reconnected"):
        await ask(client, {"type": "login", "username": "admin", "password": "admin123", "id": "undo"})


def register(group: str, members: list) -> None:
    async def run(s) -> None:
        client, _ = await login(s, "c1", "admin")
        n = 0
        for msg_type, base in members:
            for probe in probes(msg_type, base):
                n += 1
                probe.setdefault("id", n)
                answer = await ask(client, probe)
                assert answer.get("error_message") != "Internal server error", answer
                await settle(client, answer)
        await still_serving(s)

    run.__name__ = f"hostile_wrong_types_{group}"
    run.__doc__ = f"wrong field types on every {group} message type: each field set to each JSON type"
    scenario(name=run.__name__, tags=["hostile", "wrong_types", group], settings=SLOW)(run)


for _group, _members in GROUPS.items():
    register(_group, _members)
