"""Server-issued values (tokens, ids) and the `<issued:CLIENT:FIELD:N>` references to them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

ISSUED_RE = re.compile(r"<issued:([^:<>\s]+):([A-Za-z0-9_.-]+):(\d+)>")
_ALIASABLE = re.compile(r"^[\x20-\x7e]{6,}$")


def issued_ref(client: str, key: str, number: int) -> str:
    """The placeholder for the `number`-th distinct `key` value issued to `client`."""
    return f"<issued:{client}:{key}:{number}>"


def walk_strings(value: Any) -> Iterator[tuple[str, str]]:
    """(key, string value) for every string under an object key, in document order."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield key, item
            else:
                yield from walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_strings(item)


def parse_json(text: str) -> Any:
    """The JSON value of a frame, or None when it is not JSON."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def aliasable(value: str) -> bool:
    """Long enough and plain enough to be substituted inside frame text safely."""
    return bool(_ALIASABLE.match(value)) and '"' not in value and "\\" not in value


@dataclass
class IssuedValues:
    """What a server issued to each client in one run, numbered per client and field."""

    fields: frozenset[str]
    value_by_ref: dict[str, str] = field(default_factory=dict)
    refs_by_value: dict[str, list[str]] = field(default_factory=dict)
    _counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def learn_frame(self, client: str, text: str) -> list[tuple[str, str, str]]:
        """Learn the issued values in a received frame; returns (key, value, ref) found."""
        found = []
        for key, value in walk_strings(parse_json(text)):
            if key in self.fields and aliasable(value):
                found.append((key, value, self._learn(client, key, value)))
        return found

    def _learn(self, client: str, key: str, value: str) -> str:
        prefix = f"<issued:{client}:{key}:"
        for ref in self.refs_by_value.get(value, ()):
            if ref.startswith(prefix):
                return ref
        number = self._counts.get((client, key), 0) + 1
        self._counts[(client, key)] = number
        ref = issued_ref(client, key, number)
        self.value_by_ref[ref] = value
        self.refs_by_value.setdefault(value, []).append(ref)
        return ref

    def ref_for(self, value: str, client: str) -> str:
        """The reference to use for `value` in a frame `client` sends (its own first)."""
        refs = self.refs_by_value[value]
        own = [ref for ref in refs if ref.startswith(f"<issued:{client}:")]
        return (own or refs)[0]

    def alias(self, text: str, client: str) -> str:
        """Replace every issued value inside `text` by its reference (longest first)."""
        for value in sorted(self.refs_by_value, key=len, reverse=True):
            if value in text:
                text = text.replace(value, self.ref_for(value, client))
        return text

    def resolve(self, text: str) -> str:
        """Replace every known reference by the value issued in this run."""
        return ISSUED_RE.sub(lambda m: self.value_by_ref.get(m.group(0), m.group(0)), text)
