"""Generated client sessions drawn from a MessageModel (seeded, no I/O).

Most requests are well formed and authorised: each client opens with a recorded credential
request, a request starts from one the corpus saw succeed, multi-valued fields hold several valid
values, and fields holding server-issued values refer to what this session's replies issued
(an issuing request is sent first when none has been). The rest are mutated (a value of another
type, a key dropped or added, a value never seen) or junk frames.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable

from harness.fuzz import values as v
from harness.fuzz.infer import Kind, MessageModel
from harness.fuzz.issuers import GREETING
from harness.fuzz.model import SessionModel
from harness.fuzz.shapes import encode
from harness.issued import issued_ref
from harness.transcript import Transcript

MAX_ACTIONS = 12
WELL_FORMED = "well-formed"
JUNK = "junk"
ISSUE_FIRST = 0.85  # chance of sending an issuing request before a reference with nothing issued
OPENING = 0.9  # chance that a new client sends a credential request first


@dataclass(frozen=True)
class Request:
    """A generated request: who sent it, its kind, how it was made, the id its reply echoes."""

    client: str
    kind: str
    form: str
    request_id: Any = None


@dataclass(frozen=True)
class Session:
    transcript: Transcript
    requests: tuple[Request, ...]


@dataclass
class _Issued:
    """What the session's replies are expected to have issued, per client and key."""

    rotated: frozenset[str]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def add(self, client: str, name: str) -> None:
        self.counts[(client, name)] = self.counts.get((client, name), 0) + 1

    def refs(self, name: str) -> list[tuple[str, str]]:
        """(client, reference) of every value of `name` issued so far and still usable."""
        out = [(c, issued_ref(c, n, i)) for (c, n), count in self.counts.items() if n == name
               for i in range(1, count + 1)]
        return [(c, r) for c, r in out if r not in self.used]

    def unissued(self, client: str, name: str) -> str:
        """A reference to a value not issued (yet): an unknown value when sent."""
        number = self.counts.get((client, name), 0) + 1
        while issued_ref(client, name, number) in self.used:
            number += 1
        return issued_ref(client, name, number)

    def unknown(self, client: str, name: str) -> str:
        """A reference not issued; for a rotated value, never sent twice."""
        ref = self.unissued(client, name)
        if name in self.rotated:
            self.used.add(ref)
        return ref

    def use(self, client: str, name: str, ref: str) -> str:
        """A rotated value is used once; its use issues the next one to `client`."""
        if name in self.rotated:
            self.used.add(ref)
            self.add(client, name)
        return ref


