"""Imports through the admin: ACLED and archive formats, CSV and XLSX, previewed, all or nothing."""

from __future__ import annotations

import csv
import datetime
import io
import time
import zipfile

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse

from incidents import services, spreadsheet
from incidents.imports.resources import IncidentResource
from incidents.models import (
    Actor,
    ActorAlias,
    ActorKind,
    Citation,
    Claim,
    ClaimKind,
    DatePrecision,
    GeoPrecision,
    Incident,
    IncidentActor,
    IncidentSource,
    PersonAlias,
    Role,
    Side,
    Source,
    SourceKind,
    Status,
)
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    PersonFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:incidents_incident_import")
CONFIRM_URL = reverse("admin:incidents_incident_process_import")
# Positions in the admin's choices (IncidentImportExportMixin): formats, then resources.
CSV_FORMAT, XLSX_FORMAT = 0, 1
ARCHIVE_FORMAT, ACLED_FORMAT, CLAIMS_FORMAT = 0, 1, 2

ACLED_HEADER = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip


def acled_row(**changes: object) -> dict[str, object]:
    row = {
        "event_id_cnty": "MLI33001",
        "event_date": "13 June 2025",
        "year": 2025,
        "time_precision": 1,
        "disorder_type": "Political violence",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Mali (2021-)",
        "assoc_actor_1": "Africa Corps",
        "inter1": 1,
        "actor2": "FLA",
        "assoc_actor_2": "",
        "inter2": 2,
        "interaction": 12,
        "civilian_targeting": "",
        "iso": 466,
        "region": "Western Africa",
        "country": "Mali",
        "admin1": "Kidal",
        "admin2": "Tessalit",
        "admin3": "",
        "location": "Anefif",
        "latitude": 18.05,
        "longitude": 0.65,
        "geo_precision": 2,
        "source": "Agence France Presse; Local Source",
        "source_scale": "National-International",
        "notes": "On 13 June 2025, FLA fighters ambushed an army convoy near Anefif.",
        "fatalities": 15,
        "tags": "",
        "timestamp": 1750000000,
    }
    row.update(changes)
    return row


def csv_file(header: list[str], rows: list[dict[str, object]], name: str = "events.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def xlsx_file(header: list[str], rows: list[dict[str, object]], name: str = "events.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column) for column in header])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def preview(client: Client, upload: SimpleUploadedFile, resource: int, file_format: int = CSV_FORMAT):
    return client.post(IMPORT_URL, {"import_file": upload, "format": file_format, "resource": resource})


def confirm(client: Client, response) -> object:
    form = response.context["confirm_form"]
    return client.post(CONFIRM_URL, {name: form.initial[name] for name in form.initial})


def archive_row(**changes: object) -> dict[str, object]:
    row = {
        "import_key": "",
        "title": "Ambush on the Anefif–Aguelhok road",
        "summary": "A logistics convoy was ambushed.",
        "start_date": "2025-06-13",
        "end_date": "",
        "date_precision": "day",
        "country": "ML",
        "admin1": "Kidal",
        "location": "Anefif",
        "latitude": "18.05",
        "longitude": "0.65",
        "geo_precision": "near",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "FLA",
        "actor1_kind": "Rebel group",
        "actor2": "Military Forces of Mali (2021-)",
        "actor2_kind": "state_forces",
        "assoc_actor_2": "Africa Corps",
        "fatalities_best": "15",
        "grading": "fair",
        "tags": "convoy, ambush",
        "source_names": "AFP",
    }
    row.update(changes)
    return row


ARCHIVE_HEADER = list(archive_row())


def test_an_acled_file_imports_incidents_with_actors_sources_and_a_fatalities_claim(editor_client, editor):
    fla = ActorFactory(name="Front de Libération de l'Azawad", slug="fla", kind=ActorKind.REBEL_GROUP)
    ActorAlias.objects.create(actor=fla, name="FLA")
    rows = [
        acled_row(),
        acled_row(
            event_id_cnty="MLI33002",
            event_date="2025-06-20",
            time_precision=3,
            event_type="Violence against civilians",
            sub_event_type="Abduction/forced disappearance",
            actor1="Unidentified Armed Group (Mali)",
            assoc_actor_1="",
            inter1=3,
            actor2="Civilians (Mali)",
            inter2=7,
            civilian_targeting="Civilian targeting",
            geo_precision=3,
            source="Twitter",
            fatalities=0,
        ),
    ]

    response = preview(editor_client, csv_file(ACLED_HEADER, rows), ACLED_FORMAT)

    assert response.status_code == 200
    assert "confirm_form" in response.context, response.context.get("problems")
    assert Incident.objects.count() == 0, "the preview must not save anything"
    response = confirm(editor_client, response)
    assert response.status_code == 302

    ambush = Incident.objects.get(import_key="ACLED:MLI33001")
    assert ambush.status == Status.DRAFT
    assert ambush.created_by == editor
    assert (ambush.start_date, ambush.end_date) == (datetime.date(2025, 6, 13), datetime.date(2025, 6, 13))
    assert ambush.date_precision == DatePrecision.DAY
    assert ambush.geo_precision == GeoPrecision.NEAR
    assert (ambush.country, ambush.admin1, ambush.admin2, ambush.location) == ("ML", "Kidal", "Tessalit", "Anefif")
    assert (ambush.latitude, ambush.longitude) == (18.05, 0.65)
    assert (ambush.event_type.name, ambush.sub_event_type.name) == ("Battles", "Armed clash")
    assert ambush.summary.startswith("On 13 June 2025, FLA fighters")
    assert (ambush.fatalities_low, ambush.fatalities_best) == (15, 15)
    parties = {(link.actor.name, link.side, link.role) for link in ambush.incident_actors.select_related("actor")}
    assert parties == {
        ("Military Forces of Mali (2021-)", Side.A, Role.PRIMARY),
        ("Africa Corps", Side.A, Role.ASSOCIATED),
        ("Front de Libération de l'Azawad", Side.B, Role.PRIMARY),  # matched through its alias
    }
    assert Actor.objects.get(name="Military Forces of Mali (2021-)").kind == ActorKind.STATE_FORCES
    sources = {(s.outlet, s.kind) for s in ambush.sources.all()}
    assert sources == {
        ("Agence France Presse", SourceKind.NEWS_AGENCY),
        ("Local Source", SourceKind.LOCAL_SOURCE),
        ("ACLED", SourceKind.DATASET),  # carries ACLED's own coding: the fatalities claim
    }
    claim = ambush.claims.get()
    assert (claim.kind, claim.quantity_low, claim.quantity_high) == (ClaimKind.FATALITIES, 15, 15)
    assert [c.source.outlet for c in claim.citations.all()] == ["ACLED"]

    abduction = Incident.objects.get(import_key="ACLED:MLI33002")
    assert abduction.date_precision == DatePrecision.MONTH
    assert abduction.geo_precision == GeoPrecision.ADMIN2
    assert abduction.tags == ["civilian-targeting"]
    assert Actor.objects.get(name="Civilians (Mali)").kind == ActorKind.CIVILIANS
    assert Actor.objects.get(name="Unidentified Armed Group (Mali)").kind == ActorKind.POLITICAL_MILITIA
    assert abduction.sources.exclude(outlet="ACLED").get().kind == SourceKind.SOCIAL_MEDIA
    assert not abduction.claims.exists(), "ACLED's 0 with notes that report no figure is no claim"


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row_column_and_reason(editor_client):
    rows = [archive_row(), archive_row(title="Second clash", latitude="95.5"), archive_row(title="Third")]
    actors_before = Actor.objects.count()

    response = preview(editor_client, csv_file(ARCHIVE_HEADER, rows), ARCHIVE_FORMAT)

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert response.context["problems"] == [(2, "latitude", "95.5 is outside -90 to 90")]
    page = response.content.decode()
    assert 'class="import-problem"' in page
    assert "95.5 is outside -90 to 90" in page
    assert Incident.objects.count() == 0
    assert Actor.objects.count() == actors_before, "actors created for the preview are rolled back"
    assert Source.objects.count() == 0


