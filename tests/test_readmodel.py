"""The public read model (incidents.readmodel): what it holds, that the database keeps it
current on every write, that the public reads nothing else, and that it matches a fresh build
after the writes that change what the public sees."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from incidents import corrections, export, readmodel, services
from incidents import models as m
from incidents.models import Actor, Citation, Incident, Status
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    IncidentFactory,
    SourceFactory,
)
from tests.test_import import ARCHIVE_HEADER, archive_row, write_csv

pytestmark = pytest.mark.django_db


def rows(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def public_ids(table: str = "incidents_incident") -> set[int]:
    return {row[0] for row in rows(f"SELECT id FROM readmodel.{table}")}


def assert_consistent() -> None:
    assert readmodel.differences() == []


def test_the_reader_role_reads_the_read_model_and_nothing_else(db):
    IncidentFactory(published=True)
    with connection.cursor() as cursor:
        cursor.execute(readmodel.PUBLIC_SETTINGS)
        try:
            cursor.execute("SELECT current_user, count(*) FROM incidents_incident")
            assert cursor.fetchone() == (readmodel.ROLE, 1)
            for table in ("public.incidents_incident", "public.incidents_claim", "public.auth_user", "django_session"):
                with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                    cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")
        finally:
            cursor.execute(readmodel.RESET_SETTINGS)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/incidents/",
        "/incidents/?q=ambush",
        "/actors/",
        "/sources/",
        "/api/v1/incidents/",
        "/api/v1/actors/",
        "/api/acled/acled/read",
        "/data/",
    ],
)
def test_every_query_of_a_public_request_runs_as_the_reader_role(client, path):
    incident = IncidentFactory(published=True, title="Ambush")
    ClaimFactory(incident=incident)
    roles = []

    def record_role(execute, sql, params, many, context):
        roles.append(context["connection"].connection.execute("SELECT current_user").fetchone()[0])
        return execute(sql, params, many, context)

    for url in (path, incident.get_absolute_url()):
        with connection.execute_wrapper(record_role):
            assert client.get(url).status_code == 200, url
    assert roles and set(roles) == {readmodel.ROLE}
    # ...and the connection is itself again afterwards, for the admin.
    assert rows("SELECT current_user")[0][0] != readmodel.ROLE


def test_a_draft_is_not_in_the_read_model_until_a_reviewer_publishes_it(editor, reviewer):
    incident = IncidentFactory(title="Draft ambush", last_edited_by=editor)
    claim = ClaimFactory(incident=incident)
    Citation.objects.create(claim=claim, source=SourceFactory(), quote="Twelve.")
    assert incident.pk not in public_ids()
    assert public_ids("incidents_claim") == set() and public_ids("claim_export") == set()

    services.incident_submit(incident=incident, user=editor)
    assert incident.pk not in public_ids()
    services.incident_publish(incident=incident, user=reviewer)

    assert incident.pk in public_ids() and incident.pk in public_ids("incident_export")
    assert public_ids("incidents_claim") == {claim.pk} == public_ids("claim_export")
    assert_consistent()


def test_what_the_public_must_not_read_is_not_in_the_read_model(db):
    incident = IncidentFactory(published=True, internal_notes="editors only note")
    source = SourceFactory(outlet="Protected Outlet", title="Protected", confidential=True)
    claim = ClaimFactory(incident=incident, internal_notes="claim note")
    Citation.objects.create(claim=claim, source=source, quote="Twelve.", published_on=datetime.date(2025, 6, 13))

    assert rows("SELECT internal_notes FROM readmodel.incidents_incident") == [("",)]
    assert rows("SELECT internal_notes FROM readmodel.incidents_claim") == [("",)]
    withheld = rows("SELECT outlet, title, confidential FROM readmodel.incidents_source WHERE id = %s", [source.pk])
    assert withheld == [("", "", True)]
    cited = rows("SELECT published_on FROM readmodel.incidents_citation WHERE source_id = %s", [source.pk])
    assert cited == [(None,)]
    dump = str(rows("SELECT t::text FROM readmodel.source_export AS t"))
    assert "Protected" not in dump
    assert_consistent()


def test_renaming_an_actor_rewrites_the_exported_rows_that_name_it(db):
    incident = IncidentFactory(published=True)
    actor = ActorFactory(name="Old name")
    incident.incident_actors.create(actor=actor, side="A", role="primary")
    assert "Old name" in str(rows("SELECT t::text FROM readmodel.incident_export AS t"))

    Actor.objects.filter(pk=actor.pk).update(name="New name")

    exported = str(rows("SELECT t::text FROM readmodel.incident_export AS t"))
    assert "New name" in exported and "Old name" not in exported
    assert rows("SELECT name FROM readmodel.incidents_actor") == [("New name",)]
    assert_consistent()


def test_a_refresh_writes_only_the_rows_that_changed(db):
    incident = IncidentFactory(published=True, title="Before")
    ClaimFactory(incident=incident)
    tables = ("incidents_incident", "incidents_claim", "incident_export", "claim_export", "incident_items")

    def places() -> dict[str, dict[int, str]]:
        # A row written again, even unchanged, moves to a new place (ctid) in its table.
        return {table: dict(rows(f"SELECT id, ctid::text FROM readmodel.{table}")) for table in tables}

    before = places()
    assert all(before.values())
    readmodel.refresh_incidents([incident.pk])
    assert places() == before

    Incident.objects.filter(pk=incident.pk).update(title="After")
    after = places()
    for table in ("incidents_incident", "incident_export", "incident_items"):
        assert after[table] != before[table], table
    # The claim's copy and its exported row do not show the incident's title: left alone.
    assert after["incidents_claim"] == before["incidents_claim"]
    assert after["claim_export"] == before["claim_export"]
    assert rows("SELECT title FROM readmodel.incidents_incident") == [("After",)]
    assert_consistent()


def test_a_status_changed_by_a_bulk_update_takes_the_parts_in_and_out(db):
    incident = IncidentFactory(published=True)
    ClaimFactory(incident=incident)
    assert public_ids("incidents_claim") and public_ids("incidents_citation")

    Incident.objects.filter(pk=incident.pk).update(status=Status.IN_REVIEW)
    assert not public_ids("incidents_claim") and not public_ids("incidents_citation")
    assert_consistent()

    Incident.objects.filter(pk=incident.pk).update(status=Status.PUBLISHED)
    assert public_ids("incidents_claim") and public_ids("claim_export") and public_ids("citation_export")
    assert_consistent()


def test_an_event_rewritten_in_the_history_is_rewritten_in_its_copy(db):
    # As erasure and a date set back do: history rows can change after they are written.
    incident = IncidentFactory(published=True, title="Before")
    Incident.objects.filter(pk=incident.pk).update(title="After")
    copied = "SELECT count(*) FROM readmodel.incidents_incidentevent WHERE title = %s"
    assert rows(copied, ["Before"]) != [(0,)]

    m.Incident.pgh_event_model.objects.filter(pgh_obj_id=incident.pk, title="Before").update(title="Erased")

    assert rows(copied, ["Before"]) == [(0,)]
    assert rows(copied, ["Erased"]) != [(0,)]
    assert_consistent()


def test_a_bulk_update_writes_its_history_and_refreshes_the_copies_once(db):
    ids = [IncidentFactory(published=True).pk for _ in range(30)]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL track_functions = 'pl'")

    Incident.objects.filter(pk__in=ids).update(title="Edited at once")

    calls = dict(rows("SELECT funcname, calls FROM pg_stat_xact_user_functions WHERE schemaname = 'readmodel'"))
    assert (calls["refresh_history"], calls["refresh"]) == (1, 1)
    copied = rows("SELECT pgh_obj_id FROM readmodel.incidents_incidentevent WHERE title = %s", ["Edited at once"])
    assert sorted(pk for (pk,) in copied) == sorted(ids)
    assert_consistent()


def test_a_claim_moved_elsewhere_keeps_its_history_when_its_first_incident_is_retracted(db):
    # As a merge does: the claim's first events name the incident it was written in.
    first, second = IncidentFactory(published=True), IncidentFactory(published=True)
    claim = ClaimFactory(incident=first)
    m.Claim.objects.filter(pk=claim.pk).update(incident=second)

    Incident.objects.filter(pk=first.pk).update(status=Status.RETRACTED, retraction_notice="Merged.")

    copied = "SELECT pgh_label FROM readmodel.incidents_claimevent WHERE pgh_obj_id = %s ORDER BY pgh_id"
    assert rows(copied, [claim.pk]) == [("insert",), ("update",)]
    assert_consistent()


def test_renaming_a_source_rewrites_the_citations_that_name_it_and_nothing_else(db):
    named, other = SourceFactory(outlet="Old outlet"), SourceFactory(outlet="Other outlet")
    ClaimFactory(incident=IncidentFactory(published=True), source=named)
    ClaimFactory(incident=IncidentFactory(published=True), source=other)
    place = "SELECT source_outlet, ctid::text FROM readmodel.citation_export ORDER BY id"
    before = rows(place)

    m.Source.objects.filter(pk=named.pk).update(outlet="New outlet")

    after = rows(place)
    assert [outlet for outlet, _ in after] == ["New outlet", "Other outlet"]
    assert after[1] == before[1]
    assert_consistent()


def test_an_actor_seen_only_in_a_draft_is_not_in_the_read_model(db):
    IncidentFactory(published=True).incident_actors.create(actor=ActorFactory(name="Public"), side="A", role="primary")
    IncidentFactory().incident_actors.create(actor=ActorFactory(name="Secret"), side="A", role="primary")
    assert rows("SELECT name FROM readmodel.incidents_actor") == [("Public",)]


def test_the_read_model_matches_after_the_demo_load(db):
    call_command("load_demo", "--seed-only", verbosity=0)
    assert public_ids()
    call_command("check_read_model", verbosity=0)


def test_the_read_model_matches_after_an_import(editor_client, tmp_path):
    path = write_csv(tmp_path / "incidents.csv", ARCHIVE_HEADER, [archive_row(), archive_row(title="Second")])
    call_command("import_incidents", str(path), verbosity=0)
    assert Incident.objects.count() == 2
    assert_consistent()


def test_the_read_model_matches_after_a_correction_and_a_retraction(editor, reviewer):
    incident = IncidentFactory(published=True, start_date=datetime.date(2025, 6, 13))
    ClaimFactory(incident=incident, quantity_low=20, quantity_high=20, quantity_text="twenty")
    correction = corrections.correction_propose(incident=incident, user=editor, reason="Date corrected.")
    Incident.objects.filter(pk=correction.revision_id).update(
        start_date=datetime.date(2025, 6, 12), end_date=datetime.date(2025, 6, 12), last_edited_by=editor
    )
    ClaimFactory(incident=correction.revision, quantity_low=30, quantity_high=30, quantity_text="thirty")
    # The correction's draft is not public.
    assert correction.revision_id not in public_ids()
    services.incident_submit(incident=correction.revision, user=editor)
    correction.refresh_from_db()
    corrections.correction_approve(correction=correction, user=reviewer)

    assert rows("SELECT start_date FROM readmodel.incidents_incident") == [(datetime.date(2025, 6, 12),)]
    assert sorted(r[0] for r in rows("SELECT quantity_text FROM readmodel.incidents_claim")) == ["thirty", "twenty"]
    assert rows("SELECT count(*) FROM readmodel.incidents_correction") == [(1,)]
    assert_consistent()

    incident.refresh_from_db()
    services.incident_retract(incident=incident, user=reviewer, notice="Retracted: a duplicate report.")
    assert rows("SELECT status FROM readmodel.incidents_incident") == [(Status.RETRACTED,)]
    assert public_ids("incident_export") == set() and public_ids("incidents_claim") == set()
    assert_consistent()


def test_rebuilding_gives_the_same_read_model(db):
    call_command("load_demo", "--seed-only", verbosity=0)
    before = rows("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM readmodel.incident_export t")
    call_command("rebuild_read_model", verbosity=0)
    assert rows("SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM readmodel.incident_export t") == before
    assert_consistent()


def test_the_check_names_a_table_that_drifted(db):
    IncidentFactory(published=True)
    rows("DELETE FROM readmodel.incident_export RETURNING id")
    with pytest.raises(Exception, match="incident_export: 1 row"):
        call_command("check_read_model", verbosity=0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_exports_and_releases_read_the_read_model_as_the_reader_role(tmp_path):
    IncidentFactory(published=True, title="Released ambush")
    IncidentFactory(title="Draft never released")
    conn = export.dedicated_connection(snapshot=True)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT current_user, current_setting('search_path')")
            assert cursor.fetchone() == (readmodel.ROLE, "readmodel, public")
    finally:
        conn.close()

    call_command("export_release", "--version", "1.0.0", "--out", str(tmp_path / "r"), verbosity=0)
    released = (tmp_path / "r" / "incidents.csv").read_text()
    assert "Released ambush" in released and "Draft never released" not in released


def test_a_signed_in_editor_reads_public_pages_and_the_browsable_api(editor_client):
    """Their session and account are read before the request reads as the reader role."""
    IncidentFactory(published=True, title="Ambush seen by an editor")
    assert editor_client.get("/incidents/").status_code == 200
    browsable = editor_client.get("/api/v1/incidents/", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and "Ambush seen by an editor" in browsable.text
