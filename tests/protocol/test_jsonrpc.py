import pytest

from supercp.protocol import jsonrpc
from supercp.protocol.errors import InvalidRequest, ParseError


def parse(text: str):
    return jsonrpc.parse_message(text.encode())


def test_it_parses_a_request_with_named_params():
    item = parse('{"jsonrpc":"2.0","method":"m","params":{"a":1},"id":"x"}')
    assert item == jsonrpc.Request("m", {"a": 1}, "x", notification=False)


def test_a_missing_id_makes_a_notification_but_a_null_id_does_not():
    assert parse('{"jsonrpc":"2.0","method":"m"}').notification
    item = parse('{"jsonrpc":"2.0","method":"m","id":null}')
    assert isinstance(item, jsonrpc.Request)
    assert not item.notification


@pytest.mark.parametrize(
    "text",
    [
        '{"jsonrpc":"2.0","method":"m","params":"bar","id":1}',
        '{"jsonrpc":"1.0","method":"m","id":1}',
        '{"method":"m","id":1}',
        '{"jsonrpc":"2.0","method":1,"id":1}',
        '{"jsonrpc":"2.0","method":"m","params":3,"id":1}',
        '{"foo":"boo"}',
        "1",
        '"x"',
    ],
)
def test_it_marks_invalid_request_objects(text):
    item = parse(text)
    assert isinstance(item, jsonrpc.Invalid)
    assert isinstance(item.error, InvalidRequest)


def test_an_invalid_request_echoes_a_valid_id_and_nulls_an_invalid_one():
    assert parse('{"jsonrpc":"2.0","method":1,"id":7}').id == 7
    item = parse('{"jsonrpc":"2.0","method":"m","id":true}')
    assert isinstance(item, jsonrpc.Invalid)
    assert item.id is None
    item = parse('{"jsonrpc":"2.0","method":"m","id":{"a":1}}')
    assert isinstance(item, jsonrpc.Invalid)
    assert item.id is None


@pytest.mark.parametrize(
    "raw",
    [
        b'{"jsonrpc":"2.0","method":"foobar,"params":"bar","baz]',
        b"",
        b"\xff\xfe{}",
        b'{"a":"\xc3\x28"}',
        b'{"a":NaN}',
        b"\xef\xbb\xbf{}",  # a BOM is not part of a JSON text on the wire
        b"[" * 200000,
    ],
)
def test_it_raises_parse_error_for_anything_not_strict_utf8_json(raw):
    with pytest.raises(ParseError):
        jsonrpc.parse_message(raw)


def test_an_empty_batch_is_one_invalid_request():
    with pytest.raises(InvalidRequest):
        parse("[]")


def test_a_batch_parses_member_by_member():
    items = parse('[{"jsonrpc":"2.0","method":"a","id":1},1,{"jsonrpc":"2.0","method":"b"}]')
    assert isinstance(items, list)
    assert [type(i).__name__ for i in items] == ["Request", "Invalid", "Request"]


def test_responses_have_exactly_the_members_the_spec_names():
    assert jsonrpc.result_response(1, "pong") == {"jsonrpc": "2.0", "result": "pong", "id": 1}
    err = jsonrpc.error_response(None, InvalidRequest("bad"))
    assert set(err) == {"jsonrpc", "error", "id"}
    assert err["error"] == {"code": -32600, "message": "bad", "data": {"code": "invalid-request"}}
