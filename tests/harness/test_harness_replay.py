"""The replayer against tiny servers: frames, binary, close codes, aliasing, bounded failures."""

import json
import time
from dataclasses import replace

from harness import transcript as wsgm
from harness.corpus import check_recording
from harness.replay import replay_recording
from harness_servers import IssuerServer
from harness_support import ECHO, ISSUER, SERVERS, jsonl

ECHO_T = wsgm.loads(
    jsonl(
        '{"kind":"connect","client":"c1"}',
        '{"kind":"send","client":"c1","text":"{\\"a\\":1}"}',
        '{"kind":"recv","client":"c1","text":"{\\"a\\":1}"}',
        '{"kind":"send","client":"c1","binary":"AAEC"}',
        '{"kind":"recv","client":"c1","binary":"AAEC"}',
        '{"kind":"sleep","ms":10}',
        '{"kind":"close","client":"c1","code":1000}',
        '{"kind":"closed","client":"c1","code":1000,"reason":""}',
    ),
    "echo.jsonl",
)

EXPECTS_REPLY = wsgm.loads(
    jsonl(
        '{"kind":"connect","client":"c1"}',
        '{"kind":"send","client":"c1","text":"hello"}',
        '{"kind":"recv","client":"c1","text":"hello"}',
    ),
    "hang.jsonl",
)


async def test_echo_text_and_binary(fast_timeouts, fast_config):
    obs = await replay_recording(ECHO_T, ECHO, timeouts=fast_timeouts)
    assert obs.failed is None and obs.warnings == ()
    c1 = obs.clients["c1"]
    assert [f.text for f in c1.frames] == ['{"a":1}', None]
    assert c1.frames[1].binary == b"\x00\x01\x02"
    assert c1.close_codes == (1000,)
    assert (await check_recording(ECHO_T, ECHO, fast_config)).ok


async def test_server_close_code(fast_timeouts):
    t = wsgm.loads(
        jsonl(
            '{"kind":"connect","client":"c1"}',
            '{"kind":"send","client":"c1","text":"x"}',
            '{"kind":"closed","client":"c1","code":4001,"reason":"go away"}',
        )
    )
    obs = await replay_recording(t, f"{SERVERS}:CloserServer", timeouts=fast_timeouts)
    assert obs.clients["c1"].close_codes == (4001,)


async def test_frames_from_a_closed_connection_are_not_awaited(fast_timeouts):
    t = wsgm.loads(
        jsonl(
            '{"kind":"connect","client":"c1"}',
            '{"kind":"send","client":"c1","text":"x"}',
            '{"kind":"recv","client":"c1","text":"never"}',
            '{"kind":"send","client":"c1","text":"y"}',
        )
    )
    started = time.monotonic()
    obs = await replay_recording(t, f"{SERVERS}:CloserServer", timeouts=replace(fast_timeouts, frame=5))
    assert time.monotonic() - started < 2
    assert obs.warnings[0] == "gave up before line 5: waiting for c1 frame 1/1"


async def test_aliasing_and_passwords_multi_client(fast_timeouts, fast_config):
    t = wsgm.loads(
        jsonl(
            '{"kind":"connect","client":"c1"}',
            '{"kind":"recv","client":"c1","text":"{}"}',
            '{"kind":"send","client":"c1","text":"{\\"type\\":\\"login\\",\\"id\\":1,\\"username\\":\\"viewer\\",\\"password\\":\\"<redacted:password>\\"}"}',
            '{"kind":"recv","client":"c1","text":"{}"}',
            '{"kind":"send","client":"c1","text":"{\\"type\\":\\"check\\",\\"token\\":\\"<issued:c1:access_token:1>\\"}"}',
            '{"kind":"recv","client":"c1","text":"{}"}',
            '{"kind":"connect","client":"c2","headers":{"X-Reconnect-Token":"<issued:c1:reconnect_token:1>"}}',
            '{"kind":"recv","client":"c2","text":"{}"}',
            '{"kind":"connect","client":"c3","headers":{"X-Reconnect-Token":"forged"}}',
            '{"kind":"closed","client":"c3","code":null,"reason":"http 401"}',
        )
    )
    obs = await replay_recording(t, ISSUER, timeouts=fast_timeouts, fixtures=fast_config.fixtures,
                                 redaction=fast_config.redact)
    c1 = [json.loads(f.text) for f in obs.clients["c1"].frames]
    assert c1[1]["status"] == "logged_in"
    assert c1[2]["status"] == "valid"
    c2 = json.loads(obs.clients["c2"].frames[0].text)
    assert c2["resumed"] is True and c2["client_id"] == c1[0]["client_id"]
    assert obs.clients["c3"].connect_errors == ("http 401",)


