"""The column spec (incidents.columns) is the one list of columns: imports, the change log and the API follow it."""

from __future__ import annotations

import re

import pytest

from incidents import changelog
from incidents.columns import CLAIMS, INCIDENTS, TABLES, ChangeLog, Column, Table, text
from incidents.imports import engine, inserts
from incidents.imports.resources import ClaimResource, IncidentResource
from incidents.serializers import IncidentDetailSerializer, IncidentListSerializer


def names(columns: list[Column]) -> list[str]:
    return [column.name for column in columns]


def test_the_archive_format_has_the_spec_columns_that_files_carry_in_the_export_order():
    header = [
        "id", "title", "start_date", "end_date", "date_precision", "time_of_day", "event_type", "sub_event_type",
        "actor1", "actor1_kind", "assoc_actor_1", "actor2", "actor2_kind", "assoc_actor_2", "country", "admin1",
        "admin2", "location", "latitude", "longitude", "geo_precision", "fatalities_low", "fatalities_best",
        "fatalities_high", "fatalities_rationale", "contested", "grading", "source_names", "summary", "tags",
        "updated_at", "status", "import_key", "created_at",
    ]  # fmt: skip
    assert names(INCIDENTS.file_columns) == header
    assert IncidentResource().get_export_headers() == header
    assert [f.column_name for f in IncidentResource().get_user_visible_fields()] == header


def test_the_resources_read_each_column_with_the_widget_the_spec_gives_it():
    for resource, table in ((IncidentResource(), INCIDENTS), (ClaimResource(), CLAIMS)):
        for column in table.file_columns:
            field = resource.fields[column.name]
            # Each resource works on a copy of its fields.
            assert (type(field.widget), vars(field.widget)) == (type(column.widget), vars(column.widget))
            assert field.readonly == column.readonly


def test_the_claims_file_writes_only_the_claim_fields_and_resolves_the_rest():
    assert [column for column, _, _ in ClaimResource().writable_columns()] == [
        "kind", "losses_of", "quantity_low", "quantity_high", "quantity_text", "quote", "stance",
        "verification", "verification_note",
    ]  # fmt: skip
    assert [f.column_name for f in ClaimResource().get_user_visible_fields()] == names(CLAIMS.file_columns)


def test_the_set_based_import_stages_and_requires_the_columns_the_spec_says():
    assert set(engine.IMPORTED) == {
        "title", "summary", "start_date", "end_date", "date_precision", "time_of_day", "country", "admin1", "admin2",
        "location", "latitude", "longitude", "geo_precision", "event_type", "sub_event_type", "actor1", "actor1_kind",
        "assoc_actor_1", "actor2", "actor2_kind", "assoc_actor_2", "fatalities_low", "fatalities_best",
        "fatalities_high", "fatalities_rationale", "grading", "tags", "source_names", "import_key",
    }  # fmt: skip
    assert set(engine.ARCHIVE_REQUIRED) == {"title", "start_date", "sub_event_type", "country"}
    archive = engine._flat_columns("archive", set(engine.IMPORTED))
    acled = engine._flat_columns("acled", set())
    assert set(engine.IMPORTED) <= set(archive) and set(archive) == set(acled)


def test_the_set_based_import_writes_every_incident_field_that_imports_read():
    inserted = re.search(r"INSERT INTO incidents_incident \((.*?)\)\s*SELECT", inserts.INSERT_INCIDENT_ROWS, re.S)
    written = {name.strip() for name in inserted.group(1).split(",")}
    read = {INCIDENTS.field(column) for column in INCIDENTS.file_columns if column.imported}
    assert {field.column for field in read if field is not None} <= written


def test_the_change_log_compares_the_fields_the_spec_marks_in_the_model_order():
    assert [(field.attname, log.label, log.values) for field, log in changelog.INCIDENT_FIELDS] == [
        ("title", "Title", True),
        ("summary", "Summary", False),
        ("start_date", "Start date", True),
        ("end_date", "End date", True),
        ("date_precision", "Date precision", True),
        ("time_of_day", "Time of day", True),
        ("country", "Country", True),
        ("admin1", "Region", True),
        ("admin2", "District", True),
        ("location", "Place", True),
        ("latitude", "Latitude", True),
        ("longitude", "Longitude", True),
        ("geo_precision", "Location precision", True),
        ("event_type_id", "Event type", False),
        ("sub_event_type_id", "Sub-event type", False),
        ("fatalities_low", "Fatalities (low)", True),
        ("fatalities_best", "Fatalities (best)", True),
        ("fatalities_high", "Fatalities (high)", True),
        ("fatalities_method", "Estimate method", True),
        ("fatalities_rationale", "Estimate rationale", False),
        ("contested", "Contested", True),
        ("grading", "Evidence grading", True),
        ("tags", "Tags", True),
    ]
    assert [field.attname for field, _ in changelog.CLAIM_FIELDS] == [
        "source_id", "claimant_id", "kind", "losses_of", "losses_actor_id", "quantity_low", "quantity_high",
        "quantity_text", "quote", "stance", "verification", "verification_note",
    ]  # fmt: skip


def test_the_api_shows_the_incident_fields_the_spec_marks_in_the_model_order():
    assert IncidentListSerializer.Meta.fields == (
        "id", "title", "start_date", "end_date", "date_precision", "country", "admin1", "admin2", "location",
        "latitude", "longitude", "geo_precision", "event_type", "sub_event_type", "fatalities_low", "fatalities_best",
        "fatalities_high", "contested", "grading", "tags", "updated_at", "published_at", "side_a", "side_b",
    )  # fmt: skip
    assert IncidentDetailSerializer.Meta.fields == (
        *IncidentListSerializer.Meta.fields[:-2],
        "summary", "time_of_day", "fatalities_method", "fatalities_rationale", "actors", "claims", "sources",
    )  # fmt: skip


def test_a_column_the_change_log_or_the_api_shows_must_be_a_model_field():
    table = Table(
        name="incidents",
        title="Incidents",
        description="",
        alias="i",
        model=INCIDENTS.model,
        joins="",
        columns=(text("year_label", "i.year::text", "Not a field of the model.", changelog=ChangeLog("Year")),),
    )
    with pytest.raises(LookupError, match="year_label shows no field of Incident"):
        table.fields_of(table.columns)


def test_columns_only_imports_read_are_not_exported_and_do_not_shadow_exported_ones():
    for table in TABLES.values():
        for column in table.import_only:
            assert column.sql == "" and column.widget is not None
            assert column.name not in [c.name for c in table.columns]
        assert all(column.sql for column in table.columns)
