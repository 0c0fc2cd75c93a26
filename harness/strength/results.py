"""Mutant outcomes and the `mutation` section of `reports/strength.json`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from harness.strength.equivalents import KINDS, Declaration
from harness.strength.mutants import Mutant
from harness.strength.stats import wilson


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


@dataclass(frozen=True)
class Outcome:
    """What happened to one mutant: killed (by a recording, a timeout or an error) or survived;
    `selection` says which recordings it ran against, `declared` its equivalence declaration."""

    mutant: Mutant
    killed: bool
    by: str | None
    seconds: float
    selection: str = "covered"
    covered_by: int = 0
    declared: Declaration | None = None

    @property
    def equivalent(self) -> bool:
        return not self.killed and self.declared is not None

    @property
    def status(self) -> str:
        if self.selection == "not covered":
            return "not covered"
        return f"{self.selection}: {self.covered_by} recordings"

    def to_dict(self) -> dict[str, Any]:
        out = {**asdict(self.mutant), "where": self.mutant.where, "killed": self.killed, "by": self.by,
               "seconds": round(self.seconds, 2), "selection": self.selection,
               "covered_by": self.covered_by, "status": self.status}
        return out if self.declared is None else {**out, "declared": self.declared.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Outcome":
        mutant = Mutant(**{k: data[k] for k in Mutant.__dataclass_fields__ if k in data})
        return cls(mutant, data["killed"], data.get("by"), data.get("seconds", 0.0),
                   data.get("selection", "covered"), data.get("covered_by", 0))


@dataclass(frozen=True)
class Sampling:
    """How the mutants were chosen: every site, or a seeded sample of `size`."""

    sites: int
    size: int
    seed: int

    @property
    def everything(self) -> bool:
        return self.size >= self.sites


@dataclass
class MutationResult:
    sampling: Sampling
    outcomes: list[Outcome] = field(default_factory=list)
    not_run: int = 0
    unused: list[Declaration] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def killed(self) -> int:
        return sum(o.killed for o in self.outcomes)

    @property
    def equivalent(self) -> int:
        return sum(o.equivalent for o in self.outcomes)

    @property
    def scored(self) -> int:
        """Mutants the score is over: those run, less the declared equivalent survivors."""
        return len(self.outcomes) - self.equivalent

    @property
    def score(self) -> float:
        return _percent(self.killed, self.scored)

    def declared(self, kind: str) -> int:
        """Declared survivors of one kind (`equivalent` or `unobservable`)."""
        return sum(o.equivalent and o.declared.kind == kind for o in self.outcomes)

    @property
    def score_counting_unobservable(self) -> float:
        """The stricter score: mutants that differ only off the wire count as survivors."""
        return _percent(self.killed, len(self.outcomes) - self.declared("equivalent"))

    def _interval(self) -> list[float] | None:
        return None if self.sampling.everything else list(wilson(self.killed, self.scored))

    def groups(self) -> dict[str, list[Outcome]]:
        """Outcomes by what the report lists them as."""
        table = {"survivors": lambda o: not o.killed and o.declared is None,
                 "equivalents": lambda o: o.equivalent,
                 "contradicted_declarations": lambda o: o.killed and o.declared is not None,
                 "killed_by": lambda o: o.killed}
        return {name: list(filter(test, self.outcomes)) for name, test in table.items()}

    def to_dict(self) -> dict[str, Any]:
        groups = self.groups()
        survivors = groups["survivors"]
        return {
            "mutation_sites": self.sampling.sites,
            "sample": {"size": self.sampling.size, "all": self.sampling.everything, "seed": self.sampling.seed},
            "mutants_run": len(self.outcomes), "killed": self.killed, "survived": len(survivors),
            "not_covered": sum(o.selection == "not covered" for o in survivors),
            "equivalent": self.equivalent, "not_run": self.not_run,
            "score_percent": self.score, "score_basis": "killed / (mutants_run - equivalent)",
            **{f"declared_{kind}": self.declared(kind) for kind in KINDS},
            "score_counting_unobservable_percent": self.score_counting_unobservable,
            "confidence_95": self._interval(),
            **{name: [o.to_dict() for o in listed] for name, listed in groups.items()},
            "unused_declarations": [d.to_dict() for d in self.unused],
            **self.extra,
        }


def previous_outcomes(section: dict[str, Any]) -> list[Outcome]:
    """Every outcome stored in an earlier `mutation` section (survivors, equivalents, killed)."""
    stored = [entry for key in ("killed_by", "survivors", "equivalents")
              for entry in section.get(key, []) if isinstance(entry, dict) and "index" in entry]
    return [Outcome.from_dict(entry) for entry in stored]