def test_an_acled_file_with_bad_rows_lists_each_under_the_acled_column_and_imports_nothing(editor_client):
    rows = [
        acled_row(),
        acled_row(event_id_cnty="MLI2", event_type="Skirmish"),
        acled_row(event_id_cnty="MLI3", inter2=9, event_date="32 June 2025"),
        acled_row(event_id_cnty="MLI33001"),
    ]

    response = preview(editor_client, csv_file(ACLED_HEADER, rows), ACLED_FORMAT)

    problems = response.context["problems"]
    assert (2, "event_type", "'Skirmish' is not an event type in the archive's taxonomy") in problems
    assert (3, "event_date", "'32 June 2025' is not a date; write it as YYYY-MM-DD (e.g. 2025-06-13)") in problems
    assert any(number == 3 and column == "inter2" for number, column, _ in problems)
    assert (4, "event_id_cnty", "'ACLED:MLI33001' is also the key of row 1") in problems
    assert Incident.objects.count() == 0


def test_reimporting_an_acled_event_of_a_retracted_incident_is_refused(editor_client, reviewer):
    # Re-imports update (tests/test_import_update.py); a retracted incident is not changed any more.
    incident = IncidentFactory(import_key="ACLED:MLI33001", published=True)
    services.incident_retract(incident=incident, user=reviewer, notice="A duplicate.")

    response = preview(editor_client, csv_file(ACLED_HEADER, [acled_row()]), ACLED_FORMAT)

    assert response.context["problems"] == [
        (
            1,
            "event_id_cnty",
            f"'ACLED:MLI33001' is the key of incident #{incident.pk}, which was retracted: it is not changed any more",
        )
    ]


def test_an_xlsx_file_in_the_archive_format_imports(editor_client):
    rows = [archive_row(start_date=datetime.date(2025, 6, 13), latitude=18.05, longitude=0.65, fatalities_best=15)]

    response = preview(editor_client, xlsx_file(ARCHIVE_HEADER, rows), ARCHIVE_FORMAT, XLSX_FORMAT)
    assert "confirm_form" in response.context, response.context.get("problems")
    confirm(editor_client, response)

    incident = Incident.objects.get()
    assert incident.title == "Ambush on the Anefif–Aguelhok road"
    assert incident.start_date == datetime.date(2025, 6, 13)
    assert incident.fatalities_best == 15
    assert incident.tags == ["convoy", "ambush"]
    assert {link.actor.name for link in incident.incident_actors.all()} == {
        "FLA",
        "Military Forces of Mali (2021-)",
        "Africa Corps",
    }
    assert Actor.objects.get(name="Africa Corps").kind == ActorKind.STATE_FORCES  # its side's kind


def test_an_unknown_actor_without_a_kind_is_reported(editor_client):
    response = preview(
        editor_client, csv_file(ARCHIVE_HEADER, [archive_row(actor1="Katiba Macina", actor1_kind="")]), ARCHIVE_FORMAT
    )

    assert response.context["problems"] == [
        (
            1,
            "actor1",
            "'Katiba Macina' is not an actor in the archive; give its kind in actor1_kind to create it",
        )
    ]


def test_the_archive_format_round_trips_through_export_and_import(editor):
    original = IncidentFactory(
        title="Convoy ambush",
        summary="Line one.\nLine two.",
        start_date=datetime.date(2025, 6, 13),
        end_date=datetime.date(2025, 6, 14),
        date_precision=DatePrecision.DAY,
        admin2="Tessalit",
        fatalities_low=10,
        fatalities_best=15,
        fatalities_high=40,
        fatalities_rationale="Army and FLA figures differ.",
        tags=["convoy", "ambush"],
    )
    IncidentActorFactory(incident=original, actor=ActorFactory(name="FLA"), side=Side.A)
    IncidentActorFactory(incident=original, actor=ActorFactory(name="FAMa"), side=Side.B)
    IncidentActorFactory(incident=original, actor=ActorFactory(name="Africa Corps"), side=Side.B, role=Role.ASSOCIATED)
    IncidentSource.objects.create(incident=original, source=SourceFactory(outlet="AFP", title="", url=""))
    report = SourceFactory(outlet="Reuters", author="Jane Doe", title="Convoy attacked near Tessalit")
    IncidentSource.objects.create(incident=original, source=report)
    sources_before = Source.objects.count()

    exported = spreadsheet.CSV().export_data(IncidentResource().export(Incident.objects.all()))
    dataset = tablib.Dataset().load(exported, format="csv")
    result = IncidentResource().import_data(dataset, user=editor)

    assert not result.has_errors() and not result.has_validation_errors()
    copy = Incident.objects.exclude(pk=original.pk).get()
    compared = [
        "title", "summary", "start_date", "end_date", "date_precision", "country", "admin1", "admin2", "location",
        "latitude", "longitude", "geo_precision", "event_type_id", "sub_event_type_id", "fatalities_low",
        "fatalities_best", "fatalities_high", "fatalities_rationale", "grading", "tags",
    ]  # fmt: skip
    assert {f: getattr(copy, f) for f in compared} == {f: getattr(original, f) for f in compared}
    assert copy.status == Status.DRAFT

    def parties(incident: Incident) -> set[tuple[int, str, str]]:
        return set(incident.incident_actors.values_list("actor_id", "side", "role"))

    assert parties(copy) == parties(original)
    # Each source is found again, by its outlet or by the label the export wrote for it.
    assert set(copy.sources.values_list("id", flat=True)) == set(original.sources.values_list("id", flat=True))
    assert Source.objects.count() == sources_before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the export reads on its own connection
