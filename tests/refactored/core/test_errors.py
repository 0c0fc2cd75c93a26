"""The exception tree and the error builder."""

import pytest

from refactored.core import errors


def test_builder_shape_and_order():
    frame = errors.error_frame("invalid_json", "bad", None, "T")
    assert list(frame) == ["type", "error_code", "error_message", "session_id", "timestamp"]
    assert frame == {"type": "error", "error_code": "invalid_json", "error_message": "bad", "session_id": None, "timestamp": "T"}


@pytest.mark.parametrize("cls", [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.ApiError) and c not in (errors.ApiError, errors.OperationFailed)])
def test_api_errors_have_codes(cls):
    exc = cls("message", session_id="s1")
    assert isinstance(exc, errors.ServerError)
    assert exc.code != errors.ApiError.code and exc.code.islower()
    assert (exc.message, exc.session_id) == ("message", "s1")


def test_operation_failed_names_its_operation():
    exc = errors.OperationFailed("session_start", "boom")
    assert exc.code == "session_start_failed"


def test_internal_errors_are_not_api_errors():
    for cls in (errors.InvalidTransition, errors.QueueOverflowError, errors.DuplicateMessageError, errors.TokenRejected, errors.ConfigurationError,
                errors.UnsafeName, errors.AtCapacity):
        assert issubclass(cls, errors.ServerError) and not issubclass(cls, errors.ApiError)
    assert issubclass(errors.QueueOverflowError, errors.DeliveryError)
