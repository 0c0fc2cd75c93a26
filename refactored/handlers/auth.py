"""Authentication: login (password or access token), logout, token refresh, reconnect."""

from __future__ import annotations

from typing import Any

from refactored.core.context import Principal
from refactored.core.dispatch import HandlerSpec, Reply, Request
from refactored.core.effects import Push
from refactored.core.errors import SessionNotFound, TokenRejected
from refactored.core.messages import response
from refactored.core.schema import Alternative, Param
from refactored.handlers.checks import nonempty_str, string
from refactored.lifecycle.registry import ConnectionRegistry
from refactored.reconnect import Reconnection, restored_fields
from refactored.services.users import UserDirectory

CREDENTIALS = (Param("username", string), Param("password", string))
BY_TOKEN = Alternative("token", (Param("token", nonempty_str, null_is_absent=False),))


def _tokens(users: UserDirectory, user: Principal) -> dict[str, Any]:
    """The token fields of a ``logged_in`` or ``token_refreshed`` reply."""
    return {"access_token": users.token(user, "access"), "refresh_token": users.token(user, "refresh"),
            "token_type": "Bearer", "expires_in": users.access_ttl}


async def login(req: Request, users: UserDirectory) -> Reply:
    """``auth``/``login``: an access token if given, else username and password."""
    params = req.params
    if "token" in params:
        user = users.verify(params["token"], "access")
    else:
        user = await users.login(params["username"], params["password"])
    req.conn.user = user
    return response("logged_in", client_id=req.conn.client_id,
                    user={"username": user.username, "permissions": list(user.permissions)},
                    **_tokens(users, user))


def logout(req: Request, registry: ConnectionRegistry) -> Reply:
    conn = req.conn
    conn.user = None
    for stream in list(conn.subscriptions):
        registry.unsubscribe(conn, stream)
    return response("logged_out", client_id=conn.client_id)


async def refresh_token(req: Request, users: UserDirectory) -> Reply:
    user = await users.redeem_refresh(req.params["refresh_token"])
    req.conn.user = user
    return response("token_refreshed", client_id=req.conn.client_id, **_tokens(users, user))


async def reconnect(req: Request, reconnection: Reconnection) -> Reply:
    """The message's reconnect: the queued frames are pushed after the reply."""
    try:
        queued = await reconnection.restore(req.conn, req.params["reconnect_token"], req.now)
    except TokenRejected:
        raise SessionNotFound("Session not found or expired") from None
    client_id = req.conn.client_id
    req.effects.extend(Push(client_id, item.frame, item.message_id) for item in queued)
    return response("reconnected", client_id=client_id, reconnect_token=await reconnection.store.issue(client_id),
                    **restored_fields(req.conn, len(queued)))


LOGIN = dict(required=("username", "password"), params=CREDENTIALS, alternative=BY_TOKEN, uses=("users",))

SPECS = (
    HandlerSpec("auth", login, **LOGIN),
    HandlerSpec("login", login, **LOGIN),
    HandlerSpec("logout", logout, auth=True, uses=("registry",)),
    HandlerSpec("refresh_token", refresh_token, required=("refresh_token",),
                params=(Param("refresh_token", nonempty_str),), uses=("users",)),
    HandlerSpec("reconnect", reconnect, required=("reconnect_token",),
                params=(Param("reconnect_token", string),), uses=("reconnection",)),
)
