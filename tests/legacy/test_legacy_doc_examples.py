"""Every complete example exchange in docs/PROTOCOL.md §9 is what the server answers."""

import asyncio
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WILDCARDS = ("<iso>", "<jwt>", "<new token>")


def _examples():
    with open(os.path.join(ROOT, "docs", "PROTOCOL.md"), encoding="utf-8") as f:
        lines = f.read().split("## 9. Message types", 1)[1].split("## 10.", 1)[0].splitlines()
    pairs = []
    for i, line in enumerate(lines):
        if not line.startswith("> "):
            continue
        expected = []
        for nxt in lines[i + 1:]:
            if not nxt.startswith("< "):
                break
            try:
                expected.append(json.loads(nxt[2:]))
            except ValueError:
                break  # abbreviated frame: compare the complete ones before it
        if not expected:
            continue
        request = json.loads(line[2:])
        pairs.append(pytest.param(request, expected, id=f"{request['type']}-{len(pairs)}"))
    return pairs


def matches(expected, actual, key=None):
    if key == "uptime_seconds":
        return isinstance(actual, float)
    if isinstance(expected, str):
        if expected in WILDCARDS:
            return isinstance(actual, str) and actual != ""
        if "\u2026" in expected:
            return isinstance(actual, str) and actual.startswith(expected.split("\u2026")[0])
        return expected == actual
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and list(expected) == list(actual)
                and all(matches(expected[k], actual[k], k) for k in expected))
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(expected) == len(actual)
                and all(matches(e, a) for e, a in zip(expected, actual)))
    return type(expected) is type(actual) and expected == actual


async def _setup(client, msg_type):
    ctx = {}
    if msg_type == "session_stop":
        r = await client.request({"type": "session_start", "session_type": "paper",
                                  "strategy_config": {"RSIStrategy": ["BTC_USDT"]}})
        await client.wait_for(lambda f: f["type"] == "session_update")
        ctx["session_\u2026"] = r["session_id"]
    elif msg_type in ("collection_stop", "collection_status", "results_request"):
        r = await client.request({"type": "collection_start", "symbols": ["BTC_USDT", "ETH_USDT"], "duration": "30m"})
        ctx["collection_\u2026"] = r["collection_id"]
    elif msg_type == "deactivate_strategy":
        await client.request({"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "ETH_USDT"})
    elif msg_type == "refresh_token":
        ctx["<jwt>"] = (await client.login("trader"))["refresh_token"]
        await client.request({"type": "logout"})
    elif msg_type == "reconnect":
        old = await client.make_client()
        await old.login("trader")
        await old.request({"type": "subscribe", "stream": "orders"})
        await old.close()
        for _ in range(200):
            if old.client_id in client.server.client_session_persistence:
                break
            await asyncio.sleep(0.01)
        await client.server.broadcast_to_subscribers("orders", {"symbol": "BTC_USDT"})
        ctx["<reconnect token of the old connection>"] = old.welcome["reconnect_token"]
    elif msg_type == "unsubscribe":
        await client.request({"type": "subscribe", "stream": "market_data"})
    return ctx


def test_examples_found():
    assert len(_examples()) >= 15


@pytest.mark.parametrize("request_msg,expected", _examples())
async def test_doc_example(make_server, make_client, request_msg, expected):
    server = await make_server({"bar_interval": 0.02})
    client = await make_client(server)
    msg_type = request_msg["type"]
    client.server = server
    client.make_client = lambda: make_client(server)
    if msg_type not in ("login", "auth", "refresh_token", "reconnect", "handshake"):
        await client.login("admin" if msg_type in ("command", "upsert_strategy") else "trader")
    ctx = await _setup(client, msg_type)
    raw = json.dumps(request_msg, ensure_ascii=False)
    for placeholder, value in ctx.items():
        raw = raw.replace(placeholder, value)
    await client.send(raw)
    actual = await client.reply()
    assert matches(expected[0], actual), (expected[0], actual)
    for frame in expected[1:]:
        actual = await client.recv()
        assert matches(frame, actual), (frame, actual)
