"""The handler table and the one pipeline: state -> authorise -> validate -> guard -> handle."""

import pytest

from refactored.core.context import Connection, Principal
from types import SimpleNamespace

from refactored.core.dispatch import Dispatcher, Guard, HandlerSpec, HandlerTable, PermissionBy
from refactored.core.immediate import complete
from refactored.core.errors import (
    AuthenticationRequired, InsufficientPermissions, InvalidMessage, InvalidMessageType,
    InvalidParameter, MissingParameters,
)
from refactored.core.schema import Alternative, Param, of_type
from refactored.core.state import ConnectionState


def echo(req):
    return {"params": req.params}


def counted(req, counter):
    counter.append(req.params)
    return {"count": len(counter)}


def _in_range(value, limits):
    if not limits.low <= value <= limits.high:
        raise InvalidParameter("")
    return value


def _open(door):
    if not door.open:
        raise InvalidMessage("closed")


SPECS = (
    HandlerSpec("open", echo, params=(Param("n", of_type(int), default=3),)),
    HandlerSpec("need", echo, required=("a", "b"), params=(Param("a", of_type(str)), Param("b", of_type(str)))),
    HandlerSpec("secret", echo, auth=True, permission="admin", required=("x",)),
    HandlerSpec("member", echo, auth=True),
    HandlerSpec("count", counted, uses=("counter",), params=(Param("n", _in_range, uses="limits"),)),
    HandlerSpec("trade", echo, auth=True, permission=PermissionBy("kind", {"live": "live"}, "trade"),
                params=(Param("kind", of_type(str)), Param("size", of_type(int)))),
    HandlerSpec("either", echo, required=("user",), params=(Param("user", of_type(str)),),
                alternative=Alternative("token", (Param("token", of_type(str), null_is_absent=False),))),
    HandlerSpec("guarded", echo, guards=(Guard("door", _open),), params=(Param("n", of_type(int)),)),
    HandlerSpec("closing", echo, states=frozenset({ConnectionState.DISCONNECTING})),
)
SERVICES = SimpleNamespace(counter=[], limits=SimpleNamespace(low=1, high=5), door=SimpleNamespace(open=True))


@pytest.fixture
def dispatcher():
    SERVICES.counter.clear()
    SERVICES.door.open = True
    return Dispatcher(HandlerTable(SPECS), SERVICES)


@pytest.fixture
def conn():
    c = Connection("c1", "127.0.0.1")
    c.move(ConnectionState.CONNECTED)
    return c


def run(dispatcher, conn, message):
    return complete(dispatcher.dispatch(conn, message, 1.0))[1]


def test_type_is_case_insensitive(dispatcher, conn):
    assert run(dispatcher, conn, {"type": "OPEN"}) == {"params": {"n": 3}}


@pytest.mark.parametrize("message,text", [({}, "Missing message type"), ({"type": None}, "Missing message type"),
                                          ({"type": 1}, "Message type must be a string"),
                                          ({"type": ["open"]}, "Message type must be a string")])
def test_missing_or_non_string_type(dispatcher, conn, message, text):
    with pytest.raises(InvalidMessage, match=text):
        run(dispatcher, conn, message)


@pytest.mark.parametrize("name", ["nope", "__init__", "_private", "dispatch", "__class__"])
def test_unknown_type_never_reaches_attributes(dispatcher, conn, name):
    with pytest.raises(InvalidMessageType, match="Unknown message type"):
        run(dispatcher, conn, {"type": name})


def test_missing_parameters_listed_together(dispatcher, conn):
    with pytest.raises(MissingParameters, match="^Required: a, b$"):
        run(dispatcher, conn, {"type": "need", "b": None})


def test_wrong_type_names_the_field(dispatcher, conn):
    with pytest.raises(InvalidParameter, match="^Invalid parameter: n$"):
        run(dispatcher, conn, {"type": "open", "n": "3"})
    with pytest.raises(InvalidParameter):
        run(dispatcher, conn, {"type": "open", "n": True})