def test_the_public_incidents_csv_re_imports_as_new_drafts(client, editor):
    original = IncidentFactory(
        published=True,
        title="=Convoy ambush",
        summary="Line one.\n@Line two.",
        admin2="Tessalit",
        fatalities_low=10,
        fatalities_best=15,
        fatalities_high=40,
        fatalities_rationale="Army and FLA figures differ.",
        fatalities_method="override",
        tags=["convoy", "ambush"],
    )
    IncidentActorFactory(incident=original, actor=ActorFactory(name="FLA", kind=ActorKind.REBEL_GROUP), side=Side.A)
    IncidentActorFactory(incident=original, actor=ActorFactory(name="FAMa", kind=ActorKind.STATE_FORCES), side=Side.B)
    IncidentSource.objects.create(incident=original, source=SourceFactory(outlet="AFP", title="", url=""))

    response = client.get("/export/incidents.csv")
    exported = b"".join(response.streaming_content).decode()
    assert "'=Convoy ambush" in exported  # neutralised by the export, restored by the import
    result = IncidentResource().import_data(tablib.Dataset().load(exported, format="csv"), user=editor)

    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    copy = Incident.objects.exclude(pk=original.pk).get()
    compared = [
        "title", "summary", "start_date", "end_date", "date_precision", "country", "admin1", "admin2", "location",
        "latitude", "longitude", "geo_precision", "event_type_id", "sub_event_type_id", "fatalities_low",
        "fatalities_best", "fatalities_high", "fatalities_rationale", "grading", "tags",
    ]  # fmt: skip
    assert {f: getattr(copy, f) for f in compared} == {f: getattr(original, f) for f in compared}
    assert copy.status == Status.DRAFT
    assert set(copy.incident_actors.values_list("actor__name", "side")) == {("FLA", Side.A), ("FAMa", Side.B)}
    assert list(copy.sources.values_list("outlet", flat=True)) == ["AFP"]


CLAIMS_HEADER = [
    "incident_key", "claim_key", "claim", "kind", "losses_of", "losses_actor", "losses_note", "claimant", "speaker",
    "quantity_low", "quantity_high", "quantity_text", "responsible_actor", "attribution", "movement", "place",
    "stance", "source", "source_kind", "source_outlet", "source_url", "source_published_on", "quote", "language",
    "translation", "published_on",
]  # fmt: skip


def claims_row(**cells: object) -> dict[str, object]:
    return {"incident_key": "convoy-ambush", **cells}


@pytest.fixture
def convoy_ambush() -> Incident:
    incident = IncidentFactory(import_key="convoy-ambush")
    ActorFactory(name="FLA")
    ActorFactory(name="Military Forces of Mali")
    spokesman = PersonFactory(name="Mohamed Elmaouloud Ramadane")
    PersonAlias.objects.create(person=spokesman, name="Muhammad Maulud Ramadan")
    return incident


def import_claims(client: Client, rows: list[dict[str, object]]) -> object:
    response = preview(client, csv_file(CLAIMS_HEADER, rows), CLAIMS_FORMAT)
    assert "confirm_form" in response.context, response.context.get("problems")
    return confirm(client, response)


def test_a_claims_file_adds_claims_to_incidents_named_by_import_key(editor_client, convoy_ambush):
    rows = [
        claims_row(
            kind="fatalities",
            losses_actor="Military Forces of Mali",
            claimant="FLA",
            quantity_low=30,
            quantity_text="several dozen",
            quote="Several dozen soldiers were killed.",
            source_kind="news_agency",
            source_outlet="AFP",
            source_url="https://news.example.org/afp/1",
            source_published_on="2025-06-14",
        )
    ]

    import_claims(editor_client, rows)

    claim = Claim.objects.get()
    assert claim.incident == convoy_ambush
    assert claim.claimant.name == "FLA"
    assert claim.losses_actor.name == "Military Forces of Mali"
    assert (claim.quantity_low, claim.quantity_high, claim.quantity_text) == (30, None, "several dozen")
    citation = claim.citations.get()
    assert (citation.source.url, citation.quote) == (
        "https://news.example.org/afp/1",
        "Several dozen soldiers were killed.",
    )
    assert citation.published_on == datetime.date(2025, 6, 14)
    assert convoy_ambush.sources.get() == citation.source


def test_rows_sharing_a_claim_key_are_one_claim_carried_by_several_reports(editor_client, convoy_ambush):
    statement = {
        "claim_key": "fla-statement",
        "kind": "fatalities",
        "losses_actor": "Military Forces of Mali",
        "claimant": "FLA",
        "speaker": "Muhammad Maulud Ramadan",  # another spelling of the spokesman's name
        "quantity_low": 39,
        "quantity_high": 39,
        "quantity_text": "39 soldiers",
    }
    rows = [
        claims_row(
            **statement,
            source_kind="news_agency",
            source_outlet="AFP",
            quote="39 militaires ont été tués",
            language="fr",
            translation="39 soldiers were killed",
            published_on="2025-06-14",
        ),
        # The same statement relayed by AP: the claim's columns left empty.
        claims_row(claim_key="fla-statement", source_kind="news_agency", source_outlet="AP", quote="39 soldiers died"),
        # ... or repeated as they are.
        claims_row(**statement, source_kind="news_outlet", source_outlet="Sahel Radio", language="fr"),
        claims_row(
            kind="responsibility",
            responsible_actor="FLA",
            attribution="claimed",
            source_kind="news_agency",
            source_outlet="AFP",
        ),
        claims_row(
            kind="territory", claimant="FLA", movement="took_control", place="Anefif", source_outlet="AFP",
            source_kind="news_agency",
        ),
        claims_row(
            kind="fatalities", losses_of="mixed", losses_note="mostly drivers and guards", quantity_low=5,
            quantity_high=5, source_outlet="AP", source_kind="news_agency",
        ),
    ]  # fmt: skip

    import_claims(editor_client, rows)

    assert Claim.objects.count() == 4
    claim = Claim.objects.get(quantity_text="39 soldiers")
    assert claim.speaker.name == "Mohamed Elmaouloud Ramadane"
    reports = list(claim.citations.order_by("pk").values_list("source__outlet", "language", "translation"))
    assert reports == [("AFP", "fr", "39 soldiers were killed"), ("AP", "", ""), ("Sahel Radio", "fr", "")]
    assert Source.objects.filter(outlet="AFP").count() == 1, "one new source per report, shared by its rows"
    responsibility = Claim.objects.get(kind="responsibility")
    assert (responsibility.responsible_actor.name, responsibility.attribution) == ("FLA", "claimed")
    assert Claim.objects.filter(kind="territory", movement="took_control", place="Anefif").exists()
    assert Claim.objects.get(losses_of="mixed").losses_note == "mostly drivers and guards"
    assert set(convoy_ambush.sources.values_list("outlet", flat=True)) == {"AFP", "AP", "Sahel Radio"}
    # History of every row written, with the importing file as context.
    event = claim.citations.first().events.get(pgh_label="insert")
    assert event.pgh_context.metadata["import_file"] == "events.csv"
    assert claim.events.get(pgh_label="insert").pgh_context_id == event.pgh_context_id


def test_a_row_naming_a_claim_in_the_archive_adds_its_report_to_that_claim(editor_client, convoy_ambush):
    claim = ClaimFactory(incident=convoy_ambush, quantity_text="39 soldiers")
    ap = SourceFactory(outlet="AP", url="https://news.example.org/ap/7")

    import_claims(
        editor_client,
        [{"claim": claim.pk, "source_url": "https://news.example.org/ap/7", "quote": "39 soldiers died"}],
    )

    assert Claim.objects.count() == 1
    assert list(claim.citations.order_by("pk").values_list("source", flat=True))[1] == ap.pk
    assert convoy_ambush.sources.filter(pk=ap.pk).exists()


