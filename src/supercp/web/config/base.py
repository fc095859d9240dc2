"""Settings shared by production (settings.py) and the tests (test_settings.py).

Nothing here reads a file or the environment: what differs between machines comes from
/etc/supercp/panel.toml, loaded in settings.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from supercp.web.config.panel import PanelConfig, django_settings
from supercp.web.modules import MODULES
from supercp.web.runtime import mysql

DEBUG = False

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    # Two-factor sign-in: TOTP authenticators, and static devices for the recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_vite",
    "inertia",
    # Background jobs: Django's tasks API (backport) stored in the panel's database, run by
    # the worker (super-worker: django-tasks-db's db_worker, the service supercp-worker).
    "django_tasks",
    "django_tasks_db",
    # The panel's own apps (modules.py).
    *(m.app for m in MODULES),
]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /ws/dashboard (core/live.py): the origins a browser may open it from, and how often the
# system facts are sent.
SUPERCP_PANEL_ORIGINS: list[str] = []
SUPERCP_LIVE_INTERVAL = 5.0
# /ws/jobs/<id> (jobs/live.py): how often a job page's socket looks at the job's row.
SUPERCP_JOB_POLL_INTERVAL = 0.5
AUTH_USER_MODEL = "core.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files come from the panel itself, so it needs no web server in front of it.
    "supercp.web.core.static.StaticFiles",
    # Outside all but those two, so that it sees every error answer of the API.
    "supercp.web.core.rest.JsonApiErrors",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "inertia.middleware.InertiaMiddleware",
    # Last, so it is the first to turn a page view's SuperCPError into the Inertia answer.
    "supercp.web.core.pages.PageMiddleware",
]
# API requests that carry a Bearer token run through these only (runtime/http.py): a token
# needs no session, CSRF check, login user, frame policy or Inertia, which together were a
# third of the cost of a short API call.
API_TOKEN_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "supercp.web.core.rest.JsonApiErrors",
    "supercp.web.core.rest.NeverCache",
]

ROOT_URLCONF = "supercp.web.config.urls"
ASGI_APPLICATION = "supercp.web.config.asgi.application"
TEMPLATES: list[dict[str, object]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
LOGIN_URL = "/login"

# --- pages: Inertia and the Vite build --------------------------------------------------------
# The one HTML page every Inertia response starts from; it loads the built frontend.
INERTIA_LAYOUT = "supercp/base.html"
STATIC_URL = "/static/"
# The ASGI server is the TLS endpoint for browsers on other machines; no CORS for static files.
SERVESTATIC_ALLOW_ALL_ORIGINS = False


def vite(directory: Path) -> dict[str, dict[str, object]]:
    """DJANGO_VITE for a built frontend: Vite's out dir holds .vite/manifest.json."""
    return {"default": {"dev_mode": False, "manifest_path": directory / ".vite" / "manifest.json"}}


def frontend_version(directory: Path) -> str:
    """INERTIA_VERSION: a new build gets a new one, so open pages reload instead of mixing
    old and new code."""
    try:
        return hashlib.sha256((directory / ".vite" / "manifest.json").read_bytes()).hexdigest()[:16]
    except OSError:
        return "unbuilt"


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
# Also stated in the API's schema (accounts/schemas.py).
MIN_PASSWORD_LENGTH = 12
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": MIN_PASSWORD_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A password reset link (core/password_reset.py) works for an hour, and once.
PASSWORD_RESET_TIMEOUT = 3600
# Reset links go out through the machine's own Postfix.
EMAIL_HOST = "localhost"
EMAIL_PORT = 25
EMAIL_TIMEOUT = 10

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
# The names Inertia's HTTP client uses: it reads this cookie (so it is not HttpOnly) and sends
# its value back in the header on every request. The REST API takes the same header.
CSRF_COOKIE_NAME = "XSRF-TOKEN"
CSRF_HEADER_NAME = "HTTP_X_XSRF_TOKEN"
# A stale token on a page makes the panel send the browser back with a message, not a bare 403.
CSRF_FAILURE_VIEW = "supercp.web.core.pages.csrf_failure"

# --- two-factor -------------------------------------------------------------------------------
OTP_TOTP_ISSUER = "GetSuperCP"

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
        # Django's MySQL backend, pinging a kept connection at most once a second.
        "ENGINE": "supercp.web.runtime.backend",
        "NAME": name,
        "OPTIONS": {
            # Django's column converters, with a faster DATETIME parser (runtime/mysql.py).
            "conv": dict(mysql.CONVERSIONS),
            "charset": "utf8mb4",
            # Strict mode: MariaDB refuses bad data instead of truncating it silently.
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            "isolation_level": "read committed",
            **options,
        },
        # Kept between requests: the panel runs requests on a fixed pool of threads
        # (runtime/http.py), so there are never more connections than threads, and a new
        # MariaDB login per request cost more than the accounts list itself. The health
        # check pings a kept connection before a request uses it (backend/base.py: unless
        # it was made, checked or used less than a second ago).
        "CONN_MAX_AGE": 300,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
    }


# The daemon's socket and call timeout (overridden from panel.toml).
SUPERCP_DAEMON_SOCKET = Path("/run/super-daemon.sock")
SUPERCP_DAEMON_TIMEOUT = 120.0
# Requests handled at once per panel process (panel.toml's threads).
SUPERCP_PANEL_THREADS = 256
# Of those, how many run at once (panel.toml's running).
SUPERCP_PANEL_RUNNING = 2
# The modules' own settings (each module's config.py), from their panel.toml defaults.
globals().update(django_settings(PanelConfig()))
