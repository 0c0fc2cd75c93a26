"""The Hypothesis state machine that generates client sessions (rules over a SessionModel)."""

from __future__ import annotations

from typing import Callable

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from harness.fuzz import messages
from harness.fuzz.known import Exclusions
from harness.fuzz.model import MODES, SessionModel
from harness.fuzz.values import USERS
from harness.redact import PASSWORD, WRONG_PASSWORD
from harness.transcript import Transcript

Check = Callable[[Transcript], None]
CLOSE_CODES = (1000, 1001, 4000)


def _has_open(machine: "SessionMachine") -> bool:
    return bool(machine.model.open)


def _can_connect(machine: "SessionMachine") -> bool:
    return machine.model.can_connect


class SessionMachine(RuleBasedStateMachine):
    """Connect, disconnect, reconnect, log in and send every message type; check at teardown."""

    check: Check = staticmethod(lambda transcript: None)
    settle_ms: float = 20.0
    exclusions: Exclusions = Exclusions()

    def __init__(self) -> None:
        super().__init__()
        self.model = SessionModel(MODES[0])

    def _client(self, data) -> str:
        return data.draw(st.sampled_from(self.model.open), label="client")

    @initialize(mode=st.sampled_from(MODES), user=st.sampled_from(USERS + (None,)))
    def start(self, mode, user: str | None) -> None:
        """The first client connects (and usually logs in)."""
        self.model = SessionModel(mode, self.settle_ms)
        client = self.model.connect()
        if user is not None:
            self._login(client, "login", user, True)

    def _login(self, client: str, kind: str, user: str, good: bool) -> None:
        request = {"type": kind, "username": user, "password": PASSWORD if good else WRONG_PASSWORD}
        self.model.send(client, messages.encode(request))

    @precondition(_can_connect)
    @rule()
    def connect(self) -> None:
        self.model.connect()

    @precondition(_has_open)
    @rule(data=st.data(), code=st.sampled_from(CLOSE_CODES))
    def disconnect(self, data, code: int) -> None:
        self.model.close(self._client(data), code)

    def _token(self, data, forged: bool) -> str:
        """A reconnect token of an earlier client: its first one, once each when reuse is waived."""
        strict = self.exclusions.forged_reconnect
        old = data.draw(st.sampled_from(self.model.reconnectable(strict)), label="old")
        if forged and not strict:
            return f"<issued:{old}:client_id:1>:forged"
        self.model.used_tokens.add(old)
        return f"<issued:{old}:reconnect_token:1>"

    @precondition(lambda self: self.model.can_connect and self._can_reconnect())
    @rule(data=st.data(), forged=st.booleans())
    def reconnect(self, data, forged: bool) -> None:
        self.model.connect({"X-Reconnect-Token": self._token(data, forged)})

    @precondition(lambda self: self.model.open and self._can_reconnect())
    @rule(data=st.data(), forged=st.booleans())
    def reconnect_message(self, data, forged: bool) -> None:
        request = {"type": "reconnect", "reconnect_token": self._token(data, forged)}
        self.model.send(self._client(data), messages.encode(request))

    def _can_reconnect(self) -> bool:
        return bool(self.model.reconnectable(self.exclusions.forged_reconnect))

    @precondition(_has_open)
    @rule(data=st.data(), kind=st.sampled_from(["login", "auth"]), user=st.sampled_from(USERS),
          good=st.booleans())
    def login(self, data, kind: str, user: str, good: bool) -> None:
        self._login(self._client(data), kind, user, good)

    def send_message(self, data, kind: str) -> None:
        request = data.draw(messages.message(kind, self.model.seen), label="request")
        self.model.send(self._client(data), messages.encode(request), kind)

    @precondition(_has_open)
    @rule(data=st.data(), frame=st.sampled_from(messages.RAW_FRAMES + ("<binary>",)))
    def send_raw(self, data, frame: str) -> None:
        client = self._client(data)
        if frame == "<binary>":
            self.model.send_binary(client, b"\x00\x01")
        else:
            self.model.send(client, frame)

    def teardown(self) -> None:
        self.check(self.model.transcript())


def _message_rule(kind: str):
    """A rule sending a `kind` request (one rule per type, so swarm testing picks a few types)."""
    def send(self, data) -> None:
        self.send_message(data, kind)
    send.__name__ = f"send_{kind}"
    return precondition(_has_open)(rule(data=st.data())(send))


for _kind in messages.MESSAGE_TYPES:
    setattr(SessionMachine, f"send_{_kind}", _message_rule(_kind))


def machine_class(check: Check, seed: int | None, settle_ms: float = 20.0,
                  exclusions: Exclusions = Exclusions()) -> type[SessionMachine]:
    """A SessionMachine whose teardown runs `check` (deterministic when `seed` is given)."""
    cls = type("FuzzSession", (SessionMachine,), {
        "check": staticmethod(check), "settle_ms": settle_ms, "exclusions": exclusions})
    if seed is not None:
        cls._hypothesis_internal_use_seed = seed
    return cls
