"""Static files served by the panel itself, so it needs no web server in front of it."""

from __future__ import annotations

from django.conf import settings
from servestatic.middleware import ServeStaticMiddleware


class StaticFiles(ServeStaticMiddleware):  # type: ignore[misc]
    """servestatic's middleware, knowing which of our files never change.

    Its own test looks for Django's hashed names (ManifestStaticFilesStorage); ours come from
    Vite, which puts a content hash into every name under assets/.
    """

    def immutable_file_test(self, path: str, url: str) -> bool:
        return url.startswith(f"{settings.STATIC_URL}assets/")
