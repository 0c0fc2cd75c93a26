"""Noise learning and identity-preserving normalisation (no sockets)."""

import json

import jwt

from harness.config import NoiseRules
from harness.learn import learn_noise
from harness.noise import NoiseSpec
from harness.normalise import normalise
from harness.observation import ClientObservation, Frame, Observation


def obs(*frames_by_client, target="t"):
    clients = {}
    for name, frames in frames_by_client:
        clients[name] = ClientObservation(
            name, tuple(Frame.of(json.dumps(f) if isinstance(f, dict) else f) for f in frames), (1000,)
        )
    return Observation("rec", target, clients)


def run(token, cid, ts, orders):
    return obs(
        (
            "c1",
            [
                {"type": "status", "client_id": cid, "reconnect_token": token, "timestamp": ts},
                {"type": "orders", "data": {"orders": orders}},
                {"type": "error", "error_message": f"Session {cid} not found"},
            ],
        ),
        ("c2", [{"type": "peer", "client_id": cid}]),
    )


A = run(
    "tok-aaaaaaaa",
    "id-aaaaaa",
    "2026-11-22T10:00:00.123456+00:00",
    [{"id": "o-1111111", "qty": 1}, {"id": "o-2222222", "qty": 2}],
)
B = run(
    "tok-bbbbbbbb",
    "id-bbbbbb",
    "2026-11-22T10:00:01+00:00",
    [{"id": "o-3333333", "qty": 1}, {"id": "o-4444444", "qty": 2}],
)


def test_learned_paths_are_generalised():
    noise = learn_noise(A, B)
    assert noise.report() == [
        "$.client_id",
        "$.data.orders[*].id",
        "$.error_message",
        "$.reconnect_token",
        "$.timestamp",
    ]
    assert noise.unstable == ()


def test_identity_kept_across_clients():
    noise = learn_noise(A, B, NoiseRules(ignore=("$.error_message",)))
    left, right = normalise(A, noise), normalise(B, noise)
    assert left.to_dict() == right.to_dict()
    c1 = left.clients["c1"].frames
    assert c1[0].value == {
        "type": "status",
        "client_id": "<id:1>",
        "reconnect_token": "<token:1>",
        "timestamp": "<ts>",
    }
    assert c1[1].value["data"]["orders"] == [{"id": "<id:2>", "qty": 1}, {"id": "<id:3>", "qty": 2}]
    assert c1[2].value["error_message"] == "Session <id:1> not found"
    assert left.clients["c2"].frames[0].value["client_id"] == "<id:1>"


def test_identity_breaks_are_visible():
    noise = learn_noise(A, B)
    twisted = run(
        "tok-cccccccc",
        "id-cccccc",
        "2026-11-22T10:00:00Z",
        [{"id": "o-5555555", "qty": 1}, {"id": "o-5555555", "qty": 2}],
    )
    assert normalise(twisted, noise).to_dict() != normalise(A, noise).to_dict()


def test_configured_noise_and_kinds():
    spec = NoiseSpec(rules=NoiseRules(add=("$.elapsed", "$.flag", "$.list[0]")))
    result = normalise(
        obs(
            (
                "c1",
                [
                    {
                        "elapsed": 0.25,
                        "flag": True,
                        "list": ["x-secret-1"],
                        "at": "2026-01-01T00:00:00Z",
                        "echo": "<issued:c1:access_token:1>",
                    }
                ],
            )
        ),
        spec,
    )
    assert result.clients["c1"].frames[0].value == {
        "elapsed": "<num>",
        "flag": "<noise>",
        "list": ["<id:1>"],
        "at": "<ts>",
        "echo": "<token:1>",
    }


def test_unstable_runs_are_reported():
    one = obs(("c1", [{"type": "a"}, {"type": "b"}]))
    two = obs(("c1", [{"type": "b"}]))
    noise = learn_noise(one, two)
    assert any("2 frames in one run, 1 in the other" in u for u in noise.unstable)
    assert noise.learned == frozenset()  # frames are paired by alignment, not by index


def test_frames_of_other_types_are_not_compared():
    one = obs(("c1", [{"type": "a", "v": 1}]))
    two = obs(("c1", [{"type": "b", "v": 2}]))
    noise = learn_noise(one, two)
    assert noise.learned == frozenset() and any("type 'a' in one run" in u for u in noise.unstable)


def test_non_json_and_binary_frames():
    o = Observation(
        "rec", "t", {"c1": ClientObservation("c1", (Frame.of("plain"), Frame.of(b"\x00")), (1000,))}
    )
    frames = normalise(o, NoiseSpec()).clients["c1"].frames
    assert [f.text for f in frames] == ["plain", "<binary:AA==>"]
    assert not frames[0].is_json


