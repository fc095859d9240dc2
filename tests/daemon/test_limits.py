"""Malformed, oversized and stalled input: errors for the offender, nothing for the others."""

import socket
import subprocess
import time

from supercp.daemon.server import BACKLOG
from supercp.protocol.framing import MAX_MESSAGE
from tests.rpc import RawClient, request


def test_a_message_over_one_mebibyte_is_refused_and_the_connection_closed(test_daemon):
    with RawClient(str(test_daemon.socket)) as bystander, RawClient(str(test_daemon.socket)) as c:
        payload = b'{"jsonrpc":"2.0","method":"system.ping","params":{"x":"' + b"a" * MAX_MESSAGE
        c.send(payload + b'"},"id":1}\n')
        answer = c.recv()
        assert answer["error"]["code"] == -32600
        assert answer["error"]["data"]["code"] == "message-too-large"
        assert c.closed_by_server()
        assert bystander.call(request("system.ping"))["result"] == "pong"


def test_a_message_just_under_the_limit_is_read_and_answered(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        head = b'{"jsonrpc":"2.0","method":"system.ping","id":1,"pad":"'
        tail = b'"}'
        c.send(head + b"a" * (MAX_MESSAGE - len(head) - len(tail)) + tail + b"\n")
        assert c.recv()["result"] == "pong"


def test_invalid_utf8_is_a_parse_error_and_the_connection_lives_on(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        c.send(b'{"jsonrpc":"2.0","method":"system.\xff\xfeping","id":1}\n')
        assert c.recv()["error"]["code"] == -32700
        assert c.call(request("system.ping"))["result"] == "pong"


def test_a_line_that_never_ends_is_cut_off_without_hurting_others(test_daemon):
    # The test daemon's line_timeout is 2 s.
    with RawClient(str(test_daemon.socket)) as c, RawClient(str(test_daemon.socket)) as other:
        c.send(b'{"jsonrpc":"2.0","method":"sys')
        started = time.monotonic()
        assert other.call(request("system.ping"))["result"] == "pong"
        answer = c.recv(timeout=10)
        assert answer["error"]["data"]["code"] == "message-timeout"
        assert c.closed_by_server()
        assert 1.5 < time.monotonic() - started < 10
        assert other.call(request("system.ping"))["result"] == "pong"


def test_a_half_closed_client_still_gets_its_answers(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        c.send(b'{"jsonrpc":"2.0","method":"system.info","id":1}\n')
        c.sock.shutdown(socket.SHUT_WR)
        assert "hostname" in c.recv()["result"]
        assert c.closed_by_server()


def test_garbage_and_abrupt_disconnects_never_stop_the_daemon(test_daemon):
    junk = [
        b"\x00\x01\x02\n",
        b"[" * 100000 + b"\n",
        b'{"jsonrpc":"2.0","method":"system.ping","id":1e400}\n',
        b'{"jsonrpc":"2.0","method":"system.ping","id":' + b"9" * 5000 + b"}\n",
        b'"\\ud800"\n',
        b"null\n",
        b"{}\n" * 1000,
    ]
    for data in junk:
        s = socket.socket(socket.AF_UNIX)
        s.connect(str(test_daemon.socket))
        s.sendall(data)
        s.close()  # without reading the answers
    with RawClient(str(test_daemon.socket)) as c:
        assert c.call(request("system.ping"))["result"] == "pong"
    assert test_daemon.proc.poll() is None


def test_many_requests_in_flight_on_one_connection_all_get_answers(test_daemon):
    with RawClient(str(test_daemon.socket)) as c:
        c.send(
            b"".join(b'{"jsonrpc":"2.0","method":"system.ping","id":%d}\n' % i for i in range(500))
        )
        ids = {c.recv()["id"] for _ in range(500)}
    assert ids == set(range(500))


def test_the_socket_queues_a_burst_of_new_connections(test_daemon):
    # A Unix socket refuses connects beyond its listen backlog at once (EAGAIN), so a burst
    # of panel requests needs a deep queue; ss shows a listener's backlog as its Send-Q.
    out = subprocess.run(
        ["ss", "-xlH", "src", str(test_daemon.socket)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "u_str"
    assert out[1] == "LISTEN"
    assert int(out[3]) == BACKLOG >= 1024
    socks = [socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(300)]
    try:
        for sock in socks:
            sock.connect(str(test_daemon.socket))
    finally:
        for sock in socks:
            sock.close()