@pytest.mark.parametrize("who", ["editor_client", "reviewer_client"])
def test_a_claims_file_touching_a_published_incident_is_refused_row_by_row(request, who, convoy_ambush):
    """Nothing reaches the public through an import: neither a new claim nor another report of
    a published claim, whoever imports it."""
    client = request.getfixturevalue(who)
    published = IncidentFactory(published=True, import_key="published-ambush")
    claim = ClaimFactory(incident=published, quantity_text="39 soldiers")
    ap = SourceFactory(outlet="AP", url="https://news.example.org/ap/8")
    rows = [
        claims_row(kind="fatalities", quantity_low=5, quantity_high=5, source_kind="news_agency", source_outlet="AFP"),
        {"incident_key": "published-ambush", "kind": "fatalities", "source": ap.pk},
        {"claim": claim.pk, "source": ap.pk, "quote": "39 soldiers died"},
    ]

    response = preview(client, csv_file(CLAIMS_HEADER, rows), CLAIMS_FORMAT)

    problems = {(row, column): reason for row, column, reason in response.context["problems"]}
    assert f"incident #{published.pk} has been published" in problems[(2, "incident_key")]
    assert f"incident #{published.pk} has been published" in problems[(3, "claim")]
    assert (1, "incident_key") not in problems
    assert "confirm_form" not in response.context
    assert published.claims.count() == 1 and claim.citations.count() == 1


def test_a_claims_file_with_bad_rows_names_each_and_imports_nothing(editor_client, convoy_ambush):
    claim = ClaimFactory(incident=convoy_ambush)
    cited = claim.citations.get().source
    afp = {"source_kind": "news_agency", "source_outlet": "AFP"}
    rows = [
        claims_row(claim_key="a", kind="fatalities", quantity_low=5, quantity_high=5, **afp),
        claims_row(claim_key="a", kind="injuries", source_kind="news_agency", source_outlet="AP"),
        claims_row(claim_key="a", **afp),
        {"claim": claim.pk, "source": cited.pk, "quantity_text": "five"},
        claims_row(kind="fatalities", speaker="Nobody Known", **afp),
        claims_row(kind="responsibility", attribution="suspected", **afp),
        claims_row(kind="fatalities", losses_of="mixed", **afp),
        claims_row(kind="fatalities", movement="withdrew", **afp),
        claims_row(kind="territory", source="999999"),
    ]

    response = preview(editor_client, csv_file(CLAIMS_HEADER, rows), CLAIMS_FORMAT)

    problems = {(row, column): reason for row, column, reason in response.context["problems"]}
    assert "differs from row 1, which starts the claim 'a'" in problems[(2, "kind")]
    assert "the same report already carries this claim in row 1" in problems[(3, "source")]
    assert f"source #{cited.pk} already carries claim #{claim.pk}" in problems[(4, "source")]
    assert f"leave empty: this row adds a report to claim #{claim.pk}" in problems[(4, "quantity_text")]
    assert "'Nobody Known' is not a person in the archive" in problems[(5, "speaker")]
    assert "is required with attribution" in problems[(6, "responsible_actor")]
    assert "is required when losses_of is 'mixed'" in problems[(7, "losses_note")]
    assert "is only for a claim of kind 'territory'" in problems[(8, "movement")]
    assert "there is no source #999999" in problems[(9, "source")]
    assert "confirm_form" not in response.context
    assert Claim.objects.count() == 1 and Citation.objects.count() == 1


@pytest.mark.parametrize(
    ("time", "precision", "saved", "problem"),
    [
        ("10:20", "around", ("10:20:00", "around"), ""),
        ("10:20", "", ("10:20:00", "exact"), ""),
        ("", "At dawn", (None, "dawn"), ""),
        ("", "", (None, ""), ""),
        ("05:00", "dawn", None, "'dawn' names a part of the day"),
        ("", "around", None, "is required when time_precision is around"),
        ("", "teatime", None, "'teatime' is not one of: exact, around, dawn"),
    ],
)
def test_the_archive_format_carries_how_the_time_was_reported(editor_client, time, precision, saved, problem):
    row = archive_row(time_of_day=time, time_precision=precision)
    response = preview(
        editor_client, csv_file([*ARCHIVE_HEADER, "time_of_day", "time_precision"], [row]), ARCHIVE_FORMAT
    )

    if problem:
        assert any(problem in reason for _, _, reason in response.context["problems"]), response.context["problems"]
        return
    confirm(editor_client, response)
    incident = Incident.objects.get()
    assert (incident.time_of_day and incident.time_of_day.isoformat(), incident.time_precision) == saved


def test_a_file_above_the_size_limit_is_refused_with_a_clear_message(editor_client, settings):
    settings.ARCHIVE_IMPORT_MAX_BYTES = 1024
    rows = [archive_row(title=f"Clash {n}") for n in range(20)]

    response = preview(editor_client, csv_file(ARCHIVE_HEADER, rows), ARCHIVE_FORMAT)

    assert response.status_code == 200
    size = len(csv_file(ARCHIVE_HEADER, rows).read())
    message = (
        f"This file is {filesizeformat(size)}; an import through the admin takes at most 1.0\xa0KB. "
        "Split it into smaller files, or ask an administrator to run the import_incidents command."
    )
    assert response.context["form"].errors["import_file"] == [message]
    assert "Split it into smaller files" in response.content.decode()
    assert "confirm_form" not in response.context
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(("write", "file_format"), [(csv_file, CSV_FORMAT), (xlsx_file, XLSX_FORMAT)])
def test_a_file_with_too_many_rows_is_refused_with_a_clear_message(editor_client, settings, write, file_format):
    settings.ARCHIVE_IMPORT_MAX_ROWS = 2
    rows = [archive_row(title=f"Clash {n}") for n in range(3)]

    response = preview(editor_client, write(ARCHIVE_HEADER, rows), ARCHIVE_FORMAT, file_format)

    message = response.context["form"].errors["import_file"][0]
    if file_format == CSV_FORMAT:
        assert message == (
            "The file has more than 2 rows; one import takes at most 2. Split the file, or use the import_incidents "
            "command."
        )
    else:  # refused on the sheet's declared size, before a row is read
        assert message.startswith(
            "The sheet's used range, A1:W4, has 3 rows below the header; one import takes at most 2."
        )
    assert "confirm_form" not in response.context
    assert Incident.objects.count() == 0


def test_imported_incidents_are_in_history_with_the_importing_user(editor_client, editor):
    response = preview(editor_client, csv_file(ARCHIVE_HEADER, [archive_row()]), ARCHIVE_FORMAT)
    confirm(editor_client, response)

    incident = Incident.objects.get()
    event = incident.events.get(pgh_label="insert")
    assert event.pgh_context.metadata["user"] == editor.pk
    assert event.pgh_context.metadata["import_file"] == "events.csv"
    link = IncidentActor.objects.filter(incident=incident).first()
    assert link.events.get().pgh_context_id == event.pgh_context_id
    actor = Actor.objects.get(name="FLA")
    assert actor.events.get().pgh_context.metadata["user"] == editor.pk
    # The triggers that the import paused for its own rows record the next insert again.
    later = IncidentFactory()
    assert later.events.filter(pgh_label="insert").count() == 1


