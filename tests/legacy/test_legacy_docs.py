"""docs/PROTOCOL.md stays in step with the server."""

import os
import re

from legacy import websocket_server as ws

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _doc():
    with open(os.path.join(ROOT, "docs", "PROTOCOL.md"), encoding="utf-8") as f:
        return f.read()


def _source():
    with open(ws.__file__, encoding="utf-8") as f:
        return f.read()


def test_every_message_type_documented():
    doc = _doc()
    for t in ws.MESSAGE_TYPES:
        assert f"**{t}**" in doc, t


def test_every_error_code_in_server_is_documented():
    doc = _doc()
    codes = set(re.findall(r'"error_code": "([a-z_]+)"', _source()))
    codes |= {"rate_limit_exceeded", "invalid_json", "invalid_message"}
    table = doc[doc.index("### 4.1 Error codes"):doc.index("### 4.2")]
    for code in sorted(codes):
        assert f"`{code}`" in table, code


def test_documented_fixed_messages_exist_in_server():
    doc = _doc()
    table = doc[doc.index("### 4.1 Error codes"):doc.index("### 4.2")]
    src = _source()
    for row in table.splitlines()[3:]:
        cells = row.split("|")
        if len(cells) < 3:
            continue
        for text in re.findall(r"`([^`]+)`", cells[2]):
            if "<" in text:
                text = text.split("<")[0]
            if text in ("Invalid parameter: ",):
                continue
            assert text in src, text


def test_documented_defaults():
    doc = _doc()
    for fragment in ("`max_message_size` (1048576)", "`rate_limit` (100)", "`rate_window` (60)",
                     "`session_ttl` (3600)", "`lockout_threshold` (5)", "`lockout_seconds` (300)",
                     "`bar_interval` (0.01 s)", "`queue_limit` (1000)"):
        assert fragment in doc, fragment
    s = ws.WebSocketAPIServer()
    assert (s.max_message_size, s.rate_limit, s.rate_window, s.session_ttl, s.lockout_threshold,
            s.lockout_seconds, s.bar_interval, s.queue_limit) == (1048576, 100, 60, 3600, 5, 300, 0.01, 1000)
