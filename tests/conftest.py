import pytest
from django.db import connection
from django.test import override_settings

from ordna.audit import triggers
from ordna.core import frozen


def _media_storage(location) -> dict:
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(location)},
    }


@pytest.fixture(scope="session")
def _session_media(tmp_path_factory):
    """Uploaded files (order attachments, the demo's too) go to a temporary folder for
    the session, never to ORDNA_VAR_DIR/media."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _test_settings(settings, _session_media):
    """Swedish, like a fresh user; static files served without a collected manifest;
    uploads in the session's temporary media folder."""
    settings.LANGUAGE_CODE = "sv"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": _media_storage(_session_media),
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def media(settings, tmp_path):
    """A media folder of the test's own, for tests that look at the stored files."""
    folder = tmp_path / "media"
    folder.mkdir()
    settings.STORAGES = {**settings.STORAGES, "default": _media_storage(folder)}
    return folder


@pytest.fixture(scope="session")
def _demo_committed(django_db_setup, django_db_blocker, _session_media):
    """Load the demo once per test database; each test then rolls back to it."""
    from django.conf import settings

    from ordna.demo import boras

    storages = {**settings.STORAGES, "default": _media_storage(_session_media)}
    with django_db_blocker.unblock(), override_settings(STORAGES=storages):
        boras.load()


@pytest.fixture
def demo(_demo_committed, db):
    """The Borås demo data (loaded through the same services as `ordna demo`).

    Transactional tests flush the database when they end (they run last); should a
    test still need the demo after that, it is loaded again inside its transaction.
    """
    from ordna.accounts.models import User
    from ordna.demo import boras

    if not User.objects.filter(username="admin").exists():
        boras.load()
    return boras


@pytest.fixture
def allow_audit_flush(transactional_db):
    """Transactional tests end with a flush of every table, the audit table included.

    The append-only triggers would (rightly) refuse that, so they are dropped at the end
    of such a test and put back at the start of the next one.
    """
    triggers.install(connection)
    frozen.install(connection)
    yield
    triggers.drop(connection)
    frozen.drop(connection)


@pytest.fixture(autouse=True)
def _audit_triggers(request):
    """Every database test runs with the append-only triggers in place."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("allow_audit_flush")
    elif "db" in names:
        request.getfixturevalue("db")
        if not triggers.installed(connection):
            triggers.install(connection)  # inside the test's transaction: rolled back after
        if not frozen.installed(connection):
            frozen.install(connection)
    yield


@pytest.fixture
def login_as(client):
    """Sign `client` in as the named (demo) user; returns the user."""
    from ordna.accounts.models import User

    def sign_in(username: str):
        user = User.objects.get(username=username)
        client.force_login(user)
        return user

    return sign_in
