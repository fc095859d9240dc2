"""Web sites: nginx server blocks and PHP-FPM pools rendered from validated fields.

``layout`` derives every path, ``render`` turns a site's plan into file text (pure),
``dirs`` makes and removes the site's directories without following symlinks, ``records``
keeps the desired state per site (and its PHP-FPM shard), ``disk`` the files the sites
share and the sweep at start, ``reloader`` validates and reloads a service once per batch
of changes, ``services`` drives nginx, ``fpm`` the PHP-FPM masters (Debian's and our
shards), ``manager`` ties them together.
"""
