"""export_release writes through its own database connection, so these tests commit their data."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import timezone
from frictionless import validate

from incidents import models
from incidents.columns import TABLES
from tests.factories import IncidentFactory
from tests.graph import SECRET_MARKERS, build_archive

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


@pytest.fixture
def archive():
    return build_archive()


def test_a_release_holds_the_csvs_datapackage_citation_changes_and_checksums(archive, tmp_path):
    out = tmp_path / "v1"

    call_command("export_release", "--version", "1.0.0", "--out", str(out))

    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "incidents.csv",
            "claims.csv",
            "citations.csv",
            "actors.csv",
            "sources.csv",
            "datapackage.json",
            "data-dictionary.md",
            "CITATION.cff",
            "changes.json",
            "SHA256SUMS",
        ]
    )
    incidents = read_csv(out / "incidents.csv")
    assert [int(row["id"]) for row in incidents] == sorted(i.pk for i in archive.published)
    assert list(incidents[0]) == [column.name for column in TABLES["incidents"].columns]
    package = json.loads((out / "datapackage.json").read_text())
    assert package["version"] == "1.0.0"
    assert [r["name"] for r in package["resources"]] == list(TABLES)
    assert [f["name"] for f in package["resources"][0]["schema"]["fields"]] == [
        column.name for column in TABLES["incidents"].columns
    ]
    citation = yaml.safe_load((out / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == "1.0.0"
    assert citation["type"] == "dataset"
    assert json.loads((out / "changes.json").read_text())["previous_version"] is None


def test_the_checksums_match_the_files(archive, tmp_path):
    out = tmp_path / "v1"
    call_command("export_release", "--version", "1.0.0", "--out", str(out))

    lines = (out / "SHA256SUMS").read_text().splitlines()

    assert len(lines) == 9
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    check = subprocess.run(["sha256sum", "--check", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_release_validates_with_frictionless(archive, tmp_path):
    out = tmp_path / "v1"
    call_command("export_release", "--version", "1.0.0", "--out", str(out))

    report = validate(str(out / "datapackage.json"))
    cli = subprocess.run(
        [str(Path(sys.executable).with_name("frictionless")), "validate", str(out / "datapackage.json")],
        capture_output=True,
        text=True,
    )

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert cli.returncode == 0, cli.stdout[-3000:]


def test_frictionless_notices_a_tampered_file(archive, tmp_path):
    out = tmp_path / "v1"
    call_command("export_release", "--version", "1.0.0", "--out", str(out))
    with (out / "claims.csv").open("a") as file:
        file.write("999999,not-an-incident\n")

    assert not validate(str(out / "datapackage.json")).valid


def test_a_release_has_no_unpublished_or_confidential_data(archive, tmp_path):
    out = tmp_path / "v1"
    call_command("export_release", "--version", "1.0.0", "--out", str(out))

    for path in out.iterdir():
        text = path.read_text(encoding="utf-8").lower()
        for marker in SECRET_MARKERS:
            assert marker.lower() not in text, (path.name, marker)
    assert models.Source.objects.filter(outlet="CONFIDENTIAL-OUTLET-MARKER").exists()


def test_the_change_summary_lists_added_changed_and_retracted_ids(archive, tmp_path):
    call_command("export_release", "--version", "1.0.0", "--out", str(tmp_path / "v1"))
    added = IncidentFactory(published=True, title="A new incident")
    models.Incident.objects.filter(pk=archive.gao.pk).update(fatalities_best=4)
    models.Incident.objects.filter(pk=archive.bamako.pk).update(
        status=models.Status.RETRACTED, retraction_notice="Duplicate of another incident.", retracted_at=timezone.now()
    )

    call_command("export_release", "--version", "1.1.0", "--out", str(tmp_path / "v2"))

    changes = json.loads((tmp_path / "v2" / "changes.json").read_text())
    assert changes == {
        "version": "1.1.0",
        "previous_version": "1.0.0",
        "added": [added.pk],
        "changed": [archive.gao.pk],
        "retracted": [archive.bamako.pk],
        "merged_into": {},
        "withdrawn": [],
        "corrected": [],
        "corrections": [],
    }


def test_the_change_summary_names_the_incident_a_retracted_duplicate_was_merged_into(archive, tmp_path):
    call_command("export_release", "--version", "1", "--out", str(tmp_path / "v1"))
    models.Incident.objects.filter(pk=archive.gao.pk).update(
        status=models.Status.RETRACTED,
        retraction_notice=f"Merged into #{archive.kidal.pk}: the same clash.",
        retracted_at=timezone.now(),
        merged_into=archive.kidal,
    )

    call_command("export_release", "--version", "2", "--out", str(tmp_path / "v2"))

    changes = json.loads((tmp_path / "v2" / "changes.json").read_text())
    assert changes["retracted"] == [archive.gao.pk]
    assert changes["merged_into"] == {str(archive.gao.pk): archive.kidal.pk}


def test_the_citations_point_at_the_claims_incidents_and_sources_of_the_release(archive, tmp_path):
    out = tmp_path / "v1"
    call_command("export_release", "--version", "1", "--out", str(out))

    citations = read_csv(out / "citations.csv")
    package = json.loads((out / "datapackage.json").read_text())
    resource = next(r for r in package["resources"] if r["name"] == "citations")

    assert {int(row["claim_id"]) for row in citations} == {archive.ambush_claim.pk, archive.informant_claim.pk}
    assert {int(row["claim_id"]) for row in citations} <= {int(row["id"]) for row in read_csv(out / "claims.csv")}
    assert {int(row["source_id"]) for row in citations} <= {int(row["id"]) for row in read_csv(out / "sources.csv")}
    assert [key["fields"] for key in resource["schema"]["foreignKeys"]] == ["claim_id", "incident_id", "source_id"]
    assert "citations.csv" in (out / "data-dictionary.md").read_text()


def test_frictionless_notices_a_citation_of_a_claim_the_release_does_not_hold(archive, tmp_path):
    out = tmp_path / "v1"
    call_command("export_release", "--version", "1", "--out", str(out))
    rows = read_csv(out / "citations.csv")
    rows[0]["claim_id"] = "999999"
    with (out / "citations.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    report = validate(str(out / "datapackage.json"))

    assert not report.valid
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}


def test_an_explicit_previous_release_is_compared_and_unpublished_ones_count_as_withdrawn(archive, tmp_path):
    call_command("export_release", "--version", "1", "--out", str(tmp_path / "a" / "v1"))
    models.Incident.objects.filter(pk=archive.gao.pk).update(status=models.Status.DRAFT)

    call_command(
        "export_release",
        "--version",
        "2",
        "--out",
        str(tmp_path / "b" / "v2"),
        "--previous",
        str(tmp_path / "a" / "v1"),
    )

    changes = json.loads((tmp_path / "b" / "v2" / "changes.json").read_text())
    assert changes["withdrawn"] == [archive.gao.pk]
    assert changes["added"] == changes["changed"] == changes["retracted"] == []


def test_a_release_is_never_written_over(archive, tmp_path):
    out = tmp_path / "v1"
    call_command("export_release", "--version", "1", "--out", str(out))
    before = (out / "SHA256SUMS").read_text()

    with pytest.raises(CommandError, match="not empty"):
        call_command("export_release", "--version", "1", "--out", str(out))

    assert (out / "SHA256SUMS").read_text() == before
