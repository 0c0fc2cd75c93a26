"""Parameter schemas."""

import pytest

from refactored.core.errors import InvalidParameter, MissingParameters
from refactored.core.schema import Param, invalid, of_type, read_all, require


def test_require_reports_absent_and_null():
    require({"a": 0, "b": False, "c": ""}, ("a", "b", "c"))
    with pytest.raises(MissingParameters, match="^Required: a, c$"):
        require({"a": None, "b": 1}, ("a", "b", "c"))


def test_default_applies_to_absent_and_null_and_is_checked():
    param = Param("d", of_type(str), default="1h")
    assert param.read({}) == "1h" and param.read({"d": None}) == "1h"
    assert Param("d").read({}) is None


def test_bare_check_error_names_the_field_custom_message_kept():
    def custom(value):
        raise InvalidParameter("Unknown stream")

    with pytest.raises(InvalidParameter, match="^Invalid parameter: n$"):
        Param("n", of_type(int)).read({"n": 1.5})
    with pytest.raises(InvalidParameter, match="^Unknown stream$"):
        Param("s", custom).read({"s": "x"})


def test_of_type_is_exact_and_nonempty():
    assert of_type(int, float)(2) == 2
    for bad in (True, "2", None):
        with pytest.raises(InvalidParameter):
            of_type(int, float)(bad)
    with pytest.raises(InvalidParameter):
        of_type(str, nonempty=True)("")


def test_read_all_in_order():
    params = (Param("a", of_type(int)), Param("b", of_type(int)))
    assert read_all(params, {"a": 1}) == {"a": 1, "b": None}
    with pytest.raises(InvalidParameter, match="a$"):
        read_all(params, {"a": "x", "b": "y"})


def test_invalid():
    assert invalid("config.bars").message == "Invalid parameter: config.bars"
