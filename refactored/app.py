"""The application: every server-wide service and record, built once and complete."""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from refactored.backends import Backends, build_backends
from refactored.config import Config
from refactored.core.clock import Clock
from refactored.lifecycle.ports import DeliveryPort, FanOut, RateLimitPort, SessionPort, SyncView
from refactored.lifecycle.registry import ConnectionRegistry
from refactored.services.catalogue import StrategyCatalogue
from refactored.reconnect import Reconnection
from refactored.services.controller import Controller, SimulatedTradingController
from refactored.services.strategy_store import StrategyStore
from refactored.services.trading import Book
from refactored.services.users import UserDirectory


@dataclass(slots=True)
class Counters:
    """Server-wide figures reported by ``get_stats``."""

    received: int = 0
    processed: int = 0
    sent: int = 0
    errors: int = 0
    rate_limited: int = 0
    accepted: int = 0
    rejected: int = 0
    reconnections: int = 0

    def wrote(self, is_error: bool) -> None:
        """Count one frame written to a client."""
        self.sent += 1
        self.errors += is_error


@dataclass(slots=True)
class Runtime:
    """Whether and where the server listens (changed only by start and stop)."""

    host: str
    port: int
    running: bool = False
    stopping: bool = False
    started_at: float = 0.0


@dataclass(frozen=True, slots=True)
class App:
    """Every service of one server; a handler receives the ones its spec names. No field is
    optional or set later."""

    config: Config
    clock: Clock
    users: UserDirectory
    catalogue: StrategyCatalogue
    store: StrategyStore
    controller: Controller
    book: Book
    registry: ConnectionRegistry  # this instance's live connections
    reconnects: SessionPort  # reconnect tokens and the saved sessions of departed clients
    delivery: DeliveryPort
    limiter: RateLimitPort
    fanout: FanOut  # the other instances of a cluster (none for a server alone)
    view: SyncView  # the shared figures as the synchronous legacy API reads them
    counters: Counters
    runtime: Runtime

    @property
    def reconnection(self) -> Reconnection:
        """The services a reconnect touches, together."""
        return Reconnection(self.reconnects, self.registry, self.delivery, self.counters)


def strategies_directory(config: Config) -> Path:
    """The configured strategies directory, or a fresh path under the temp dir."""
    if config.strategies_dir:
        return Path(config.strategies_dir)
    return Path(tempfile.gettempdir()) / f"refactored-strategies-{secrets.token_hex(6)}"


def build_users(config: Config, clock: Clock, backends: Backends) -> UserDirectory:
    """The user store from the configured passwords and token settings, on the server's clock,
    with the lockout and spent refresh tokens of ``backends``."""
    return UserDirectory(
        passwords=dict(config.passwords),
        secret=backends.jwt_secret,
        access_ttl=config.access_token_ttl,
        refresh_ttl=config.refresh_token_ttl,
        lockout=backends.lockout,
        revoked=backends.revoked,
        wall=clock.wall,
    )


def build_app(config: Config, clock: Clock, controller: Controller | None = None,
              backends: Backends | None = None) -> App:
    """Wire every service from ``config``; the shared state's backends are chosen from it too
    unless given (a server restarting keeps a cluster's)."""
    backends = backends or build_backends(config, clock)
    return App(
        config=config,
        clock=clock,
        users=build_users(config, clock, backends),
        catalogue=StrategyCatalogue(),
        store=StrategyStore(strategies_directory(config)),
        controller=controller if controller is not None else SimulatedTradingController(),
        book=Book(),
        registry=ConnectionRegistry(),
        reconnects=backends.sessions,
        delivery=backends.delivery,
        limiter=backends.limiter,
        fanout=backends.fanout,
        view=backends.view,
        counters=Counters(),
        runtime=Runtime(config.host, config.port),
    )
