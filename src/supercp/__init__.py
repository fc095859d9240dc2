"""GetSuperCP: a hosting control panel that is secure by construction."""

__version__ = "0.1.0"
