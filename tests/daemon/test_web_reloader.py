"""The group-commit reloader with a fake service: coalescing, and pinning the culprits; and
a service that is two commands (a check and a reload)."""

import asyncio
from collections.abc import Sequence
from pathlib import Path

from supercp.daemon.system.reloader import (
    Change,
    CommandService,
    Fingerprint,
    Reloader,
    ReloadFailed,
)
from supercp.daemon.system.runner import SystemRunner
from supercp.protocol.errors import SuperCPError, Timeout


class FakeService:
    """Valid unless a file holds b"bad"; each reload takes a while, like nginx's.

    Files named ``foreign*`` are the admin's, the rest ours: the fingerprint is of those.
    """

    name = "nginx"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.checks = 0
        self.reloaded: list[list[str]] = []

    async def check(self) -> str | None:
        self.checks += 1
        bad = sorted(p.name for p in self.directory.iterdir() if p.read_bytes() == b"bad")
        return f"bad files: {', '.join(bad)}" if bad else None

    def fingerprint(self) -> Fingerprint:
        foreign = (p for p in self.directory.iterdir() if p.name.startswith("foreign"))
        return frozenset((str(p), hash(p.read_bytes()), 0, 0, 0) for p in foreign)

    async def reload(self, changes: Sequence[Change]) -> None:
        await asyncio.sleep(0.05)
        self.reloaded.append([c.key for c in changes])


def change(directory: Path, name: str, data: bytes | None) -> Change:
    return Change(name, {directory / name: data})


def test_concurrent_changes_share_reloads_and_every_caller_is_answered_after_its_own(tmp_path):
    service = FakeService(tmp_path)
    reloader = Reloader(service)

    async def main() -> list[list[SuperCPError | None]]:
        return await asyncio.gather(
            *(reloader.commit([change(tmp_path, f"s{i}.conf", b"ok")]) for i in range(20))
        )

    results = asyncio.run(main())
    assert results == [[None]] * 20
    assert 1 <= reloader.reloads <= 2
    assert sorted(k for batch in service.reloaded for k in batch) == sorted(
        f"s{i}.conf" for i in range(20)
    )


def test_a_bad_change_is_pinned_and_restored_while_the_others_go_through(tmp_path):
    (tmp_path / "old.conf").write_bytes(b"ok")
    service = FakeService(tmp_path)
    reloader = Reloader(service)
    changes = [change(tmp_path, f"s{i}.conf", b"bad" if i == 5 else b"ok") for i in range(8)]
    changes.append(change(tmp_path, "old.conf", b"bad"))
    errors = asyncio.run(reloader.commit(changes))
    assert [e is not None for e in errors] == [i in (5, 8) for i in range(9)]
    assert errors[5] is not None
    assert errors[5].code == "nginx-config-invalid"
    assert "s5.conf" in errors[5].message
    assert not (tmp_path / "s5.conf").exists()
    assert (tmp_path / "old.conf").read_bytes() == b"ok"
    assert service.reloaded == [[f"s{i}.conf" for i in range(8) if i != 5]]


def test_a_config_broken_by_someone_else_refuses_everyone_and_reloads_nothing(tmp_path):
    (tmp_path / "foreign.conf").write_bytes(b"bad")
    service = FakeService(tmp_path)
    reloader = Reloader(service)
    errors = asyncio.run(reloader.commit([change(tmp_path, "a.conf", b"ok")]))
    assert errors[0] is not None
    assert "foreign.conf" in errors[0].message
    assert not (tmp_path / "a.conf").exists()
    assert service.reloaded == []
    assert service.checks == 2


def test_removals_restore_the_file_when_refused(tmp_path):
    (tmp_path / "a.conf").write_bytes(b"ok")
    (tmp_path / "foreign.conf").write_bytes(b"bad")
    errors = asyncio.run(Reloader(FakeService(tmp_path)).commit([change(tmp_path, "a.conf", None)]))
    assert errors[0] is not None
    assert (tmp_path / "a.conf").read_bytes() == b"ok"


class StuckService(FakeService):
    async def reload(self, changes: Sequence[Change]) -> None:
        raise Timeout("nginx reload did not happen within 30 s")


def test_a_reload_that_is_not_seen_keeps_the_checked_files_and_says_so(tmp_path):
    errors = asyncio.run(
        Reloader(StuckService(tmp_path)).commit([change(tmp_path, "a.conf", b"ok")])
    )
    assert isinstance(errors[0], ReloadFailed)
    assert errors[0].code == "reload-failed"
    assert (tmp_path / "a.conf").read_bytes() == b"ok"


class SlowChecker(FakeService):
    async def check(self) -> str | None:
        raise Timeout("nginx did not finish in time")


def test_files_whose_check_did_not_finish_are_put_back(tmp_path):
    (tmp_path / "a.conf").write_bytes(b"old")
    reloader = Reloader(SlowChecker(tmp_path))
    errors = asyncio.run(reloader.commit([change(tmp_path, "a.conf", b"new")]))
    assert isinstance(errors[0], Timeout)
    assert (tmp_path / "a.conf").read_bytes() == b"old"
    assert reloader.reloads == 0


