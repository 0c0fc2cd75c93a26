"""Protocol messages: liveness, echo, facts about the server, admin commands."""

from __future__ import annotations

from typing import Any

from refactored.app import App
from refactored.config import Config
from refactored.core.clock import Clock
from refactored.core.dispatch import HandlerSpec, Reply, Request
from refactored.core.errors import InvalidParameter
from refactored.core.messages import response
from refactored.core.schema import Param
from refactored.services.catalogue import BUILTIN
from refactored.stats import health_report, stats_report
from refactored.wire import (
    ALLOWED_SYMBOLS, FEATURES, PROTOCOL_VERSION, SERVER_NAME, SERVER_VERSION, SESSION_TYPES, STREAMS,
)

COMMANDS = {"get_stats": stats_report, "health_check": health_report}


def ping(req: Request) -> Reply:
    return {"type": "pong"}


def heartbeat(req: Request) -> Reply:
    return response("heartbeat_ack", client_id=req.conn.client_id)


def echo(req: Request) -> Reply:
    return response("echo", data=req.message.get("data"))


def version(req: Request) -> Reply:
    return response("version", version=SERVER_VERSION, protocol_version=PROTOCOL_VERSION, server=SERVER_NAME)


def capabilities(req: Request, config: Config) -> Reply:
    from refactored.handlers import MESSAGE_TYPES  # the table this module is part of

    return response(
        "capabilities",
        message_types=list(MESSAGE_TYPES),
        streams=list(STREAMS),
        session_types=list(SESSION_TYPES),
        strategies=list(BUILTIN),
        symbols=list(ALLOWED_SYMBOLS),
        features=list(FEATURES),
        commands=list(COMMANDS),
        max_message_size=config.max_message_size,
    )


def server_time(req: Request, clock: Clock) -> Reply:
    return response("server_time", server_time=clock.iso())


def handshake(req: Request) -> Reply:
    return response(
        "handshake_ack",
        client_id=req.conn.client_id,
        server_version=SERVER_VERSION,
        protocol_version=PROTOCOL_VERSION,
        features=list(FEATURES),
        authenticated=req.conn.user is not None,
    )


def _command(value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in COMMANDS:
        raise InvalidParameter("Unknown command")
    return value.lower()


def command(req: Request, app: App) -> Reply:
    """An admin's report on the whole server (the one handler that sees every service)."""
    name = req.params["command"]
    return response("command_result", command=name, result=COMMANDS[name](app))


SPECS = (
    HandlerSpec("ping", ping),
    HandlerSpec("heartbeat", heartbeat),
    HandlerSpec("echo", echo),
    HandlerSpec("version", version),
    HandlerSpec("capabilities", capabilities, uses=("config",)),
    HandlerSpec("server_time", server_time, uses=("clock",)),
    HandlerSpec("handshake", handshake),
    HandlerSpec("command", command, auth=True, permission="admin",
                required=("command",), params=(Param("command", _command),), uses=("app",)),
)
