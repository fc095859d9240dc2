"""The DNS manager against a fake pdns_server and a runner that records pdnsutil's argv;
show-zone's parser against PowerDNS 4.7's real output (tests/daemon/golden/dns/). The real
PowerDNS is exercised in tests/integration/test_dns.py."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from supercp.daemon.config import DaemonConfig
from supercp.daemon.dns.keys import parse_exported_dnskey, parse_show_zone
from supercp.daemon.dns.manager import DnsManager
from supercp.daemon.dns.server import PdnsServer, Purger, ZoneState
from supercp.daemon.handlers import all_methods
from supercp.daemon.system.runner import Completed
from supercp.protocol.client import DaemonClient
from supercp.protocol.errors import Conflict, InvalidParams, NotFound, Unavailable
from tests.daemon.threaded import ThreadDaemon

GOLDEN = Path(__file__).parent / "golden/dns"
ZONE = "example.org"


def golden(name: str) -> str:
    return (GOLDEN / name).read_text()


class FakeServer:
    """pdns_server as the manager sees it: zone states by name, control commands recorded."""

    def __init__(self, states: dict[str, ZoneState] | None = None) -> None:
        self.states = states if states is not None else {ZONE: ZoneState.UNSIGNED}
        self.commands: list[tuple[str, ...]] = []
        self.notify_reply = "Added to queue"
        self.gate: asyncio.Event | None = None

    async def control(self, *words: str) -> str:
        self.commands.append(words)
        if self.gate is not None:
            await self.gate.wait()
        if words[0] == "purge":
            return "0"
        return self.notify_reply

    async def zone_state(self, zone: str) -> ZoneState:
        return self.states.get(zone, ZoneState.ABSENT)


class PdnsutilRunner:
    """Answers pdnsutil as PowerDNS 4.7 does; records every argv."""

    def __init__(self, show_zone: str = "show-zone-unsigned.txt") -> None:
        self.calls: list[tuple[str, ...]] = []
        self.show_zone = golden(show_zone)

    async def run(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        timeout: float | None = None,
        input: bytes | None = None,
    ) -> Completed:
        args = tuple(argv)
        self.calls.append(args)
        verb = args[2]
        out = ""
        if verb == "show-zone":
            out = self.show_zone
        elif verb == "add-zone-key":
            out = "1\n"
            self.show_zone = golden("show-zone-csk.txt")
        elif verb == "disable-dnssec":
            self.show_zone = golden("show-zone-unsigned.txt")
        elif verb == "export-zone-dnskey":
            out = golden("export-zone-dnskey-zsk.txt")
        return Completed(args, 0, out, "")

    def verbs(self) -> list[tuple[str, ...]]:
        """Each call without "pdnsutil --config-dir=…"."""
        return [call[2:] for call in self.calls]


def manager(tmp_path: Path, server: FakeServer, runner: PdnsutilRunner | None = None) -> DnsManager:
    return DnsManager(DaemonConfig(root=tmp_path), runner or PdnsutilRunner(), server)


def test_refresh_purges_the_zone_and_everything_below_it_then_notifies(tmp_path):
    server = FakeServer()
    runner = PdnsutilRunner()
    result = asyncio.run(manager(tmp_path, server, runner).refresh(ZONE))
    assert server.commands == [("purge", "example.org$"), ("notify", "example.org")]
    assert (result.rectified, result.notified) == (False, True)
    assert runner.calls == []  # nothing to rectify in an unsigned zone


def test_refresh_of_a_signed_zone_rectifies_it_then_purges_again(tmp_path):
    server = FakeServer({ZONE: ZoneState.SIGNED})
    runner = PdnsutilRunner()
    result = asyncio.run(manager(tmp_path, server, runner).refresh(ZONE))
    assert runner.calls == [
        ("pdnsutil", f"--config-dir={tmp_path}/etc/powerdns", "rectify-zone", ZONE)
    ]
    assert server.commands == [
        ("purge", "example.org$"),
        ("purge", "example.org$"),
        ("notify", "example.org"),
    ]
    assert result.rectified


def test_a_zone_powerdns_does_not_serve_is_purged_then_not_found(tmp_path):
    server = FakeServer({})
    with pytest.raises(NotFound) as err:
        asyncio.run(manager(tmp_path, server).refresh(ZONE))
    assert (err.value.code, err.value.field) == ("zone-not-found", "zone")
    # The panel refreshes after deleting a zone: its cached answers must go all the same.
    assert server.commands == [("purge", "example.org$")]


@pytest.mark.parametrize(
    ("call", "args"),
    [("rectify", ()), ("secure", ("ed25519",)), ("unsecure", ()), ("dnssec", ())],
)
def test_nothing_runs_on_a_zone_powerdns_does_not_serve(tmp_path, call, args):
    runner = PdnsutilRunner()
    dns_manager = manager(tmp_path, FakeServer({}), runner)
    with pytest.raises(NotFound) as err:
        asyncio.run(getattr(dns_manager, call)(ZONE, *args))
    assert err.value.code == "zone-not-found"
    assert runner.calls == []


def test_a_notify_powerdns_did_not_queue_is_reported(tmp_path):
    server = FakeServer()
    server.notify_reply = "Failed to add to the queue - see log"
    assert not asyncio.run(manager(tmp_path, server).refresh(ZONE)).notified


def test_secure_adds_one_combined_key_rectifies_and_returns_its_ds(tmp_path):
    server = FakeServer()
    runner = PdnsutilRunner()
    state = asyncio.run(manager(tmp_path, server, runner).secure(ZONE, "ecdsap256sha256"))
    assert runner.verbs() == [
        ("show-zone", ZONE),
        ("add-zone-key", ZONE, "ksk", "active", "published", "ecdsa256"),
        ("rectify-zone", ZONE),
        ("show-zone", ZONE),
    ]
    assert server.commands[-2:] == [("purge", "example.org$"), ("notify", "example.org")]
    assert state.secured
    [key] = state.keys
    assert (key.kind, key.algorithm, key.active, key.published) == (
        "csk",
        "ecdsap256sha256",
        True,
        True,
    )
    assert key.dnskey.startswith("257 3 13 3LeA077g")
    assert key.ds[0].startswith("38983 13 2 0c84c8e5")


def test_secure_with_ed25519_asks_pdnsutil_for_ed25519(tmp_path):
    runner = PdnsutilRunner()
    asyncio.run(manager(tmp_path, FakeServer(), runner).secure(ZONE, "ed25519"))
    assert ("add-zone-key", ZONE, "ksk", "active", "published", "ed25519") in runner.verbs()


def test_securing_a_zone_signed_with_that_algorithm_adds_no_key(tmp_path):
    runner = PdnsutilRunner("show-zone-csk.txt")
    state = asyncio.run(manager(tmp_path, FakeServer(), runner).secure(ZONE, "ecdsap256sha256"))
    assert not [v for v in runner.verbs() if v[0] == "add-zone-key"]
    assert state.secured


def test_securing_a_zone_signed_with_another_algorithm_is_a_conflict(tmp_path):
    runner = PdnsutilRunner("show-zone-csk.txt")
    with pytest.raises(Conflict) as err:
        asyncio.run(manager(tmp_path, FakeServer(), runner).secure(ZONE, "ed25519"))
    assert (err.value.code, err.value.field) == ("dnssec-algorithm-differs", "algorithm")
    assert runner.verbs() == [("show-zone", ZONE)]


def test_unsecure_disables_dnssec_and_rectifies(tmp_path):
    server = FakeServer({ZONE: ZoneState.SIGNED})
    runner = PdnsutilRunner("show-zone-csk.txt")
    state = asyncio.run(manager(tmp_path, server, runner).unsecure(ZONE))
    assert runner.verbs() == [
        ("disable-dnssec", ZONE),
        ("rectify-zone", ZONE),
        ("show-zone", ZONE),
    ]
    assert (state.secured, state.keys) == (False, [])


def test_rectify_rectifies_and_purges(tmp_path):
    server = FakeServer()
    runner = PdnsutilRunner()
    result = asyncio.run(manager(tmp_path, server, runner).rectify(ZONE))
    assert runner.verbs() == [("rectify-zone", ZONE)]
    assert server.commands[-1] == ("purge", "example.org$")
    assert (result.rectified, result.notified) == (True, False)


def test_dnssec_state_lists_every_key_with_a_zsks_dnskey_from_export(tmp_path):
    runner = PdnsutilRunner("show-zone-rollover.txt")
    state = asyncio.run(manager(tmp_path, FakeServer(), runner).dnssec(ZONE))
    assert runner.verbs() == [("show-zone", ZONE), ("export-zone-dnskey", ZONE, "6")]
    assert [(k.id, k.kind, k.active) for k in state.keys] == [
        (5, "csk", False),
        (6, "zsk", True),
        (4, "ksk", True),
    ]
    assert state.keys[1].dnskey.startswith("256 3 13 We7nBxVq")
    assert state.keys[1].ds == []
    assert state.secured


def test_show_zone_of_a_csk_zone():
    [key] = parse_show_zone(golden("show-zone-csk.txt"))
    assert (key.id, key.kind, key.flags, key.tag, key.bits) == (1, "csk", 257, 38983, 256)
    assert key.algorithm == "ecdsap256sha256"
    assert key.dnskey == (
        "257 3 13 3LeA077gwSfUSq0TyJQnEGZmB6Ozqe6KtwFdgINGlMuuKr0JTV87/"
        "K0ekVz3nFWN2cpUf/KWZtSfBK9eYIJR/w=="
    )
    assert [ds.split()[:3] for ds in key.ds] == [["38983", "13", "2"], ["38983", "13", "4"]]


def test_show_zone_of_a_rollover_keeps_each_keys_own_records():
    inactive, zsk, ksk = parse_show_zone(golden("show-zone-rollover.txt"))
    assert (inactive.algorithm, inactive.active, inactive.published) == ("ed25519", False, False)
    assert inactive.ds[0].startswith("52411 15 2 ")
    assert (zsk.kind, zsk.dnskey, zsk.ds) == ("zsk", "", [])
    assert ksk.dnskey.startswith("257 3 13 PxFo3Fcs")
    assert ksk.ds[0].startswith("24862 13 2 ")


def test_show_zone_of_an_unsigned_zone_has_no_keys():
    assert parse_show_zone(golden("show-zone-unsigned.txt")) == []


def test_ds_records_put_sha256_first_whatever_pdnsutil_prints():
    text = golden("show-zone-csk.txt").splitlines()
    text[-1], text[-2] = text[-2], text[-1]
    [key] = parse_show_zone("\n".join(text))
    assert key.ds[0].split()[2] == "2"


def test_exported_dnskey():
    assert parse_exported_dnskey(golden("export-zone-dnskey-zsk.txt")).startswith("256 3 13 ")
    assert parse_exported_dnskey("Error: Can't find a key with id 7") == ""


def test_purges_that_arrive_together_go_in_one_command():
    async def scenario() -> tuple[FakeServer, Purger]:
        server = FakeServer()
        server.gate = asyncio.Event()
        purger = Purger(server)
        first = asyncio.create_task(purger.purge("a.org"))
        await asyncio.sleep(0)  # the first command is under way, held at the gate
        rest = [asyncio.create_task(purger.purge(z)) for z in ("b.org", "c.org", "b.org")]
        await asyncio.sleep(0)
        server.gate.set()
        await asyncio.gather(first, *rest)
        return server, purger

    server, purger = asyncio.run(scenario())
    assert server.commands == [("purge", "a.org$"), ("purge", "b.org$", "c.org$")]
    assert purger.commands == 2


def test_a_zone_asked_for_again_during_its_purge_is_purged_again():
    async def scenario() -> FakeServer:
        server = FakeServer()
        server.gate = asyncio.Event()
        purger = Purger(server)
        first = asyncio.create_task(purger.purge("a.org"))
        await asyncio.sleep(0)
        again = asyncio.create_task(purger.purge("a.org"))
        await asyncio.sleep(0)
        server.gate.set()
        await asyncio.gather(first, again)
        return server

    # The data may have changed after the first purge began: it must not count.
    assert asyncio.run(scenario()).commands == [("purge", "a.org$"), ("purge", "a.org$")]


def test_a_failed_purge_reaches_every_caller_of_its_batch():
    class Down(FakeServer):
        async def control(self, *words: str) -> str:
            raise Unavailable("PowerDNS does not answer", code="pdns-unavailable")

    async def scenario() -> list[BaseException | None]:
        purger = Purger(Down())
        outcomes = await asyncio.gather(
            purger.purge("a.org"), purger.purge("b.org"), return_exceptions=True
        )
        return [o if isinstance(o, BaseException) else None for o in outcomes]

    outcomes = asyncio.run(scenario())
    assert all(isinstance(o, Unavailable) for o in outcomes)


@pytest.fixture
def control_socket(tmp_path: Path) -> Iterator[tuple[Path, list[bytes]]]:
    """A stand-in for pdns_server's control socket: one reply per command, then close."""
    path = tmp_path / "pdns.controlsocket"
    received: list[bytes] = []
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(8)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                line = conn.makefile("rb").readline()
                received.append(line)
                conn.sendall(b"PONG" if line == b"rping\n" else b"7")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path, received
    # Closing alone does not wake the accept() waiting in the thread; shutting down does.
    listener.shutdown(socket.SHUT_RDWR)
    listener.close()
    thread.join(10)


