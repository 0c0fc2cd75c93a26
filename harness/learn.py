"""Noise learning from two runs: changing paths, then which of them are composite."""

from __future__ import annotations

from dataclasses import replace

from harness.config import NoiseRules
from harness.jsonpath import generalise, leaves
from harness.noise import NoiseSpec, default_keys, learn_paths, pair_frames
from harness.normalise import NormalObservation, normalise
from harness.observation import Observation


def _still_differing(
    first: Observation, second: Observation, a: NormalObservation, b: NormalObservation
) -> set[str]:
    """Generalised paths whose normalised values differ between two runs."""
    out: set[str] = set()
    for name, client in a.clients.items():
        other = b.clients.get(name)
        if other is None:
            continue
        for i, j in pair_frames(first.clients[name].frames, second.clients[name].frames):
            left, right = client.frames[i], other.frames[j]
            if left.is_json and right.is_json:
                lb = dict(leaves(right.value))
                out |= {generalise(p) for p, v in leaves(left.value) if lb.get(p, v) != v}
    return out


def learn(
    first: Observation,
    second: Observation,
    rules: NoiseRules = NoiseRules(),
    keys: frozenset[str] = frozenset(),
) -> NoiseSpec:
    """Noise paths from two runs (plus the issued-value `keys`, always noise); composite ones
    (other noise values plus stable text, such as `<session_id>:<seq>`) keep their stable part."""
    spec = learn_paths(first, second, rules, keys)
    trial = replace(spec, composite=spec.learned)
    differing = _still_differing(first, second, normalise(first, trial), normalise(second, trial))
    return replace(spec, composite=frozenset(spec.learned - differing))


def learn_noise(
    first: Observation,
    second: Observation,
    rules: NoiseRules = NoiseRules(),
    keys: frozenset[str] | None = None,
) -> NoiseSpec:
    """The full noise of a recording from two runs: changing paths, composite paths, and the
    issued-value `keys` (default: the default `redact.tokens` and `redact.ids`)."""
    return learn(first, second, rules, default_keys() if keys is None else keys)
