"""The panel's database backend: Django's MySQL/MariaDB backend (``base.py``)."""
