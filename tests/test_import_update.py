"""Imports that keep up: a re-imported row updates its incident, ACLED's deletions retract, ACLED's
figures are ACLED's claims, and the archive's own export re-imports with the actors' roles."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from incidents import corrections, services
from incidents.models import (
    ClaimKind,
    Correction,
    CorrectionStatus,
    EstimateMethod,
    Incident,
    IncidentSource,
    Role,
    Side,
    Status,
)
from tests.factories import ActorFactory, IncidentActorFactory, IncidentFactory, SourceFactory
from tests.test_import import ACLED_FORMAT, ACLED_HEADER, acled_row, confirm, csv_file, preview, write_csv

pytestmark = pytest.mark.django_db


def import_acled(client: Client, rows: list[dict]) -> object:
    response = preview(client, csv_file(ACLED_HEADER, rows), ACLED_FORMAT)
    assert "confirm_form" in response.context, response.context.get("problems")
    return response, confirm(client, response)


def actions(response) -> list[str]:
    return [row.row_values["action"] for row in response.context["preview"]]


def test_re_importing_an_updated_acled_file_updates_the_draft_with_history(editor_client, editor):
    import_acled(editor_client, [acled_row()])
    ambush = Incident.objects.get(import_key="ACLED:MLI33001")
    assert (ambush.fatalities_method, ambush.fatalities_best, ambush.version) == (EstimateMethod.PROPOSAL, 15, 1)

    updated = acled_row(fatalities=21, notes="Toll revised: 21 soldiers killed.", admin2="Anefif")
    response, _ = import_acled(editor_client, [updated, acled_row(event_id_cnty="MLI33009")])

    assert actions(response) == [f"updates draft (incident #{ambush.pk})", "new"]
    ambush.refresh_from_db()
    assert (ambush.summary, ambush.admin2, ambush.version, ambush.last_edited_by) == (
        "Toll revised: 21 soldiers killed.",
        "Anefif",
        2,
        editor,
    )
    claim = ambush.claims.get(kind=ClaimKind.FATALITIES)
    assert (claim.quantity_low, claim.quantity_high) == (21, 21)
    assert (ambush.fatalities_method, ambush.fatalities_best, ambush.estimate_stale) == (
        EstimateMethod.PROPOSAL,
        21,
        False,
    )
    assert ambush.events.filter(pgh_label="update").exists()
    assert Incident.objects.filter(import_key="ACLED:MLI33009").exists()


def test_an_identical_row_is_unchanged_and_changes_nothing(editor_client):
    import_acled(editor_client, [acled_row()])
    ambush = Incident.objects.get(import_key="ACLED:MLI33001")

    response, _ = import_acled(editor_client, [acled_row()])

    assert actions(response) == [f"unchanged (incident #{ambush.pk})"]
    assert Incident.objects.get(pk=ambush.pk).version == ambush.version
    assert Incident.objects.count() == 1


def publish(incident: Incident, editor, reviewer) -> Incident:
    services.incident_accept_proposal(incident=incident, user=editor)
    services.incident_submit(incident=incident, user=editor)
    return services.incident_publish(incident=incident, user=reviewer)


def test_an_update_of_a_published_incident_is_a_correction_another_reviewer_approves(
    editor_client, editor, reviewer, second_reviewer, client
):
    import_acled(editor_client, [acled_row()])
    ambush = publish(Incident.objects.get(import_key="ACLED:MLI33001"), editor, reviewer)
    page = reverse("incident-detail", kwargs={"pk": ambush.pk})

    reviewer_client = Client()
    reviewer_client.force_login(reviewer)
    response, _ = import_acled(reviewer_client, [acled_row(fatalities=21, notes="Toll revised: 21 killed.")])

    assert actions(response) == [f"correction to review (incident #{ambush.pk})"]
    correction = Correction.objects.get(incident=ambush, status=CorrectionStatus.OPEN)
    assert correction.reason.startswith("Updated from ACLED's file of ")
    assert correction.revision.summary == "Toll revised: 21 killed."
    assert correction.revision.claims.get().quantity_low == 21
    ambush.refresh_from_db()
    assert "Toll revised" not in client.get(page).content.decode(), "public page unchanged until approved"
    assert ambush.fatalities_best == 15

    # The importing reviewer wrote it: another reviewer approves it, as any correction.
    services.incident_submit(incident=correction.revision, user=reviewer)
    with pytest.raises(services.WorkflowError):
        corrections.correction_approve(correction=correction, user=reviewer)
    corrections.correction_approve(correction=correction, user=second_reviewer)
    ambush.refresh_from_db()
    assert (ambush.status, ambush.summary, ambush.fatalities_best) == (Status.PUBLISHED, "Toll revised: 21 killed.", 21)
    assert "Toll revised" in client.get(page).content.decode()

    # A correction already open for it is a clear row error.
    corrections.correction_propose(incident=ambush, user=editor, reason="Typo in the title.")
    response = preview(reviewer_client, csv_file(ACLED_HEADER, [acled_row(fatalities=30)]), ACLED_FORMAT)
    [(row, column, message)] = response.context["problems"]
    assert (row, column) == (1, "event_id_cnty")
    assert "has a correction open" in message


def test_the_command_updates_and_names_what_it_did(tmp_path, editor):
    path = write_csv(tmp_path / "acled.csv", ACLED_HEADER, [acled_row()])
    call_command("import_incidents", str(path), "--format", "acled", "--user", editor.username, stdout=io.StringIO())
    path = write_csv(tmp_path / "acled.csv", ACLED_HEADER, [acled_row(fatalities=3)])
    out = io.StringIO()

    call_command("import_incidents", str(path), "--format", "acled", "--user", editor.username, stdout=out)

    assert "Imported 0 incidents as drafts; 1 drafts updated" in out.getvalue()
    assert Incident.objects.get().fatalities_best == 3


def test_acleds_zero_is_a_claim_only_when_the_notes_say_nobody_died(editor_client):
    rows = [
        acled_row(event_id_cnty="MLI1", fatalities=0, notes="Shots were fired at a checkpoint."),
        acled_row(event_id_cnty="MLI2", fatalities=0, notes="Shots were fired; no casualties were reported."),
    ]
    import_acled(editor_client, rows)

    silent, stated = Incident.objects.get(import_key="ACLED:MLI1"), Incident.objects.get(import_key="ACLED:MLI2")
    assert not silent.claims.exists()
    assert (silent.fatalities_method, silent.fatalities_best) == (EstimateMethod.PROPOSAL, None)
    claim = stated.claims.get()
    assert (claim.quantity_low, claim.quantity_high, claim.citations.get().source.outlet) == (0, 0, "ACLED")
    assert (stated.fatalities_method, stated.fatalities_best) == (EstimateMethod.PROPOSAL, 0)
    # The stored estimate is what the archive proposes from the claims: not an override, not stale.
    proposed = services.proposal_estimate(services.incident_proposal(incident=stated))
    assert {name: getattr(stated, name) for name in proposed} == proposed


def test_a_deletions_file_retracts_published_incidents_with_a_notice(tmp_path, editor_client, editor, reviewer):
    import_acled(editor_client, [acled_row(), acled_row(event_id_cnty="MLI33002")])
    published = publish(Incident.objects.get(import_key="ACLED:MLI33001"), editor, reviewer)
    draft = Incident.objects.get(import_key="ACLED:MLI33002")
    path = write_csv(
        tmp_path / "deleted.csv",
        ["event_id_cnty", "deleted_timestamp"],
        [
            {"event_id_cnty": "MLI33001", "deleted_timestamp": 1750400000},
            {"event_id_cnty": "MLI33002", "deleted_timestamp": 1750400000},
            {"event_id_cnty": "MLI99999", "deleted_timestamp": 1750400000},
        ],
    )

    with pytest.raises(CommandError, match="Only a reviewer may import ACLED's deletions"):
        call_command("import_incidents", "--deletions", str(path), "--user", editor.username, stdout=io.StringIO())
    assert Incident.objects.get(pk=published.pk).status == Status.PUBLISHED

    out = io.StringIO()
    call_command("import_incidents", "--deletions", str(path), "--user", reviewer.username, stdout=out)

    published.refresh_from_db()
    assert (published.status, published.retraction_notice) == (Status.RETRACTED, "Deleted by ACLED on 2025-06-20.")
    assert Incident.objects.get(pk=draft.pk).status == Status.DRAFT
    assert f"row 2, MLI33002: incident #{draft.pk} is a draft" in out.getvalue()
    assert "row 3, MLI99999: not in the archive" in out.getvalue()
    assert "1 incidents retracted" in out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the export reads on its own connection
def test_the_incidents_csv_re_imports_with_every_actors_role(client, tmp_path):
    original = IncidentFactory(published=True, title="Convoy ambush")
    for name, side, role in [
        ("FLA", Side.A, Role.PRIMARY),
        ("JNIM", Side.A, Role.ASSOCIATED),
        ("FAMa", Side.B, Role.PRIMARY),
        ("Africa Corps", Side.B, Role.SUPPORTING),
        ("Dan Na Ambassagou", Side.B, Role.ASSOCIATED),
    ]:
        IncidentActorFactory(incident=original, actor=ActorFactory(name=name), side=side, role=role)
    IncidentSource.objects.create(incident=original, source=SourceFactory(outlet="AFP", title="", url=""))
    roles = set(original.incident_actors.values_list("actor__name", "side", "role"))
    path = tmp_path / "incidents.csv"
    path.write_bytes(b"".join(client.get("/export/incidents.csv").streaming_content))
    assert "supporting_actor_2" in path.read_text().splitlines()[0]

    call_command("import_incidents", str(path), stdout=io.StringIO())

    copy = Incident.objects.exclude(pk=original.pk).get()
    assert set(copy.incident_actors.values_list("actor__name", "side", "role")) == roles


def test_a_reviewer_checks_then_confirms_a_deletions_file_on_the_import_page(editor_client, editor, reviewer):
    import_acled(editor_client, [acled_row(), acled_row(event_id_cnty="MLI33002")])
    published = publish(Incident.objects.get(import_key="ACLED:MLI33001"), editor, reviewer)
    draft = Incident.objects.get(import_key="ACLED:MLI33002")
    page_url = reverse("admin:incidents_incident_acled_deletions")
    content = b"event_id_cnty,deleted_timestamp\nMLI33001,1750400000\nMLI33002,2025-06-20\nMLI99999,1750400000\n"
    client = Client()
    client.force_login(reviewer)

    checked = client.post(page_url, {"deletions_file": SimpleUploadedFile("deleted.csv", content)})

    # The check changes nothing and says what the confirm would do.
    assert checked.status_code == 200
    assert Incident.objects.get(pk=published.pk).status == Status.PUBLISHED
    page = checked.content.decode()
    assert "The file retracts 1 published incident" in page and f"#{published.pk}</a>" in page
    assert f"incident #{draft.pk} is a draft" in page and "not in the archive" in page

    confirmed = client.post(page_url, {"confirm": "1", **checked.context["confirm"].initial})

    assert confirmed.status_code == 302
    published.refresh_from_db()
    assert (published.status, published.retraction_notice) == (Status.RETRACTED, "Deleted by ACLED on 2025-06-20.")
    assert Incident.objects.get(pk=draft.pk).status == Status.DRAFT


def test_the_deletions_page_is_a_reviewers_and_refuses_a_bad_file_whole(editor_client, editor, reviewer):
    import_acled(editor_client, [acled_row()])
    published = publish(Incident.objects.get(import_key="ACLED:MLI33001"), editor, reviewer)
    page_url = reverse("admin:incidents_incident_acled_deletions")
    import_page = editor_client.get(reverse("admin:incidents_incident_import")).content.decode()
    assert editor_client.get(page_url).status_code == 403
    assert page_url not in import_page
    client = Client()
    client.force_login(reviewer)
    assert page_url in client.get(reverse("admin:incidents_incident_import")).content.decode()

    for content, problem in (
        (b"event_id_cnty\nMLI33001\n", "The file lacks the columns: deleted_timestamp."),
        (b"event_id_cnty,deleted_timestamp\nMLI33001,yesterday\n", "is not a Unix timestamp or a date"),
        (b"event_id_cnty,deleted_timestamp\nMLI33001,\xff\xfe1750400000\n", "UTF-8"),
    ):
        response = client.post(page_url, {"deletions_file": SimpleUploadedFile("deleted.csv", content)})
        assert response.status_code == 200
        assert problem in response.content.decode()
    # A confirm whose file does not read is refused whole as well.
    response = client.post(page_url, {"confirm": "1", "content": "event_id_cnty\nMLI33001\n"})
    assert "The file lacks the columns" in response.content.decode()
    assert Incident.objects.get(pk=published.pk).status == Status.PUBLISHED
