"""The column spec (incidents.columns) is the one list of columns: the import files follow it."""

from __future__ import annotations

from incidents.columns import CLAIMS, INCIDENTS, TABLES, Column
from incidents.imports.resources import ClaimResource, IncidentResource


def names(columns: list[Column]) -> list[str]:
    return [column.name for column in columns]


def test_the_archive_format_has_the_spec_columns_that_files_carry_in_the_export_order():
    assert IncidentResource().get_export_headers() == names(INCIDENTS.file_columns)
    assert [f.column_name for f in IncidentResource().get_user_visible_fields()] == names(INCIDENTS.file_columns)
    # An export re-imports: every column the CSV export shares with the import files comes first, in its order.
    shared = [name for name in INCIDENTS.column_names if name in names(INCIDENTS.file_columns)]
    assert names(INCIDENTS.file_columns)[: len(shared)] == shared


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


def test_columns_only_imports_read_are_not_exported_and_do_not_shadow_exported_ones():
    for table in TABLES.values():
        for column in table.import_only:
            assert column.sql == "" and column.widget is not None
            assert column.name not in table.column_names
        assert all(column.sql for column in table.columns)
