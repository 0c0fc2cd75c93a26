"""Redaction on record, restoration on replay, aliasing of issued values."""

import json

from harness.redact import PASSWORD, WRONG_PASSWORD, WRONG_PASSWORD_VALUE, Redactor, Restorer
from subject_trading.config import harness_config

SUBJECT = harness_config()

WELCOME = {"type": "status", "client_id": "abcdef123456", "reconnect_token": "abcdef123456:deadbeef99"}


def redactor(settings=None):
    return Redactor(SUBJECT.redact, SUBJECT.fixtures, settings or {})


def test_passwords_redacted_by_kind():
    r = redactor()
    right = r.send_text("c1", json.dumps({"type": "login", "username": "trader", "password": "trader123"}))
    wrong = r.send_text("c1", json.dumps({"type": "login", "username": "trader", "password": "guess"}))
    empty = r.send_text("c1", json.dumps({"type": "login", "username": "trader", "password": ""}))
    assert json.loads(right)["password"] == PASSWORD
    assert json.loads(wrong)["password"] == WRONG_PASSWORD
    assert json.loads(empty)["password"] == ""
    assert "trader123" not in right and "guess" not in wrong


def test_password_from_recording_settings():
    r = redactor({"passwords": {"trader": "s3cret"}})
    text = r.send_text("c1", '{"username":"trader","password":"s3cret"}')
    assert text == '{"username":"trader","password":"<redacted:password>"}'


def test_issued_tokens_become_references_and_aliases():
    r = redactor()
    recorded = r.recv_text("c1", json.dumps(WELCOME))
    frame = json.loads(recorded)
    assert frame["reconnect_token"] == "<issued:c1:reconnect_token:1>"
    assert frame["client_id"] == "abcdef123456"  # ids stay verbatim in received frames
    sent = r.send_text("c2", json.dumps({"type": "reconnect", "token": WELCOME["reconnect_token"]}))
    assert json.loads(sent)["token"] == "<issued:c1:reconnect_token:1>"
    forged = r.send_text("c2", json.dumps({"token": "abcdef123456:forged"}))
    assert json.loads(forged)["token"] == "<issued:c1:client_id:1>:forged"
    never = r.send_text("c2", json.dumps({"token": "made-up-token-value"}))
    assert json.loads(never)["token"] == "made-up-token-value"
    headers = r.headers("c2", {"X-Reconnect-Token": WELCOME["reconnect_token"], "Authorization": "Bearer x"})
    assert headers == {
        "X-Reconnect-Token": "<issued:c1:reconnect_token:1>",
        "Authorization": "<redacted:authorization>",
    }


def test_numbering_per_client_and_field():
    r = redactor()
    r.recv_text("c1", json.dumps({"access_token": "token-one-aaaa"}))
    again = r.recv_text("c1", json.dumps({"access_token": "token-one-aaaa"}))
    second = r.recv_text("c1", json.dumps({"access_token": "token-two-bbbb"}))
    assert json.loads(again)["access_token"] == "<issued:c1:access_token:1>"
    assert json.loads(second)["access_token"] == "<issued:c1:access_token:2>"


def test_restorer_resolves_references_and_passwords():
    restorer = Restorer(SUBJECT.redact, SUBJECT.fixtures, {})
    restorer.received(
        "c1", json.dumps({"client_id": "zzzzzz999999", "reconnect_token": "zzzzzz999999:cafe0000"})
    )
    sent = restorer.send_text(
        json.dumps(
            {
                "token": "<issued:c1:reconnect_token:1>",
                "forged": "<issued:c1:client_id:1>:forged",
                "unknown": "<issued:c9:access_token:1>",
            }
        )
    )
    assert json.loads(sent) == {
        "token": "zzzzzz999999:cafe0000",
        "forged": "zzzzzz999999:forged",
        "unknown": "<issued:c9:access_token:1>",
    }
    login = restorer.send_text(json.dumps({"username": "admin", "password": PASSWORD}))
    assert json.loads(login)["password"] == "admin123"
    bad = restorer.send_text(json.dumps({"username": "admin", "password": WRONG_PASSWORD}))
    assert json.loads(bad)["password"] == WRONG_PASSWORD_VALUE
    assert restorer.headers({"X-Reconnect-Token": "<issued:c1:reconnect_token:1>"}) == {
        "X-Reconnect-Token": "zzzzzz999999:cafe0000"
    }


def test_non_json_frames_pass_through():
    r = redactor()
    assert r.send_text("c1", "{not json") == "{not json"
    assert r.recv_text("c1", "plain") == "plain"
