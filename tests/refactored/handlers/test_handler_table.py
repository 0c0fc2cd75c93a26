"""The handler table: every message type once, in the documented order, and one hop from
dispatch to behaviour: each type maps to one spec, each spec to one module function whose
signature takes exactly the services the spec declares, typed as the application holds them."""

import importlib
import inspect
import typing

import pytest

from refactored.app import App
from refactored.core.dispatch import WHOLE_APP, Request
from refactored.handlers import MESSAGE_TYPES, SPECS, build_handler_table


def test_message_types():
    assert MESSAGE_TYPES == (
        "ping", "heartbeat", "echo", "version", "capabilities", "server_time", "handshake", "command",
        "auth", "login", "logout", "refresh_token", "reconnect", "subscribe", "unsubscribe",
        "session_start", "session_stop", "session_status",
        "collection_start", "collection_stop", "collection_status", "results_request",
        "get_strategies", "activate_strategy", "deactivate_strategy", "strategy_status",
        "validate_strategy_config", "upsert_strategy")
    assert build_handler_table().types() == list(MESSAGE_TYPES)


# what each service name stands for: a field of App, the reconnect services together, or the whole App
SERVICES = typing.get_type_hints(App) | {"reconnection": typing.get_type_hints(App.reconnection.fget)["return"],
                                         WHOLE_APP: App}


@pytest.mark.parametrize("message_type", MESSAGE_TYPES)
def test_one_hop_from_type_to_spec_to_function(message_type):
    spec = build_handler_table().lookup({"type": message_type.upper()})
    assert [s for s in SPECS if s.type == message_type] == [spec]
    handler = spec.handler
    module = importlib.import_module(handler.__module__)
    assert inspect.isfunction(handler) and module.__name__.startswith("refactored.handlers.")
    assert getattr(module, handler.__name__) is handler
    hints = typing.get_type_hints(handler)
    request, *services = inspect.signature(handler).parameters
    assert hints[request] is Request and tuple(services) == spec.uses
    assert {name: hints[name] for name in services} == {name: SERVICES[name] for name in spec.uses}


def test_checks_and_guards_use_only_services_of_the_application():
    assert {p.uses for s in SPECS for p in s.params if p.uses} <= set(SERVICES)
    assert {g.uses for s in SPECS for g in s.guards} <= set(SERVICES)
