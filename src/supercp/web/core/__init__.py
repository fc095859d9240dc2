"""Users and roles, the audit log, API tokens, and the panel's one daemon client."""
