"""Web sites: nginx server blocks and PHP-FPM pools rendered from validated fields.

``layout`` derives every path, ``render`` turns a site's plan into file text (pure),
``manager`` runs an apply's steps: ``plan`` (what a spec changes, nothing written),
the candidate check, the record (``records``: the desired state per site and its PHP-FPM
shard), the directories (``site_dirs``: in the account's home, without following
symlinks), and ``commit`` (the files to the reloaders of daemon/system/reloader.py).
``nginx`` and ``fpm`` are the services as the reloaders see them (PHP-FPM: Debian's masters
and our shards), ``server_files`` the module's files outside the homes and the sweep at
start, ``default_server`` the entries that serve a new site until nginx loads its block,
``errorlog`` each site's error log.
"""
