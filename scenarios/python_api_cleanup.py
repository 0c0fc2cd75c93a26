"""The Python API: cleanup_expired_client_sessions() before and after saved sessions expire."""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import SETTLE_MS, frames, leave, login, returned  # noqa: E402
from harness.scenario import scenario  # noqa: E402


@scenario(name="api_cleanup_expired_sessions", tags=["python_api", "reconnect", "lifecycle"],
          settings={"session_ttl": 1.5})
async def api_cleanup_expired_sessions(s):
    """cleanup_expired_client_sessions returns how many saved sessions it dropped: none while they
    live, two after the TTL (1.5 s, wide enough for a loaded machine), none again; get_stats before and after; the expired token is
    then refused"""
    c1, w1 = await login(s, "c1", "trader")
    c2, _ = await login(s, "c2", "viewer")
    await leave(s, c1)
    await leave(s, c2)
    await s.sleep(SETTLE_MS)
    assert await returned(s, "cleanup_expired_client_sessions") == 0
    await returned(s, "get_stats")
    await s.sleep(1800)
    assert await returned(s, "cleanup_expired_client_sessions") == 2
    assert await returned(s, "cleanup_expired_client_sessions") == 0
    await returned(s, "get_stats")
    c1 = await s.connect("c1", headers={"X-Reconnect-Token": w1["reconnect_token"]})
    await frames(c1, 1)
