"""Recorder-side redaction (passwords, issued tokens) and replay-side restoration."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from harness.config import Fixtures, Redaction
from harness.issued import IssuedValues, parse_json

PASSWORD = "<redacted:password>"
WRONG_PASSWORD = "<redacted:wrong_password>"
WRONG_PASSWORD_VALUE = "wsgm-wrong-password"


def _password_pairs(value: Any, keys: tuple[str, ...]):
    """(object, key) for every password field (a string) in a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                yield value, key
            else:
                yield from _password_pairs(item, keys)
    elif isinstance(value, list):
        for item in value:
            yield from _password_pairs(item, keys)


def _swap(text: str, old: str, new: str) -> str:
    """Replace one JSON string literal in raw frame text, keeping the rest byte for byte."""
    return text.replace(json.dumps(old), json.dumps(new), 1)


@dataclass
class _IssuedTracking:
    """Redaction rules, fixtures and the recording's settings, plus the values issued so far."""

    rules: Redaction
    fixtures: Fixtures
    settings: dict[str, Any]
    issued: IssuedValues = field(init=False)

    def __post_init__(self) -> None:
        self.issued = IssuedValues(frozenset(self.rules.tokens + self.rules.ids))


@dataclass
class Redactor(_IssuedTracking):
    """Turns what a recording proxy sees into transcript text (one per recording)."""

    def recv_text(self, client: str, text: str) -> str:
        """A received frame: learn issued values; tokens become their references."""
        for key, value, ref in self.issued.learn_frame(client, text):
            if key in self.rules.tokens:
                text = text.replace(value, ref)
        return text

    def send_text(self, client: str, text: str) -> str:
        """A sent frame: passwords redacted, issued values aliased."""
        return self.issued.alias(self._passwords(text), client)

    def headers(self, client: str, headers: dict[str, str]) -> dict[str, str]:
        """Handshake headers: secrets redacted unless they are issued values (aliased)."""
        secret = {name.lower() for name in self.rules.headers}
        out = {}
        for name, value in headers.items():
            aliased = self.issued.alias(value, client)
            hidden = name.lower() in secret and aliased == value
            out[name] = f"<redacted:{name.lower()}>" if hidden else aliased
        return out

    def _passwords(self, text: str) -> str:
        for obj, key in list(_password_pairs(parse_json(text), self.rules.passwords)):
            value = obj[key]
            if value:
                known = self.fixtures.password_for(obj.get("username"), self.settings)
                text = _swap(text, value, PASSWORD if value == known else WRONG_PASSWORD)
        return text


@dataclass
class Restorer(_IssuedTracking):
    """Replay side: learns what the target issued, puts secrets and issued values back."""

    def received(self, client: str, text: str) -> None:
        """Learn the issued values of a frame the target sent to `client`."""
        self.issued.learn_frame(client, text)

    def send_text(self, text: str) -> str:
        """The frame to send: references resolved, passwords filled from the fixtures."""
        return self._passwords(self.issued.resolve(text))

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {name: self.issued.resolve(value) for name, value in headers.items()}

    def _passwords(self, text: str) -> str:
        if PASSWORD not in text and WRONG_PASSWORD not in text:
            return text
        for obj, key in list(_password_pairs(parse_json(text), self.rules.passwords)):
            text = _swap(text, obj[key], self._password(obj, key))
        return text

    def _password(self, obj: dict[str, Any], key: str) -> str:
        table = {
            PASSWORD: self.fixtures.password_for(obj.get("username"), self.settings),
            WRONG_PASSWORD: WRONG_PASSWORD_VALUE,
        }
        return table.get(obj[key]) or obj[key]
