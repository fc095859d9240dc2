"""nginx as the reloader sees it: check candidate server blocks, check all, reload.

A reload sends nginx's master SIGHUP and waits for its effect, so a caller is answered only
once its change is live: the master has new worker processes, and the old ones call
themselves "shutting down".
"""

from __future__ import annotations

import logging
import os
import signal
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from supercp.daemon.system.processes import checker_message, children, poll_until, read_pid, title
from supercp.daemon.system.reloader import Change, CoalescedCheck, Fingerprint, fingerprint
from supercp.daemon.system.runner import Runner
from supercp.daemon.web.layout import WebLayout
from supercp.protocol.errors import NotFound

log = logging.getLogger(__name__)

K = TypeVar("K")


def _retiring(pid: int) -> bool:
    name = title(pid)
    return name is None or b"shutting down" in name or b"worker process" not in name


class Nginx:
    """nginx with our http-level include; every site a file in the sites directory."""

    name = "nginx"

    def __init__(self, layout: WebLayout, runner: Runner) -> None:
        self.layout = layout
        self.runner = runner
        self.binary = layout.sbin / "nginx"
        self.check_candidates: CoalescedCheck[str] = CoalescedCheck(self._check_candidates)

    def _require(self) -> None:
        if not self.layout.nginx_http.exists():
            raise NotFound(
                f"{self.layout.nginx_http} is missing; re-run the installer", code="not-installed"
            )

    async def _check_candidates(self, files: dict[K, str]) -> dict[K, str]:
        """Check server blocks on their own, with only our http settings; problems by key.

        Cheap (no other site is parsed) and pins a problem to its own block. One run over
        many blocks; a failing block is taken out by the file name nginx reports.
        """
        self._require()
        problems: dict[K, str] = {}
        with tempfile.TemporaryDirectory(prefix="supercp-nginx-") as tmp:
            base = Path(tmp)
            paths: dict[Path, K] = {}
            for i, (key, text) in enumerate(files.items()):
                path = base / f"{i}.conf"
                path.write_text(text)
                paths[path] = key
            while paths:
                main = base / "nginx.conf"
                includes = "".join(f"    include {p};\n" for p in paths)
                main.write_text(
                    f"pid {base}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
                    f"http {{\n    include {self.layout.nginx_http};\n{includes}}}\n"
                )
                done = await self.runner.run(
                    [str(self.binary), "-t", "-q", "-c", str(main)], check=False
                )
                if done.returncode == 0:
                    break
                message = checker_message(done.stdout, done.stderr)
                culprit = next((p for p in paths if f"{p}:" in message), None)
                if culprit is None:
                    # Not one block's fault (our http include?): every candidate hears it.
                    return dict.fromkeys(paths.values(), message)
                problems[paths.pop(culprit)] = message.replace(f"{culprit}:", "line ")
        return problems

    def fingerprint(self) -> Fingerprint:
        """Everything under /etc/nginx but the sites directory (our server blocks)."""
        sites = self.layout.vhost_dir
        return fingerprint(self.layout.nginx_conf.parent, lambda d, n: d / n == sites)

    async def check(self) -> str | None:
        self._require()
        done = await self.runner.run(
            [str(self.binary), "-t", "-q", "-c", str(self.layout.nginx_conf)], check=False
        )
        return None if done.returncode == 0 else checker_message(done.stdout, done.stderr)

    async def reload(self, changes: Sequence[Change]) -> None:
        pid = read_pid(self.layout.nginx_pid)
        if pid is None:
            # Not running: the files are valid and in place; its next start reads them.
            log.warning("nginx is not running; nothing to reload")
            return
        before = children(pid)
        os.kill(pid, signal.SIGHUP)

        def reloaded() -> bool:
            # New workers run the new configuration; an old one may still finish requests
            # but takes no new ones once it calls itself "shutting down".
            now = children(pid)
            return bool(now - before) and all(_retiring(p) for p in now & before)

        await poll_until(reloaded, "nginx reload")
