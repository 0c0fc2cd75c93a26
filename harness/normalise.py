"""Normalisation: noise values become identity-preserving placeholders."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

from harness import jwtview
from harness.jsonpath import ROOT, child
from harness.noise import NoiseSpec
from harness.observation import ClientObservation, Frame, Observation

ISO_TS = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_SECRET = re.compile(r"^<(issued|redacted):[^<>]+>$")
_DURATION_KEY = re.compile(r"uptime|elapsed|latency|processing_time|duration_ms", re.IGNORECASE)
_SEP = (",", ":")


@dataclass(frozen=True)
class NormalFrame:
    """A frame after normalisation: its JSON value (if any) and its canonical text."""

    text: str
    value: Any = None
    is_json: bool = False


@dataclass(frozen=True)
class NormalClient:
    name: str
    frames: tuple[NormalFrame, ...]
    close_codes: tuple[int | None, ...]
    connect_errors: tuple[str, ...]


@dataclass(frozen=True)
class NormalObservation:
    recording: str
    target: str
    clients: dict[str, NormalClient]
    server_side: bool = True  # the server-side streams were observed (see Observation)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the golden-master snapshot)."""
        return {
            name: {
                "frames": [f.value if f.is_json else f.text for f in c.frames],
                "close_codes": list(c.close_codes),
                "connect_errors": list(c.connect_errors),
            }
            for name, c in self.clients.items()
        }


def _is_duration(key: str, value: Any) -> bool:
    """Built-in recogniser: a number under a key naming a duration (uptime, elapsed...)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and bool(_DURATION_KEY.search(key))


def _kind_of(key: str) -> str:
    return "token" if "token" in key.lower() else "id"


@dataclass
class Placeholders:
    """Numbers distinct noise values per kind, in order of first appearance."""

    seen: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    _longest_first: list[str] = field(default_factory=list)  # the embeddable values of `seen`

    def name(self, value: str, key: str, kind: str | None = None) -> str:
        if value not in self.seen:
            kind = kind or _kind_of(key)
            self.counts[kind] = self.counts.get(kind, 0) + 1
            self.seen[value] = f"<{kind}:{self.counts[kind]}>"
            if len(value) >= 6:
                self._longest_first.append(value)
                self._longest_first.sort(key=len, reverse=True)
        return self.seen[value]

    def embedded(self, value: str) -> str:
        """Known noise values (6 characters or more) inside a longer string are replaced, longest first."""
        for known in self._longest_first:
            if known in value:
                value = value.replace(known, self.seen[known])
        return value


class _Normaliser:
    def __init__(self, noise: NoiseSpec) -> None:
        self.noise = noise
        self.names = Placeholders()

    def value(self, value: Any, path: str, key: str) -> Any:
        if isinstance(value, dict):
            return {k: self.value(v, child(path, k), k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, child(path, i), key) for i, v in enumerate(value)]
        if self.noise.is_noise(path):
            return self.noisy(value, key, self.noise.is_composite(path))
        if _is_duration(key, value):
            return "<num>"
        return self.plain(value)

    def noisy(self, value: Any, key: str, composite: bool = False) -> Any:
        if isinstance(value, bool) or value is None:
            return "<noise>"
        if isinstance(value, (int, float)):
            return "<num>"
        if ISO_TS.match(value):
            return "<ts>"
        if jwtview.JWT.match(value):
            return self.token(value)
        embedded = self.names.embedded(value) if composite and value not in self.names.seen else value
        return embedded if embedded != value else self.names.name(value, key)

    def plain(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if ISO_TS.match(value):
            return "<ts>"
        if jwtview.JWT.match(value):
            return self.token(value)
        if _SECRET.match(value):
            return self.names.name(value, "token")
        return self.names.embedded(value)

    def token(self, value: str) -> Any:
        """A JWT: its placeholder, with the header and claims a client can read (times as a lifetime);
        only the placeholder when tokens are sealed (against a recording)."""
        name = self.names.name(value, "token")
        decoded = jwtview.read(value) if self.noise.open_tokens else None
        if decoded is None:
            return name
        header, claims = decoded
        readable = {key: self.claim(key, claim) for key, claim in claims.items()}
        return {"jwt": name, "header": header, "claims": readable, "lifetime": jwtview.lifetime(claims)}

    def claim(self, key: str, value: Any) -> Any:
        if key in jwtview.TIME_CLAIMS:
            return "<ts>"
        if key == jwtview.ID_CLAIM and isinstance(value, str):
            return self.names.name(value, key, kind="jti")
        return value

    def frame(self, frame: Frame) -> NormalFrame:
        if frame.binary is not None:
            return NormalFrame(text="<binary:" + base64.b64encode(frame.binary).decode() + ">")
        try:
            parsed = json.loads(frame.text or "")
        except (ValueError, RecursionError):
            return NormalFrame(text=frame.text or "")
        value = self.value(parsed, ROOT, "")
        return NormalFrame(json.dumps(value, ensure_ascii=False, separators=_SEP), value, True)

    def client(self, client: ClientObservation) -> NormalClient:
        frames = tuple(self.frame(f) for f in client.frames)
        return NormalClient(client.name, frames, client.close_codes, client.connect_errors)


def normalise(observation: Observation, noise: NoiseSpec) -> NormalObservation:
    """Normalise every client's frames (clients in recording order, one placeholder space)."""
    normaliser = _Normaliser(noise)
    clients = {name: normaliser.client(c) for name, c in observation.clients.items()}
    return NormalObservation(observation.recording, observation.target, clients, observation.server_side)