def test_authorise_before_validate(dispatcher, conn):
    with pytest.raises(AuthenticationRequired):
        run(dispatcher, conn, {"type": "secret"})
    conn.user = Principal("v", ("read",))
    with pytest.raises(InsufficientPermissions, match="Permission required: admin"):
        run(dispatcher, conn, {"type": "secret"})
    conn.user = Principal("a", ("admin",))
    with pytest.raises(MissingParameters):
        run(dispatcher, conn, {"type": "secret"})
    assert run(dispatcher, conn, {"type": "secret", "x": 1}) == {"params": {}}


def test_authentication_only(dispatcher, conn):
    with pytest.raises(AuthenticationRequired):
        run(dispatcher, conn, {"type": "member"})
    conn.user = Principal("v", ("read",))
    assert run(dispatcher, conn, {"type": "member"}) == {"params": {}}


def test_state_guard(dispatcher, conn):
    conn.move(ConnectionState.DISCONNECTING)
    with pytest.raises(InvalidMessage):
        run(dispatcher, conn, {"type": "open"})


def test_request_carries_time_and_effects(dispatcher, conn):
    request, _ = complete(dispatcher.dispatch(conn, {"type": "open"}, 2.0))
    assert (request.now, request.effects) == (2.0, [])


def test_a_spec_valid_only_in_other_states_refuses_live_connections(dispatcher, conn):
    with pytest.raises(InvalidMessage, match="^Not allowed while connected$"):
        run(dispatcher, conn, {"type": "closing"})
    conn.move(ConnectionState.DISCONNECTING)
    assert run(dispatcher, conn, {"type": "closing"}) == {"params": {}}


def test_handlers_get_the_services_they_declare_and_checks_theirs(dispatcher, conn):
    assert run(dispatcher, conn, {"type": "count", "n": 2}) == {"count": 1}
    assert SERVICES.counter == [{"n": 2}]
    with pytest.raises(InvalidParameter, match="^Invalid parameter: n$"):
        run(dispatcher, conn, {"type": "count", "n": 9})


def test_a_permission_chosen_by_a_field_is_checked_right_after_that_field(dispatcher, conn):
    conn.user = Principal("t", ("trade",))
    with pytest.raises(InvalidParameter, match="kind$"):
        run(dispatcher, conn, {"type": "trade", "kind": 1, "size": "x"})
    with pytest.raises(InsufficientPermissions, match="^Permission required: live$"):
        run(dispatcher, conn, {"type": "trade", "kind": "live", "size": "x"})
    with pytest.raises(InvalidParameter, match="size$"):
        run(dispatcher, conn, {"type": "trade", "kind": "paper", "size": "x"})
    assert run(dispatcher, conn, {"type": "trade", "kind": "paper", "size": 1}) == {"params": {"kind": "paper", "size": 1}}


def test_an_alternative_replaces_the_fields_when_its_key_is_present(dispatcher, conn):
    with pytest.raises(MissingParameters, match="^Required: user$"):
        run(dispatcher, conn, {"type": "either"})
    assert run(dispatcher, conn, {"type": "either", "token": "t"}) == {"params": {"token": "t"}}
    with pytest.raises(InvalidParameter, match="^Invalid parameter: token$"):
        run(dispatcher, conn, {"type": "either", "token": None, "user": "u"})


def test_guards_run_after_validation(dispatcher, conn):
    SERVICES.door.open = False
    with pytest.raises(InvalidParameter):
        run(dispatcher, conn, {"type": "guarded", "n": "x"})
    with pytest.raises(InvalidMessage, match="closed"):
        run(dispatcher, conn, {"type": "guarded", "n": 1})


def test_duplicate_registration_rejected():
    with pytest.raises(ValueError):
        HandlerTable([SPECS[0], SPECS[0]])


def test_registry_lists_types():
    registry = HandlerTable(SPECS)
    assert registry.types()[:4] == ["open", "need", "secret", "member"]
    assert "open" in registry and "OPEN" not in registry
