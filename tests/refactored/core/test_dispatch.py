"""The registry and the one pipeline: state -> authorise -> validate -> handle."""

import pytest

from refactored.core.context import Connection, Principal
from refactored.core.dispatch import Dispatcher, HandlerSpec, Registry
from refactored.core.errors import (
    AuthenticationRequired, InsufficientPermissions, InvalidMessage, InvalidMessageType,
    InvalidParameter, MissingParameters,
)
from refactored.core.schema import Param, of_type
from refactored.core.state import ConnectionState


def echo(req):
    return {"params": req.params}


SPECS = (
    HandlerSpec("open", echo, params=(Param("n", of_type(int), default=3),)),
    HandlerSpec("need", echo, required=("a", "b"), params=(Param("a", of_type(str)), Param("b", of_type(str)))),
    HandlerSpec("secret", echo, auth=True, permission="admin", required=("x",)),
    HandlerSpec("member", echo, auth=True),
)


@pytest.fixture
def dispatcher():
    return Dispatcher(Registry(SPECS), app="APP")


@pytest.fixture
def conn():
    c = Connection("c1", "127.0.0.1")
    c.move(ConnectionState.CONNECTED)
    return c


def run(dispatcher, conn, message):
    return dispatcher.dispatch(conn, message, 1.0)[1]


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


def test_request_carries_app_and_effects(dispatcher, conn):
    request, _ = dispatcher.dispatch(conn, {"type": "open"}, 2.0)
    assert (request.app, request.now, request.effects) == ("APP", 2.0, [])


def test_duplicate_registration_rejected():
    with pytest.raises(ValueError):
        Registry([SPECS[0], SPECS[0]])


def test_registry_lists_types():
    registry = Registry(SPECS)
    assert registry.types() == ["open", "need", "secret", "member"]
    assert "open" in registry and "OPEN" not in registry
