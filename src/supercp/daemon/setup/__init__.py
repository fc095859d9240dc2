"""``super-daemon setup``: the system services configured the way GetSuperCP runs them.

install.sh installs the packages, users, venv and units; then it runs this, which converges
each service's configuration of ours (render, check, swap, reload, restore on failure), the
MariaDB databases and logins, and the panel's secrets. Every step changes only what differs,
so a second run changes nothing and reloads nothing.
"""
