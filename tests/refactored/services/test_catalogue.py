"""The strategy catalogue and config validation."""

import pytest

from refactored.services.catalogue import BUILTIN, StrategyCatalogue, defaults, validate_params


def test_defaults():
    assert defaults("RSIStrategy") == {"period": 14, "oversold": 30.0, "overbought": 70.0}


@pytest.mark.parametrize("name,config,errors", [
    ("RSIStrategy", {"period": 7}, []),
    ("RSIStrategy", {"period": True}, ["period must be an integer"]),
    ("RSIStrategy", {"period": 2.0}, ["period must be an integer"]),
    ("RSIStrategy", {"oversold": "x"}, ["oversold must be a number"]),
    ("RSIStrategy", {"period": 1, "x": 1}, ["Unknown parameter: x", "period must be between 2 and 100"]),
    ("RSIStrategy", {"oversold": 80}, ["oversold must be less than overbought"]),
    ("MovingAverageCross", {"short_window": 10}, ["short_window must be less than long_window"]),
    ("BollingerBands", {"num_std": 0.05}, ["num_std must be between 0.1 and 10.0"]),
])
def test_validate(name, config, errors):
    assert validate_params(name, config)[0] == errors


def test_numbers_become_floats_and_merge_over_base():
    errors, merged = validate_params("BollingerBands", {"num_std": 2}, {"period": 20, "num_std": 1.5})
    assert errors == [] and merged == {"period": 20, "num_std": 2.0} and isinstance(merged["num_std"], float)


def test_custom_config_taken_as_is():
    assert validate_params("Mine", {"anything": [1]}) == ([], {"anything": [1]})


def test_catalogue_state():
    catalogue = StrategyCatalogue()
    assert catalogue.known("RSIStrategy") and not catalogue.known("Mine") and not catalogue.known(5)
    catalogue.set_config("Mine", {"k": 1})
    catalogue.set_config("RSIStrategy", {"period": 3, "oversold": 1.0, "overbought": 2.0})
    assert catalogue.names() == [*BUILTIN, "Mine"] and catalogue.config("Mine") == {"k": 1}
    catalogue.active["Mine"] = ["BTC_USDT"]
    assert catalogue.describe("Mine") == {"name": "Mine", "description": "Custom strategy", "config_schema": {},
                                          "config": {"k": 1}, "active_symbols": ["BTC_USDT"], "custom": True}
    assert catalogue.status("RSIStrategy") == {"active": False, "active_symbols": [],
                                               "config": {"period": 3, "oversold": 1.0, "overbought": 2.0}}
    assert catalogue.params_for(["RSIStrategy", "Mine"]) == {"RSIStrategy": catalogue.configs["RSIStrategy"], "Mine": {}}


def test_configs_are_replaced_never_changed_in_place():
    catalogue = StrategyCatalogue()
    before = catalogue.describe("RSIStrategy")["config"]
    catalogue.set_config("RSIStrategy", {"period": 3, "oversold": 1.0, "overbought": 2.0})
    assert before == defaults("RSIStrategy")