def test_the_control_socket_gets_one_line_and_the_reply_is_read_to_the_end(control_socket):
    path, received = control_socket
    server = PdnsServer(path)

    async def scenario() -> list[str]:
        return list(
            await asyncio.gather(*(server.control("purge", f"z{i}.org$") for i in range(5)))
        )

    assert asyncio.run(scenario()) == ["7"] * 5
    assert sorted(received) == [f"purge z{i}.org$\n".encode() for i in range(5)]


def test_no_control_socket_is_pdns_unavailable(tmp_path):
    with pytest.raises(Unavailable) as err:
        asyncio.run(PdnsServer(tmp_path / "missing").control("rping"))
    assert err.value.code == "pdns-unavailable"


@pytest.fixture
def fake_dns() -> Iterator[tuple[str, int]]:
    """A UDP name server on the loopback answering DNSKEY queries the way PowerDNS does."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()
    signed = dns.name.from_text("signed.org")
    unsigned = dns.name.from_text("unsigned.org")
    parent = dns.name.from_text("org")

    def answer(query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        name = query.question[0].name
        soa = "ns1.{0} hostmaster.{0} 1 10800 3600 604800 3600"
        if name == signed:
            response.flags |= dns.flags.AA
            response.answer.append(dns.rrset.from_text(name, 3600, "IN", "DNSKEY", "257 3 13 AAAA"))
        elif name == unsigned:
            response.flags |= dns.flags.AA
            response.authority.append(
                dns.rrset.from_text(name, 3600, "IN", "SOA", soa.format(name))
            )
        elif name.is_subdomain(parent) and name != parent:
            # A name inside a zone we serve, not a zone itself: that zone's SOA.
            response.flags |= dns.flags.AA
            response.authority.append(
                dns.rrset.from_text(parent, 3600, "IN", "SOA", soa.format(parent))
            )
        else:
            response.set_rcode(dns.rcode.REFUSED)
        return response

    def serve() -> None:
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            sock.sendto(answer(dns.message.from_wire(data)).to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield sock.getsockname()
    stop.set()
    thread.join(2)
    sock.close()


@pytest.mark.parametrize(
    ("zone", "state"),
    [
        ("signed.org", ZoneState.SIGNED),
        ("unsigned.org", ZoneState.UNSIGNED),
        ("www.org", ZoneState.ABSENT),
        ("elsewhere.net", ZoneState.ABSENT),
    ],
)
def test_zone_state_from_powerdns_answers(tmp_path, fake_dns, zone, state):
    address, port = fake_dns
    server = PdnsServer(tmp_path / "unused", address=address, port=port)
    assert asyncio.run(server.zone_state(zone)) is state


def test_zone_state_without_an_answer_is_pdns_unavailable(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        server = PdnsServer(tmp_path, port=silent.getsockname()[1], timeout=0.2)
        with pytest.raises(Unavailable) as err:
            asyncio.run(server.zone_state("example.org"))
    assert err.value.code == "pdns-unavailable"


def test_every_dns_method_serves_root_and_panel_one_call_per_zone_at_a_time():
    methods = {m.name: m for m in all_methods() if m.name.startswith("dns.")}
    assert sorted(methods) == [
        "dns.zone.dnssec",
        "dns.zone.rectify",
        "dns.zone.refresh",
        "dns.zone.secure",
        "dns.zone.unsecure",
    ]
    for method in methods.values():
        assert method.callers == {"root", "panel"}
        assert method.lock is not None
        assert method.lock(method.parse_params({"zone": ZONE})) == "zone:example.org"


def test_refresh_through_the_daemons_socket(world_dir):
    d = ThreadDaemon(world_dir, dns=DnsManager(DaemonConfig(), PdnsutilRunner(), FakeServer()))
    d.start()
    try:
        with DaemonClient(d.socket) as c:
            assert c.call("dns.zone.refresh", {"zone": ZONE}) == {
                "zone": ZONE,
                "rectified": False,
                "notified": True,
            }
            with pytest.raises(InvalidParams) as err:
                c.call("dns.zone.refresh", {"zone": "Not A Zone"})
            assert err.value.field == "zone"
            with pytest.raises(NotFound) as missing:
                c.call("dns.zone.dnssec", {"zone": "gone.example.org"})
            assert missing.value.code == "zone-not-found"
    finally:
        d.stop()