def commit(reloader: Reloader, directory: Path, name: str, data: bytes) -> SuperCPError | None:
    [error] = asyncio.run(reloader.commit([change(directory, name, data)]))
    return error


def test_the_whole_check_is_skipped_while_nothing_but_our_files_changed(tmp_path):
    (tmp_path / "foreign.conf").write_bytes(b"ok")
    service = FakeService(tmp_path)
    reloader = Reloader(service)
    assert commit(reloader, tmp_path, "a.conf", b"ok") is None
    assert service.checks == 1  # the first batch since start is always checked
    for name in ("b.conf", "c.conf", "a.conf"):
        assert commit(reloader, tmp_path, name, b"ok") is None
    assert service.checks == 1
    assert (reloader.checks, reloader.skipped, reloader.reloads) == (1, 3, 4)


def test_a_foreign_file_changed_since_the_last_check_is_checked_and_refuses(tmp_path):
    service = FakeService(tmp_path)
    reloader = Reloader(service)
    assert commit(reloader, tmp_path, "a.conf", b"ok") is None
    (tmp_path / "foreign.conf").write_bytes(b"bad")
    error = commit(reloader, tmp_path, "b.conf", b"ok")
    assert error is not None
    assert "foreign.conf" in error.message
    assert not (tmp_path / "b.conf").exists()
    # Still broken: checked again, not trusted.
    assert commit(reloader, tmp_path, "c.conf", b"ok") is not None
    (tmp_path / "foreign.conf").write_bytes(b"fixed")
    assert commit(reloader, tmp_path, "c.conf", b"ok") is None
    assert commit(reloader, tmp_path, "d.conf", b"ok") is None
    assert reloader.skipped == 1
    assert service.reloaded == [["a.conf"], ["c.conf"], ["d.conf"]]


class StuckOnce(FakeService):
    stuck = False

    async def reload(self, changes: Sequence[Change]) -> None:
        if self.stuck:
            self.stuck = False
            (self.directory / "foreign.conf").write_bytes(b"bad")  # what a limit looks like
            raise Timeout("nginx reload did not happen within 30 s")
        await super().reload(changes)


def test_an_unconfirmed_reload_runs_the_whole_check_and_reports_what_it_says(tmp_path):
    service = StuckOnce(tmp_path)
    reloader = Reloader(service)
    assert commit(reloader, tmp_path, "a.conf", b"ok") is None
    service.stuck = True
    error = commit(reloader, tmp_path, "b.conf", b"ok")
    assert isinstance(error, ReloadFailed)
    assert "did not happen" in error.message
    assert "the whole configuration now fails: bad files: foreign.conf" in error.message
    assert service.checks == 2
    assert commit(reloader, tmp_path, "c.conf", b"ok") is not None
    assert service.checks == 4  # not trusted: checked (and the baseline) before any reload


def commands(tmp_path: Path, reload: str = 'echo reloaded >> "$0"') -> CommandService:
    """A service whose check refuses a file holding "bad" (naming it) and whose reload
    appends a line to reloads.log."""
    (tmp_path / "conf").mkdir()
    return CommandService(
        "mta",
        SystemRunner(),
        check=["sh", "-c", 'grep -rl bad "$0" >&2 && exit 1; exit 0', str(tmp_path / "conf")],
        reload=["sh", "-c", reload, str(tmp_path / "reloads.log")],
        config_dir=tmp_path / "conf",
        ours=lambda directory, name: name.startswith("site-"),
    )


def test_a_service_of_two_commands_is_checked_reloaded_and_refuses_a_bad_file(tmp_path):
    service = commands(tmp_path)
    reloader = Reloader(service)
    conf = tmp_path / "conf"
    errors = asyncio.run(
        reloader.commit([change(conf, "site-a.cf", b"ok"), change(conf, "site-b.cf", b"bad")])
    )
    assert errors[0] is None
    assert errors[1] is not None
    assert errors[1].code == "mta-config-invalid"
    assert "site-b.cf" in errors[1].message
    assert sorted(p.name for p in conf.iterdir()) == ["site-a.cf"]
    assert (tmp_path / "reloads.log").read_text() == "reloaded\n"
    # Our files are not in its fingerprint; the admin's are.
    before = service.fingerprint()
    (conf / "site-c.cf").write_text("ok")
    assert service.fingerprint() == before
    (conf / "main.cf").write_text("ok")
    assert service.fingerprint() != before


def test_a_reload_command_that_fails_is_a_reload_failure(tmp_path):
    reloader = Reloader(commands(tmp_path, reload="echo no such daemon >&2; exit 1"))
    [error] = asyncio.run(reloader.commit([change(tmp_path / "conf", "site-a.cf", b"ok")]))
    assert isinstance(error, ReloadFailed)
    assert "no such daemon" in error.message
