"""Strategy management: listing, activation, status, config validation and upsert."""

from __future__ import annotations

import logging
from typing import Any

from refactored.core.dispatch import HandlerSpec, Request
from refactored.core.errors import InvalidParameter, OperationFailed, UnsafeName, ValidationError
from refactored.core.messages import response
from refactored.core.schema import Param
from refactored.handlers.checks import nonempty_str, strict_dict, symbol
from refactored.services.catalogue import validate_params

log = logging.getLogger(__name__)
CONFIG = Param("config", strict_dict)


def _known(req: Request) -> str:
    name = req.message.get("strategy_name")
    if not req.app.catalogue.known(name):
        raise InvalidParameter("Unknown strategy")
    return name


def get_strategies(req: Request) -> dict[str, Any]:
    catalogue = req.app.catalogue
    return response("strategies", strategies=[catalogue.describe(name) for name in catalogue.names()])


def _checked(name: str, config: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """``config`` checked against the schema of ``name`` and merged over ``base``, else raise."""
    errors, merged = validate_params(name, config, base)
    if errors:
        raise ValidationError("; ".join(errors))
    return merged


def _merged_config(req: Request, name: str) -> dict[str, Any] | None:
    config = CONFIG.read(req.message)
    return None if config is None else _checked(name, config, req.app.catalogue.config(name))


def activate_strategy(req: Request) -> dict[str, Any]:
    catalogue, name = req.app.catalogue, _known(req)
    chosen = symbol(req.message["symbol"])
    merged = _merged_config(req, name)
    active = catalogue.active.setdefault(name, [])
    if chosen in active:
        raise OperationFailed("activate_strategy", "Strategy already active for symbol")
    if merged is not None:
        catalogue.set_config(name, merged)
    active.append(chosen)
    return response("strategy_activated", strategy_name=name, symbol=chosen,
                    config=catalogue.config(name), active_symbols=list(active))


def deactivate_strategy(req: Request) -> dict[str, Any]:
    catalogue, name = req.app.catalogue, _known(req)
    chosen = symbol(req.message["symbol"])
    active = catalogue.active.get(name, [])
    if chosen not in active:
        raise OperationFailed("deactivate_strategy", "Strategy not active for symbol")
    active.remove(chosen)
    return response("strategy_deactivated", strategy_name=name, symbol=chosen, active_symbols=list(active))


def strategy_status(req: Request) -> dict[str, Any]:
    catalogue = req.app.catalogue
    names = catalogue.names() if req.message.get("strategy_name") is None else [_known(req)]
    return response("strategy_status", strategies={name: catalogue.status(name) for name in names})


def validate_strategy_config(req: Request) -> dict[str, Any]:
    name = _known(req)
    errors, merged = validate_params(name, CONFIG.read(req.message))
    return response("validation_result", strategy_name=name, valid=not errors, errors=errors,
                    config=None if errors else merged)


def _persist(req: Request, name: str, config: dict[str, Any]) -> None:
    try:
        req.app.store.save(name, config)
    except UnsafeName:
        log.warning("refused to write a strategy file outside the strategies directory")
        raise OperationFailed("upsert_strategy", "Failed to persist strategy configuration") from None
    except (OSError, ValueError) as exc:
        log.error("Failed to write strategy file: %s", type(exc).__name__)
        raise OperationFailed("upsert_strategy", "Failed to persist strategy configuration") from None


def upsert_strategy(req: Request) -> dict[str, Any]:
    catalogue, name, config = req.app.catalogue, req.params["strategy_name"], req.params["config"]
    merged = _checked(name, config)
    created = not catalogue.known(name)
    _persist(req, name, merged)
    catalogue.set_config(name, merged)
    return response("strategy_upserted", strategy_name=name, created=created,
                    config=merged, file=f"{name}.json")


NAME_AND_SYMBOL = ("strategy_name", "symbol")
NAME_AND_CONFIG = ("strategy_name", "config")

SPECS = (
    HandlerSpec("get_strategies", get_strategies, auth=True),
    HandlerSpec("activate_strategy", activate_strategy, auth=True, permission="trade", required=NAME_AND_SYMBOL),
    HandlerSpec("deactivate_strategy", deactivate_strategy, auth=True, permission="trade", required=NAME_AND_SYMBOL),
    HandlerSpec("strategy_status", strategy_status, auth=True),
    HandlerSpec("validate_strategy_config", validate_strategy_config, auth=True, required=NAME_AND_CONFIG),
    HandlerSpec("upsert_strategy", upsert_strategy, auth=True, permission="manage_strategies",
                required=NAME_AND_CONFIG, params=(Param("strategy_name", nonempty_str), CONFIG)),
)
