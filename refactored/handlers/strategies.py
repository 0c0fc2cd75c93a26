"""Strategy management: listing, activation, status, config validation and upsert."""

from __future__ import annotations

import logging
from typing import Any

from refactored.core.dispatch import HandlerSpec, Reply, Request
from refactored.core.errors import InvalidParameter, OperationFailed, UnsafeName, ValidationError
from refactored.core.messages import response
from refactored.core.schema import Param
from refactored.handlers.checks import nonempty_str, strict_dict, symbol
from refactored.services.catalogue import StrategyCatalogue, validate_params
from refactored.services.strategy_store import StrategyStore

log = logging.getLogger(__name__)


def _known(name: Any, catalogue: StrategyCatalogue) -> str:
    if not catalogue.known(name):
        raise InvalidParameter("Unknown strategy")
    return name


KNOWN = Param("strategy_name", _known, uses="catalogue")
SYMBOL = Param("symbol", symbol)
CONFIG = Param("config", strict_dict)


def get_strategies(req: Request, catalogue: StrategyCatalogue) -> Reply:
    return response("strategies", strategies=[catalogue.describe(name) for name in catalogue.names()])


def _checked(name: str, config: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """``config`` checked against the schema of ``name`` and merged over ``base``, else raise."""
    errors, merged = validate_params(name, config, base)
    if errors:
        raise ValidationError("; ".join(errors))
    return merged


def activate_strategy(req: Request, catalogue: StrategyCatalogue) -> Reply:
    name, chosen, config = req.params["strategy_name"], req.params["symbol"], req.params["config"]
    merged = None if config is None else _checked(name, config, catalogue.config(name))
    active = catalogue.active.setdefault(name, [])
    if chosen in active:
        raise OperationFailed("activate_strategy", "Strategy already active for symbol")
    if merged is not None:
        catalogue.set_config(name, merged)
    active.append(chosen)
    return response("strategy_activated", strategy_name=name, symbol=chosen,
                    config=catalogue.config(name), active_symbols=list(active))


def deactivate_strategy(req: Request, catalogue: StrategyCatalogue) -> Reply:
    name, chosen = req.params["strategy_name"], req.params["symbol"]
    active = catalogue.active.get(name, [])
    if chosen not in active:
        raise OperationFailed("deactivate_strategy", "Strategy not active for symbol")
    active.remove(chosen)
    return response("strategy_deactivated", strategy_name=name, symbol=chosen, active_symbols=list(active))


def strategy_status(req: Request, catalogue: StrategyCatalogue) -> Reply:
    name = req.params["strategy_name"]
    names = catalogue.names() if name is None else [name]
    return response("strategy_status", strategies={name: catalogue.status(name) for name in names})


def validate_strategy_config(req: Request) -> Reply:
    name = req.params["strategy_name"]
    errors, merged = validate_params(name, req.params["config"])
    return response("validation_result", strategy_name=name, valid=not errors, errors=errors,
                    config=None if errors else merged)


def _persist(store: StrategyStore, name: str, config: dict[str, Any]) -> None:
    try:
        store.save(name, config)
    except UnsafeName:
        log.warning("refused to write a strategy file outside the strategies directory")
        raise OperationFailed("upsert_strategy", "Failed to persist strategy configuration") from None
    except (OSError, ValueError) as exc:
        log.error("Failed to write strategy file: %s", type(exc).__name__)
        raise OperationFailed("upsert_strategy", "Failed to persist strategy configuration") from None


def upsert_strategy(req: Request, catalogue: StrategyCatalogue, store: StrategyStore) -> Reply:
    name, config = req.params["strategy_name"], req.params["config"]
    merged = _checked(name, config)
    created = not catalogue.known(name)
    _persist(store, name, merged)
    catalogue.set_config(name, merged)
    return response("strategy_upserted", strategy_name=name, created=created,
                    config=merged, file=f"{name}.json")


TRADE = dict(auth=True, permission="trade", required=("strategy_name", "symbol"), uses=("catalogue",))
NAME_AND_CONFIG = ("strategy_name", "config")

SPECS = (
    HandlerSpec("get_strategies", get_strategies, auth=True, uses=("catalogue",)),
    HandlerSpec("activate_strategy", activate_strategy, params=(KNOWN, SYMBOL, CONFIG), **TRADE),
    HandlerSpec("deactivate_strategy", deactivate_strategy, params=(KNOWN, SYMBOL), **TRADE),
    HandlerSpec("strategy_status", strategy_status, auth=True, params=(KNOWN,), uses=("catalogue",)),
    HandlerSpec("validate_strategy_config", validate_strategy_config, auth=True, required=NAME_AND_CONFIG,
                params=(KNOWN, CONFIG)),
    HandlerSpec("upsert_strategy", upsert_strategy, auth=True, permission="manage_strategies",
                required=NAME_AND_CONFIG, params=(Param("strategy_name", nonempty_str), CONFIG),
                uses=("catalogue", "store")),
)
