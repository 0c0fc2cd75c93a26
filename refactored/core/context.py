"""Per-connection context: who is connected, in which state, subscribed to what."""

from __future__ import annotations

from dataclasses import dataclass, field

from refactored.core.state import ConnectionState, check_transition


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated user as the connection sees it."""

    username: str
    permissions: tuple[str, ...]

    def can(self, permission: str) -> bool:
        """Whether this user holds ``permission``."""
        return permission in self.permissions

    def sees(self, owner: str) -> bool:
        """Whether this user may see a record owned by ``owner``: its own, or any as an admin."""
        return owner == self.username or self.can("admin")


@dataclass(slots=True, eq=False)
class Connection:
    """Everything the server knows about one client connection."""

    client_id: str
    remote_ip: str
    state: ConnectionState = ConnectionState.CONNECTING
    user: Principal | None = None
    subscriptions: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def move(self, target: ConnectionState) -> None:
        """Change state through the transition table (raises on a forbidden pair)."""
        self.state = check_transition(self.state, target)
