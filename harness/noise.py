"""Noise learning: JSON paths whose values change between two runs of the same target."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from harness.config import NoiseRules, Redaction
from harness.issued import parse_json
from harness.jsonpath import covers, generalise, last_key, leaves
from harness.observation import Frame, Observation

_MISSING = object()


@dataclass(frozen=True)
class NoiseSpec:
    """The noise of one recording: learned paths, configured rules, issued-value keys."""

    learned: frozenset[str] = frozenset()
    rules: NoiseRules = NoiseRules()
    unstable: tuple[str, ...] = ()
    composite: frozenset[str] = frozenset()
    keys: frozenset[str] = frozenset()
    open_tokens: bool = True  # compare what JWTs say; off against a recording, which holds none
    _decided: dict[str, bool] = field(default_factory=dict, init=False, compare=False, repr=False)

    def is_noise(self, path: str) -> bool:
        """Configured `ignore` wins over learned and added paths (each path decided once)."""
        decided = self._decided.get(path)
        if decided is None:
            decided = self._decided[path] = self._noise(path)
        return decided

    def _noise(self, path: str) -> bool:
        if any(covers(rule, path) for rule in self.rules.ignore):
            return False
        return (
            generalise(path) in self.learned
            or last_key(path) in self.keys
            or any(covers(rule, path) for rule in self.rules.add)
        )

    def is_composite(self, path: str) -> bool:
        """Noise made of other noise values plus stable text (`<id:1>:3`), kept in part."""
        return generalise(path) in self.composite

    def report(self) -> list[str]:
        """The learned noise, sorted, with configured overrides applied."""
        return sorted(p for p in self.learned if not any(covers(r, p) for r in self.rules.ignore))


KIND_KEYS = ("type", "status", "stream")


def _marks(value: dict) -> list[str]:
    """The values that say what kind of frame it is: type, status, stream and any code."""
    codes = sorted(key for key in value if key == "code" or key.endswith("_code"))
    return [str(value.get(key)) for key in KIND_KEYS] + [str(value[key]) for key in codes]


def shape(frame: Frame) -> str:
    """What must match for two frames to be compared: kind, keys, type/status/stream/code."""
    value = parse_json(frame.text) if frame.text is not None else None
    if not isinstance(value, dict):
        return "binary" if frame.binary is not None else "text"
    return "|".join(_marks(value) + sorted(value))


def pair_frames(a: tuple[Frame, ...], b: tuple[Frame, ...]) -> list[tuple[int, int]]:
    """Frames of two runs paired by alignment on their shapes (in order)."""
    matcher = difflib.SequenceMatcher(None, [shape(f) for f in a], [shape(f) for f in b], autojunk=False)
    pairs = []
    for _, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs += list(zip(range(i1, i2), range(j1, j2)))
    return pairs


@dataclass
class _Learner:
    paths: set[str] = field(default_factory=set)
    unstable: list[str] = field(default_factory=list)

    def frames(self, client: str, a: tuple[Frame, ...], b: tuple[Frame, ...]) -> None:
        if len(a) != len(b):
            self.unstable.append(f"{client}: {len(a)} frames in one run, {len(b)} in the other")
        for i, j in pair_frames(a, b):
            self.frame(f"{client} frame {i}", a[i], b[j])

    def frame(self, where: str, a: Frame, b: Frame) -> None:
        va = parse_json(a.text) if a.text is not None else None
        vb = parse_json(b.text) if b.text is not None else None
        if not (isinstance(va, dict) and isinstance(vb, dict)):
            if a != b:
                self.unstable.append(f"{where}: differs between runs (not JSON objects)")
            return
        if va.get("type") != vb.get("type"):
            self.unstable.append(
                f"{where}: type {va.get('type')!r} in one run, {vb.get('type')!r} in the other"
            )
            return
        self.values(dict(leaves(va)), dict(leaves(vb)))

    def values(self, la: dict, lb: dict) -> None:
        for path in la.keys() | lb.keys():
            if la.get(path, _MISSING) != lb.get(path, _MISSING):
                self.paths.add(generalise(path))


def learn_paths(
    first: Observation,
    second: Observation,
    rules: NoiseRules = NoiseRules(),
    keys: frozenset[str] = frozenset(),
) -> NoiseSpec:
    """Compare two runs of the same target on the same recording; changing paths are noise."""
    learner = _Learner()
    for name, client in first.clients.items():
        other = second.clients.get(name)
        if other is not None:
            learner.frames(name, client.frames, other.frames)
    return NoiseSpec(frozenset(learner.paths), rules, tuple(learner.unstable), keys=frozenset(keys))


def default_keys() -> frozenset[str]:
    """The issued-value keys of the default redaction rules."""
    defaults = Redaction()
    return frozenset(defaults.tokens + defaults.ids)
