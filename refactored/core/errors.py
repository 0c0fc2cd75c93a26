"""One exception tree for the whole package, and the one error-frame builder.

Every error the server can report is listed here::

    ServerError
    ├── ApiError                 reported to the client as an error frame
    │   ├── InvalidJson, InvalidMessage, InvalidMessageType
    │   ├── MissingParameters, InvalidParameter, ValidationError
    │   ├── AuthenticationRequired, AuthenticationFailed, AccountLocked
    │   ├── InsufficientPermissions, RateLimitExceeded
    │   ├── ServiceUnavailable
    │   │   └── BackendUnavailable   the shared store (Redis) cannot be reached
    │   ├── SessionNotFound, SessionConflict
    │   ├── CollectionNotFound, ResultsNotReady
    │   ├── AlreadySubscribed, NotSubscribed
    │   └── OperationFailed      ``<operation>_failed``
    ├── InvalidTransition        a connection state change the table forbids
    ├── DeliveryError            the critical-message queue
    │   ├── QueueOverflowError
    │   └── DuplicateMessageError
    ├── TokenRejected            a reconnect token that is forged, unknown or expired
    ├── UnsafeName               a strategy name that would leave its directory
    ├── AtCapacity               no room for another connection
    └── ConfigurationError       settings that cannot start a server

Handlers raise :class:`ApiError` subclasses; :func:`error_frame` is the only
place that shapes an error frame.
"""

from __future__ import annotations

from typing import Any


class ServerError(Exception):
    """Base of every error raised by this package."""


class ApiError(ServerError):
    """An error the client is told about, with a wire ``error_code``."""

    code = "internal_error"

    def __init__(self, message: str, *, session_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.session_id = session_id


class InvalidJson(ApiError):
    code = "invalid_json"


class InvalidMessage(ApiError):
    code = "invalid_message"


class InvalidMessageType(ApiError):
    code = "invalid_message_type"


class MissingParameters(ApiError):
    code = "missing_parameters"


class InvalidParameter(ApiError):
    code = "invalid_parameter"


class ValidationError(ApiError):
    code = "validation_error"


class AuthenticationRequired(ApiError):
    code = "authentication_required"


class AuthenticationFailed(ApiError):
    code = "authentication_failed"


class AccountLocked(ApiError):
    code = "account_locked"


class InsufficientPermissions(ApiError):
    code = "insufficient_permissions"


class RateLimitExceeded(ApiError):
    code = "rate_limit_exceeded"


class ServiceUnavailable(ApiError):
    code = "service_unavailable"


class BackendUnavailable(ServiceUnavailable):
    """The shared store of a cluster (Redis) cannot be reached; the request may be retried."""

    def __init__(self, message: str = "Shared state is unavailable, try again shortly", *,
                 session_id: str | None = None) -> None:
        super().__init__(message, session_id=session_id)


class SessionNotFound(ApiError):
    code = "session_not_found"


class SessionConflict(ApiError):
    code = "session_conflict"


class CollectionNotFound(ApiError):
    code = "collection_not_found"


class ResultsNotReady(ApiError):
    code = "results_not_ready"


class AlreadySubscribed(ApiError):
    code = "already_subscribed"


class NotSubscribed(ApiError):
    code = "not_subscribed"


class OperationFailed(ApiError):
    """``<operation>_failed``: a domain operation that could not be done."""

    def __init__(self, operation: str, message: str, *, session_id: str | None = None) -> None:
        super().__init__(message, session_id=session_id)
        self.code = f"{operation}_failed"


class InvalidTransition(ServerError):
    """A connection state change that the transition table does not allow."""

    def __init__(self, source: Any, target: Any) -> None:
        super().__init__(f"cannot go from {source.value} to {target.value}")
        self.source = source
        self.target = target


class DeliveryError(ServerError):
    """Base of the critical-message delivery errors."""


class QueueOverflowError(DeliveryError):
    """A client's queue of critical messages is full."""


class DuplicateMessageError(DeliveryError):
    """A critical message with this id was queued or delivered already."""


class TokenRejected(ServerError):
    """A reconnect token that is malformed, unknown, forged or expired."""


class UnsafeName(ServerError):
    """A strategy name that is not one plain file name inside the store."""


class AtCapacity(ServerError):
    """The server is full (or stopping) and refuses a new connection."""


class ConfigurationError(ServerError):
    """Settings that cannot start a server."""


def error_frame(code: str, message: str, session_id: str | None, timestamp: str) -> dict[str, Any]:
    """Build the error envelope; the only place that shapes one."""
    return {
        "type": "error",
        "error_code": code,
        "error_message": message,
        "session_id": session_id,
        "timestamp": timestamp,
    }
