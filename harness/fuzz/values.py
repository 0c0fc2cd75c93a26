"""Field values for generated requests: valid ones from the model, and malformed ones."""

from __future__ import annotations

import json
import random
from typing import Any, Callable

from harness.fuzz.infer import Field
from harness.fuzz.shapes import value_kind
from harness.issued import ISSUED_RE

# Values of every JSON kind, for type mutations (a value of another kind replaces a field's).
RETYPED = (None, 0, -1, 1.5, 10**12, True, False, "", "x", "\u00df\n", [], [None], {}, {"x": 1})

# Frames no handler accepts: bad JSON, non-objects, objects without a usable kind.
JUNK_FRAMES = ("{", "[]", '"x"', "NaN", "null", "1e400", "{}", '{"x": 1}', "\u00df", " ")

OTHER_VALUE = 0.35  # chance of another valid value instead of the template's own (kept consistent)

Ref = Callable[[str], str]  # issued key -> a reference in the current session


def retargeted(value: Any, ref: Ref) -> Any:
    """`value` with every `<issued:...>` reference replaced by one of the current session."""
    text = json.dumps(value, ensure_ascii=False)
    if "<issued:" not in text:
        return value
    return json.loads(ISSUED_RE.sub(lambda m: ref(m.group(2)), text))


def several(rng: random.Random, field: Field) -> list[Any]:
    """One to four distinct valid elements, the more common ones more often (an array holding
    several valid values)."""
    chosen = rng.sample(range(len(field.elements)), rng.randint(1, min(4, len(field.elements))),
                        counts=list(field.element_counts or [1] * len(field.elements)))
    return [field.elements[i] for i in dict.fromkeys(chosen)]


def valid(rng: random.Random, field: Field | None, template: Any, ref: Ref) -> Any:
    """A valid value: a fresh issued reference, several valid elements, another valid value,
    or the template's own value."""
    if field is None:
        return retargeted(template, ref)
    if field.issued:
        return ref(field.issued)
    if field.elements and isinstance(template, list):
        return retargeted(several(rng, field), ref)
    if field.values and rng.random() < OTHER_VALUE:
        return retargeted(rng.choice(field.values), ref)
    return retargeted(template, ref)


def retyped(rng: random.Random, value: Any) -> Any:
    """A value of another JSON kind."""
    kind = value_kind(value)
    return rng.choice([v for v in RETYPED if value_kind(v) != kind])


def _unknown_string(value: str) -> str:
    return value + "x" if value else "x"


_UNKNOWN: dict[str, Callable[[Any], Any]] = {
    "string": _unknown_string,
    "integer": lambda v: v + 10**6,
    "number": lambda v: -v - 1.0,
    "array": lambda v: v + ["x"],
    "object": lambda v: {**v, "x": 1},
    "boolean": lambda v: not v,
    "null": lambda v: "x",
}


def unknown(value: Any) -> Any:
    """A value of the same kind that the corpus never showed (an unknown id, an extra element)."""
    return _UNKNOWN[value_kind(value)](value)
