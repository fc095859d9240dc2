"""Who may call the daemon: the roles a peer resolves to and the caller sets methods name."""

from __future__ import annotations

from typing import Literal

Role = Literal["root", "panel"]
ROOT_ONLY: frozenset[Role] = frozenset({"root"})
ROOT_AND_PANEL: frozenset[Role] = frozenset({"root", "panel"})
