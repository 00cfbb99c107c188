"""ACLED's deletions: a file of ``event_id_cnty`` and ``deleted_timestamp`` retracts the incidents imported
from those events, each with a public notice ("Deleted by ACLED on 2025-06-20.").

Only a reviewer imports one, since it retracts published incidents (``services.incident_retract``,
row by row: a deletions file is short). The file is checked in full first and is all or nothing.
A key the archive does not have is reported, not an error (ACLED's list covers events never
imported). A draft or an incident in review with that key is reported and left to its editors
(they delete it, or keep it as the archive's own record); an incident already retracted is reported.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pghistory
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from incidents import services
from incidents.imports.engine import BulkImportError, not_utf8
from incidents.models import Incident, Status

REQUIRED = ("event_id_cnty", "deleted_timestamp")


@dataclass
class DeletionsResult:
    rows: int = 0
    retracted: list[int] = field(default_factory=list)
    # (row, event_id_cnty, what happened instead)
    reported: list[tuple[int, str, str]] = field(default_factory=list)


def _deleted_on(value: str) -> datetime.date | None:
    value = value.strip()
    try:
        if value.isdigit():  # ACLED's Unix seconds
            return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC).date()
        return datetime.date.fromisoformat(value[:10])
    except (ValueError, OverflowError):
        return None


def import_deletions(
    *, handle: BinaryIO, user: AbstractBaseUser | None, dry_run: bool = False, file_name: str = ""
) -> DeletionsResult:
    """Retract the published incidents whose ACLED events the file lists; raises BulkImportError
    (and changes nothing) for a bad row, PermissionDenied for a user who is not a reviewer."""
    if user is None or not user.has_perm(services.PUBLISH_PERMISSION):
        raise PermissionDenied(
            "Only a reviewer may import ACLED's deletions: they retract published incidents, with a public notice."
        )
    unreadable = not_utf8(handle)
    if unreadable is not None:
        raise unreadable
    handle.seek(0)
    try:
        return _import_deletions(handle, user, dry_run, file_name)
    except csv.Error as error:  # a NUL byte, a field larger than csv's limit
        raise BulkImportError([(None, "", f"The file cannot be read as CSV: {error}.")], 1) from error


def _import_deletions(handle: BinaryIO, user: AbstractBaseUser, dry_run: bool, file_name: str) -> DeletionsResult:
    reader = csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise BulkImportError([(None, "", f"The file lacks the columns: {', '.join(missing)}.")], 1)
    rows: list[tuple[int, str, datetime.date]] = []
    problems: list[tuple[int | None, str, str]] = []
    for number, raw in enumerate(reader, start=1):
        row = {(k or "").strip().lower(): (v or "") for k, v in raw.items()}
        event, when = row["event_id_cnty"].strip(), _deleted_on(row["deleted_timestamp"])
        if not event:
            problems.append((number, "event_id_cnty", "is required"))
        if when is None:
            problems.append(
                (number, "deleted_timestamp", f"'{row['deleted_timestamp']}' is not a Unix timestamp or a date")
            )
        if event and when is not None:
            rows.append((number, event, when))
    if problems:
        raise BulkImportError(problems, len(problems))
    result = DeletionsResult(rows=len(rows))
    incidents = {
        incident.import_key: incident
        for incident in Incident.objects.filter(import_key__in=[f"ACLED:{event}" for _, event, _ in rows])
    }
    context: dict[str, Any] = {"import_file": file_name, "import_format": "acled-deletions", "user": user.pk}
    with transaction.atomic(), pghistory.context(**context):
        for number, event, when in rows:
            incident = incidents.get(f"ACLED:{event}")
            if incident is None:
                result.reported.append((number, event, "not in the archive"))
            elif incident.status == Status.PUBLISHED:
                notice = f"Deleted by ACLED on {when.isoformat()}."
                services.incident_retract(incident=incident, user=user, notice=notice)
                result.retracted.append(incident.pk)
            elif incident.status == Status.RETRACTED:
                result.reported.append((number, event, f"incident #{incident.pk} was already retracted"))
            else:
                result.reported.append(
                    (
                        number,
                        event,
                        f"incident #{incident.pk} is {services.STATUS_NOUNS[incident.status]}: "
                        "not public, left to its editors to delete or keep",
                    )
                )
        if dry_run:
            transaction.set_rollback(True)
    return result
