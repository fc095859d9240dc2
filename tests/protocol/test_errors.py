import pytest

from supercp.protocol import errors


@pytest.mark.parametrize(
    "cls",
    [
        errors.ParseError,
        errors.InvalidRequest,
        errors.MethodNotFound,
        errors.InvalidParams,
        errors.InternalError,
        errors.Forbidden,
        errors.NotFound,
        errors.Conflict,
        errors.ValidationFailed,
        errors.SystemFailure,
        errors.Timeout,
        errors.Unavailable,
    ],
)
def test_every_error_survives_the_round_trip_through_an_error_object(cls):
    original = cls("went wrong", code="special-code", field="name", details={"extra": 1})
    back = errors.from_error_object(original.to_error())
    assert type(back) is cls
    assert (back.message, back.code, back.field, back.details) == (
        "went wrong",
        "special-code",
        "name",
        {"extra": 1},
    )


def test_application_codes_stay_in_the_reserved_server_range():
    app = [errors.Forbidden, errors.NotFound, errors.Conflict, errors.ValidationFailed]
    app += [errors.SystemFailure, errors.Timeout, errors.Unavailable]
    for cls in app:
        assert -32099 <= cls.rpc_code <= -32000


def test_a_malformed_error_object_becomes_an_internal_error():
    assert isinstance(errors.from_error_object("nope"), errors.InternalError)
    odd = errors.from_error_object({"code": "x", "message": 5})
    assert type(odd) is errors.SuperCPError
