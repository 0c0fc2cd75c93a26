"""Effects are plain, immutable data."""

import dataclasses

import pytest

from refactored.core.effects import Announce, Publish, Push, Spawn


def test_effects_are_frozen():
    push = Push("c1", {"a": 1}, "m1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        push.client_id = "c2"


def test_defaults():
    assert Push("c1", {}).message_id is None
    assert Publish("orders", {}).exclude is None
    assert Announce("t", {}).topic == "t"
    assert Spawn("k", "record", 0.1).run == "record"