class SessionBuilder:
    """Builds one session: the actions are drawn from a weighted table."""

    def __init__(self, model: MessageModel, rng: random.Random, settle_ms: float) -> None:
        self.model, self.rng = model, rng
        kinds = sorted(model.kinds)
        self.focus = rng.sample(kinds, min(len(kinds), rng.randint(2, 6)))
        self.session = SessionModel(self._settings(), settle_ms)
        self.issued = _Issued(model.rotated)
        self.requests: list[Request] = []
        self.sent: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.next_id = 0

    def _settings(self) -> dict[str, Any]:
        """Server settings of a recording where one of the focus kinds succeeded."""
        weighted = self.model.kinds[self.rng.choice(self.focus)].settings
        settings = self.rng.choices([s for s, _ in weighted], [n for _, n in weighted])[0]
        return dict(settings)

    # --- requests -------------------------------------------------------------------------
    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def _ref(self, client: str, name: str, issue: bool = True) -> str:
        """A reference to an issued value (own client's first); an issuing request first if none."""
        refs = self.issued.refs(name) or (self._issue(client, name) if issue else [])
        if not refs:
            return self.issued.unknown(client, name)
        own = [r for c, r in refs if c == client]
        ref = self.rng.choice(own if own and self.rng.random() < 0.8 else [r for _, r in refs])
        return self.issued.use(client, name, ref)

    def _issue(self, client: str, name: str) -> list[tuple[str, str]]:
        """Mostly, send a request of the kind that issues `name` first; the usable references."""
        kind = next((k for k in self.model.issuers.get(name, ()) if k in self.model.kinds), None)
        if kind is not None and self.rng.random() < ISSUE_FIRST:
            self.send(client, self.well_formed(client, self.model.kinds[kind], issue=False), kind, WELL_FORMED)
        return self.issued.refs(name)

    def well_formed(self, client: str, kind: Kind, issue: bool = True) -> dict[str, Any]:
        """A request from one of the kind's successful templates, with fresh valid values."""
        template = self.rng.choice(kind.templates)
        ref: v.Ref = lambda name: self._ref(client, name, issue)
        obj: dict[str, Any] = {self.model.key: kind.name}
        if self.model.correlation.request_key:
            obj[self.model.correlation.request_key] = self._id()
        for key, value in template.items():
            if key not in obj:
                obj[key] = v.valid(self.rng, kind.fields.get(key), value, ref)
        self._repeat(client, kind, obj, issue)
        return obj

    def _repeat(self, client: str, kind: Kind, obj: dict[str, Any], issue: bool) -> None:
        """Linked keys take the value of the client's latest request of the earlier kind (sent
        first, mostly, when there is none)."""
        for source in dict.fromkeys(kind.links[k] for k in obj if k in kind.links):
            earlier = self.sent.get((client, source)) or self._earlier(client, source, issue)
            if earlier:
                obj.update({k: earlier[-1][k] for k in obj if kind.links.get(k) == source and k in earlier[-1]})

    def _earlier(self, client: str, source: str, issue: bool) -> list[dict[str, Any]]:
        if issue and source in self.model.kinds and self.rng.random() < ISSUE_FIRST:
            self.send(client, self.well_formed(client, self.model.kinds[source], issue=False), source, WELL_FORMED)
        return self.sent.get((client, source), [])

    def send(self, client: str, obj: dict[str, Any], kind: str, form: str) -> None:
        if form == WELL_FORMED:
            self.sent.setdefault((client, kind), []).append(obj)
        for name, issuers in self.model.issuers.items():
            if form == WELL_FORMED and issuers and kind == issuers[0]:
                self.issued.add(client, name)
        request_id = obj.get(self.model.correlation.request_key) if self.model.correlation.request_key else None
        self.requests.append(Request(client, kind, form, request_id))
        self.session.send(client, encode(obj))

    # --- actions --------------------------------------------------------------------------
    def client(self) -> str:
        """An open client (a new one when none is open)."""
        return self.rng.choice(self.session.open) if self.session.open else self.connect()

    def connect(self, headers: dict[str, str] | None = None) -> str:
        name = self.session.connect(headers)
        for key, issuers in self.model.issuers.items():
            if GREETING in issuers[:1]:
                self.issued.add(name, key)
        self._open(name)
        return name

    def _opening(self) -> dict[str, Any]:
        """Mostly, an opening a client had sent before a success of a focus kind (weighted; any
        opening of the corpus when they show none); else none."""
        weighted = [(o, n) for k in self.focus for o, n in self.model.kinds[k].openings if o]
        weighted = weighted or [(o, 1) for o in self.model.credentials]
        if self.rng.random() >= OPENING or not weighted:
            return {}
        return self.rng.choices([o for o, _ in weighted], [n for _, n in weighted])[0]

    def _open(self, client: str) -> None:
        obj = dict(self._opening())
        if not obj:
            return
        kind = obj[self.model.key]
        if self.model.correlation.request_key:
            obj[self.model.correlation.request_key] = self._id()
        self.send(client, obj, kind, WELL_FORMED)

    def request(self) -> None:
        client = self.client()
        kind = self.model.kinds[self.rng.choice(self.focus)]
        self.send(client, self.well_formed(client, kind), kind.name, WELL_FORMED)

    def mutated(self) -> None:
        client = self.client()
        kind = self.model.kinds[self.rng.choice(self.focus)]
        obj = self.well_formed(client, kind)
        name = self.rng.choice(sorted(MUTATIONS))
        MUTATIONS[name](self, client, kind, obj)
        self.send(client, obj, kind.name, name)

    def junk(self) -> None:
        client = self.client()
        frames = v.JUNK_FRAMES + self.model.junk
        choice = self.rng.randrange(len(frames) + 1)
        self.requests.append(Request(client, "", JUNK))
        if choice == len(frames):
            self.session.send_binary(client, b"\x00\x01")
        else:
            self.session.send(client, frames[choice])

    def open_another(self) -> None:
        if self.session.can_connect:
            self.connect()

    def close(self) -> None:
        if self.session.open:
            self.session.close(self.rng.choice(self.session.open), self.rng.choice((1000, 1001, 4000)))

    def resume(self) -> None:
        """Connect with a header set of the corpus, its references pointing at this session's."""
        if self.session.can_connect and self.model.headers and self.session.seen:
            headers = self.rng.choice(self.model.headers)
            earlier = self.rng.choice(self.session.seen)
            self.connect(v.retargeted(headers, lambda name: self._ref(earlier, name, False)))

    def build(self) -> Session:
        self.connect()
        for _ in range(self.rng.randint(1, MAX_ACTIONS)):
            action = self.rng.choices(ACTION_NAMES, ACTION_WEIGHTS)[0]
            ACTIONS[action](self)
        return Session(self.session.transcript(), tuple(self.requests))


