import pytest
from pydantic import ValidationError

from supercp.protocol import accounts
from supercp.protocol.models import invalid_params


@pytest.mark.parametrize(
    "name",
    ["alice", "a", "web-1", "b_2", "a" * 32],
)
def test_it_accepts_valid_account_names(name):
    assert accounts.EnsureParams(name=name).name == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "Alice",
        "1abc",
        "-x",
        "a" * 33,
        "alice\n",
        "al ice",
        "al;ice",
        "a$(id)",
        "../etc",
        "al\x00ice",
        "ålice",
    ],
)
def test_it_refuses_invalid_account_names(name):
    with pytest.raises(ValidationError):
        accounts.EnsureParams(name=name)


def test_strict_params_refuse_type_coercion():
    with pytest.raises(ValidationError):
        accounts.EnsureParams.model_validate({"name": "alice", "login_shell": "yes"})


def test_invalid_params_name_the_unknown_field_without_echoing_input():
    try:
        accounts.EnsureParams.model_validate({"name": "alice", "secret_thing": "hunter2"})
    except ValidationError as err:
        converted = invalid_params(err)
    assert converted.field == "secret_thing"
    assert converted.code == "validation"
    assert "hunter2" not in str(converted.to_error())
