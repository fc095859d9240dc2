"""DNS: zones and records in PowerDNS's database, templates and defaults."""
