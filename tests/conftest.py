from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _language_restored():
    """A request in another language (Accept-Language, the cookie) leaves it active in the
    thread; each test starts in the language the one before it started in."""
    from django.utils import translation

    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture(scope="session", autouse=True)
def plain_http_and_password_only_logins():
    """Production settings, except what a test client cannot do.

    Tests speak plain HTTP to the test client and the live server (production redirects
    to HTTPS), log staff in with a password only (production also asks a one-time code),
    and log in through ``Client.login()``, which gives django-axes no request. The tests
    of those protections switch them back on (tests/test_security_settings.py). Static
    files are served unhashed because tests do not run collectstatic.
    """
    storages = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(SECURE_SSL_REDIRECT=False, ARCHIVE_REQUIRE_2FA=False, AXES_ENABLED=False, STORAGES=storages):
        yield


@pytest.fixture(autouse=True)
def _reads_on_the_primary():
    """Every test reads from the primary, whatever DATABASE_REPLICA_URLS says.

    A test's rows are uncommitted (or committed a moment ago) and a replica would not show
    them; tests/test_replicas.py gives the replicas back to the tests that read from them.
    """
    with override_settings(DATABASE_REPLICAS=[]):
        yield


@pytest.fixture
def cache_in_memory():
    """A local-memory cache, for the tests that pin a page's query count.

    The pins count the application's own statements. Where the cache lives is the
    deployment's choice: in Redis it costs no statement, in the database cache (production
    without REDIS_URL) a few per throttle and per cached block, which the pins would count.
    """
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        yield


@pytest.fixture
def editor(db):
    return UserFactory(username="editor", groups=["Editor"])


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", groups=["Reviewer"])


@pytest.fixture
def second_reviewer(db):
    return UserFactory(username="reviewer2", groups=["Reviewer"])


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer_client(reviewer) -> Client:
    client = Client()
    client.force_login(reviewer)
    return client
