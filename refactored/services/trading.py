"""Trading sessions and data collections: the records the session handlers keep."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RUNNING = "running"


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
    state: str = RUNNING
    bars_processed: int = 0
    results: dict[str, Any] | None = None
    seq: int = 0

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
            "state": self.state,
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
    state: str = RUNNING
    results: dict[str, Any] | None = None

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

    sessions: dict[str, TradingSession] = field(default_factory=dict)
    collections: dict[str, Collection] = field(default_factory=dict)

    def running_session_of(self, username: str | None) -> TradingSession | None:
        """The user's running session, if any."""
        return next((s for s in self.sessions.values() if s.username == username and s.state == RUNNING), None)

    def live_running(self) -> bool:
        """Whether any live session runs."""
        return any(s.session_type == "live" and s.state == RUNNING for s in self.sessions.values())
