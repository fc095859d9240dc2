"""Every answer the JSON-RPC 2.0 specification describes, through the daemon's real socket.

The examples follow section 7 of the specification, with the daemon's own methods in place
of "subtract" and "update".
"""

import json

from tests.rpc import RawClient, notification, request


def test_a_call_gets_its_result_with_the_same_id(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        assert c.call(request("system.ping", rid=1)) == {
            "jsonrpc": "2.0",
            "result": "pong",
            "id": 1,
        }
        assert c.call(request("system.ping", rid="abc")) == {
            "jsonrpc": "2.0",
            "result": "pong",
            "id": "abc",
        }


def test_a_null_id_is_a_request_and_gets_an_answer(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        assert c.call(request("system.ping", rid=None))["id"] is None


def test_params_may_come_by_position_or_by_name(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        by_name = c.call(request("services.status", {"service": "nginx"}))
        by_position = c.call(request("services.status", ["nginx"]))
        assert by_name["result"] == by_position["result"]
        assert [s["name"] for s in by_name["result"]["services"]] == ["nginx"]
        assert c.call(request("system.ping", []))["result"] == "pong"
        assert c.call(request("system.ping", {}))["result"] == "pong"


def test_too_many_positional_params_are_invalid_params(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        answer = c.call(request("system.ping", ["extra"]))
        assert answer["error"]["code"] == -32602


def test_a_notification_gets_no_response_ever(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        c.send_json(notification("system.ping"))
        c.send_json(notification("no.such.method"))
        c.send_json(notification("accounts.ensure", {"name": "BAD NAME"}))
        c.expect_silence()
        # The connection is still fine afterwards.
        assert c.call(request("system.ping", rid=9))["id"] == 9


def test_a_notification_still_runs_and_is_audited(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        c.send_json(notification("system.ping"))
        # A call that may change the system writes the audit (and what is pending) first.
        c.call(request("accounts.list"))
    records = [json.loads(line) for line in test_daemon.audit_lines()]
    assert [(r["method"], r["notification"]) for r in records] == [
        ("system.ping", True),
        ("accounts.list", False),
    ]


def test_an_unknown_method_is_method_not_found(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        answer = c.call(request("foobar", rid="1"))
    assert answer == {
        "jsonrpc": "2.0",
        "error": {
            "code": -32601,
            "message": "Method not found: foobar",
            "data": {"code": "method-not-found"},
        },
        "id": "1",
    }


def test_invalid_json_is_a_parse_error_with_null_id(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        c.send(b'{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]\n')
        answer = c.recv()
    assert answer["error"]["code"] == -32700
    assert answer["id"] is None
    assert answer["jsonrpc"] == "2.0"


def test_an_invalid_request_object_is_invalid_request_with_null_id(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        answer = c.call({"jsonrpc": "2.0", "method": 1, "params": "bar"})
    assert answer["error"]["code"] == -32600
    assert answer["id"] is None


def test_a_batch_with_invalid_json_is_one_parse_error(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        c.send(
            b'[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},'
            b'{"jsonrpc": "2.0", "method"]\n'
        )
        answer = c.recv()
    assert isinstance(answer, dict)
    assert answer["error"]["code"] == -32700


def test_an_empty_batch_is_one_invalid_request_not_an_array(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        answer = c.call([])
    assert isinstance(answer, dict)
    assert answer["error"]["code"] == -32600
    assert answer["id"] is None


def test_an_invalid_batch_gets_one_error_per_member(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        assert [a["error"]["code"] for a in c.call([1])] == [-32600]
        answers = c.call([1, 2, 3])
    assert [a["error"]["code"] for a in answers] == [-32600] * 3
    assert all(a["id"] is None for a in answers)


def test_a_mixed_batch_answers_every_request_and_no_notification(test_daemon):
    batch = [
        request("system.ping", rid="1"),
        notification("system.ping"),
        request("services.status", ["nginx"], rid="2"),
        {"foo": "boo"},
        request("foo.get", {"name": "myself"}, rid="5"),
        request("accounts.ensure", {"name": "x", "unknown": 1}, rid="9"),
    ]
    with RawClient(str(test_daemon.socket)) as c:
        answers = c.call(batch)
    by_id = {a["id"]: a for a in answers if a["id"] is not None}
    assert len(answers) == 5
    assert by_id["1"]["result"] == "pong"
    assert by_id["2"]["result"]["services"][0]["name"] == "nginx"
    assert by_id["5"]["error"]["code"] == -32601
    assert by_id["9"]["error"]["code"] == -32602
    assert by_id["9"]["error"]["data"] == {
        "code": "validation",
        "field": "unknown",
        "errors": [{"field": "unknown", "message": "unknown field", "type": "extra_forbidden"}],
    }
    invalid = [a for a in answers if a["id"] is None]
    assert [a["error"]["code"] for a in invalid] == [-32600]


def test_a_batch_of_only_notifications_gets_nothing_back(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        c.send_json([notification("system.ping"), notification("system.ping")])
        c.expect_silence()
        assert c.call(request("system.ping"))["result"] == "pong"


def test_every_response_has_exactly_jsonrpc_id_and_one_of_result_or_error(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        for answer in (
            c.call(request("system.ping")),
            c.call(request("nope")),
            c.call({"jsonrpc": "2.0"}),
        ):
            assert answer["jsonrpc"] == "2.0"
            assert "id" in answer
            assert ("result" in answer) != ("error" in answer)
            assert set(answer) == {"jsonrpc", "id", "result"} or set(answer) == {
                "jsonrpc",
                "id",
                "error",
            }


def test_blank_lines_between_messages_are_ignored(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        c.send(b"\n\n" + b'{"jsonrpc":"2.0","method":"system.ping","id":3}\n')
        assert c.recv()["id"] == 3


def test_describe_lists_every_method_with_schemas_and_callers(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        methods = c.call(request("system.describe"))["result"]["methods"]
    names = {m["name"] for m in methods}
    assert {"system.ping", "system.info", "system.describe", "accounts.ensure"} <= names
    assert {"accounts.remove", "accounts.list", "services.status", "services.reload"} <= names
    ensure = next(m for m in methods if m["name"] == "accounts.ensure")
    assert ensure["params"]["additionalProperties"] is False
    assert ensure["params"]["properties"]["name"]["pattern"] == "^[a-z][a-z0-9_-]{0,31}$"
    assert ensure["callers"] == ["panel", "root"]
    assert ensure["result"]["type"] == "object"
