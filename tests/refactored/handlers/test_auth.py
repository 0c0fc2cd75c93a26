"""Authentication handlers."""

import time

import jwt
import pytest

LOGIN = {"type": "login", "username": "trader", "password": "trader123"}


def test_login_reply(driver):
    reply = driver.connect().send({**LOGIN, "type": "AUTH"})[0]
    assert list(reply) == ["type", "status", "client_id", "user", "access_token", "refresh_token", "token_type",
                           "expires_in", "timestamp"]
    assert reply["user"] == {"username": "trader", "permissions": ["read", "trade", "execute_live_trading"]}


@pytest.mark.parametrize("message,code,text", [
    ({"type": "login"}, "missing_parameters", "Required: username, password"),
    ({"type": "login", "username": "x"}, "missing_parameters", "Required: password"),
    ({"type": "login", "username": 1, "password": "x"}, "invalid_parameter", "Invalid parameter: username"),
    ({"type": "login", "username": "x", "password": []}, "invalid_parameter", "Invalid parameter: password"),
    ({"type": "login", "username": "trader", "password": "x"}, "authentication_failed", "Invalid username or password"),
    ({"type": "auth", "token": ""}, "invalid_parameter", "Invalid parameter: token"),
    ({"type": "auth", "token": None}, "invalid_parameter", "Invalid parameter: token"),
    ({"type": "auth", "token": "x"}, "authentication_failed", "Invalid token"),
    ({"type": "logout"}, "authentication_required", "Authentication required"),
    ({"type": "refresh_token"}, "missing_parameters", "Required: refresh_token"),
    ({"type": "refresh_token", "refresh_token": ""}, "invalid_parameter", "Invalid parameter: refresh_token"),
    ({"type": "reconnect"}, "missing_parameters", "Required: reconnect_token"),
    ({"type": "reconnect", "reconnect_token": 1}, "invalid_parameter", "Invalid parameter: reconnect_token"),
    ({"type": "reconnect", "reconnect_token": "x:y"}, "session_not_found", "Session not found or expired"),
])
def test_errors(driver, message, code, text):
    reply = driver.connect().send(message)[0]
    assert (reply["error_code"], reply["error_message"]) == (code, text)


def test_lockout(make_driver):
    client = make_driver({"lockout_threshold": 2}).connect()
    codes = [client.send({**LOGIN, "password": "bad"})[0]["error_code"] for _ in range(3)]
    assert codes == ["authentication_failed", "authentication_failed", "account_locked"]
    assert client.send(LOGIN)[0]["error_code"] == "account_locked"


def test_access_token_login_and_single_use_refresh(make_driver):
    driver = make_driver(jwt_secret="k" * 32)
    driver.engine.app.users.wall = time.time
    first = driver.connect().send(LOGIN)[0]
    other = driver.connect()
    assert other.send({"type": "auth", "token": first["access_token"]})[0]["status"] == "logged_in"
    refreshed = other.send({"type": "refresh_token", "refresh_token": first["refresh_token"]})[0]
    assert refreshed["status"] == "token_refreshed"
    assert jwt.decode(refreshed["access_token"], "k" * 32, algorithms=["HS256"])["type"] == "access"
    again = other.send({"type": "refresh_token", "refresh_token": first["refresh_token"]})[0]
    assert (again["error_code"], again["error_message"]) == ("authentication_failed", "Invalid token")


def test_logout_drops_subscriptions(trader):
    trader.send({"type": "subscribe", "stream": "orders"})
    assert trader.send({"type": "logout"})[0]["status"] == "logged_out"
    assert trader.conn.user is None and trader.conn.subscriptions == {}


def test_reconnect_message_restores_and_reissues(driver):
    first = driver.connect()
    first.send(LOGIN)
    first.send({"type": "subscribe", "stream": "positions", "symbols": ["btc_usdt"]})
    token = first.received[0]["reconnect_token"]
    first.close()
    second = driver.connect()
    reply = second.send({"type": "reconnect", "reconnect_token": token})[0]
    assert reply["client_id"] == first.conn.client_id and reply["reconnect_token"] != token
    assert (reply["authenticated"], reply["username"], reply["subscriptions"]) == (True, "trader", {"positions": ["BTC_USDT"]})
    assert second.send({"type": "reconnect", "reconnect_token": token})[0]["error_code"] == "session_not_found"