async def test_external_url_target(fast_timeouts):
    async with IssuerServer(host="127.0.0.1", port=0) as server:
        obs = await replay_recording(ECHO_T, f"ws://127.0.0.1:{server.port}", timeouts=fast_timeouts)
    assert obs.failed is None
    assert json.loads(obs.clients["c1"].frames[0].text)["type"] == "status"


async def test_hanging_server_is_bounded(fast_timeouts, fast_config):
    fast_timeouts = replace(fast_timeouts, frame=0.5, start=0.5)
    fast_config = replace(fast_config, timeouts=fast_timeouts)
    started = time.monotonic()
    obs = await replay_recording(EXPECTS_REPLY, f"{SERVERS}:HangingServer", timeouts=fast_timeouts)
    assert time.monotonic() - started < 3
    assert obs.failed is None
    assert any("waiting for c1 frame 1/1" in w for w in obs.warnings)
    result = await check_recording(EXPECTS_REPLY, f"{SERVERS}:HangingServer", fast_config)
    assert [d.kind for d in result.differences][:1] == ["missing"]


async def test_recording_timeout(fast_timeouts):
    obs = await replay_recording(
        EXPECTS_REPLY, f"{SERVERS}:HangingServer", timeouts=replace(fast_timeouts, recording=0.5, start=0.5)
    )
    assert obs.failed == "replay timed out after 0.5 s"


async def test_dead_targets_fail_with_reason(fast_timeouts):
    cases = {
        "HangingStartServer": "start timed out",
        "CrashingStartServer": "boom at start",
        "RefusingServer": "cannot connect c1",
        "NoSuchServer": "has no attribute",
    }
    for name, reason in cases.items():
        obs = await replay_recording(ECHO_T, f"{SERVERS}:{name}", timeouts=fast_timeouts)
        assert reason in obs.failed, name
    assert (
        "cannot import" in (await replay_recording(ECHO_T, "no_such_module:X", timeouts=fast_timeouts)).failed
    )
    assert "bad target" in (await replay_recording(ECHO_T, "nonsense", timeouts=fast_timeouts)).failed
    assert (
        "cannot connect"
        in (await replay_recording(ECHO_T, "ws://127.0.0.1:9", timeouts=fast_timeouts)).failed
    )


async def test_server_blocking_its_loop_does_not_block_replay(fast_timeouts):
    started = time.monotonic()
    obs = await replay_recording(
        EXPECTS_REPLY,
        f"{SERVERS}:BlockingServer",
        timeouts=replace(fast_timeouts, frame=0.3, quiet_max=0.3, start=0.5, close=0.3),
    )
    assert time.monotonic() - started < 4
    assert any("waiting for c1 frame 1/1" in w for w in obs.warnings)


ACTIONS_ONLY = wsgm.loads(
    jsonl(
        '{"kind":"connect","client":"c1"}',
        '{"kind":"send","client":"c1","text":"{\\"type\\":\\"login\\",\\"id\\":1,\\"username\\":\\"admin\\",\\"password\\":\\"<redacted:wrong_password>\\"}"}',
        '{"kind":"send","client":"c1","text":"{\\"type\\":\\"ping\\",\\"id\\":2}"}',
    ),
    "actions.jsonl",
)


async def test_actions_only_transcripts_compare_target_against_target(fast_config):
    from harness.corpus import compare_recording
    from harness_support import EDITED

    assert (await check_recording(ACTIONS_ONLY, ISSUER, fast_config)).ok
    result = await compare_recording(ACTIONS_ONLY, ISSUER, EDITED, fast_config)
    assert [(d.client, d.frame, d.path) for d in result.differences] == [("c1", 1, "$.error_message")]


async def test_replay_offers_deflate_unless_the_recording_says_none(fast_timeouts):
    t = wsgm.loads(
        jsonl(
            '{"kind":"connect","client":"plain","compression":"none"}',
            '{"kind":"connect","client":"deflating"}',
            '{"kind":"send","client":"plain","text":"?"}',
            '{"kind":"recv","client":"plain","text":"[]"}',
            '{"kind":"send","client":"deflating","text":"?"}',
            '{"kind":"recv","client":"deflating","text":"[\\"permessage-deflate\\"]"}',
        )
    )
    obs = await replay_recording(t, f"{SERVERS}:ExtensionsServer", timeouts=fast_timeouts)
    assert [f.text for f in obs.clients["plain"].frames] == ["[]"]
    assert [f.text for f in obs.clients["deflating"].frames] == ['["permessage-deflate"]']