def test_a_user_without_the_add_permission_cannot_import(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(viewer)

    response = client.post(IMPORT_URL, {"import_file": csv_file(ARCHIVE_HEADER, [archive_row()]), "format": 0})

    assert response.status_code == 403
    assert Incident.objects.count() == 0


FORMULAS = ["=1+1", "+1", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1", "\n=1+1", "  =1+1", "safe\n=1+1"]


@pytest.mark.parametrize("file_format", [spreadsheet.CSV, spreadsheet.XLSX])
def test_the_admin_export_neutralises_spreadsheet_formulas(file_format):
    for n, formula in enumerate(FORMULAS):
        IncidentFactory(title=f"Title {n}", summary=formula, fatalities_best=7, latitude=-12.5, longitude=-3.25)

    exported = file_format().export_data(IncidentResource().export(Incident.objects.order_by("pk")))

    if file_format is spreadsheet.CSV:
        rows = list(csv.DictReader(io.StringIO(exported)))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
        values = list(sheet.values)
        rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    summaries = [row["summary"] for row in rows]
    for summary in summaries:
        for line in str(summary).split("\n"):
            assert not line.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), repr(summary)
    assert summaries[0] == "'=1+1"
    assert summaries[-1] == "safe\n'=1+1"
    assert {str(row["latitude"]) for row in rows} == {"-12.5"}, "numbers stay numbers"
    assert {str(row["fatalities_best"]) for row in rows} == {"7"}


def test_the_admin_offers_only_the_neutralising_formats():
    from django.contrib import admin

    incident_admin = admin.site._registry[Incident]

    assert incident_admin.get_export_formats() == spreadsheet.FORMATS
    assert incident_admin.get_import_formats() == spreadsheet.FORMATS


# --- The command-line bulk import (COPY staging, checked in SQL) --------------------------------


def write_csv(path, header: list[str], rows: list[dict[str, object]]):
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_import_command_loads_an_acled_file_with_actors_sources_claims_and_history(tmp_path, editor):
    path = write_csv(tmp_path / "acled.csv", ACLED_HEADER, [acled_row(), acled_row(event_id_cnty="MLI33002")])
    out = io.StringIO()

    call_command("import_incidents", str(path), "--format", "acled", "--user", editor.username, stdout=out)

    assert "Imported 2 incidents as drafts" in out.getvalue()
    ambush = Incident.objects.get(import_key="ACLED:MLI33001")
    assert (ambush.status, ambush.created_by, ambush.country) == (Status.DRAFT, editor, "ML")
    assert (ambush.start_date, ambush.date_precision, ambush.geo_precision) == (
        datetime.date(2025, 6, 13),
        DatePrecision.DAY,
        GeoPrecision.NEAR,
    )
    assert (ambush.event_type.name, ambush.sub_event_type.name) == ("Battles", "Armed clash")
    assert set(ambush.incident_actors.values_list("actor__name", "side", "role")) == {
        ("Military Forces of Mali (2021-)", Side.A, Role.PRIMARY),
        ("Africa Corps", Side.A, Role.ASSOCIATED),
        ("FLA", Side.B, Role.PRIMARY),
    }
    assert Actor.objects.get(name="FLA").kind == ActorKind.REBEL_GROUP
    assert set(ambush.sources.values_list("outlet", "kind")) == {
        ("Agence France Presse", SourceKind.NEWS_AGENCY),
        ("Local Source", SourceKind.LOCAL_SOURCE),
        ("ACLED", SourceKind.DATASET),
    }
    assert Source.objects.count() == 3, "one source per outlet, shared by the file's rows, and ACLED's"
    claim = ambush.claims.get()
    citation = claim.citations.get()
    assert (claim.kind, claim.quantity_low, claim.quantity_high, citation.source.outlet) == (
        ClaimKind.FATALITIES,
        15,
        15,
        "ACLED",
    )
    event = ambush.events.get(pgh_label="insert")
    assert event.pgh_context.metadata["user"] == editor.pk
    assert event.pgh_context.metadata["command"] == "import_incidents"
    assert claim.events.get().pgh_context_id == event.pgh_context_id
    assert citation.events.get().pgh_context_id == event.pgh_context_id


def test_the_import_command_reports_the_same_bad_rows_as_the_admin_and_writes_nothing(tmp_path, editor_client):
    rows = [
        acled_row(),
        acled_row(event_id_cnty="MLI2", event_type="Skirmish"),
        acled_row(event_id_cnty="MLI3", event_date="32 June 2025", latitude=95.5),
        acled_row(event_id_cnty="MLI4", inter2=9, actor2="Katiba Macina"),
    ]
    path = write_csv(tmp_path / "acled.csv", ACLED_HEADER, rows)
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_incidents", str(path), "--format", "acled", stderr=err)

    reported = err.getvalue()
    assert "row 2, event_type: 'Skirmish' is not an event type in the archive's taxonomy" in reported
    assert "row 3, event_date: '32 June 2025' is not a date" in reported
    assert "row 3, latitude: 95.5 is outside -90 to 90" in reported
    assert "row 4, inter2: '9' is not an actor kind" in reported
    assert Incident.objects.count() == 0
    assert Actor.objects.count() == 0 and Source.objects.count() == 0

    admin_problems = preview(editor_client, csv_file(ACLED_HEADER, rows), ACLED_FORMAT).context["problems"]
    command_cells = {tuple(line.split(":")[0].split(", ")) for line in reported.splitlines()}
    assert {(f"row {n}", column) for n, column, _ in admin_problems} <= command_cells


def test_the_import_command_loads_the_archive_format(tmp_path, editor):
    path = write_csv(tmp_path / "incidents.csv", ARCHIVE_HEADER, [archive_row(), archive_row(title="Second")])

    call_command("import_incidents", str(path), "--user", editor.username, stdout=io.StringIO())

    first = Incident.objects.get(title="Ambush on the Anefif–Aguelhok road")
    assert (first.fatalities_best, first.grading, first.tags) == (15, "fair", ["convoy", "ambush"])
    assert set(first.incident_actors.values_list("actor__name", "role")) == {
        ("FLA", Role.PRIMARY),
        ("Military Forces of Mali (2021-)", Role.PRIMARY),
        ("Africa Corps", Role.ASSOCIATED),
    }
    assert Incident.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the export reads on its own connection
def test_the_public_incidents_csv_re_imports_through_the_command(client, tmp_path):
    original = IncidentFactory(published=True, title="=Convoy ambush", summary="@Line one.", tags=["convoy"])
    IncidentActorFactory(incident=original, actor=ActorFactory(name="FLA", kind=ActorKind.REBEL_GROUP), side=Side.A)
    IncidentSource.objects.create(incident=original, source=SourceFactory(outlet="AFP", title="", url=""))
    path = tmp_path / "incidents.csv"
    path.write_bytes(b"".join(client.get("/export/incidents.csv").streaming_content))

    call_command("import_incidents", str(path), stdout=io.StringIO())

    copy = Incident.objects.exclude(pk=original.pk).get()
    assert (copy.title, copy.summary, copy.tags) == ("=Convoy ambush", "@Line one.", ["convoy"])
    assert (copy.start_date, copy.country, copy.sub_event_type_id) == (
        original.start_date,
        original.country,
        original.sub_event_type_id,
    )
    assert list(copy.incident_actors.values_list("actor__name", "side")) == [("FLA", Side.A)]
    assert list(copy.sources.values_list("outlet", flat=True)) == ["AFP"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the export reads on its own connection
def test_a_withheld_source_re_imports_as_a_confidential_stand_in_not_as_an_outlet(client, tmp_path):
    original = IncidentFactory(published=True, title="Convoy ambush")
    secret = SourceFactory(kind=SourceKind.LOCAL_SOURCE, outlet="Kidal regional official", confidential=True)
    IncidentSource.objects.create(incident=original, source=secret)
    IncidentSource.objects.create(incident=original, source=SourceFactory(outlet="AFP", title="", url=""))
    path = tmp_path / "incidents.csv"
    path.write_bytes(b"".join(client.get("/export/incidents.csv").streaming_content))
    assert "Local source, identity withheld" in path.read_text()
    assert "Kidal regional official" not in path.read_text()

    call_command("import_incidents", str(path), stdout=io.StringIO())
    call_command("import_incidents", str(path), stdout=io.StringIO())

    first, second = Incident.objects.exclude(pk=original.pk).order_by("pk")
    stand_in = first.sources.get(confidential=True)
    assert stand_in != secret, "the file cannot say which confidential source it was"
    assert (stand_in.kind, stand_in.outlet, stand_in.public_label) == (
        SourceKind.LOCAL_SOURCE,
        "",
        "Local source, identity withheld",
    )
    assert second.sources.get(confidential=True) == stand_in, "one stand-in per kind, shared"
    assert not Source.objects.filter(outlet__icontains="withheld").exists()
    assert set(first.sources.filter(confidential=False).values_list("outlet", flat=True)) == {"AFP"}


def test_a_confirm_that_meets_a_new_conflict_rolls_back_and_lists_the_row(editor_client, reviewer):
    rows = [archive_row(import_key="convoy-1"), archive_row(import_key="convoy-2", title="Second")]
    response = preview(editor_client, csv_file(ARCHIVE_HEADER, rows), ARCHIVE_FORMAT)
    assert "confirm_form" in response.context
    # Meanwhile the same row is imported, published and retracted.
    other = IncidentFactory(import_key="convoy-2", published=True)
    services.incident_retract(incident=other, user=reviewer, notice="A duplicate.")

    response = confirm(editor_client, response)

    assert response.status_code == 200
    assert response.context["rolled_back"] is True
    assert response.context["problems"] == [
        (
            2,
            "import_key",
            f"'convoy-2' is the key of incident #{other.pk}, which was retracted: it is not changed any more",
        )
    ]
    assert "The import was rolled back: nothing was saved" in response.content.decode()
    assert list(Incident.objects.values_list("import_key", flat=True)) == ["convoy-2"]


# --- The admin's incident formats share the command's set-based checks ----------------------------


def test_the_preview_shows_the_first_rows_and_the_total_and_saves_nothing(editor_client):
    rows = [archive_row(title=f"Clash {n}") for n in range(60)]

    response = preview(editor_client, csv_file(ARCHIVE_HEADER, rows), ARCHIVE_FORMAT)

    assert "confirm_form" in response.context, response.context.get("problems")
    assert response.context["new_count"] == 60
    shown = response.context["preview"]
    assert len(shown) == 50
    assert shown[0].row_values["title"] == "Clash 0"
    page = response.content.decode()
    assert "All 60 rows are valid." in page and "New incidents: 60;" in page
    assert "The first 50 are shown." in page
    assert Incident.objects.count() == 0 and Actor.objects.count() == 0 and Source.objects.count() == 0

    response = confirm(editor_client, response)

    assert response.status_code == 302
    assert Incident.objects.count() == 60
    assert set(Incident.objects.values_list("status", flat=True)) == {Status.DRAFT}


def test_the_admin_lists_every_bad_row_even_beyond_the_commands_hundred(editor_client):
    rows = [archive_row(title=f"Clash {n}", start_date="13/06/2025") for n in range(120)]

    response = preview(editor_client, csv_file(ARCHIVE_HEADER, rows), ARCHIVE_FORMAT)

    problems = response.context["problems"]
    assert len(problems) == 120
    assert problems[119] == (
        120,
        "start_date",
        "'13/06/2025' is not a date; write it as YYYY-MM-DD (e.g. 2025-06-13)",
    )
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(
    "spelled",
    ["2025-06-13", "2025-06-13 00:00:00", "2025/06/13", "13 June 2025", "13 Jun 2025", "13-Jun-2025", "13-june-2025"],
)
def test_dates_are_read_in_every_unambiguous_spelling(editor, spelled):
    dataset = tablib.Dataset(*[list(archive_row(start_date=spelled).values())], headers=ARCHIVE_HEADER)

    result = IncidentResource().import_data(dataset, user=editor)

    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    assert Incident.objects.get().start_date == datetime.date(2025, 6, 13)


@pytest.mark.parametrize(
    "spelled", ["13/06/2025", "2025/13/06", "31 Jun 2025", "31 June 2025", "2025-02-30", "0000-01-01", "13 Juin 2025"]
)
def test_ambiguous_or_impossible_dates_are_refused(editor, spelled):
    dataset = tablib.Dataset(*[list(archive_row(start_date=spelled).values())], headers=ARCHIVE_HEADER)

    result = IncidentResource().import_data(dataset, user=editor)

    # A row error naming the column, not a failed import.
    assert not result.has_errors() and result.has_validation_errors() and Incident.objects.count() == 0


def test_two_imports_in_one_transaction_both_write(editor):
    first = tablib.Dataset(*[list(archive_row().values())], headers=ARCHIVE_HEADER)
    second = tablib.Dataset(*[list(archive_row(title="Second").values())], headers=ARCHIVE_HEADER)

    for dataset in (first, second):
        result = IncidentResource().import_data(dataset, user=editor)
        assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows

    assert sorted(Incident.objects.values_list("title", flat=True)) == ["Ambush on the Anefif–Aguelhok road", "Second"]
    assert Actor.objects.filter(name="FLA").count() == 1, "the second import finds the actor the first created"


def test_a_csv_that_postgresql_reads_differently_still_imports_through_the_admin(editor_client):
    # Mixed line endings: Python's csv module reads them, COPY refuses them; the admin then
    # writes the rows out as CSV again itself.
    text = csv_file(ARCHIVE_HEADER, [archive_row(title="First"), archive_row(title="Second")]).read().decode()
    lines = text.split("\r\n")
    mixed = "\r\n".join(lines[:2]) + "\n" + "\r\n".join(lines[2:])
    upload = SimpleUploadedFile("mixed.csv", mixed.encode(), content_type="text/csv")

    response = preview(editor_client, upload, ARCHIVE_FORMAT)
    assert response.context["new_count"] == 2
    confirm(editor_client, response)

    assert set(Incident.objects.values_list("title", flat=True)) == {"First", "Second"}


def test_the_import_command_names_the_line_of_a_file_postgresql_cannot_read(tmp_path):
    path = write_csv(tmp_path / "ragged.csv", ARCHIVE_HEADER, [archive_row(), archive_row()])
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + lines[1] + lines[2].rstrip(b"\r\n") + b",extra\r\n")
    err = io.StringIO()

    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_incidents", str(path), stderr=err)

    assert (
        "The file cannot be read as CSV near line 3 of the file: extra data after last expected column."
        in err.getvalue()
    )
    assert Incident.objects.count() == 0


# --- Files that cannot be imported as they are: refused quickly, with what to do ------------------

XLSX_PACKAGE = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
    ),
}


