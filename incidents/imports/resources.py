"""Imports (and the admin's export) of incidents through django-import-export.

The top of the imports (``incidents.imports``): the admin's adapter. Three file formats,
each a Resource the admin offers on one import page:

- ``IncidentResource``: the archive's own flat format, one row per incident, with the
  same column names as the incidents export, so an export can be re-imported.
- ``AcledIncidentResource``: ACLED's CSV export, translated into the flat format
  (``vocabulary.ACLED_COLUMNS`` says where every ACLED column goes), with errors reported
  under ACLED's column names.
- ``ClaimResource``: one row per report carrying a claim (a citation), naming the claim's
  incident by id or by import key; rows sharing a ``claim_key`` are one claim.

Imports only add: every imported incident is a new draft. The two incident formats are
checked and written by the same set-based SQL as the ``import_incidents`` command
(``incidents.imports.engine``): the file is staged with COPY, every row is checked at once
against the rules the database enforces, so the preview can name each row, column and
reason, and the rows are written with INSERT ... SELECT. Claims are checked row by row in
Python, with what they refer to looked up once per file, and written in batches.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import Any

import pghistory
import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import translation
from import_export import fields, resources, widgets
from import_export.results import Error, Result, RowResult

from incidents import services
from incidents.columns import CLAIMS, INCIDENTS, Table
from incidents.imports import engine
from incidents.imports.vocabulary import ACLED_COLUMNS, ACLED_LABELS, Lookups
from incidents.models import (
    Actor,
    Citation,
    Claim,
    ClaimKind,
    Incident,
    IncidentSource,
    LossesOf,
    Person,
    Role,
    Side,
    Source,
)
from incidents.search_document import fold
from incidents.spreadsheet import is_blank, max_import_rows


class ImportTooLargeError(ValueError):
    pass


def check_row_count(dataset: tablib.Dataset) -> None:
    # The admin's formats stop reading past the limit (incidents.spreadsheet); this is for datasets
    # built otherwise.
    limit = max_import_rows()
    if len(dataset) > limit:
        raise ImportTooLargeError(
            f"The file has {len(dataset):,} rows; one import takes at most {limit:,}. "
            "Split the file, or use the import_incidents command."
        )


# --- The archive's flat incident format ---------------------------------------------------------


class ArchiveResource(resources.ModelResource):
    """Settings every import shares: new rows only, batched writes, all-or-nothing."""

    # Column as the file names it (ACLED's names for the ACLED format), for error messages.
    column_labels: dict[str, str] = {}

    class Meta:
        force_init_instance = True  # imports only add rows
        skip_diff = True
        use_bulk = True
        batch_size = 1000
        clean_model_instances = False  # the checks mirror the database's, with row-level messages
        store_row_values = True

    def import_data(self, dataset: tablib.Dataset, *args: Any, **kwargs: Any) -> Result:
        # The confirm step calls this without rolling back on invalid rows; an import is all or nothing.
        kwargs["rollback_on_validation_errors"] = True
        with pghistory.context(import_file=kwargs.get("file_name") or "", import_format=self.get_display_name()):
            return super().import_data(dataset, *args, **kwargs)

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        # If the file as a whole is refused, its rows are not read (the reason is the only error).
        self.refused = True
        check_row_count(dataset)
        dataset.headers = [str(h).strip().lower() if h is not None else "" for h in dataset.headers or []]
        self.prepare_import(dataset, **kwargs)
        self.refused = False

    def prepare_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        """Look up what the rows refer to, once per file."""

    def import_row(self, row: dict, instance_loader: Any, **kwargs: Any) -> RowResult:
        if self.refused:
            result = RowResult()
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            return result
        return super().import_row(row, instance_loader, **kwargs)

    def after_import(self, dataset: tablib.Dataset, result: Any, **kwargs: Any) -> None:
        # The library resets the id sequence to max(id) here, which could hand out the id of a
        # deleted draft again; incident ids are never reused, so the sequence is left alone.
        return None

    def label(self, column: str) -> str:
        return self.column_labels.get(column, column)

    def cell(self, row: dict, column: str) -> Any:
        """The cell of ``column`` as its widget reads it (raises ValueError)."""
        return self.fields[column].widget.clean(row.get(column))

    def raise_row_errors(self, errors: dict[str, list[str] | str]) -> None:
        if errors:
            raise ValidationError(
                {
                    self.label(column): messages if isinstance(messages, list) else [messages]
                    for column, messages in errors.items()
                }
            )

    def parse_columns(self, instance: Any, row: dict, **kwargs: Any) -> dict[str, list[str]]:
        """Set each declared column's attribute; returns {column: [problems]}."""
        errors: dict[str, list[str]] = {}
        for column, attribute, widget in self.writable_columns():
            if column not in row:
                if getattr(widget, "required", False):
                    errors[column] = ["is required, but the file has no such column"]
                continue
            # The widgets' clean() is Field.save() without its per-call bookkeeping; this loop
            # runs once per cell.
            try:
                setattr(instance, attribute, widget.clean(row[column], row=row))
            except ValueError as error:
                errors[column] = [str(error)]
        return errors

    def writable_columns(self) -> list[tuple[str, str, widgets.Widget]]:
        if not hasattr(self, "_writable_columns"):
            self._writable_columns = [
                (fld.column_name, fld.attribute, fld.widget)
                for fld in self.get_import_fields()
                if fld.attribute and not fld.readonly
            ]
        return self._writable_columns

    def _write_batch(self, instances: list[Any]) -> None:
        raise NotImplementedError

    def bulk_create(
        self,
        using_transactions: bool,
        dry_run: bool,
        raise_errors: bool,
        batch_size: int | None = None,
        result: Result | None = None,
    ) -> None:
        # The preview checks every row in Python against the database's own rules and so skips the
        # writes, which would be rolled back anyway; should the database still refuse a row on
        # confirm, the whole import is rolled back and the row reported.
        if not self.create_instances or dry_run:
            self.create_instances.clear()
            return
        try:
            with transaction.atomic():
                self._write_batch(self.create_instances)
        except (IntegrityError, DataError) as error:
            self._report_database_errors(self.create_instances, error, result, raise_errors)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()

    def _report_database_errors(self, instances: list[Any], error: Exception, result: Any, raise_errors: bool) -> None:
        """Find the rows of a refused batch one by one, so the report names each of them."""
        found = False
        for instance in instances:
            try:
                with transaction.atomic():
                    self._write_batch([instance])
                    raise _UndoTrialWriteError
            except _UndoTrialWriteError:
                continue
            except (IntegrityError, DataError) as row_error:
                found = True
                message = str(row_error).splitlines()[0]
                self.handle_import_error(
                    result, ValueError(f"Row {instance._import_row}: the database refused it: {message}"), raise_errors
                )
        if not found:
            self.handle_import_error(result, error, raise_errors)


