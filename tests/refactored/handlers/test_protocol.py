"""Protocol messages, through the in-memory driver."""

import pytest

ADMIN = {"type": "login", "username": "admin", "password": "admin123"}


@pytest.mark.parametrize("message,status", [
    ({"type": "heartbeat"}, "heartbeat_ack"), ({"type": "echo", "data": [1]}, "echo"), ({"type": "version"}, "version"),
    ({"type": "capabilities"}, "capabilities"), ({"type": "server_time"}, "server_time"),
    ({"type": "handshake"}, "handshake_ack"),
])
def test_statuses(driver, message, status):
    (reply,) = driver.connect().send(message)
    assert (reply["type"], reply["status"]) == ("response", status)


def test_ping_pong(driver):
    client = driver.connect()
    assert client.send({"type": "Ping", "id": 1}) == [{"type": "pong", "timestamp": "T", "request_id": 1}]


def test_echo_without_data(driver):
    assert driver.connect().send({"type": "echo"})[0]["data"] is None


def test_capabilities_lists_every_message_type(driver):
    from refactored.handlers import MESSAGE_TYPES
    reply = driver.connect().send({"type": "capabilities"})[0]
    assert reply["message_types"] == list(MESSAGE_TYPES) and len(MESSAGE_TYPES) == 28
    assert reply["commands"] == ["get_stats", "health_check"] and reply["max_message_size"] == 1_048_576


def test_handshake_reports_authentication(driver):
    client = driver.connect()
    assert client.send({"type": "handshake"})[0]["authenticated"] is False
    client.send(ADMIN)
    assert client.send({"type": "handshake"})[0]["authenticated"] is True


def test_command_pipeline(driver):
    client = driver.connect()
    assert client.send({"type": "command"})[0]["error_code"] == "authentication_required"
    client.send({"type": "login", "username": "trader", "password": "trader123"})
    assert client.send({"type": "command"})[0]["error_message"] == "Permission required: admin"
    client.send(ADMIN)
    assert client.send({"type": "command"})[0]["error_message"] == "Required: command"
    assert client.send({"type": "command", "command": "x"})[0]["error_message"] == "Unknown command"
    stats = client.send({"type": "command", "command": "Get_Stats"})[0]
    assert stats["command"] == "get_stats" and stats["result"]["connections"]["total"] == 1
    health = client.send({"type": "command", "command": "health_check"})[0]["result"]
    assert health["status"] == "stopped"
