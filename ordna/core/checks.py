"""System checks for a production deployment (run by `ordna check --deploy`)."""

from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def secret_key_configured(app_configs, **kwargs):
    if getattr(settings, "ORDNA_INSECURE_KEY", False):
        return [
            Warning(
                "SECRET_KEY is not set: Ordna is using its built-in development key.",
                hint="Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value.",
                id="ordna.W001",
            )
        ]
    return []


@register(deploy=True)
def database_is_server(app_configs, **kwargs):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and not settings.DEBUG:
        if getattr(settings, "ALLOW_SQLITE_IN_PRODUCTION", False):
            return []
        return [
            Warning(
                "The database is the embedded SQLite file.",
                hint="Set DATABASE_URL to a PostgreSQL database for production "
                "(or ALLOW_SQLITE_IN_PRODUCTION=true for a single-machine installation).",
                id="ordna.W002",
            )
        ]
    return []
