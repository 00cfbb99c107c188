"""Citable dataset releases: the CSVs of one database snapshot, their Frictionless
``datapackage.json`` and data dictionary (from ``incidents.columns``), a CITATION.cff,
a summary of what changed since the previous release, and SHA-256 checksums.

The CSVs are written by the same COPY-based code as ``/export/*.csv``. The change summary
walks the old and new ``incidents.csv`` side by side (both are sorted by id), so it needs
no memory per row. It lists apart the incidents a reviewer corrected since the previous
release, with each correction's date and public reason, as the incident's page and the API
give them.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from incidents import export
from incidents.columns import TABLES, Table
from incidents.models import Correction, Incident
from incidents.selection import Selection

DATAPACKAGE = "datapackage.json"
CHECKSUMS = "SHA256SUMS"
CHANGES = "changes.json"
CITATION = "CITATION.cff"
DICTIONARY = "data-dictionary.md"

# Columns that point at another table of the release; frictionless checks them.
FOREIGN_KEYS = {
    "claims": [
        {"fields": "incident_id", "reference": {"resource": "incidents", "fields": "id"}},
        {"fields": "part_of", "reference": {"resource": "claims", "fields": "id"}},
    ],
    "citations": [
        {"fields": "claim_id", "reference": {"resource": "claims", "fields": "id"}},
        {"fields": "incident_id", "reference": {"resource": "incidents", "fields": "id"}},
        {"fields": "source_id", "reference": {"resource": "sources", "fields": "id"}},
    ],
}


class ReleaseError(Exception):
    pass


@dataclass
class Changes:
    previous_version: str | None = None
    added: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    retracted: list[int] = field(default_factory=list)
    # Retracted duplicates merged into another incident: their id and that incident's.
    merged_into: dict[int, int] = field(default_factory=dict)
    withdrawn: list[int] = field(default_factory=list)
    # Approved corrections since the previous release, oldest first: incident, date, reason.
    corrections: list[dict] = field(default_factory=list)

    @property
    def corrected(self) -> list[int]:
        return sorted({correction["incident"] for correction in self.corrections})

    def as_dict(self, version: str) -> dict:
        return {
            "version": version,
            "previous_version": self.previous_version,
            "added": self.added,
            "changed": self.changed,
            "retracted": self.retracted,
            "merged_into": {str(pk): into for pk, into in self.merged_into.items()},
            "withdrawn": self.withdrawn,
            "corrected": self.corrected,
            "corrections": self.corrections,
        }


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def table_schema(table: Table) -> dict:
    fields = []
    for column in table.columns:
        spec = {"name": column.name, "type": column.type, "description": column.description}
        if column.name == table.primary_key:
            spec["constraints"] = {"required": True, "unique": True}
        fields.append(spec)
    schema = {"fields": fields, "primaryKey": [table.primary_key], "missingValues": [""]}
    if table.name in FOREIGN_KEYS:
        schema["foreignKeys"] = FOREIGN_KEYS[table.name]
    return schema


def datapackage(version: str, created: datetime.datetime, out: Path) -> dict:
    base_url = settings.ARCHIVE_BASE_URL.rstrip("/")
    return {
        "profile": "tabular-data-package",
        "name": "incident-archive",
        "title": settings.ARCHIVE_NAME,
        "description": "Published incidents, the claims about them and the reports citing each claim, "
        "the actors involved and the sources cited.",
        "version": version,
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "homepage": f"{base_url}/data/",
        "resources": [
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": (out / f"{table.name}.csv").stat().st_size,
                "hash": f"sha256:{sha256(out / f'{table.name}.csv')}",
                "schema": table_schema(table),
            }
            for table in TABLES.values()
        ],
    }


def data_dictionary(version: str) -> str:
    lines = [f"# {settings.ARCHIVE_NAME}: data dictionary (release {version})", ""]
    for table in TABLES.values():
        lines += [f"## {table.name}.csv", "", table.description, "", "| Column | Type | Meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {c.type} | {c.description.replace('|', '/')} |" for c in table.columns]
        lines.append("")
    return "\n".join(lines)


def citation(version: str, released: datetime.date) -> str:
    name = settings.ARCHIVE_NAME
    # JSON strings are valid YAML double-quoted scalars, so json.dumps quotes safely.
    return "\n".join(
        [
            "cff-version: 1.2.0",
            'message: "If you use this dataset, please cite it as below."',
            "type: dataset",
            f"title: {json.dumps(f'{name}, dataset release {version}')}",
            f"version: {json.dumps(version)}",
            f"date-released: {released.isoformat()}",
            "authors:",
            f"  - name: {json.dumps(f'{name} editors')}",
            f"url: {json.dumps(settings.ARCHIVE_BASE_URL.rstrip('/') + '/data/')}",
            "",
        ]
    )


def find_previous(out: Path) -> Path | None:
    """The newest other release (by its datapackage's ``created``) beside ``out``."""
    candidates = []
    for sibling in out.parent.iterdir():
        package = sibling / DATAPACKAGE
        if sibling.resolve() == out.resolve() or not package.is_file():
            continue
        try:
            created = json.loads(package.read_text())["created"]
        except (ValueError, KeyError):
            continue
        candidates.append((created, sibling.name, sibling))
    return max(candidates)[2] if candidates else None


def _rows_by_id(path: Path, columns: list[str]) -> Iterator[tuple[int, tuple[str, ...]]]:
    with path.open(newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            yield int(row["id"]), tuple(row.get(name, "") for name in columns)


def compare(previous: Path, current: Path) -> Changes:
    """Added, changed and removed incident ids between two incidents.csv files sorted by id."""
    with previous.open(newline="", encoding="utf-8") as old_file, current.open(newline="", encoding="utf-8") as file:
        old_header = next(csv.reader(old_file), [])
        new_header = next(csv.reader(file), [])
    # Compare the columns both releases have; a new column alone does not change every row.
    common = [name for name in new_header if name in old_header]
    changes = Changes()
    removed: list[int] = []
    old_rows, new_rows = _rows_by_id(previous, common), _rows_by_id(current, common)
    old, new = next(old_rows, None), next(new_rows, None)
    while old is not None or new is not None:
        if new is None or (old is not None and old[0] < new[0]):
            removed.append(old[0])
            old = next(old_rows, None)
        elif old is None or new[0] < old[0]:
            changes.added.append(new[0])
            new = next(new_rows, None)
        else:
            if old[1] != new[1]:
                changes.changed.append(new[0])
            old, new = next(old_rows, None), next(new_rows, None)
    retracted = dict(Incident.objects.retracted().filter(pk__in=removed).values_list("pk", "merged_into"))
    changes.retracted = [pk for pk in removed if pk in retracted]
    changes.merged_into = {pk: retracted[pk] for pk in changes.retracted if retracted[pk] is not None}
    changes.withdrawn = [pk for pk in removed if pk not in retracted]
    return changes


def corrections_between(since: datetime.datetime, until: datetime.datetime) -> list[dict]:
    """The corrections approved after ``since`` and by ``until``, as the public reads them."""
    corrections = Correction.objects.public().filter(decided_at__gt=since, decided_at__lte=until)
    return [
        {"incident": incident, "date": decided_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "reason": reason}
        for incident, decided_at, reason in corrections.order_by("decided_at", "pk").values_list(
            "incident_id", "decided_at", "reason"
        )
    ]


def _created(release: Path) -> datetime.datetime | None:
    created = json.loads((release / DATAPACKAGE).read_text()).get("created")
    if created is None:
        return None
    return datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)


def write_checksums(out: Path) -> None:
    names = sorted(p.name for p in out.iterdir() if p.is_file() and p.name != CHECKSUMS)
    (out / CHECKSUMS).write_text("".join(f"{sha256(out / name)}  {name}\n" for name in names))


def export_release(
    *, version: str, out: Path, previous: Path | None = None, now: datetime.datetime | None = None
) -> Changes:
    """Write release ``version`` into the new or empty directory ``out``; return what changed."""
    # To the second, as datapackage.json writes it: the next release lists corrections after it.
    now = (now or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out} is not empty; a release is written once, into a new directory.")
    if previous is not None and not (previous / "incidents.csv").is_file():
        raise ReleaseError(f"{previous} holds no incidents.csv to compare with.")
    out.mkdir(parents=True, exist_ok=True)
    previous = previous or find_previous(out)

    selects = {name: export.select_sql(name, Selection({})) for name in TABLES}
    conn = export.dedicated_connection(snapshot=True)
    try:
        with conn.transaction():
            for name, select in selects.items():
                with (out / f"{name}.csv").open("wb") as file:
                    export.write_csv(conn, select, file)
    finally:
        conn.close()

    changes = Changes()
    if previous is not None:
        changes = compare(previous / "incidents.csv", out / "incidents.csv")
        changes.previous_version = json.loads((previous / DATAPACKAGE).read_text()).get("version")
        # From the previous release's creation to this one's, each taken before its snapshot and
        # written to the second: each correction is listed by one release, at worst the one
        # after the release whose data it changed.
        since = _created(previous)
        changes.corrections = corrections_between(since, now) if since is not None else []
    (out / CHANGES).write_text(json.dumps(changes.as_dict(version), indent=2) + "\n")
    (out / DATAPACKAGE).write_text(json.dumps(datapackage(version, now, out), indent=2, ensure_ascii=False) + "\n")
    (out / DICTIONARY).write_text(data_dictionary(version))
    (out / CITATION).write_text(citation(version, now.date()))
    write_checksums(out)
    return changes
