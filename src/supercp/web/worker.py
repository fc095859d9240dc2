"""super-worker: runs the panel's background jobs (django-tasks' database worker).

Run as the unprivileged user supercp by supercp-worker.service or /etc/init.d/supercp-worker,
next to the panel. It polls the panel's database for tasks every second and runs them one at
a time; on SIGTERM it stops after the task in hand.
"""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line

from supercp.web.serve import SETTINGS


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    execute_from_command_line(
        ["super-worker", "db_worker", "--queue-name", "*", "--interval", "1", *sys.argv[1:]]
    )


if __name__ == "__main__":
    main()
