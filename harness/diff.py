"""The differ: per client, frames aligned; missing, extra, reordered and changed frames."""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from harness.jsonpath import ROOT, child
from harness.normalise import NormalClient, NormalFrame, NormalObservation
from harness.serverside import STREAMS

ABSENT = "<absent>"


@dataclass(frozen=True)
class Difference:
    """One difference between the expected (legacy) and actual (candidate) output."""

    recording: str
    client: str
    kind: str  # changed | missing | extra | reordered | close_code | connect
    frame: int | None = None
    actual_frame: int | None = None
    path: str = ROOT
    expected: Any = None
    actual: Any = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def where(self) -> str:
        """`recording client frame N $.path`, as the reports name a difference."""
        frame = "-" if self.frame is None else str(self.frame)
        return f"{self.recording} {self.client} frame {frame} {self.path}"


def _dict_changes(expected: dict, actual: dict, path: str) -> list[tuple[str, Any, Any]]:
    out = []
    for key in list(expected) + [k for k in actual if k not in expected]:
        out += json_changes(expected.get(key, ABSENT), actual.get(key, ABSENT), child(path, key))
    return out


def _list_changes(expected: list, actual: list, path: str) -> list[tuple[str, Any, Any]]:
    out = []
    for index in range(max(len(expected), len(actual))):
        left = expected[index] if index < len(expected) else ABSENT
        right = actual[index] if index < len(actual) else ABSENT
        out += json_changes(left, right, child(path, index))
    return out


_CONTAINERS = {dict: _dict_changes, list: _list_changes}


def json_changes(expected: Any, actual: Any, path: str = ROOT) -> list[tuple[str, Any, Any]]:
    """(path, expected, actual) for every leaf that differs between two JSON values."""
    compare = _CONTAINERS.get(type(expected))
    if compare is not None and type(actual) is type(expected):
        return compare(expected, actual, path)
    same = expected == actual and type(expected) is type(actual)
    return [] if same else [(path, expected, actual)]


def _shown(frame: NormalFrame) -> Any:
    return frame.value if frame.is_json else frame.text


def _free(start: int, stop: int, taken: set[int]) -> list[int]:
    return [index for index in range(start, stop) if index not in taken]


def _order(difference: Difference) -> tuple[int, int]:
    frame = difference.frame if difference.frame is not None else difference.actual_frame
    return (frame or 0, difference.frame is None)


@dataclass
class _ClientDiff:
    recording: str
    client: str
    expected: tuple[NormalFrame, ...]
    actual: tuple[NormalFrame, ...]

    def make(
        self,
        kind: str,
        i: int | None,
        j: int | None,
        path: str = ROOT,
        expected: Any = None,
        actual: Any = None,
    ) -> Difference:
        return Difference(self.recording, self.client, kind, i, j, path, expected, actual)

    def run(self) -> list[Difference]:
        left = [f.text for f in self.expected]
        right = [f.text for f in self.actual]
        matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
        blocks = [op[1:] for op in matcher.get_opcodes() if op[0] != "equal"]
        moved = self.reordered(blocks, left, right)
        out = [self.make("reordered", i, j, ROOT, _shown(self.expected[i]), None) for i, j in moved]
        taken_i = {i for i, _ in moved}
        taken_j = {j for _, j in moved}
        for i1, i2, j1, j2 in blocks:
            out += self.block(_free(i1, i2, taken_i), _free(j1, j2, taken_j))
        return sorted(out, key=_order)

    @staticmethod
    def reordered(blocks, left: list[str], right: list[str]) -> list[tuple[int, int]]:
        """Frames that are present on both sides, but not where the other side has them."""
        spare: dict[str, list[int]] = defaultdict(list)
        for _, _, j1, j2 in blocks:
            for j in range(j1, j2):
                spare[right[j]].append(j)
        pairs = []
        for i1, i2, _, _ in blocks:
            for i in range(i1, i2):
                if spare[left[i]]:
                    pairs.append((i, spare[left[i]].pop(0)))
        return pairs

    def block(self, lefts: list[int], rights: list[int]) -> list[Difference]:
        out = []
        for i, j in zip(lefts, rights):
            out += self.changed(i, j)
        out += [
            self.make("missing", i, None, ROOT, _shown(self.expected[i]), None) for i in lefts[len(rights) :]
        ]
        out += [self.make("extra", None, j, ROOT, None, _shown(self.actual[j])) for j in rights[len(lefts) :]]
        return out

    def changed(self, i: int, j: int) -> list[Difference]:
        left, right = self.expected[i], self.actual[j]
        if not (left.is_json and right.is_json):
            return [self.make("changed", i, j, ROOT, _shown(left), _shown(right))]
        changes = json_changes(left.value, right.value)
        if not changes:
            return [self.make("changed", i, j, ROOT, left.text, right.text)]
        return [self.make("changed", i, j, path, a, b) for path, a, b in changes]


def diff_clients(recording: str, expected: NormalClient, actual: NormalClient) -> list[Difference]:
    """All differences of one client: frames, then close codes and handshake rejections."""
    out = _ClientDiff(recording, expected.name, expected.frames, actual.frames).run()
    if expected.close_codes != actual.close_codes:
        out.append(
            Difference(
                recording,
                expected.name,
                "close_code",
                None,
                None,
                ROOT,
                list(expected.close_codes),
                list(actual.close_codes),
            )
        )
    if expected.connect_errors != actual.connect_errors:
        out.append(
            Difference(
                recording,
                expected.name,
                "connect",
                None,
                None,
                ROOT,
                list(expected.connect_errors),
                list(actual.connect_errors),
            )
        )
    return out


def diff_observations(expected: NormalObservation, actual: NormalObservation) -> list[Difference]:
    """Differences per client, clients in the expected side's order; the server-side streams only
    when both sides observed them."""
    out = []
    names = list(expected.clients) + [n for n in actual.clients if n not in expected.clients]
    unseen = () if expected.server_side and actual.server_side else STREAMS
    for name in (n for n in names if n not in unseen):
        empty = NormalClient(name, (), (), ())
        out += diff_clients(
            expected.recording, expected.clients.get(name, empty), actual.clients.get(name, empty)
        )
    return out
