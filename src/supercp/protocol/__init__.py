"""The only contract shared by panel, daemon and CLI: framing, errors, method specs."""
