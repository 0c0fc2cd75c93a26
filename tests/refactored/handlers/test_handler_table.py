"""The handler table: every message type once, in the documented order."""

from refactored.handlers import MESSAGE_TYPES, SPECS, build_registry


def test_message_types():
    assert MESSAGE_TYPES == (
        "ping", "heartbeat", "echo", "version", "capabilities", "server_time", "handshake", "command",
        "auth", "login", "logout", "refresh_token", "reconnect", "subscribe", "unsubscribe",
        "session_start", "session_stop", "session_status",
        "collection_start", "collection_stop", "collection_status", "results_request",
        "get_strategies", "activate_strategy", "deactivate_strategy", "strategy_status",
        "validate_strategy_config", "upsert_strategy")
    assert build_registry().types() == list(MESSAGE_TYPES)


def test_every_handler_is_a_module_function():
    assert all(spec.handler.__module__.startswith("refactored.handlers.") for spec in SPECS)
