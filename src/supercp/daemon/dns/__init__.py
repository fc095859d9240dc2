"""DNS: what PowerDNS needs from root for the zones the panel writes into its database.

``server`` speaks to the running pdns_server (its control socket, and a DNS query to tell
whether it serves a zone and signs it), ``keys`` reads ``pdnsutil show-zone``'s report
(pure), ``manager`` ties them to ``pdnsutil`` run through the daemon's runner.
"""
