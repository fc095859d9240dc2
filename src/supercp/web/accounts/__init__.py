"""Hosting accounts: a customer's panel login plus the Linux user of the same name."""