def sheet_row(number: int, cells: dict[str, object]) -> str:
    """A row of sheet XML: ``cells`` maps a column's letters to its text."""
    written = "".join(
        f'<c r="{column}{number}" t="inlineStr"><is><t>{text}</t></is></c>' for column, text in cells.items()
    )
    return f'<row r="{number}">{written}</row>'


def forged_xlsx(rows: list[str], dimension: str | None) -> SimpleUploadedFile:
    """A workbook written part by part, as a program other than a spreadsheet could write it."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{declared}<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, xml in {**XLSX_PACKAGE, "xl/worksheets/sheet1.xml": sheet}.items():
            package.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml)
    return SimpleUploadedFile("hostile.xlsx", buffer.getvalue())


def archive_sheet_rows(count: int) -> list[str]:
    header = {openpyxl.utils.get_column_letter(i + 1): name for i, name in enumerate(ARCHIVE_HEADER)}
    values = list(archive_row().values())
    rows = [sheet_row(1, header)]
    for number in range(2, count + 2):
        rows.append(sheet_row(number, {column: values[i] for i, column in enumerate(header)}))
    return rows


@pytest.mark.parametrize(
    ("dimension", "message"),
    [
        (
            "A1:XFD1048576",  # as a spreadsheet program declares it
            "The sheet's used range, A1:XFD1048576, is 16,384 columns wide; an import file has at most 100. "
            "Delete the columns to the right of your data (and any stray cell far out), save, and import again.",
        ),
        (
            None,  # not declared: the rows are read, and stop at the row limit
            "The sheet goes on past row 100,001, with nothing there under the header; one import takes at most "
            "100,000 rows. Delete the rows after your data, save, and import again.",
        ),
    ],
)
def test_an_xlsx_with_a_cell_at_xfd1048576_is_refused_in_seconds(editor_client, dimension, message):
    upload = forged_xlsx([*archive_sheet_rows(1), sheet_row(1048576, {"XFD": "x"})], dimension)
    assert upload.size < 6 * 1024

    started = time.perf_counter()
    response = preview(editor_client, upload, ARCHIVE_FORMAT, XLSX_FORMAT)
    elapsed = time.perf_counter() - started

    assert elapsed < 5, f"{elapsed:.1f} s"
    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [message]
    assert "confirm_form" not in response.context
    assert Incident.objects.count() == 0


def test_an_xlsx_declaring_200000_rows_is_refused_before_its_rows_are_read(editor_client):
    # The sheet as a spreadsheet program writes it, its dimension first; only a few rows are written,
    # so reading them all would find nothing wrong.
    upload = forged_xlsx(archive_sheet_rows(3), f"A1:W{200_001}")

    response = preview(editor_client, upload, ARCHIVE_FORMAT, XLSX_FORMAT)

    assert response.context["form"].errors["import_file"] == [
        "The sheet's used range, A1:W200001, has 200,000 rows below the header; one import takes at most 100,000. "
        "Split the file; if the rows after your data are empty, delete them, save, and import again."
    ]
    assert Incident.objects.count() == 0


def test_an_xlsx_that_does_not_declare_its_rows_is_read_no_further_than_the_limit(editor_client, settings):
    settings.ARCHIVE_IMPORT_MAX_ROWS = 10
    # Past the limit, a row that no reader could parse: reading it would give another message.
    upload = forged_xlsx([*archive_sheet_rows(11), '<row r="13"><c r="A13" t="n"><v>not a number</v></c></row>'], None)

    response = preview(editor_client, upload, ARCHIVE_FORMAT, XLSX_FORMAT)

    assert response.context["form"].errors["import_file"] == [
        "The file has more than 10 rows; one import takes at most 10. Split the file, or use the import_incidents "
        "command."
    ]
    assert Incident.objects.count() == 0


def not_utf8_file(header: list[str], rows: list[dict[str, object]]) -> bytes:
    """The file as a spreadsheet program saves 'CSV' in a Western European locale: Latin-1."""
    return csv_file(header, rows).read().decode().encode("latin-1", errors="replace")


@pytest.mark.parametrize("resource", [ARCHIVE_FORMAT, ACLED_FORMAT, CLAIMS_FORMAT])
def test_a_csv_that_is_not_utf8_is_refused_naming_the_byte_and_its_line(editor_client, resource):
    data = not_utf8_file(ARCHIVE_HEADER, [archive_row(), archive_row(title="Attaque près de Tessalit")])
    position = data.index(b"\xe8")

    response = preview(editor_client, SimpleUploadedFile("latin1.csv", data), resource)

    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [
        f"The file is not UTF-8: byte 0xE8 at position {position} (line 3). Save it as CSV UTF-8 and import again."
    ]
    assert Incident.objects.count() == 0 and Claim.objects.count() == 0


def test_the_import_command_names_the_byte_that_is_not_utf8_as_the_admin_does(tmp_path, editor_client):
    rows = [archive_row(), archive_row(title="Attaque près de Tessalit")]
    path = tmp_path / "latin1.csv"
    path.write_bytes(not_utf8_file(ARCHIVE_HEADER, rows))
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_incidents", str(path), stderr=err)

    admin = preview(editor_client, SimpleUploadedFile("latin1.csv", path.read_bytes()), ARCHIVE_FORMAT)
    assert err.getvalue() == f"file, -: {admin.context['form'].errors['import_file'][0]}\n"
    assert Incident.objects.count() == 0

    # In the header too, which the command reads before the rest.
    path.write_bytes("titl\xe9,country\n".encode("latin-1"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_incidents", str(path), stderr=err)
    assert "The file is not UTF-8: byte 0xE9 at position 4 (line 1)." in err.getvalue()


RAGGED_FILES = {
    ARCHIVE_FORMAT: (ARCHIVE_HEADER, [archive_row(), archive_row(title="Second"), archive_row(title="Third")]),
    ACLED_FORMAT: (ACLED_HEADER, [acled_row(), acled_row(event_id_cnty="MLI2"), acled_row(event_id_cnty="MLI3")]),
    CLAIMS_FORMAT: (
        ["incident", "kind", "quote"],
        [{"incident": n, "kind": "fatalities", "quote": ""} for n in (1, 2, 3)],
    ),
}


@pytest.mark.parametrize("resource", list(RAGGED_FILES))
@pytest.mark.parametrize("change", ["a cell more", "a cell less"])
def test_a_csv_row_with_more_or_fewer_cells_than_the_header_is_refused_naming_the_row(editor_client, resource, change):
    header, rows = RAGGED_FILES[resource]
    lines = csv_file(header, rows).read().split(b"\r\n")
    # The second row, on the file's third line: a value with an unquoted comma, or one cell short.
    lines[2] = lines[2] + b",Kidal" if change == "a cell more" else lines[2].rsplit(b",", 1)[0]
    cells = len(header) + (1 if change == "a cell more" else -1)

    response = preview(editor_client, SimpleUploadedFile("ragged.csv", b"\r\n".join(lines)), resource)

    assert response.context["form"].errors["import_file"] == [
        f"Row 2 (line 3 of the file) has {cells} cells where the header has {len(header)} columns. A cell that "
        "contains a comma, a quote or a line break must be in double quotes; saving the file again from a "
        "spreadsheet program does that."
    ]
    assert Incident.objects.count() == 0 and Claim.objects.count() == 0


def test_empty_cells_after_the_headers_last_column_are_not_a_ragged_row(editor_client):
    text = csv_file(ARCHIVE_HEADER, [archive_row()]).read().decode()
    header, row = text.split("\r\n")[:2]
    upload = SimpleUploadedFile("padded.csv", f"{header}\r\n{row},,\r\n".encode())

    response = preview(editor_client, upload, ARCHIVE_FORMAT)

    assert "confirm_form" in response.context, response.context["form"].errors


def duplicated_rows() -> tuple[list[str], list[dict[str, object]]]:
    """An export's rows with the first one pasted in twice more, at the end."""
    header = ["id", *ARCHIVE_HEADER]
    rows = [archive_row(id=7, import_key="convoy-1"), archive_row(id=8, import_key="convoy-2", title="Second")]
    return header, [*rows, rows[0], rows[0]]


