"""Public reads on streaming replicas, against a real one (scripts/replica; .ci/run starts it).

The test database is created on the primary; the replica copies the whole cluster, so its
alias (a test mirror of ``default``, see archive.db.replica_databases) opens the same test
database on the replica's port. What a test writes must be committed to reach the replica:
these tests are transactional, and wait for the replica to replay the primary's WAL before
they look. Pausing the replay (``pg_wal_replay_pause()``, as the replica's superuser) freezes
the replica while the primary moves on: a page then shows which of the two it read.

Without DATABASE_REPLICA_URLS the tests that need a replica are skipped, except under CI
(``CI`` set), where a missing replica fails them: a broken start cannot pass as green.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.http import HttpResponse, HttpResponseNotFound
from django.test import Client, override_settings
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from archive import db, replicas
from archive.routers import ReadModelRouter, reading_from
from incidents import models, readmodel
from tests.factories import IncidentFactory, UserFactory

REPLICA = "replica_1"
CONFIGURED = list(settings.DATABASE_REPLICAS)
START_ONE = (
    "no read replica: start one with `make replica` and set "
    "DATABASE_REPLICA_URLS=postgresql://postgres@127.0.0.1:5433/<the primary's database>"
)
needs_replica = pytest.mark.skipif(not CONFIGURED and not os.environ.get("CI"), reason=START_ONE)
# Transactional, so the rows reach the replica; the serialized contents bring back the rows the
# migrations made (groups, vocabularies) after the flush.
# (Without a replica the alias does not exist: the fixture ``replica`` then fails with the reason.)
on_replica = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=[DEFAULT_DB_ALIAS, *([REPLICA] if CONFIGURED else [])]
)
on_primary_only = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """These tests read pages over HTTP as one anonymous client: start each with no history."""
    cache.clear()


@pytest.fixture
def replica() -> Iterator[str]:
    """The configured replicas given back to the public requests (tests/conftest.py empties them)."""
    if not CONFIGURED:
        pytest.fail(f"CI runs a read replica, and none is configured: {START_ONE}")
    replicas._down_until.clear()
    with override_settings(DATABASE_REPLICAS=CONFIGURED):
        yield REPLICA
    replicas._down_until.clear()


def superuser_on(alias: str) -> psycopg.Connection:
    """A connection to ``alias``'s server as the connecting user, without the reader's role."""
    params = connections[alias].get_connection_params()
    params["options"] = ""
    params.pop("prepare_threshold", None)
    return psycopg.connect(**params, autocommit=True)


def caught_up(alias: str = REPLICA, timeout: float = 20.0) -> None:
    """Return once the replica has replayed everything the primary has written so far."""
    with superuser_on(DEFAULT_DB_ALIAS) as primary:
        target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    with superuser_on(alias) as standby:
        deadline = time.monotonic() + timeout
        while True:
            behind = standby.execute("SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) > 0", [target]).fetchone()[0]
            if not behind:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"{alias} did not replay up to {target} within {timeout} s")
            time.sleep(0.05)


@contextmanager
def replay_paused(alias: str = REPLICA) -> Iterator[None]:
    """The replica frozen at what it holds now (after catching up), whatever the primary does meanwhile."""
    caught_up(alias)
    with superuser_on(alias) as standby:
        standby.execute("SELECT pg_wal_replay_pause()")
        try:
            while standby.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
                time.sleep(0.02)
            yield
        finally:
            standby.execute("SELECT pg_wal_replay_resume()")


def get(url: str, session: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if session is not None:
        request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def editor_session() -> str:
    client = Client()
    client.force_login(UserFactory(username="replica-editor", groups=["Editor"]))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def published(title: str) -> models.Incident:
    return IncidentFactory(published=True, title=title)


# --- Configuration and routing, no replica needed --------------------------------------------


def test_each_replica_url_becomes_an_alias_reading_the_read_model_only():
    aliases = db.replica_databases(
        ["postgresql://reader@10.0.0.2:5432/archive", "postgresql://reader@10.0.0.3/archive"]
    )
    assert list(aliases) == ["replica_1", "replica_2"]
    first = aliases["replica_1"]
    assert (first["HOST"], first["PORT"], first["NAME"], first["USER"]) == ("10.0.0.2", "5432", "archive", "reader")
    assert first["OPTIONS"]["options"] == (
        "-c jit=off -c search_path=readmodel,public -c role=archive_reader -c default_transaction_read_only=on"
    )
    assert first["OPTIONS"]["connect_timeout"] == db.REPLICA_CONNECT_TIMEOUT
    # The test runner creates nothing on a replica: it only renames the database it opens.
    assert first["TEST"] == {"MIRROR": "default"}
    with pytest.raises(ValueError, match="DATABASE_REPLICA_URLS"):
        db.replica_databases(["mysql://10.0.0.2/archive"])
    # The settings cannot import the app: the options are written twice, and must agree.
    assert f"{db.REPLICA_READ_MODEL_OPTIONS} {db.REPLICA_READ_ONLY_OPTIONS}" == readmodel.PUBLIC_OPTIONS


def test_writes_and_migrations_go_to_the_primary_whatever_the_request_reads_from():
    chooser = ReadModelRouter()
    assert chooser.db_for_read(models.Incident) is None
    with reading_from("replica_2"):
        assert chooser.db_for_read(models.Incident) == "replica_2"
        assert router.db_for_read(models.Claim) == "replica_2"
        assert router.db_for_write(models.Incident) == DEFAULT_DB_ALIAS
    assert chooser.db_for_read(models.Incident) is None
    assert chooser.allow_migrate(DEFAULT_DB_ALIAS, "incidents") is True
    assert chooser.allow_migrate("replica_1", "incidents") is False


def test_only_a_views_404_read_from_a_replica_is_asked_again_of_the_primary():
    factory = RequestFactory()
    found, missing = HttpResponse(), HttpResponseNotFound()
    page = factory.get("/incidents/7/")
    page.resolver_match = resolve("/incidents/7/")
    assert replicas.missing_on_replica(page, missing, "replica_1")
    assert not replicas.missing_on_replica(page, found, "replica_1")
    assert not replicas.missing_on_replica(page, missing, DEFAULT_DB_ALIAS)
    # A path no view matches was not looked up in the database.
    assert not replicas.missing_on_replica(factory.get("/nowhere/"), missing, "replica_1")
    posted = factory.post("/incidents/7/")
    posted.resolver_match = page.resolver_match
    assert not replicas.missing_on_replica(posted, missing, "replica_1")


def test_without_replicas_every_request_reads_the_primary_without_a_query(db, django_assert_num_queries):
    request = RequestFactory().get("/incidents/")
    with override_settings(DATABASE_REPLICAS=[]), django_assert_num_queries(0):
        assert replicas.choose(request) == DEFAULT_DB_ALIAS


@contextmanager
def replica_down(alias: str) -> Iterator[None]:
    """``alias`` pointed at a port nothing listens on, as when its server is down."""
    settings_dict = connections.settings[alias]
    port = settings_dict["PORT"]
    connections[alias].close()
    settings_dict["PORT"] = "1"
    replicas._down_until.clear()
    try:
        yield
    finally:
        connections[alias].close()
        settings_dict["PORT"] = port
        replicas._down_until.clear()


# --- Against the streaming replica -------------------------------------------------------------


@needs_replica
@on_replica
def test_the_replica_is_a_mirror_of_the_test_database(replica):
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    mirror = connections[replica].settings_dict
    assert mirror["NAME"] == primary["NAME"]
    assert (mirror["HOST"], mirror["PORT"]) != (primary["HOST"], primary["PORT"])
    with connections[replica].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database()")
        assert cursor.fetchone() == (True, primary["NAME"])


@needs_replica
@on_replica
def test_an_anonymous_reader_reads_the_replica_and_an_editor_the_primary(replica, live_server):
    incident = published("Clash before the correction")
    session = editor_session()
    page = f"{live_server.url}/incidents/{incident.pk}/"
    item = f"{live_server.url}/api/v1/incidents/{incident.pk}/"
    with replay_paused():
        models.Incident.objects.filter(pk=incident.pk).update(title="Clash after the correction")
        status, body = get(page)
        assert status == 200
        assert "Clash before the correction" in body
        assert "Clash after the correction" not in body
        status, body = get(item)
        assert status == 200
        assert "Clash before the correction" in body
        # An editor reads their own writes.
        status, body = get(page, session)
        assert status == 200
        assert "Clash after the correction" in body
        assert get(item, session)[1].count("Clash after the correction") == 1
    caught_up()
    assert "Clash after the correction" in get(page)[1]


@needs_replica
@on_replica
def test_a_just_published_incident_has_its_page_while_the_replica_lags(replica, live_server):
    published("Clash the replica already holds")
    with replay_paused():
        fresh = published("Clash published a moment ago")
        for url in (f"/incidents/{fresh.pk}/", f"/api/v1/incidents/{fresh.pk}/"):
            status, body = get(live_server.url + url)
            assert status == 200, url
            assert "Clash published a moment ago" in body
        # An id unknown to the primary too is still not found, page and API.
        unknown = fresh.pk + 1000
        assert get(f"{live_server.url}/incidents/{unknown}/")[0] == 404
        assert get(f"{live_server.url}/api/v1/incidents/{unknown}/")[0] == 404


@needs_replica
@on_replica
def test_writes_in_a_public_request_go_to_the_primary_never_the_replica(replica):
    incident = published("Clash written under public reads")
    with reading_from(replica):
        assert models.Incident.objects.filter(pk=incident.pk).update(title="Clash rewritten") == 1
        incident.refresh_from_db(using=DEFAULT_DB_ALIAS)
        assert incident.title == "Clash rewritten"
    # The replica itself would refuse: it is a hot standby, and its sessions are read-only.
    with connections[replica].cursor() as cursor:
        cursor.execute("SHOW default_transaction_read_only")
        assert cursor.fetchone() == ("on",)
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone() == (True,)


@needs_replica
@on_replica
def test_a_dedicated_connection_reads_the_chosen_database(replica):
    incident = published("Clash before the export")
    with replay_paused():
        models.Incident.objects.filter(pk=incident.pk).update(title="Clash after the export")
        with reading_from(replica), replicas.new_connection() as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
            row = conn.execute(
                f"SELECT title FROM {models.Incident._meta.db_table} WHERE id = %s", [incident.pk]
            ).fetchone()
            assert row == ("Clash before the export",)


@needs_replica
@on_replica
def test_an_anonymous_export_reads_the_replica(replica, live_server):
    incident = published("Clash before the export")
    with replay_paused():
        models.Incident.objects.filter(pk=incident.pk).update(title="Clash after the export")
        status, body = get(f"{live_server.url}/export/incidents.csv")
        assert status == 200
        assert "Clash before the export" in body
        assert "Clash after the export" not in body


@needs_replica
@on_replica
def test_pages_answer_from_the_primary_when_the_replica_is_down(replica, live_server, caplog):
    incident = published("Clash while the replica is down")
    caught_up()
    with replica_down(replica):
        for url in (f"/incidents/{incident.pk}/", f"/api/v1/incidents/{incident.pk}/", "/incidents/"):
            status, body = get(live_server.url + url)
            assert status == 200, url
            assert "Clash while the replica is down" in body
        assert caplog.text.count(f"read replica {replica} cannot be reached") == 1
        # Left out for a while: the next requests do not wait on it again.
        assert replicas.choose(RequestFactory().get("/")) == DEFAULT_DB_ALIAS


@needs_replica
@on_replica
@pytest.mark.parametrize("path", ["/incidents/{pk}/", "/api/v1/incidents/{pk}/"])
def test_an_anonymous_read_moves_every_query_to_the_replica(replica, cache_in_memory, path):
    incident = published("Clash read on the replica alone")
    url = path.format(pk=incident.pk)
    with override_settings(DATABASE_REPLICAS=[]), CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as alone:
        assert Client().get(url).status_code == 200
    caught_up()
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[replica]) as standby,
    ):
        assert Client().get(url).status_code == 200
    assert len(primary) == 0, [query["sql"] for query in primary]
    # The same statements as without replicas, all of them on the replica.
    assert len(standby) == len(alone) > 0
