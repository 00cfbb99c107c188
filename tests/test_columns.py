"""The column spec (incidents.columns) is the one list of columns: imports, the change log and the API follow it."""

from __future__ import annotations

import re

import pytest

from incidents import changelog
from incidents.columns import CITATIONS, CLAIMS, INCIDENTS, TABLES, ChangeLog, Column, Table, text
from incidents.imports import engine, inserts
from incidents.imports.resources import ClaimResource, IncidentResource
from incidents.models import ESTIMATE_PREFIXES
from incidents.serializers import IncidentDetailSerializer, IncidentListSerializer


def names(columns: list[Column]) -> list[str]:
    return [column.name for column in columns]


def test_the_archive_format_has_the_spec_columns_that_files_carry_in_the_export_order():
    header = [
        "id", "title", "start_date", "end_date", "date_precision", "time_of_day", "time_precision", "event_type",
        "sub_event_type", "actor1", "actor1_kind", "assoc_actor_1", "supporting_actor_1", "actor2", "actor2_kind",
        "assoc_actor_2", "supporting_actor_2", "country", "admin1", "admin2", "location", "latitude", "longitude",
        "geo_precision", "fatalities_low", "fatalities_best", "fatalities_high", "fatalities_rationale", "contested",
        "grading", "source_names", "summary", "tags", "updated_at", "status", "import_key", "created_at",
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
        "kind", "losses_of", "losses_note", "quantity_low", "quantity_high", "quantity_text", "attribution",
        "movement", "place", "stance", "verification", "verification_note",
    ]  # fmt: skip
    assert [f.column_name for f in ClaimResource().get_user_visible_fields()] == names(CLAIMS.file_columns)


def test_a_claims_file_still_carries_its_report_and_quotation_though_the_export_moves_them_to_citations():
    carried = names(CLAIMS.import_only)
    assert carried == [
        "incident", "incident_key", "claim_key", "claim", "source", "source_kind", "source_outlet", "source_title",
        "source_author", "source_url", "source_published_on", "source_language", "quote", "language", "translation",
        "published_on",
    ]  # fmt: skip
    assert not {"quote", "source_id", "source_kind", "source_url"} & set(names(CLAIMS.columns))


def test_the_claims_and_citations_files_have_these_columns_in_this_order():
    assert names(CLAIMS.columns) == [
        "id", "incident_id", "kind", "losses_of", "losses_actor", "losses_actor_slug", "losses_note", "claimant",
        "claimant_slug", "speaker", "speaker_slug", "quantity_low", "quantity_high", "quantity_text", "part_of",
        "responsible_actor", "responsible_actor_slug", "attribution", "movement", "place", "stance", "verification",
        "verification_note", "citation_count", "updated_at",
    ]  # fmt: skip
    assert names(CITATIONS.columns) == [
        "id", "claim_id", "incident_id", "source_id", "source_kind", "source_name", "source_outlet", "source_url",
        "quote", "language", "translation", "published_on", "speaker", "speaker_slug", "updated_at",
    ]  # fmt: skip
    assert list(TABLES) == ["incidents", "claims", "citations", "actors", "sources"]


def test_the_incidents_file_has_every_estimate_triple_the_model_has():
    exported = names(INCIDENTS.columns)
    for prefix in ESTIMATE_PREFIXES:
        low, best, high = (exported.index(f"{prefix}_{bound}") for bound in ("low", "best", "high"))
        assert low + 1 == best == high - 1
    assert exported.index("fatalities_high_open") == exported.index("fatalities_high") + 1
    assert exported.index("time_precision") == exported.index("time_of_day") + 1
    assert "estimate_stale" in exported