DUPLICATE_PROBLEMS = [
    (1, "id", "'7' is also the id of rows 3, 4; a file names each incident once"),
    (1, "import_key", "'convoy-1' is also the key of rows 3, 4"),
    (3, "id", "'7' is also the id of rows 1, 4; a file names each incident once"),
    (3, "import_key", "'convoy-1' is also the key of rows 1, 4"),
    (4, "id", "'7' is also the id of rows 1, 3; a file names each incident once"),
    (4, "import_key", "'convoy-1' is also the key of rows 1, 3"),
]


@pytest.mark.parametrize(("write", "file_format"), [(csv_file, CSV_FORMAT), (xlsx_file, XLSX_FORMAT)])
def test_a_file_naming_the_same_id_or_import_key_twice_is_refused_naming_every_such_row(
    editor_client, write, file_format
):
    response = preview(editor_client, write(*duplicated_rows()), ARCHIVE_FORMAT, file_format)

    assert response.context["problems"] == DUPLICATE_PROBLEMS
    assert "confirm_form" not in response.context
    assert Incident.objects.count() == 0


def test_the_import_command_refuses_the_same_id_or_import_key_twice_as_the_admin_does(tmp_path):
    path = write_csv(tmp_path / "incidents.csv", *duplicated_rows())
    err = io.StringIO()

    with pytest.raises(CommandError, match="6 problem"):
        call_command("import_incidents", str(path), stderr=err)

    assert err.getvalue().splitlines() == [f"row {n}, {column}: {reason}" for n, column, reason in DUPLICATE_PROBLEMS]
    assert Incident.objects.count() == 0


