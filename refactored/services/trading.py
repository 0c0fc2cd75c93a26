"""Trading sessions and data collections: the records the session handlers keep.

A run (a session or a collection) has a state, and its changes are a table:

* A run is created ``RUNNING``.
* It ends ``STOPPED`` (its user stopped it), ``COMPLETED`` (its last bar is done, results
  kept) or ``FAILED`` (the controller raised).
* Every end is final.

A pair missing from :data:`RUN_TRANSITIONS` raises :class:`InvalidTransition`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from refactored.core.state import check_transition


class RunState(Enum):
    """Where one trading session or collection is in its life; the value is the name
    ``session_status``, ``collection_status`` and the update frames show."""

    RUNNING = "running"
    STOPPED = "stopped"
    COMPLETED = "completed"
    FAILED = "failed"


ENDS = (RunState.STOPPED, RunState.COMPLETED, RunState.FAILED)
RUN_TRANSITIONS: dict[RunState, frozenset[RunState]] = {
    RunState.RUNNING: frozenset(ENDS), **{end: frozenset() for end in ENDS}}


@dataclass(slots=True, eq=False)
class TradingSession:
    """One backtest, paper or live session."""

    session_id: str
    session_type: str
    owner: str
    username: str
    strategy_config: dict[str, list[str]]
    symbols: list[str]
    bars: int
    initial_capital: float
    quantity: float
    strategy_params: dict[str, dict[str, Any]]
    state: RunState = RunState.RUNNING
    bars_processed: int = 0
    results: dict[str, Any] | None = None
    seq: int = 0

    def move(self, target: RunState) -> None:
        """Change state through the run table (raises on a forbidden pair)."""
        self.state = check_transition(self.state, target, RUN_TRANSITIONS)

    @property
    def strategies(self) -> list[str]:
        return list(self.strategy_config)

    @property
    def bars_total(self) -> int | None:
        return self.bars if self.session_type == "backtest" else None

    def next_message_id(self) -> str:
        """The id of the next critical frame of this session: ``<session_id>:<seq>``."""
        self.seq += 1
        return f"{self.session_id}:{self.seq}"

    def view(self) -> dict[str, Any]:
        """The ``session_status`` view of this session."""
        return {
            "session_id": self.session_id,
            "session_type": self.session_type,
            "state": self.state.value,
            "username": self.username,
            "strategies": self.strategies,
            "symbols": list(self.symbols),
            "bars_total": self.bars_total,
            "bars_processed": self.bars_processed,
            "results": self.results,
        }


@dataclass(slots=True, eq=False)
class Collection:
    """One data collection run."""

    collection_id: str
    owner: str
    username: str
    symbols: list[str]
    strategies: list[str]
    duration: str
    bars_total: int
    strategy_params: dict[str, dict[str, Any]]
    state: RunState = RunState.RUNNING
    results: dict[str, Any] | None = None

    def move(self, target: RunState) -> None:
        """Change state through the run table (raises on a forbidden pair)."""
        self.state = check_transition(self.state, target, RUN_TRANSITIONS)

    def summary(self) -> dict[str, Any]:
        """The fields every collection reply shares."""
        return {
            "collection_id": self.collection_id,
            "symbols": list(self.symbols),
            "strategies": list(self.strategies),
            "duration": self.duration,
            "bars_total": self.bars_total,
        }


@dataclass(slots=True)
class Book:
    """Trading sessions and collections by id, in creation order."""

    trading_sessions: dict[str, TradingSession] = field(default_factory=dict)
    collections: dict[str, Collection] = field(default_factory=dict)

    def running_session_of(self, username: str | None) -> TradingSession | None:
        """The user's running session, if any."""
        return next((s for s in self.trading_sessions.values() if s.username == username and s.state is RunState.RUNNING), None)

    def live_running(self) -> bool:
        """Whether any live session runs."""
        return any(s.session_type == "live" and s.state is RunState.RUNNING for s in self.trading_sessions.values())