class _UndoTrialWriteError(Exception):
    """Rolls back a trial write."""


def resource_for(table: Table) -> type[ArchiveResource]:
    """An ArchiveResource with a field for each column of the table's files, in their order.

    The columns and their widgets are the spec's (``incidents.columns``). A column that shows a
    field of the model is read into it and exported from it; one that names other records (the
    taxonomy, actors, sources) is exported by the resource's ``dehydrate_<column>`` method and
    resolved on import by the resource, or by the engine.
    """
    declared: dict[str, Any] = {}
    for column in table.file_columns:
        field = table.field(column)
        attribute = None if field is None or field.is_relation else field.name
        declared[column.name] = fields.Field(attribute, column.name, widget=column.widget, readonly=column.readonly)
    names = tuple(declared)
    meta = type("Meta", (), {"model": table.model, "fields": names, "import_order": names, "export_order": names})
    name = f"{table.model.__name__}Columns"
    return type(ArchiveResource)(name, (ArchiveResource,), {"__module__": __name__, "Meta": meta, **declared})


PREVIEW_ROWS = 50
ROW_IMPORT_TYPES = {
    "new": RowResult.IMPORT_TYPE_NEW,
    "update": RowResult.IMPORT_TYPE_UPDATE,
    "correction": RowResult.IMPORT_TYPE_UPDATE,
    "unchanged": RowResult.IMPORT_TYPE_SKIP,
}


def normalised_header(dataset: tablib.Dataset) -> list[str]:
    return [str(h).strip().lower() if h is not None else "" for h in dataset.headers or []]