def test_the_set_based_import_stages_and_requires_the_columns_the_spec_says():
    assert set(engine.IMPORTED) == {
        "title", "summary", "start_date", "end_date", "date_precision", "time_of_day", "time_precision", "country",
        "admin1", "admin2",
        "location", "latitude", "longitude", "geo_precision", "event_type", "sub_event_type", "actor1", "actor1_kind",
        "assoc_actor_1", "supporting_actor_1", "actor2", "actor2_kind", "assoc_actor_2", "supporting_actor_2",
        "fatalities_low", "fatalities_best",
        "fatalities_high", "fatalities_rationale", "grading", "tags", "source_names", "import_key",
    }  # fmt: skip
    assert set(engine.ARCHIVE_REQUIRED) == {"title", "start_date", "sub_event_type", "country"}
    archive = engine._flat_columns("archive", set(engine.IMPORTED))
    acled = engine._flat_columns("acled", set())
    assert set(engine.IMPORTED) <= set(archive) and set(archive) == set(acled)


def test_the_set_based_import_writes_every_incident_field_that_imports_read():
    inserted = re.search(r"INSERT INTO incidents_incident \((.*?)\)\s*SELECT", inserts.INSERT_INCIDENT_ROWS, re.S)
    written = {name.strip().strip('"') for name in inserted.group(1).split(",")}
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
        ("time_precision", "Time precision", True),
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
        ("fatalities_high_open", "Open-ended highest figure", True),
        ("deaths_a_low", "Deaths on side A (low)", True),
        ("deaths_a_best", "Deaths on side A (best)", True),
        ("deaths_a_high", "Deaths on side A (high)", True),
        ("deaths_b_low", "Deaths on side B (low)", True),
        ("deaths_b_best", "Deaths on side B (best)", True),
        ("deaths_b_high", "Deaths on side B (high)", True),
        ("deaths_civilians_low", "Civilian deaths (low)", True),
        ("deaths_civilians_best", "Civilian deaths (best)", True),
        ("deaths_civilians_high", "Civilian deaths (high)", True),
        ("deaths_unknown_low", "Deaths on no known side (low)", True),
        ("deaths_unknown_best", "Deaths on no known side (best)", True),
        ("deaths_unknown_high", "Deaths on no known side (high)", True),
        ("injuries_low", "Injuries (low)", True),
        ("injuries_best", "Injuries (best)", True),
        ("injuries_high", "Injuries (high)", True),
        ("fatalities_method", "Estimate method", True),
        ("fatalities_rationale", "Estimate rationale", False),
        ("contested", "Contested", True),
        ("grading", "Evidence grading", True),
        ("tags", "Tags", True),
    ]
    assert [field.attname for field, _ in changelog.CLAIM_FIELDS] == [
        "claimant_id", "speaker_id", "kind", "losses_of", "losses_actor_id", "quantity_low", "quantity_high",
        "losses_note", "quantity_text", "part_of_id", "responsible_actor_id", "attribution", "movement", "place",
        "stance", "verification", "verification_note",
    ]  # fmt: skip


def test_the_api_shows_the_incident_fields_the_spec_marks_in_the_model_order():
    assert IncidentListSerializer.Meta.fields == (
        "id", "title", "start_date", "end_date", "date_precision", "time_precision", "country", "admin1", "admin2",
        "location", "latitude", "longitude", "geo_precision", "event_type", "sub_event_type", "fatalities_low",
        "fatalities_best", "fatalities_high", "fatalities_high_open", "deaths_a_low", "deaths_a_best", "deaths_a_high",
        "deaths_b_low", "deaths_b_best", "deaths_b_high", "deaths_civilians_low", "deaths_civilians_best",
        "deaths_civilians_high", "deaths_unknown_low", "deaths_unknown_best", "deaths_unknown_high", "injuries_low",
        "injuries_best", "injuries_high", "estimate_stale", "contested", "grading", "tags", "updated_at",
        "published_at", "side_a", "side_b", "corrections",
    )  # fmt: skip
    assert IncidentDetailSerializer.Meta.fields == (
        *IncidentListSerializer.Meta.fields[:-3],
        "summary", "time_of_day", "fatalities_method", "fatalities_rationale", "actors", "claims", "sources",
        "related_incidents", "corrections",
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
