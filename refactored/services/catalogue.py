"""The strategy catalogue: built-in strategies with their schemas, custom ones, and which run where."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The built-in strategies: description, then each config field as (name, type, min, max, default).
_TABLE: dict[str, tuple[str, tuple[tuple[str, str, Any, Any, Any], ...]]] = {
    "MovingAverageCross": (
        "Buys when the short moving average crosses above the long one, sells on the cross below",
        (("short_window", "integer", 2, 50, 5), ("long_window", "integer", 3, 200, 10))),
    "RSIStrategy": (
        "Buys when the relative strength index falls below oversold, sells above overbought",
        (("period", "integer", 2, 100, 14), ("oversold", "number", 0.0, 100.0, 30.0),
         ("overbought", "number", 0.0, 100.0, 70.0))),
    "BollingerBands": (
        "Buys below the lower band, sells above the upper band",
        (("period", "integer", 2, 100, 10), ("num_std", "number", 0.1, 10.0, 1.5))),
}

# name -> {"description", "config_schema": {field: {"type", "min", "max", "default"}}}, as the wire shows it
BUILTIN: dict[str, dict[str, Any]] = {
    name: {"description": description,
           "config_schema": {field: {"type": kind, "min": low, "max": high, "default": default}
                             for field, kind, low, high, default in fields}}
    for name, (description, fields) in _TABLE.items()
}

# Cross-field rules: (strategy, lower field, upper field).
ORDERED_FIELDS = (
    ("MovingAverageCross", "short_window", "long_window"),
    ("RSIStrategy", "oversold", "overbought"),
)


def defaults(name: str) -> dict[str, Any]:
    """The default config of built-in strategy ``name``."""
    return {key: spec["default"] for key, spec in BUILTIN[name]["config_schema"].items()}


def _check_field(param: str, spec: dict[str, Any], value: Any) -> tuple[str | None, Any]:
    """(error, normalised value) of one config field against its schema entry."""
    integer = spec["type"] == "integer"
    kinds = (int,) if integer else (int, float)
    if type(value) not in kinds:
        return f"{param} must be {'an integer' if integer else 'a number'}", None
    if value < spec["min"] or value > spec["max"]:
        return f"{param} must be between {spec['min']} and {spec['max']}", None
    return None, value if integer else float(value)


def _ordering_errors(name: str, merged: dict[str, Any]) -> list[str]:
    return [f"{low} must be less than {high}" for strategy, low, high in ORDERED_FIELDS
            if strategy == name and merged[low] >= merged[high]]


def validate_params(name: str, config: dict[str, Any], base: dict[str, Any] | None = None) -> tuple[list[str], dict[str, Any]]:
    """Check ``config`` against ``name``'s schema; return (errors, config merged over ``base``).

    Custom strategies have no schema: their config is taken as it is, over ``base``.
    """
    if name not in BUILTIN:
        return [], {**(base or {}), **config}
    schema = BUILTIN[name]["config_schema"]
    errors = [f"Unknown parameter: {key}" for key in config if key not in schema]
    merged = dict(base) if base is not None else defaults(name)
    errors += _merge_fields(schema, config, merged)
    return errors or _ordering_errors(name, merged), merged


def _merge_fields(schema: dict[str, Any], config: dict[str, Any], merged: dict[str, Any]) -> list[str]:
    """Check the schema's fields present in ``config`` (schema order); valid ones go into ``merged``."""
    errors = []
    for param in (param for param in schema if param in config):
        error, value = _check_field(param, schema[param], config[param])
        if error is None:
            merged[param] = value
        else:
            errors.append(error)
    return errors


@dataclass(slots=True)
class StrategyCatalogue:
    """Current configs of built-in and custom strategies, and their active symbols."""

    configs: dict[str, dict[str, Any]] = field(default_factory=lambda: {name: defaults(name) for name in BUILTIN})
    custom: dict[str, dict[str, Any]] = field(default_factory=dict)
    active: dict[str, list[str]] = field(default_factory=dict)

    def known(self, name: Any) -> bool:
        """Whether ``name`` is a built-in or custom strategy."""
        return isinstance(name, str) and (name in BUILTIN or name in self.custom)

    def names(self) -> list[str]:
        """Built-in strategies, then custom ones."""
        return [*BUILTIN, *self.custom]

    def config(self, name: str) -> dict[str, Any]:
        """The current config of known strategy ``name``."""
        return self.configs[name] if name in BUILTIN else self.custom[name]

    def set_config(self, name: str, config: dict[str, Any]) -> None:
        """Replace the config of ``name`` (registering it as custom if not built in)."""
        if name in BUILTIN:
            self.configs[name] = config
        else:
            self.custom[name] = config

    def params_for(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """A copy of the built-in configs of ``names``, as a run uses them."""
        return {name: dict(self.configs.get(name, {})) for name in names}

    # Replies are encoded as soon as they are built, so they may share the catalogue's
    # data: configs are replaced whole (never changed in place) and schemas never change.

    def describe(self, name: str) -> dict[str, Any]:
        """One entry of the ``get_strategies`` listing."""
        builtin = BUILTIN.get(name)
        return {
            "name": name,
            "description": builtin["description"] if builtin else "Custom strategy",
            "config_schema": builtin["config_schema"] if builtin else {},
            "config": self.config(name),
            "active_symbols": list(self.active.get(name, [])),
            "custom": builtin is None,
        }

    def status(self, name: str) -> dict[str, Any]:
        """One entry of the ``strategy_status`` answer."""
        active = self.active.get(name, [])
        return {"active": bool(active), "active_symbols": list(active), "config": self.config(name)}