def _orders(sid, token, seqs):
    return obs(
        (
            "c1",
            [{"type": "response", "session_id": sid, "reconnect_token": f"{sid}:{token}"}]
            + [{"type": "orders", "data": {"message_id": f"{sid}:{n}"}} for n in seqs],
        )
    )


def test_composite_noise_keeps_the_stable_part():
    from harness.learn import learn

    spec = learn(_orders("session_aaaaaa", "x1y2z3", [1, 2]), _orders("session_bbbbbb", "q9w8e7", [1, 2]))
    assert "$.data.message_id" in spec.composite and "$.reconnect_token" not in spec.composite
    legacy = normalise(_orders("session_cccccc", "a", [1, 2]), spec)
    assert [f.value for f in legacy.clients["c1"].frames][1:] == [
        {"type": "orders", "data": {"message_id": "<id:1>:1"}},
        {"type": "orders", "data": {"message_id": "<id:1>:2"}},
    ]
    assert legacy.clients["c1"].frames[0].value["reconnect_token"] == "<token:1>"
    shifted = normalise(_orders("session_dddddd", "b", [0, 1]), spec)
    assert shifted.to_dict() != legacy.to_dict()


def test_built_in_recognisers_and_issued_keys():
    spec = NoiseSpec(keys=frozenset({"access_token", "session_id"}))
    frame = {
        "access_token": "same-in-both-runs",
        "data": {"session_id": "s-1234567"},
        "uptime_seconds": 1.25,
        "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        "count": 3,
        "elapsed": True,
    }
    value = normalise(obs(("c1", [frame])), spec).clients["c1"].frames[0].value
    assert value == {
        "access_token": "<token:1>",
        "data": {"session_id": "<id:1>"},
        "uptime_seconds": "<num>",
        "jwt": {"jwt": "<token:2>", "header": {"alg": "HS256"}, "claims": {"sub": "x"}, "lifetime": None},
        "count": 3,
        "elapsed": True,
    }


def test_last_key():
    from harness.jsonpath import last_key

    assert last_key("$.a.b") == "b"
    assert last_key('$.a["x y"]') == "x y"
    assert last_key("$.a[3]") is None and last_key("$") is None


def _token(now, ttl=3600, nonce="0123456789abcdef", secret="first-secret-of-at-least-32-bytes", **claims):
    payload = {"sub": "trader", "type": "access", "iat": now, "exp": now + ttl, "jti": nonce, **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


def _tokens(*tokens):
    frames = [{"type": "response", "access_token": token} for token in tokens]
    value = normalise(obs(("c1", frames)), NoiseSpec(keys=frozenset({"access_token"})))
    return [frame.value["access_token"] for frame in value.clients["c1"].frames]


def test_jwt_claims_are_compared_with_times_as_a_lifetime():
    first, again = _tokens(_token(1_000, nonce="aaaaaaaaaaaaaaaa"), _token(1_000, nonce="aaaaaaaaaaaaaaaa"))
    assert first == again == {
        "jwt": "<token:1>", "header": {"alg": "HS256", "typ": "JWT"},
        "claims": {"sub": "trader", "type": "access", "iat": "<ts>", "exp": "<ts>", "jti": "<jti:1>"},
        "lifetime": 3600,
    }
    # Another second, key and nonce: the same readable token.
    assert _tokens(_token(1_000))[0] == _tokens(_token(2_000, nonce="ffffffffffffffff", secret="second-secret-of-at-least-32-bytes"))[0]


def test_jwt_lifetime_claims_and_nonce_identity_differ_visibly():
    base = _tokens(_token(1_000))[0]
    assert _tokens(_token(1_000, ttl=3601))[0]["lifetime"] == 3601
    assert _tokens(_token(1_000, type="refresh"))[0]["claims"]["type"] == "refresh"
    assert _tokens(_token(1_000, permissions=["read"]))[0]["claims"] != base["claims"]
    reused = _tokens(_token(1_000, nonce="aaaaaaaaaaaaaaaa"), _token(9_000, nonce="aaaaaaaaaaaaaaaa"))
    fresh = _tokens(_token(1_000, nonce="aaaaaaaaaaaaaaaa"), _token(9_000, nonce="bbbbbbbbbbbbbbbb"))
    assert [t["claims"]["jti"] for t in reused] == ["<jti:1>", "<jti:1>"]
    assert [t["claims"]["jti"] for t in fresh] == ["<jti:1>", "<jti:2>"]


def test_a_token_that_only_looks_like_a_jwt_stays_a_placeholder():
    assert _tokens("eyJub3Q.anNvbg.c2ln") == ["<token:1>"]
