"""Settings shared by production (settings.py) and the tests (test_settings.py).

Nothing here reads a file or the environment: what differs between machines comes from
/etc/supercp/panel.toml, loaded in settings.py.
"""

from __future__ import annotations

from pathlib import Path

DEBUG = False

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "supercp.web.core",
    "supercp.web.accounts",
]
AUTH_USER_MODEL = "core.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "supercp.web.config.urls"
ASGI_APPLICATION = "supercp.web.config.asgi.application"
TEMPLATES: list[dict[str, object]] = []

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- passwords ------------------------------------------------------------------------------
# argon2 hashes new passwords; the others only verify (and upgrade) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- sessions and cookies -------------------------------------------------------------------
# The panel is served over HTTPS only (port 8443), so every cookie is Secure.
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "supercp_session"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "supercp_csrftoken"

# --- security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No HSTS yet: the panel starts on a self-signed certificate, and HSTS would stop a browser
# from ever letting the admin past its warning. Turned on with the certificates module.
SECURE_HSTS_SECONDS = 0
# The ASGI server terminates TLS itself; there is no plain-HTTP listener to redirect from.
SECURE_SSL_REDIRECT = False

# --- logging --------------------------------------------------------------------------------
# Tracebacks go to stderr (the service's log), never into a response.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}


def mariadb(name: str, options: dict[str, object]) -> dict[str, object]:
    """A DATABASES entry for MariaDB; the login comes from ``options``, never from here."""
    return {
        "ENGINE": "django.db.backends.mysql",
        "NAME": name,
        "OPTIONS": {
            "charset": "utf8mb4",
            # Strict mode: MariaDB refuses bad data instead of truncating it silently.
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            "isolation_level": "read committed",
            **options,
        },
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
    }


# The daemon's socket and call timeout (overridden from panel.toml).
SUPERCP_DAEMON_SOCKET = Path("/run/super-daemon.sock")
SUPERCP_DAEMON_TIMEOUT = 120.0
