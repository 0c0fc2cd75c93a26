"""Configuration from constructor arguments and the settings dict."""

import dataclasses

import pytest

from refactored.config import Config
from refactored.core.errors import ConfigurationError


def test_defaults():
    config = Config.build(None, jwt_secret=None)
    assert (config.rate_limit, config.rate_window, config.max_message_size) == (100, 60, 1_048_576)
    assert config.passwords["admin"] == "admin123" and config.environment == "development"


def test_development_secret_is_random_per_server():
    assert Config.build(None, jwt_secret=None).jwt_secret != Config.build(None, jwt_secret=None).jwt_secret
    assert len(Config.build(None, jwt_secret=None).jwt_secret) >= 32
    assert "jwt_secret" not in repr(Config.build(None, jwt_secret="k"))


def test_settings_and_arguments_merge():
    config = Config.build({"rate_limit": 5, "unknown": 1}, jwt_secret="k", port=0)
    assert (config.rate_limit, config.jwt_secret, config.port) == (5, "k", 0)


@pytest.mark.parametrize("environment", ["production", "staging"])
def test_outside_development_a_secret_is_required(environment):
    with pytest.raises(ConfigurationError, match="jwt_secret"):
        Config.build({"environment": environment}, jwt_secret=None)
    assert Config.build({"environment": environment}, jwt_secret="k").jwt_secret == "k"


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config.build(None, jwt_secret=None).port = 1


def test_keepalive_and_upkeep():
    assert Config.build(None, jwt_secret=None).keepalive == 30
    for off in (0, None, -1):
        config = Config.build(None, jwt_secret=None, heartbeat_interval=off)
        assert config.keepalive is None and config.upkeep_interval == 30
    assert Config.build(None, jwt_secret=None, heartbeat_interval=600).upkeep_interval == 60


def test_settings_are_converted_and_constructor_keys_ignored():
    config = Config.build({"rate_limit": "7", "rate_window": 2, "passwords": None, "strategies_dir": "",
                           "jwt_secret": "from-settings", "port": 1, "host": "h"}, jwt_secret=None, port=0)
    assert (config.rate_limit, config.rate_window, config.passwords, config.strategies_dir) == (7, 2.0, {}, None)
    assert config.jwt_secret != "from-settings" and (config.port, config.host) == (0, "localhost")


def test_redis_url_from_settings_else_the_environment(monkeypatch):
    monkeypatch.delenv("WSGM_REDIS_URL", raising=False)
    assert Config.build(None, jwt_secret=None).redis_url is None
    monkeypatch.setenv("WSGM_REDIS_URL", "redis://env:1/0")
    assert Config.build(None, jwt_secret=None).redis_url == "redis://env:1/0"
    config = Config.build({"redis_url": "redis://set:2/0", "redis_namespace": "a"}, jwt_secret=None)
    assert (config.redis_url, config.redis_namespace) == ("redis://set:2/0", "a")
    assert Config.build({"redis_url": ""}, jwt_secret=None).redis_url is None  # in memory, whatever the env
    assert Config.build(None, jwt_secret=None).redis_namespace == "wsgm"


def test_whether_the_jwt_secret_was_given():
    assert not Config.build(None, jwt_secret=None).jwt_secret_given
    assert Config.build(None, jwt_secret="k").jwt_secret_given