def dataset_as_csv(dataset: tablib.Dataset) -> tuple[list[str], io.BytesIO]:
    """The dataset as UTF-8 CSV, with its header normalised, for COPY; spreadsheet cells as text."""
    header = normalised_header(dataset)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows([_as_text(value) for value in values] for values in dataset)
    return header, io.BytesIO(text.getvalue().encode())


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()  # a spreadsheet's date
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet's 12 is 12.0
    return str(value)


class SetBasedImportMixin:
    """Incident files are checked and written by the command-line import's SQL (incidents.imports.engine).

    The file goes into a staging table with COPY and every row is checked there at once, so the
    admin and the command apply the same rules and report the same problems; django-import-export
    keeps the admin's flow (upload, preview, confirm). The preview checks without writing; the
    confirm checks again and writes, all or nothing.
    """

    bulk_format = "archive"

    def import_data(self, dataset: tablib.Dataset, dry_run: bool = False, **kwargs: Any) -> Result:
        result = self.get_result_class()()
        try:
            check_row_count(dataset)
        except ImportTooLargeError as error:
            result.append_base_error(Error(error))
            return result
        user = kwargs.get("user")
        arguments = {
            "file_format": self.bulk_format,
            "user": user if user is not None and user.is_authenticated else None,
            "context": {"import_file": kwargs.get("file_name") or "", "import_format": self.get_display_name()},
            "check_only": dry_run,
            "limit": None,
            "preview_rows": PREVIEW_ROWS,
        }
        # A CSV upload goes to COPY as it came (spreadsheet.CSV keeps its text), unless PostgreSQL
        # reads it differently from Python's csv module; then, as for spreadsheets, the rows that
        # tablib read are written out as CSV again.
        text = getattr(dataset, "csv_text", None)
        header = normalised_header(dataset)
        try:
            if text is not None:
                try:
                    outcome = engine.import_csv(handle=io.BytesIO(text.encode()), header=header, **arguments)
                except engine.UnreadableFileError:
                    text = None
            if text is None:
                header, handle = dataset_as_csv(dataset)
                outcome = engine.import_csv(handle=handle, header=header, **arguments)
        except engine.BulkImportError as error:
            self.report_problems(result, error.problems)
            return result
        except (IntegrityError, DataError) as error:
            # A conflict the checks could not foresee (another write meanwhile); nothing was written.
            message = str(error).splitlines()[0]
            result.append_base_error(Error(ValueError(f"The database refused the import: {message}")))
            return result
        # What each row does: a new incident, an update of a draft, a correction to review, or nothing.
        result.totals[RowResult.IMPORT_TYPE_NEW] = outcome.actions.get("new", 0)
        result.totals[RowResult.IMPORT_TYPE_UPDATE] = outcome.actions.get("update", 0) + outcome.actions.get(
            "correction", 0
        )
        result.totals[RowResult.IMPORT_TYPE_SKIP] = outcome.actions.get("unchanged", 0)
        result.archive_preview = outcome.preview  # what the file matches and creates (incidents.imports.matching)
        result.diff_headers = ["action", *header]
        rows = zip(dataset[:PREVIEW_ROWS], outcome.countries, outcome.row_actions, strict=False)
        for values, country, (action, existing) in rows:
            row = RowResult()
            row.import_type = ROW_IMPORT_TYPES[action]
            said = engine.ACTIONS[action] + (f" (incident #{existing})" if existing else "")
            # The country as it will be written (Mali → ML), the other cells as the file gives them.
            row.row_values = {"action": said} | dict(zip(header, values, strict=False)) | {"country": country}
            result.append_row_result(row)
        return result

    def report_problems(self, result: Result, problems: list[tuple[int | None, str, str]]) -> None:
        by_row: dict[int, dict[str, list[str]]] = {}
        for number, column, reason in problems:
            if number is None:
                result.append_base_error(Error(ValueError(reason)))
            else:
                by_row.setdefault(number, {}).setdefault(column or NON_FIELD_ERRORS, []).append(reason)
        for number, errors in by_row.items():
            result.append_invalid_row(number, {}, ValidationError(errors))


