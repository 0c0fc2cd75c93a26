"""Recordings never contain secrets: passwords are redacted, issued tokens aliased, and the only JWTs
left are ones a scenario crafted (never issued by a server)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from harness.scenario import Scenario, record_scenario
from harness.transcript import dumps
from subject_trading.config import harness_config

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = sorted((ROOT / "recordings").rglob("*.jsonl"))
DEV_PASSWORDS = ("admin123", "trader123", "viewer123")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
CRAFTED_BEFORE = 1704067200  # crafted tokens carry a fixed `iat` before 2024-01-01


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    try:
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return {}


def is_crafted(token: str) -> bool:
    """Unsigned, or carrying the crafted marker / a fixed pre-2024 `iat`: never a server-issued token."""
    if not token.split(".")[2]:
        return True
    found = claims(token)
    return bool(found.get("wsgm_crafted")) or (isinstance(found.get("iat"), int) and found["iat"] < CRAFTED_BEFORE)


async def test_recorded_login_stores_placeholders_not_secrets():
    async def logins(s):
        c = await s.connect("c1")
        await c.recv()
        await c.send({"type": "login", "id": 1, "username": "trader", "password": "trader123"})
        issued = await c.recv()
        await c.send({"type": "login", "id": 2, "username": "admin", "password": "not-the-password"})
        await c.recv()
        await c.send({"type": "login", "id": 3, "token": issued["access_token"]})
        await c.recv()
        await c.send({"type": "refresh_token", "id": 4, "refresh_token": issued["refresh_token"]})
        await c.recv()

    transcript = await record_scenario(Scenario("logins", logins), "legacy", harness_config())
    text = dumps(transcript)
    sends = [json.loads(e.text) for e in transcript.events if e.kind == "send"]
    assert sends[0]["password"] == "<redacted:password>"
    assert sends[1]["password"] == "<redacted:wrong_password>"
    assert sends[2]["token"] == "<issued:c1:access_token:1>"
    assert sends[3]["refresh_token"] == "<issued:c1:refresh_token:1>"
    for secret in DEV_PASSWORDS + ("not-the-password",):
        assert secret not in text
    assert not JWT.search(text), JWT.search(text).group(0)


@pytest.mark.parametrize("path", RECORDINGS, ids=[str(p.relative_to(ROOT / "recordings")) for p in RECORDINGS])
def test_recording_holds_no_secrets(path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for password in DEV_PASSWORDS:
            assert password not in line, f"{path}:{number}: dev password {password!r}"
        event = json.loads(line)
        for token in JWT.findall(line):
            where = f"{path}:{number}"
            assert event["kind"] in ("send", "connect"), f"{where}: a JWT the server sent was not aliased"
            assert is_crafted(token), f"{where}: JWT that looks issued: {claims(token)}"
        for header, value in (event.get("headers") or {}).items():
            if header.lower() in ("authorization", "cookie"):
                assert value.startswith(("<redacted:", "<issued:")), f"{path}:{number}: {header} header"
