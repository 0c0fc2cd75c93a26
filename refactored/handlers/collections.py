"""Data collections: start, stop, status and results."""

from __future__ import annotations

import re
import secrets
from typing import Any

from refactored.core.dispatch import HandlerSpec, Request
from refactored.core.effects import Spawn
from refactored.core.errors import CollectionNotFound, InvalidParameter, ResultsNotReady, ServiceUnavailable
from refactored.core.messages import response
from refactored.core.schema import Param, invalid, rejected
from refactored.handlers.checks import string, symbols
from refactored.handlers.runs import collection_steps
from refactored.services.catalogue import BUILTIN
from refactored.services.trading import Collection, RunState

DURATION = re.compile(r"^([1-9][0-9]{0,3})([mhd])$")
MINUTES = {"m": 1, "h": 60, "d": 1440}
MAX_BARS = 1440


def _duration(value: Any) -> tuple[str, int]:
    """``"<n><m|h|d>"`` and its length in one-minute bars (at most a day)."""
    match = DURATION.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) * MINUTES[match.group(2)] > MAX_BARS:
        raise rejected()
    return value, int(match.group(1)) * MINUTES[match.group(2)]


def _strategies(value: Any, catalogue: Any) -> list[str]:
    names = list(BUILTIN) if value is None else value
    if not isinstance(names, list) or not names:
        raise invalid("strategies")
    if not all(catalogue.known(name) for name in names):
        raise InvalidParameter("Unknown strategy")
    return list(dict.fromkeys(names))


def collection_start(req: Request) -> dict[str, Any]:
    app, conn = req.app, req.conn
    names = _strategies(req.message.get("strategies"), app.catalogue)
    if app.runtime.stopping:
        raise ServiceUnavailable("Trading controller not available")
    duration, bars = req.params["duration"]
    collection = Collection(
        collection_id="collection_" + secrets.token_hex(8), owner=conn.client_id, username=conn.user.username,
        symbols=req.params["symbols"], strategies=names, duration=duration, bars_total=bars,
        strategy_params=app.catalogue.params_for(names))
    app.book.collections[collection.collection_id] = collection
    req.effects.append(Spawn(collection.collection_id, collection_steps(app, collection), app.config.bar_interval))
    return response("collection_started", **collection.summary())


def find_collection(req: Request) -> Collection:
    """The collection named by ``collection_id``, visible to its user and admins."""
    collection = req.app.book.collections.get(req.params["collection_id"])
    user = req.conn.user
    if collection is None or not user.sees(collection.username):
        raise CollectionNotFound("Collection not found")
    return collection


def collection_stop(req: Request) -> dict[str, Any]:
    collection = find_collection(req)
    if collection.state is not RunState.RUNNING:
        raise CollectionNotFound("Collection is not running")
    collection.move(RunState.STOPPED)
    return response("collection_stopped", collection_id=collection.collection_id)


def collection_status(req: Request) -> dict[str, Any]:
    collection = find_collection(req)
    summary = collection.summary()
    return response("collection_status", collection_id=summary.pop("collection_id"), state=collection.state.value, **summary)


def results_request(req: Request) -> dict[str, Any]:
    collection = find_collection(req)
    if collection.state is not RunState.COMPLETED or collection.results is None:
        raise ResultsNotReady("Results not ready")
    return response("results", **collection.summary(), results=collection.results)


BY_ID = dict(auth=True, required=("collection_id",), params=(Param("collection_id", string),))

SPECS = (
    HandlerSpec("collection_start", collection_start, auth=True, required=("symbols",),
                params=(Param("symbols", symbols), Param("duration", _duration, default="1h"))),
    HandlerSpec("collection_stop", collection_stop, **BY_ID),
    HandlerSpec("collection_status", collection_status, **BY_ID),
    HandlerSpec("results_request", results_request, **BY_ID),
)