class IncidentResource(SetBasedImportMixin, resource_for(INCIDENTS)):
    class Meta:
        name = "Incidents: the archive's own format (one row per incident)"

    # --- export ---

    def get_queryset(self) -> QuerySet[Incident]:
        return Incident.objects.select_related("event_type", "sub_event_type").prefetch_related(
            "incident_actors__actor", "incident_sources__source"
        )

    def dehydrate_event_type(self, incident: Incident) -> str:
        return incident.event_type.name

    def dehydrate_sub_event_type(self, incident: Incident) -> str:
        return incident.sub_event_type.name

    def _actors(self, incident: Incident, side: str, primary: bool, role: str = Role.ASSOCIATED) -> list[Actor]:
        return [
            link.actor
            for link in incident.incident_actors.all()
            if link.side == side and link.role == (Role.PRIMARY if primary else role)
        ]

    def dehydrate_actor1(self, incident: Incident) -> str:
        return "; ".join(a.name for a in self._actors(incident, Side.A, True))

    def dehydrate_actor1_kind(self, incident: Incident) -> str:
        return "; ".join(a.kind for a in self._actors(incident, Side.A, True))

    def dehydrate_assoc_actor_1(self, incident: Incident) -> str:
        return "; ".join(a.name for a in self._actors(incident, Side.A, False))

    def dehydrate_supporting_actor_1(self, incident: Incident) -> str:
        return "; ".join(a.name for a in self._actors(incident, Side.A, False, Role.SUPPORTING))

    def dehydrate_supporting_actor_2(self, incident: Incident) -> str:
        return "; ".join(a.name for a in self._actors(incident, Side.B, False, Role.SUPPORTING))

    def dehydrate_actor2(self, incident: Incident) -> str:
        return "; ".join(a.name for a in self._actors(incident, Side.B, True))

    def dehydrate_actor2_kind(self, incident: Incident) -> str:
        return "; ".join(a.kind for a in self._actors(incident, Side.B, True))

    def dehydrate_assoc_actor_2(self, incident: Incident) -> str:
        return "; ".join(a.name for a in self._actors(incident, Side.B, False))

    def dehydrate_source_names(self, incident: Incident) -> str:
        # Confidential sources leave the archive only as their kind, even in an editor's export;
        # in English whatever the editor's language, as the import reads it back.
        with translation.override("en"):
            return "; ".join(str(link.source.public_label) for link in incident.incident_sources.all())


# --- ACLED's CSV format -------------------------------------------------------------------------


class AcledIncidentResource(IncidentResource):
    bulk_format = "acled"
    column_labels = ACLED_LABELS

    class Meta(IncidentResource.Meta):
        name = "Incidents: ACLED's CSV format (one row per event)"

    def get_user_visible_fields(self) -> list[fields.Field]:
        return [fields.Field(column_name=column) for column in ACLED_COLUMNS]

    def get_export_fields(self, selected_fields: list[str] | None = None) -> list[fields.Field]:
        return IncidentResource().get_export_fields(selected_fields)


# --- Claims and the reports carrying them, one row per report ----------------------------------

# The columns that describe a new source, each giving the Source field its name ends with.
NEW_SOURCE_COLUMNS = (
    "source_kind", "source_outlet", "source_title", "source_author", "source_published_on", "source_language",
)  # fmt: skip
# The columns of a row that describe the report (the citation) rather than the claim it carries.
REPORT_COLUMNS = ("source", "source_url", *NEW_SOURCE_COLUMNS, "quote", "language", "translation", "published_on")
# How the exports name a confidential person (Person.public_name): not a name a file can refer to.
WITHHELD_PERSON = Person(confidential=True).public_name
NUMBER = re.compile(r"\d+(\.0)?")


def _number(text: str) -> int | None:
    return int(float(text)) if NUMBER.fullmatch(text) else None