def _fields(obj: dict[str, Any], builder: SessionBuilder) -> list[str]:
    model = builder.model
    return [k for k in obj if k not in (model.key, model.correlation.request_key)]


def _retype(builder: SessionBuilder, client: str, kind: Kind, obj: dict[str, Any]) -> None:
    keys = _fields(obj, builder) or [builder.model.key]
    key = builder.rng.choice(keys)
    obj[key] = v.retyped(builder.rng, obj[key])


def _drop(builder: SessionBuilder, client: str, kind: Kind, obj: dict[str, Any]) -> None:
    keys = _fields(obj, builder)
    if keys:
        del obj[builder.rng.choice(keys)]


def _add(builder: SessionBuilder, client: str, kind: Kind, obj: dict[str, Any]) -> None:
    others = sorted({f for k in builder.model.kinds.values() for f in k.fields} - set(obj)) or ["x"]
    obj[builder.rng.choice(others)] = builder.rng.choice(v.RETYPED)


def _unknown(builder: SessionBuilder, client: str, kind: Kind, obj: dict[str, Any]) -> None:
    """A value never issued or seen: issued fields first (an unknown id)."""
    keys = _fields(obj, builder)
    issued = [k for k in keys if k in kind.fields and kind.fields[k].issued]
    if not keys:
        return
    key = builder.rng.choice(issued or keys)
    if key in issued:
        obj[key] = builder.issued.unknown(client, kind.fields[key].issued)
    else:
        obj[key] = v.unknown(obj[key])


MUTATIONS: dict[str, Callable[[SessionBuilder, str, Kind, dict[str, Any]], None]] = {
    "retyped": _retype, "dropped": _drop, "added": _add, "unknown": _unknown,
}
ACTIONS: dict[str, Callable[[SessionBuilder], None]] = {
    "request": SessionBuilder.request, "mutated": SessionBuilder.mutated, "junk": SessionBuilder.junk,
    "connect": SessionBuilder.open_another, "close": SessionBuilder.close, "resume": SessionBuilder.resume,
}
ACTION_WEIGHTS_BY_NAME = {"request": 70, "mutated": 16, "junk": 4, "connect": 4, "close": 3, "resume": 3}
ACTION_NAMES = tuple(ACTIONS)
ACTION_WEIGHTS = tuple(ACTION_WEIGHTS_BY_NAME[name] for name in ACTION_NAMES)


def generate(model: MessageModel, seed: int, count: int, settle_ms: float = 20.0) -> list[Session]:
    """`count` sessions; session i depends only on (seed, i)."""
    return [session(model, seed, index, settle_ms) for index in range(count)]


def session(model: MessageModel, seed: int, index: int, settle_ms: float = 20.0) -> Session:
    """Session `index` of the run seeded `seed`."""
    return SessionBuilder(model, random.Random(f"{seed}:{index}"), settle_ms).build()
