"""Data collections: start, stop, status and results."""

from __future__ import annotations

import re
import secrets
from typing import Any

from refactored.config import Config
from refactored.core.dispatch import HandlerSpec, Reply, Request
from refactored.core.effects import Spawn
from refactored.core.errors import CollectionNotFound, InvalidParameter, ResultsNotReady
from refactored.core.messages import response
from refactored.core.schema import Param, invalid, rejected
from refactored.handlers.checks import TRADING_AVAILABLE, string, symbols
from refactored.services.catalogue import BUILTIN, StrategyCatalogue
from refactored.services.trading import Book, Collection, RunState

DURATION = re.compile(r"^([1-9][0-9]{0,3})([mhd])$")
MINUTES = {"m": 1, "h": 60, "d": 1440}
MAX_BARS = 1440


def _duration(value: Any) -> tuple[str, int]:
    """``"<n><m|h|d>"`` and its length in one-minute bars (at most a day)."""
    match = DURATION.match(value) if isinstance(value, str) else None
    if match is None or int(match.group(1)) * MINUTES[match.group(2)] > MAX_BARS:
        raise rejected()
    return value, int(match.group(1)) * MINUTES[match.group(2)]


def _strategies(names: Any, catalogue: StrategyCatalogue) -> list[str]:
    """Known strategy names, without repeats (every built-in one by default)."""
    if not isinstance(names, list) or not names:
        raise invalid("strategies")
    if not all(catalogue.known(name) for name in names):
        raise InvalidParameter("Unknown strategy")
    return list(dict.fromkeys(names))


def collection_start(req: Request, book: Book, catalogue: StrategyCatalogue, config: Config) -> Reply:
    conn, names = req.conn, req.params["strategies"]
    duration, bars = req.params["duration"]
    collection = Collection(
        collection_id="collection_" + secrets.token_hex(8), owner=conn.client_id, username=conn.user.username,
        symbols=req.params["symbols"], strategies=names, duration=duration, bars_total=bars,
        strategy_params=catalogue.params_for(names))
    book.collections[collection.collection_id] = collection
    req.effects.append(Spawn(collection.collection_id, collection, config.bar_interval))
    return response("collection_started", **collection.summary())


def find_collection(req: Request, book: Book) -> Collection:
    """The collection named by ``collection_id``, visible to its user and admins."""
    collection = book.collections.get(req.params["collection_id"])
    user = req.conn.user
    if collection is None or not user.sees(collection.username):
        raise CollectionNotFound("Collection not found")
    return collection


def collection_stop(req: Request, book: Book) -> Reply:
    collection = find_collection(req, book)
    if collection.state is not RunState.RUNNING:
        raise CollectionNotFound("Collection is not running")
    collection.move(RunState.STOPPED)
    return response("collection_stopped", collection_id=collection.collection_id)


def collection_status(req: Request, book: Book) -> Reply:
    collection = find_collection(req, book)
    summary = collection.summary()
    return response("collection_status", collection_id=summary.pop("collection_id"), state=collection.state.value, **summary)


def results_request(req: Request, book: Book) -> Reply:
    collection = find_collection(req, book)
    if collection.state is not RunState.COMPLETED or collection.results is None:
        raise ResultsNotReady("Results not ready")
    return response("results", **collection.summary(), results=collection.results)


BY_ID = dict(auth=True, required=("collection_id",), params=(Param("collection_id", string),), uses=("book",))

SPECS = (
    HandlerSpec("collection_start", collection_start, auth=True, required=("symbols",),
                params=(Param("symbols", symbols), Param("duration", _duration, default="1h"),
                        Param("strategies", _strategies, default=list(BUILTIN), uses="catalogue")),
                guards=(TRADING_AVAILABLE,), uses=("book", "catalogue", "config")),
    HandlerSpec("collection_stop", collection_stop, **BY_ID),
    HandlerSpec("collection_status", collection_status, **BY_ID),
    HandlerSpec("results_request", results_request, **BY_ID),
)
