"""The web panel (Django): config/, core/ (users, roles, audit, tokens), one app per domain."""
