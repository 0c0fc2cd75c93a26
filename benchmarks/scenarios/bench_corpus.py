"""The benchmark corpus: short, deterministic sessions covering the common message types.

Recorded against the legacy server into ``benchmarks/corpus/`` with
``harness record-scenarios benchmarks/scenarios --target legacy --out benchmarks/corpus``.
The corpus replay benchmark and the load tests use ``recordings/`` when it holds recordings,
and this corpus otherwise.
"""

from harness.scenario import scenario

PROTOCOL_TYPES = ("heartbeat", "version", "capabilities", "server_time", "handshake")


@scenario(name="bench_protocol", tags=["protocol"])
async def bench_protocol(s):
    c = await s.connect("c1")
    await c.recv()
    for i in range(20):
        await c.send({"type": "ping", "id": i})
        await c.recv()
    for kind in PROTOCOL_TYPES:
        await c.send({"type": kind, "id": kind})
        await c.recv()
    await c.send({"type": "echo", "id": "e", "data": {"x": [1, 2.5, "é"], "y": None}})
    await c.recv()
    await c.send("{not json")
    await c.recv()
    await c.send_binary(b"\x00\x01")
    await c.recv()
    await c.send({"type": "no_such_type", "id": 99})
    await c.recv()
    await c.close(1000)


@scenario(name="bench_auth_strategies", tags=["auth", "subscriptions", "strategies"])
async def bench_auth_strategies(s):
    c = await s.connect("c1")
    await c.recv()
    await c.send({"type": "login", "id": 1, "username": "trader", "password": "trader123"})
    await c.recv()
    requests = [
        {"type": "subscribe", "stream": "market_data", "symbols": ["btc_usdt", "ETH_USDT"]},
        {"type": "subscribe", "stream": "orders"},
        {"type": "subscribe", "stream": "orders"},
        {"type": "unsubscribe", "stream": "orders"},
        {"type": "get_strategies"},
        {"type": "validate_strategy_config", "strategy_name": "MovingAverageCross",
         "config": {"short_window": 20, "long_window": 10}},
        {"type": "activate_strategy", "strategy_name": "RSIStrategy", "symbol": "eth_usdt", "config": {"period": 7}},
        {"type": "strategy_status", "strategy_name": "RSIStrategy"},
        {"type": "deactivate_strategy", "strategy_name": "RSIStrategy", "symbol": "ETH_USDT"},
        {"type": "subscribe", "stream": "market_data", "symbols": ["DOGE_USDT"]},
        {"type": "logout"},
        {"type": "subscribe", "stream": "orders"},
    ]
    for i, message in enumerate(requests, start=2):
        await c.send({**message, "id": i})
        await c.recv()
    await c.close(1000)


@scenario(name="bench_two_clients", tags=["auth", "subscriptions"])
async def bench_two_clients(s):
    c1 = await s.connect("c1")
    await c1.recv()
    c2 = await s.connect("c2")
    await c2.recv()
    await c1.send({"type": "login", "id": 1, "username": "viewer", "password": "viewer123"})
    await c1.recv()
    await c2.send({"type": "login", "id": 1, "username": "admin", "password": "admin123"})
    await c2.recv()
    await c2.send({"type": "login", "id": 2, "username": "viewer", "password": "wrong"})
    await c2.recv()
    for i in range(10):
        await c1.send({"type": "ping", "id": i})
        await c1.recv()
        await c2.send({"type": "heartbeat", "id": i})
        await c2.recv()
    await c1.send({"type": "subscribe", "id": 20, "stream": "sessions"})
    await c1.recv()
    await c1.close(1000)
    await c2.close(1000)


@scenario(name="bench_backtest", tags=["sessions"], settings={"bar_interval": 0.001})
async def bench_backtest(s):
    c = await s.connect("c1")
    await c.recv()
    await c.send({"type": "login", "id": 1, "username": "trader", "password": "trader123"})
    await c.recv()
    await c.send({"type": "subscribe", "id": 2, "stream": "market_data", "symbols": ["BTC_USDT"]})
    await c.recv()
    await c.send({"type": "session_start", "id": 3, "session_type": "backtest",
                  "strategy_config": {"MovingAverageCross": ["BTC_USDT"]}, "config": {"bars": 30}})
    await c.recv()
    while (await c.recv_until("session_update"))["data"]["status"] != "completed":
        pass
    await c.send({"type": "session_status", "id": 4})
    await c.recv()
    await c.close(1000)
