"""The golden gate on corpus results: differences, failures and unused waivers fail it."""

from dataclasses import dataclass, field

from harness.gates.golden import golden_gate


@dataclass
class Corpus:
    recordings: list = field(default_factory=list)
    unused_waivers: list = field(default_factory=list)

    @property
    def unwaived_count(self) -> int:
        return sum(len(r["differences"]) + (r["error"] is not None) for r in self.recordings)

    def to_dict(self) -> dict:
        return {"recordings": self.recordings, "unused_waivers": self.unused_waivers}


def rec(name, differences=(), error=None, waived=()):
    return {
        "name": name,
        "ok": not differences and error is None,
        "error": error,
        "differences": list(differences),
        "waived": list(waived),
        "noise": ["$.timestamp"],
    }


DIFF = {
    "recording": "r",
    "client": "c1",
    "kind": "changed",
    "frame": 2,
    "path": "$.error_code",
    "expected": "invalid_json",
    "actual": "bad_json",
}


def test_matching_corpus_passes() -> None:
    result = golden_gate(Corpus([rec("a"), rec("b", waived=[{"difference": DIFF, "waiver": {"reason": "x"}}])]))
    assert result.passed and result.reason == "2 of 2 recordings match"
    assert result.figures["waived_differences"] == 1
    assert result.figures["corpus"]["recordings"][0]["name"] == "a"


def test_difference_fails() -> None:
    result = golden_gate(Corpus([rec("a"), rec("b", differences=[DIFF])]))
    assert not result.passed and result.reason == "1 unwaived difference(s)"


def test_failed_recording_and_unused_waiver_fail() -> None:
    result = golden_gate(Corpus([rec("a", error="target crashed")], unused_waivers=[{"recording": "z"}]))
    assert not result.passed
    assert result.reason == "failed recordings: a; 1 unused waiver(s)"
    assert result.summary == "recordings failed to replay, unused waivers"


def test_empty_corpus_fails() -> None:
    result = golden_gate(Corpus())
    assert result.reason == "the corpus holds no recording" and result.summary == "no recordings"
