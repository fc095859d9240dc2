"""Web sites: an nginx server block (and for PHP an FPM pool) per site, in a hosting account."""