class ClaimResource(resource_for(CLAIMS)):
    """A row per report carrying a claim: the claim's columns, and the report's (its citation).

    A row starts a new claim, unless it continues one: rows with the same ``claim_key`` on the
    same incident are one claim carried by several reports (the first row gives the claim's
    columns, the others leave them empty or repeat them), and a row that names an archive claim
    in ``claim`` adds its report to that claim. So an outlet relaying a statement already
    entered becomes a citation, never a second claim that reconciliation would count again.
    """

    class Meta:
        name = "Claims and the reports carrying them (one row per report; rows sharing a claim_key are one claim)"

    def prepare_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        column = {name: i for i, name in enumerate(dataset.headers) if name}
        if not ({"incident", "incident_key", "claim"} & column.keys()) or not ({"kind", "claim"} & column.keys()):
            raise ValueError(
                "A claims file needs the columns kind, and incident or incident_key "
                "(or claim, to add reports to claims already in the archive)."
            )

        def values_of(name: str) -> set[str]:
            if name not in column:
                return set()
            return {str(v).strip() for v in dataset.get_col(column[name]) if not is_blank(v)}

        ids = {pk for v in values_of("incident") if (pk := _number(v)) is not None}
        self.incidents = {str(pk): pk for pk in Incident.objects.filter(pk__in=ids).values_list("id", flat=True)}
        self.incident_keys = dict(
            Incident.objects.filter(import_key__in=values_of("incident_key")).values_list("import_key", "id")
        )
        claim_ids = {pk for v in values_of("claim") if (pk := _number(v)) is not None}
        self.claims = dict(Claim.objects.filter(pk__in=claim_ids).values_list("id", "incident_id"))
        self.cited = set(Citation.objects.filter(claim_id__in=self.claims).values_list("claim_id", "source_id"))
        # Incidents the public has seen: an import must not change them without a review.
        named = {*self.incidents.values(), *self.incident_keys.values(), *self.claims.values()}
        self.seen_by_public = set(Incident.objects.filter(pk__in=named).once_published().values_list("id", flat=True))
        # Incidents in review are the reviewers', as in the admin (services.incident_edit_refusal).
        user = kwargs.get("user")
        self.not_editable: dict[int, str] = {}
        if user is not None and user.is_authenticated:
            for incident in Incident.objects.filter(pk__in=named).exclude(pk__in=self.seen_by_public).only("status"):
                refusal = services.incident_edit_refusal(incident=incident, user=user)
                if refusal:
                    self.not_editable[incident.pk] = f"incident #{incident.pk}: {refusal}"
        source_ids = {pk for v in values_of("source") if (pk := _number(v)) is not None}
        self.source_ids = set(Source.objects.filter(pk__in=source_ids).values_list("id", flat=True))
        self.sources_by_url = dict(
            Source.objects.filter(url__in=values_of("source_url")).values_list("url", "id").order_by("-id")
        )
        self.new_sources: dict[tuple, Source] = {}
        lookups = Lookups()
        lookups.load_actors(values_of("claimant") | values_of("losses_actor") | values_of("responsible_actor"))
        lookups.load_people(values_of("speaker"))
        self.actors, self.people = lookups.actors, lookups.people
        # (incident id, claim_key) → (the claim its first row started, that row's number, its claim cells).
        self.keyed: dict[tuple[int, str], tuple[Claim, int, dict[str, str]]] = {}
        # (claim, report) pairs already in the file, each with the row that gave it.
        self.reports: dict[tuple[Any, Any], int] = {}
        self.incident_sources: set[tuple[int, int]] = set()

    def claim_cells(self, row: dict) -> dict[str, str]:
        """The row's cells that describe the claim (not its incident, key or report), as written."""
        skip = {"incident", "incident_key", "claim_key", "claim", *REPORT_COLUMNS}
        return {
            column: str(row[column]).strip()
            for column, _, _ in self.file_cells()
            if column not in skip and column in row and not is_blank(row[column])
        }

    def file_cells(self) -> list[tuple[str, str | None, Any]]:
        return [(fld.column_name, fld.attribute, fld.widget) for fld in self.get_import_fields() if not fld.readonly]

    def import_instance(self, instance: Claim, row: dict, **kwargs: Any) -> None:
        number = kwargs.get("row_number")
        instance._import_row = number
        errors: dict[str, list[str]] = {}
        incident_id = self.resolve_incident(row, errors)
        claim_ref, key = self.cell(row, "claim"), self.cell(row, "claim_key")
        cells = self.claim_cells(row)
        if claim_ref:
            # A report of a claim already in the archive.
            claim_id = _number(claim_ref)
            if claim_id not in self.claims:
                errors.setdefault("claim", []).append(f"there is no claim #{claim_ref}")
            elif incident_id is not None and self.claims[claim_id] != incident_id:
                errors.setdefault("claim", []).append(
                    f"claim #{claim_id} is about incident #{self.claims[claim_id]}, not #{incident_id}"
                )
            else:
                incident_id = self.claims[claim_id]
            for column in cells:
                errors.setdefault(column, []).append(f"leave empty: this row adds a report to claim #{claim_ref}")
            instance._import_claim = claim_id
        elif key and incident_id is not None and (incident_id, key) in self.keyed:
            # Another report of a claim that an earlier row of the file started.
            first, first_row, first_cells = self.keyed[(incident_id, key)]
            for column, value in cells.items():
                if first_cells.get(column) != value:
                    errors.setdefault(column, []).append(
                        f"'{value}' differs from row {first_row}, which starts the claim '{key}': "
                        "leave it empty or repeat that row's value"
                    )
            instance._import_claim = first
        else:
            errors.update(self.parse_claim(instance, row))
            instance._import_claim = None
            if key and incident_id is not None:
                self.keyed[(incident_id, key)] = (instance, number, cells)
        if not errors.get("incident") and not errors.get("incident_key") and incident_id is None and not claim_ref:
            errors.setdefault("incident", []).append("give the incident's id here, or its import_key in incident_key")
        if incident_id in self.seen_by_public or incident_id in self.not_editable:
            column = "claim" if claim_ref else ("incident" if self.cell(row, "incident") else "incident_key")
            errors.setdefault(column, []).append(
                self.not_editable.get(incident_id)
                or f"incident #{incident_id} has been published: an import may not change it; "
                "propose a correction from its page in the admin, which another reviewer approves"
            )
        instance.incident_id = incident_id
        self.resolve_report(instance, row, errors)
        self.raise_row_errors(errors)

    def resolve_incident(self, row: dict, errors: dict) -> int | None:
        incident_ref, key_ref = self.cell(row, "incident"), self.cell(row, "incident_key")
        if incident_ref:
            incident_id = self.incidents.get(incident_ref.removesuffix(".0"))
            if incident_id is None:
                errors.setdefault("incident", []).append(f"there is no incident #{incident_ref}")
            return incident_id
        if key_ref:
            incident_id = self.incident_keys.get(key_ref)
            if incident_id is None:
                errors.setdefault("incident_key", []).append(f"no incident was imported with the key '{key_ref}'")
            return incident_id
        return None

    def parse_claim(self, instance: Claim, row: dict) -> dict[str, list[str]]:
        """A new claim's columns, with the rules that tie them together (the database holds them too)."""
        errors = self.parse_columns(instance, row)
        for column in ("claimant", "losses_actor", "responsible_actor"):
            name = self.cell(row, column)
            if name:
                actor_id = self.actors.get(fold(name))
                if actor_id is None:
                    errors.setdefault(column, []).append(f"'{name}' is not an actor in the archive (name or alias)")
                setattr(instance, f"{column}_id", actor_id)
        speaker = self.cell(row, "speaker")
        if speaker:
            instance.speaker_id = self.people.get(fold(speaker))
            if speaker == WITHHELD_PERSON:
                errors.setdefault("speaker", []).append("is how exports name a confidential person: name the person")
            elif instance.speaker_id is None:
                errors.setdefault("speaker", []).append(
                    f"'{speaker}' is not a person in the archive (name or spelling)"
                )
        if instance.losses_actor_id and instance.losses_of == LossesOf.UNKNOWN and not row.get("losses_of"):
            instance.losses_of = LossesOf.ACTOR
        if (instance.losses_of == LossesOf.ACTOR) != bool(instance.losses_actor_id) and "losses_actor" not in errors:
            errors.setdefault("losses_actor", []).append(
                "is required when losses_of is 'actor'"
                if instance.losses_of == LossesOf.ACTOR
                else f"must be empty when losses_of is '{instance.losses_of}'"
            )
        if instance.losses_of == LossesOf.MIXED and not instance.losses_note:
            errors.setdefault("losses_note", []).append("is required when losses_of is 'mixed': say who the groups are")
        kind = instance.kind
        if instance.responsible_actor_id and kind != ClaimKind.RESPONSIBILITY:
            errors.setdefault("responsible_actor", []).append("is only for a claim of kind 'responsibility'")
        if bool(instance.responsible_actor_id) != bool(instance.attribution) and "responsible_actor" not in errors:
            column = "attribution" if instance.responsible_actor_id else "responsible_actor"
            errors.setdefault(column, []).append(
                "is required with responsible_actor (claimed, attributed, suspected or supposed)"
                if column == "attribution"
                else "is required with attribution"
            )
        if instance.movement and kind != ClaimKind.TERRITORY:
            errors.setdefault("movement", []).append("is only for a claim of kind 'territory'")
        low, high = instance.quantity_low, instance.quantity_high
        if high is not None and low is None and "quantity_low" not in errors:
            errors.setdefault("quantity_low", []).append("is required when quantity_high is given")
        if low is not None and high is not None and low > high:
            errors.setdefault("quantity_low", []).append(f"{low} is more than quantity_high ({high})")
        return errors

    def resolve_report(self, instance: Claim, row: dict, errors: dict) -> None:
        """The row's report: a known source (by id or URL) or a new one, with its words, as a citation."""
        citation = Citation()
        problems: dict[str, list[str]] = {}
        for column in ("quote", "language", "translation", "published_on"):
            try:
                setattr(citation, column, self.cell(row, column))
            except ValueError as error:
                problems[column] = [str(error)]
        source_ref, url = self.cell(row, "source"), self.cell(row, "source_url")
        report: Any = None
        if source_ref:
            source_id = _number(source_ref)
            if source_id not in self.source_ids:
                problems.setdefault("source", []).append(f"there is no source #{source_ref}")
            citation.source_id = report = source_id
        elif url and url in self.sources_by_url:
            citation.source_id = report = self.sources_by_url[url]
        else:
            parsed = {}
            for column in NEW_SOURCE_COLUMNS:
                try:
                    parsed[column.removeprefix("source_")] = self.cell(row, column)
                except ValueError as error:
                    problems[column] = [str(error)]
            if "source_kind" not in problems and not parsed.get("kind"):
                problems["source_kind"] = ["is required for a new source (or give source, or a known source_url)"]
            if not problems:
                identity = (url, parsed["outlet"], parsed["title"], parsed["author"], parsed["published_on"])
                if identity not in self.new_sources:
                    self.new_sources[identity] = Source(url=url, **parsed)
                citation._import_source = report = self.new_sources[identity]
                citation.published_on = citation.published_on or parsed["published_on"]
        claim = instance._import_claim if instance._import_claim is not None else instance
        key = (claim if isinstance(claim, int) else id(claim), report if isinstance(report, int) else id(report))
        if report is not None and not problems:
            if isinstance(claim, int) and isinstance(report, int) and (claim, report) in self.cited:
                problems.setdefault("source", []).append(f"source #{report} already carries claim #{claim}")
            elif key in self.reports:
                problems.setdefault("source", []).append(
                    f"the same report already carries this claim in row {self.reports[key]}"
                )
            else:
                self.reports[key] = instance._import_row
        errors.update(problems)
        instance._import_citation = citation

    def _write_batch(self, instances: list[Claim]) -> None:
        citations = [claim._import_citation for claim in instances]
        unsaved = {id(c._import_source): c._import_source for c in citations if getattr(c, "_import_source", None)}
        Source.objects.bulk_create([s for s in unsaved.values() if s.pk is None])
        Claim.objects.bulk_create([claim for claim in instances if claim._import_claim is None])
        for claim, citation in zip(instances, citations, strict=True):
            target = claim._import_claim
            citation.claim_id = target if isinstance(target, int) else (target or claim).pk
            if getattr(citation, "_import_source", None) is not None:
                citation.source_id = citation._import_source.pk
        Citation.objects.bulk_create(citations)
        # A claim's sources are among its incident's sources.
        links = {(claim.incident_id, c.source_id) for claim, c in zip(instances, citations, strict=True)}
        links -= self.incident_sources
        IncidentSource.objects.bulk_create(
            [IncidentSource(incident_id=i, source_id=s) for i, s in links], ignore_conflicts=True
        )
        self.incident_sources |= links


IMPORT_RESOURCES = [IncidentResource, AcledIncidentResource, ClaimResource]


def row_errors(result: Any) -> list[tuple[int | None, str, str]]:
    """Every problem of an import result as (row number, column, reason), in file order."""
    problems: list[tuple[int | None, str, str]] = []
    for error in result.base_errors:
        problems.append((None, "", str(error.error)))
    for number, errors in result.row_errors():
        for error in errors:
            problems.append((number, "", str(error.error)))
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            for message in messages:
                problems.append((invalid.number, "" if column == NON_FIELD_ERRORS else column, message))
    return sorted(problems, key=lambda p: (p[0] is not None, p[0] or 0))
