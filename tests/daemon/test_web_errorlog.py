"""The sites' error logs: nginx's tagged datagrams to each site's file, nothing across sites."""

import asyncio
import os
import socket

import pytest

from supercp.daemon.config import DaemonConfig
from supercp.daemon.web.errorlog import ErrorLogs
from supercp.daemon.web.layout import WebLayout, log_tag


def datagram(domain: str, message: bytes) -> bytes:
    # As nginx 1.22 sends it (error_log syslog:...,tag=...,nohostname).
    return b"<187>Nov 25 03:25:50 " + log_tag(domain).encode() + b": " + message


@pytest.fixture
def logs(tmp_path):
    layout = WebLayout(DaemonConfig(root=tmp_path))
    layout.log_dir.mkdir(parents=True)
    sites = {"alice.example", "bob.example"}
    return ErrorLogs(layout, lambda: sites), layout, sites


def read(layout: WebLayout, domain: str) -> bytes:
    path = layout.log(domain, "error")
    return path.read_bytes() if path.exists() else b""


def test_each_message_goes_to_the_site_of_its_tag(logs):
    errors, layout, _ = logs
    errors.deliver(
        [
            datagram("alice.example", b"2026/11/25 03:25:50 [error] 1#1: *1 open() failed"),
            datagram("bob.example", b"2026/11/25 03:25:51 [error] 1#1: *2 upstream timed out"),
            datagram("alice.example", b"2026/11/25 03:25:52 [error] 1#1: *3 second\n"),
        ]
    )
    assert read(layout, "alice.example") == (
        b"2026/11/25 03:25:50 [error] 1#1: *1 open() failed\n"
        b"2026/11/25 03:25:52 [error] 1#1: *3 second\n"
    )
    assert (
        read(layout, "bob.example") == b"2026/11/25 03:25:51 [error] 1#1: *2 upstream timed out\n"
    )
    assert errors.written == 3


def test_a_message_cannot_forge_a_line_or_a_tag_of_another_site(logs):
    errors, layout, _ = logs
    # What a client's URI (%0a decoded) or a site's PHP can put into nginx's message.
    forged = (
        b'2026/11/25 03:25:50 [error] 1#1: *1 open() "/x\n'
        + datagram("bob.example", b"2026/11/25 03:25:50 [error] 1#1: *9 fake, server: bob.example")
        + b'\r\n" failed, client: 127.0.0.1, server: alice.example'
    )
    errors.deliver([datagram("alice.example", forged)])
    assert read(layout, "bob.example") == b""
    [line] = read(layout, "alice.example").splitlines()
    assert b"\\n<187>" in line
    assert line.endswith(b"server: alice.example")


def test_unknown_tags_and_garbage_are_dropped(logs):
    errors, layout, _ = logs
    errors.deliver(
        [
            datagram("carol.example", b"not ours"),
            b"garbage without a header",
            b"<187>Nov 25 03:25:50 sZZZZ: bad tag",
        ]
    )
    assert errors.dropped == 3
    assert list(layout.log_dir.iterdir()) == []


def test_a_forgotten_site_gets_no_log_back(logs):
    errors, layout, sites = logs
    errors.deliver([datagram("alice.example", b"one")])
    sites.discard("alice.example")
    errors.forget("alice.example")
    layout.log("alice.example", "error").unlink()
    errors.deliver([datagram("alice.example", b"late")])
    assert not layout.log("alice.example", "error").exists()


def test_the_socket_takes_datagrams_from_its_group_only(logs):
    errors, layout, _ = logs
    layout.error_socket.parent.mkdir(parents=True, exist_ok=True)

    async def scenario() -> None:
        await errors.start(os.getgid())
        try:
            st = layout.error_socket.stat()
            assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (0, os.getgid(), 0o620)
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
                sender.sendto(datagram("bob.example", b"via the socket"), str(layout.error_socket))
                sender.sendto(datagram("bob.example", b"and again"), str(layout.error_socket))
            for _ in range(100):
                if errors.written == 2:
                    break
                await asyncio.sleep(0.01)
        finally:
            errors.close()

    asyncio.run(scenario())
    assert read(layout, "bob.example") == b"via the socket\nand again\n"
