"""The panel's serving runtime: its HTTP handler and thread scheduler, the one-write transport,
and its MariaDB backend (config/ keeps the settings)."""
