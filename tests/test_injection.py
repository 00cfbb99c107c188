"""No injection: formula payloads in every text field come out neutralised in every spreadsheet.

Every editable free-text field of every model that reaches an export holds each payload
in turn; every cell of every export is then read back and checked line by line.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.db import models as django_models
from django.test import Client

from incidents import models
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    PersonFactory,
    SourceFactory,
    UserFactory,
)

# The payloads of the issue: formula starts, control characters, a space first, a second line.
FORMULA_PAYLOADS = ["=1+1", "+1", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1", "\n=1+1", " =1+1", "note\n=1+1"]
NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
# A spreadsheet evaluates a line that starts, maybe after blanks, with one of these.
RISKY_LINE = re.compile(r"[ \t]*[=+\-@]")
EXPORTED_MODELS = [
    models.Incident,
    models.Actor,
    models.ActorAlias,
    models.ActorRelation,
    models.Source,
    models.IncidentActor,
    models.IncidentSource,
    models.Claim,
    models.Citation,
    models.Person,
]


def free_text_fields(model: type[django_models.Model]) -> list[str]:
    """Editable text fields without a fixed vocabulary or format: where editors type prose."""
    names = []
    for field in model._meta.get_fields():
        if not isinstance(field, django_models.CharField | django_models.TextField):
            continue
        if field.choices or isinstance(field, django_models.SlugField) or not field.editable:
            continue
        if field.name in {"country", "language"} or (field.max_length or 1000) < 12:
            continue
        names.append(field.name)
    return names


def is_formula(cell: str) -> bool:
    if NUMBER.fullmatch(cell):
        return False
    return any(RISKY_LINE.match(line) for line in re.split(r"\r\n|\r|\n", cell))


def fill(instance: django_models.Model, payload: str) -> None:
    fields = free_text_fields(type(instance))
    for name in fields:
        setattr(instance, name, payload)
    instance.save(update_fields=fields)


@pytest.fixture
def archive_of_payloads(django_db_serialized_rollback, transactional_db):
    """One published incident per payload, with the payload in every free-text field."""
    # Committed, because the streamed export reads on its own connection.
    for n, payload in enumerate(FORMULA_PAYLOADS):
        incident = IncidentFactory(published=True)
        actor, ally = ActorFactory(), ActorFactory()
        alias = models.ActorAlias.objects.create(actor=actor, name=f"alias {n}")
        relation = models.ActorRelation.objects.create(subject=actor, kind="allied_with", object=ally)
        source = SourceFactory()
        link = IncidentActorFactory(incident=incident, actor=actor)
        cited = models.IncidentSource.objects.create(incident=incident, source=source)
        speaker = PersonFactory()
        claim = ClaimFactory(incident=incident, source=source, claimant=actor, speaker=speaker)
        citation = claim.citations.get()
        citation.speaker = speaker
        citation.save()
        for instance in (incident, actor, ally, alias, relation, source, link, cited, claim, citation, speaker):
            fill(instance, payload)
    return models.Incident.objects.published().count()


def test_every_model_has_free_text_fields_under_test():
    assert "title" in free_text_fields(models.Incident)
    assert "quantity_text" in free_text_fields(models.Claim)
    assert {"quote", "translation"} <= set(free_text_fields(models.Citation))
    assert {"name", "description"} <= set(free_text_fields(models.Person))
    assert "internal_notes" in free_text_fields(models.Source)
    assert is_formula("=1+1") and is_formula("note\n =1") and not is_formula("'=1+1") and not is_formula("-12.5")


def export_paths() -> list[str]:
    from incidents.columns import TABLES

    return [f"/export/{name}.csv" for name in TABLES]


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_every_public_export_neutralises_formulas_in_every_text_field(archive_of_payloads):
    paths = export_paths()
    assert {
        "/export/incidents.csv", "/export/claims.csv", "/export/citations.csv", "/export/actors.csv",
        "/export/sources.csv",
    } <= set(paths)  # fmt: skip
    for path in paths:
        response = Client().get(path)
        assert response.status_code == 200, path
        rows = read_csv(response)
        assert len(rows) > len(FORMULA_PAYLOADS), f"{path} has {len(rows)} rows"
        risky = [(path, row[0], cell) for row in rows for cell in row if is_formula(cell)]
        assert risky == [], f"unneutralised cells: {risky[:5]}"
        carried = sum("SUM(1)" in cell for row in rows for cell in row)
        assert carried > 0, f"{path} carries no payload at all: nothing was tested"


def test_every_release_file_neutralises_formulas_in_every_text_field(archive_of_payloads, tmp_path):
    from django.core.management import call_command

    call_command("export_release", release_version="2025.06", out=tmp_path / "release", verbosity=0)
    files = sorted((tmp_path / "release").rglob("*.csv"))
    assert {f.name for f in files} >= {"incidents.csv", "claims.csv", "citations.csv", "actors.csv", "sources.csv"}
    carried = 0
    for path in files:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
        risky = [(path.name, cell) for row in rows for cell in row if is_formula(cell)]
        assert risky == [], f"unneutralised cells: {risky[:5]}"
        carried += sum("SUM(1)" in cell for row in rows for cell in row)
    assert carried > 0, "the release carries no payload at all: nothing was tested"


def admin_export(client: Client, format_name: str) -> bytes:
    """Export every incident through the admin's export page, every field selected."""
    page = client.get("/admin/incidents/incident/export/")
    assert page.status_code == 200
    form = page.context["form"]
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        if name == "format":
            data[name] = next(value for value, label in field.choices if label.lower() == format_name)
        elif hasattr(field, "choices") and field.choices:
            data[name] = field.choices[0][0]
        elif field.widget.input_type == "checkbox" if hasattr(field.widget, "input_type") else False:
            data[name] = "on"
    response = client.post("/admin/incidents/incident/export/", data)
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("format_name", ["csv", "xlsx"])
def test_the_admin_export_neutralises_formulas_in_every_text_field(archive_of_payloads, format_name):
    client = Client()
    client.force_login(UserFactory(username="chief", is_superuser=True))
    body = admin_export(client, format_name)
    if format_name == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.values]
    assert len(rows) > len(FORMULA_PAYLOADS)
    risky = [cell for row in rows for cell in row if is_formula(cell)]
    assert risky == [], f"unneutralised cells: {risky[:5]}"
    assert sum("SUM(1)" in cell for row in rows for cell in row) > 0
