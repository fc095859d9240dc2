"""super-cli: the administrator's command line (root), with --json for scripts."""
