"""super-daemon: the only process that changes the system, driven by typed JSON-RPC intents."""
