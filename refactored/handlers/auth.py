"""Authentication: login (password or access token), logout, token refresh, reconnect."""

from __future__ import annotations

from typing import Any

from refactored.core.context import Principal
from refactored.core.dispatch import HandlerSpec, Request
from refactored.core.effects import Push
from refactored.core.errors import SessionNotFound, TokenRejected
from refactored.core.messages import response
from refactored.core.schema import Param, read_all, require
from refactored.handlers.checks import nonempty_str, string
from refactored.reconnect import restore, restored_fields
from refactored.services.users import UserDirectory

CREDENTIALS = (Param("username", string), Param("password", string))
TOKEN = Param("token", nonempty_str)


def _tokens(users: UserDirectory, user: Principal) -> dict[str, Any]:
    """The token fields of a ``logged_in`` or ``token_refreshed`` reply."""
    return {"access_token": users.token(user, "access"), "refresh_token": users.token(user, "refresh"),
            "token_type": "Bearer", "expires_in": users.access_ttl}


def _logged_in(req: Request, user: Principal) -> dict[str, Any]:
    req.conn.user = user
    return response("logged_in", client_id=req.conn.client_id,
                    user={"username": user.username, "permissions": list(user.permissions)},
                    **_tokens(req.app.users, user))


def login(req: Request) -> dict[str, Any]:
    """``auth``/``login``: an access token if given, else username and password."""
    users = req.app.users
    if "token" in req.message:
        token = TOKEN.check_value(req.message["token"])
        return _logged_in(req, users.verify(token, "access"))
    require(req.message, ("username", "password"))
    credentials = read_all(CREDENTIALS, req.message)
    return _logged_in(req, users.login(credentials["username"], credentials["password"]))


def logout(req: Request) -> dict[str, Any]:
    conn = req.conn
    conn.user = None
    for stream in list(conn.subscriptions):
        req.app.registry.unsubscribe(conn, stream)
    return response("logged_out", client_id=conn.client_id)


def refresh_token(req: Request) -> dict[str, Any]:
    users = req.app.users
    user = users.redeem_refresh(req.params["refresh_token"])
    req.conn.user = user
    return response("token_refreshed", client_id=req.conn.client_id, **_tokens(users, user))


def reconnect(req: Request) -> dict[str, Any]:
    """The message's reconnect: the queued frames are pushed after the reply."""
    try:
        queued = restore(req.app, req.conn, req.params["reconnect_token"], req.now)
    except TokenRejected:
        raise SessionNotFound("Session not found or expired") from None
    client_id = req.conn.client_id
    req.effects.extend(Push(client_id, item.frame, item.message_id) for item in queued)
    return response("reconnected", client_id=client_id, reconnect_token=req.app.sessions.issue(client_id),
                    **restored_fields(req.conn, len(queued)))


SPECS = (
    HandlerSpec("auth", login),
    HandlerSpec("login", login),
    HandlerSpec("logout", logout, auth=True),
    HandlerSpec("refresh_token", refresh_token, required=("refresh_token",),
                params=(Param("refresh_token", nonempty_str),)),
    HandlerSpec("reconnect", reconnect, required=("reconnect_token",),
                params=(Param("reconnect_token", string),)),
)