COUNTRIES_BY_NAME = {"Mali": "ML", "cote d'ivoire": "CI", "RUSSIA": "RU", "Bolivia": "BO", "Türkiye": "TR", "NER": "NE"}


def test_country_names_are_mapped_to_their_iso_codes_in_the_preview_and_the_import(editor_client):
    rows = [archive_row(title=f"Clash in {name}", country=name) for name in COUNTRIES_BY_NAME]

    response = preview(editor_client, csv_file(ARCHIVE_HEADER, rows), ARCHIVE_FORMAT)

    assert "confirm_form" in response.context, response.context.get("problems")
    assert [row.row_values["country"] for row in response.context["preview"]] == list(COUNTRIES_BY_NAME.values())
    confirm(editor_client, response)
    imported = dict(Incident.objects.values_list("title", "country"))
    assert imported == {f"Clash in {name}": code for name, code in COUNTRIES_BY_NAME.items()}


def test_an_acled_country_name_is_mapped_when_the_iso_column_is_empty(editor_client):
    response = preview(editor_client, csv_file(ACLED_HEADER, [acled_row(iso="", country="Ivory Coast")]), ACLED_FORMAT)

    assert [row.row_values["country"] for row in response.context["preview"]] == ["CI"]


def test_a_country_that_is_no_country_is_a_row_error_in_the_admin_and_the_command(editor_client, tmp_path):
    rows = [archive_row(), archive_row(country="Absurdistan")]
    reason = "'Absurdistan' is not a country; use an ISO 3166-1 code such as ML, or the country's English name"

    response = preview(editor_client, csv_file(ARCHIVE_HEADER, rows), ARCHIVE_FORMAT)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_incidents", str(write_csv(tmp_path / "f.csv", ARCHIVE_HEADER, rows)), stderr=err)

    assert response.context["problems"] == [(2, "country", reason)]
    assert err.getvalue() == f"row 2, country: {reason}\n"
    assert Incident.objects.count() == 0


def test_the_import_command_maps_country_names_as_the_admin_does(tmp_path):
    rows = [archive_row(title=f"Clash in {name}", country=name) for name in COUNTRIES_BY_NAME]

    call_command("import_incidents", str(write_csv(tmp_path / "f.csv", ARCHIVE_HEADER, rows)), stdout=io.StringIO())

    imported = dict(Incident.objects.values_list("title", "country"))
    assert imported == {f"Clash in {name}": code for name, code in COUNTRIES_BY_NAME.items()}


# --- The admin's export -------------------------------------------------------------------------

EXPORT_URL = reverse("admin:incidents_incident_export")
EXPORT_FORM = {"format": CSV_FORMAT, "resource": 0, "incidentresource_id": "on", "incidentresource_title": "on"}


def test_the_admin_export_with_an_empty_filter_value_exports_without_that_filter(editor_client):
    first, second = IncidentFactory(title="First"), IncidentFactory(title="Second")

    response = editor_client.post(f"{EXPORT_URL}?event_type__id__exact=&status__exact=draft", EXPORT_FORM)

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {(int(row["id"]), row["title"]) for row in rows} == {(first.pk, "First"), (second.pk, "Second")}


def test_the_admin_export_with_a_filter_value_the_list_refuses_answers_400(editor_client):
    IncidentFactory()

    response = editor_client.post(f"{EXPORT_URL}?event_type__id__exact=abc", EXPORT_FORM)

    assert response.status_code == 400
    assert "The export's filters are not valid" in response.content.decode()


def test_the_import_page_says_how_a_claims_file_groups_its_reports_into_claims(editor_client):
    page = editor_client.get(IMPORT_URL).content.decode()

    assert "one row per report carrying a claim" in page
    assert "<code>claim_key</code>" in page and "<code>claim</code>" in page and "<code>translation</code>" in page
