"""What the public reads of corrections: an approved one's date and reason on the incident's page,
in the API and in a release's changes.json, apart from routine changes; nothing of a correction
still open, rejected or withdrawn, and never the diff kept for the editors (it may name a
protected source) nor who wrote or approved it."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from incidents import corrections, release, services
from incidents.models import Citation, Correction, Incident, Status
from incidents.renderers import JSONRenderer
from tests.factories import ClaimFactory, IncidentFactory, SourceFactory, UserFactory

REASON = "Date corrected after the army's statement of 15 June"
CONFIDENTIAL = "CONFIDENTIAL-OUTLET-MARKER"
# Names that would give away who wrote or approved a correction.
PEOPLE = ("corrector-maiga", "approver-diallo")


@pytest.fixture
def editor(db):
    return UserFactory(username=PEOPLE[0], groups=["Editor"])


@pytest.fixture
def reviewer(db):
    return UserFactory(username=PEOPLE[1], groups=["Reviewer"])


@pytest.fixture
def published(db):
    incident = IncidentFactory(published=True, title="Ambush on the Anefif road", start_date=datetime.date(2025, 6, 13))
    ClaimFactory(incident=incident, quantity_low=20, quantity_high=20, quantity_text="twenty")
    return incident


def _published_yesterday() -> None:
    """Date the history a day back: a test runs in one transaction, where now() never moves, and
    the change log reports only what came after publication."""
    with connection.cursor() as cursor:
        for table in ("incidents_incidentevent", "incidents_claimevent", "incidents_citationevent"):
            cursor.execute(f"UPDATE {table} SET pgh_created_at = pgh_created_at - interval '1 day'")


def _proposed(incident: Incident, editor, reason: str = REASON) -> Correction:
    """A correction moving the date a day back and citing a protected source, submitted for review."""
    correction = corrections.correction_propose(incident=incident, user=editor, reason=reason)
    Incident.objects.filter(pk=correction.revision_id).update(
        start_date=datetime.date(2025, 6, 12), end_date=datetime.date(2025, 6, 12), last_edited_by=editor
    )
    claim = correction.revision.claims.get()
    Citation.objects.create(claim=claim, source=SourceFactory(outlet=CONFIDENTIAL, confidential=True), quote="Twenty.")
    services.incident_submit(incident=correction.revision, user=editor)
    correction.refresh_from_db()
    return correction


def _approved(incident: Incident, editor, reviewer, reason: str = REASON) -> Correction:
    correction = _proposed(incident, editor, reason)
    corrections.correction_approve(correction=correction, user=reviewer)
    correction.refresh_from_db()
    return correction


def _api_date(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def _public_texts(client: Client, incident: Incident) -> dict[str, str]:
    return {
        "page": client.get(incident.get_absolute_url()).text,
        "detail": client.get(f"/api/v1/incidents/{incident.pk}/").text,
        "list": client.get("/api/v1/incidents/").text,
        "geojson": client.get("/api/v1/incidents.geojson").text,
        "csv": b"".join(client.get(f"/export/incidents.csv?id={incident.pk}").streaming_content).decode(),
    }


def test_the_page_lists_an_approved_correction_with_its_date_and_reason_apart_from_routine_changes(
    client, published, editor, reviewer
):
    _published_yesterday()
    correction = _approved(published, editor, reviewer)

    response = client.get(published.get_absolute_url())

    assert response.status_code == 200
    assert response.context["corrections"] == [correction]
    body = response.text
    corrections_part = body[body.index('id="corrections-title"') : body.index('id="all-changes-title"')]
    assert REASON.replace("'", "&#x27;") in corrections_part
    assert f'datetime="{correction.decided_at.isoformat()}"' in corrections_part
    # The field-level changes the correction made stay in the detailed log, after it.
    detailed = body[body.index('id="all-changes-title"') :]
    assert "2025-06-13 → 2025-06-12" in detailed
    assert REASON.replace("'", "&#x27;") not in detailed


def test_the_detailed_log_says_what_a_correction_added_without_naming_the_report(client, published, editor, reviewer):
    _published_yesterday()
    correction = _proposed(published, editor)
    ClaimFactory(incident=correction.revision, quantity_low=30, quantity_high=30, quantity_text="thirty")
    corrections.correction_approve(correction=correction, user=reviewer)
    # Inserted afresh on the published incident: a claim of its own, with an id of its own.
    added = published.claims.get(quantity_text="thirty")
    kept = published.claims.exclude(pk=added.pk).get()

    body = client.get(published.get_absolute_url()).text
    detailed = body[body.index('id="all-changes-title"') : body.index('id="cite-title"')]

    assert f"Claim {added.pk}</strong>. Claim added about fatalities: “thirty”." in detailed
    assert f"Claim {kept.pk}</strong>. Another report carrying the claim added." in detailed
    assert CONFIDENTIAL not in body


def test_the_page_lists_corrections_newest_first(client, published, editor, reviewer, second_reviewer):
    first = _approved(published, editor, reviewer, reason="Date corrected after the army's statement.")
    second = corrections.correction_propose(incident=published, user=editor, reason="Place corrected.")
    Incident.objects.filter(pk=second.revision_id).update(location="Tarkint", last_edited_by=editor)
    services.incident_submit(incident=second.revision, user=editor)
    corrections.correction_approve(correction=second, user=second_reviewer)

    response = client.get(published.get_absolute_url())

    assert [c.pk for c in response.context["corrections"]] == [second.pk, first.pk]


def test_an_incident_without_corrections_says_so(client, published):
    assert "No corrections since publication." in client.get(published.get_absolute_url()).text


def test_the_api_gives_the_corrections_on_the_detail_and_on_list_items(client, published, editor, reviewer):
    correction = _approved(published, editor, reviewer)
    expected = [{"date": _api_date(correction.decided_at), "reason": REASON}]

    detail = client.get(f"/api/v1/incidents/{published.pk}/").json()
    items = client.get("/api/v1/incidents/").json()["results"]
    geojson = client.get("/api/v1/incidents.geojson").json()["features"]

    assert detail["corrections"] == expected
    assert next(item for item in items if item["id"] == published.pk)["corrections"] == expected
    assert next(f for f in geojson if f["id"] == published.pk)["properties"]["corrections"] == expected


def test_list_items_give_several_corrections_oldest_first_and_none_as_an_empty_list(
    client, published, editor, reviewer, second_reviewer
):
    untouched = IncidentFactory(published=True)
    first = _approved(published, editor, reviewer, reason="One: “quoted”, \\ and a tab\t.")
    second = corrections.correction_propose(incident=published, user=editor, reason="Two.")
    Incident.objects.filter(pk=second.revision_id).update(location="Tarkint", last_edited_by=editor)
    services.incident_submit(incident=second.revision, user=editor)
    corrections.correction_approve(correction=second, user=second_reviewer)
    second.refresh_from_db()

    items = {item["id"]: item for item in client.get("/api/v1/incidents/").json()["results"]}
    indented = client.get("/api/v1/incidents/", HTTP_ACCEPT="application/json; indent=2").json()["results"]
    pretty = {item["id"]: item for item in indented}

    expected = [
        {"date": _api_date(first.decided_at), "reason": first.reason},
        {"date": _api_date(second.decided_at), "reason": "Two."},
    ]
    assert items[published.pk]["corrections"] == expected
    assert items[untouched.pk]["corrections"] == []
    # PostgreSQL writes the list's corrections byte for byte as the renderer writes the detail's.
    written = JSONRenderer().render([{"date": c.decided_at, "reason": c.reason} for c in (first, second)])
    assert b'"corrections":' + written in client.get("/api/v1/incidents/").content
    assert client.get(f"/api/v1/incidents/{published.pk}/").json()["corrections"] == expected
    assert pretty[published.pk]["corrections"] == expected


def test_modified_since_returns_the_incident_once_a_correction_is_approved(client, published, editor, reviewer):
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Incident.objects.filter(pk=published.pk).update(updated_at=long_ago)
    correction = _proposed(published, editor)
    since = (timezone.now() - datetime.timedelta(seconds=1)).isoformat()

    def modified() -> list[int]:
        response = client.get("/api/v1/incidents/", {"modified_since": since})
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["results"]]

    assert published.pk not in modified()  # proposing a correction changes nothing public
    corrections.correction_approve(correction=correction, user=reviewer)
    assert published.pk in modified()


@pytest.mark.parametrize("outcome", ["open", "submitted", "rejected", "withdrawn"])
def test_a_correction_not_approved_shows_nothing_publicly(client, published, editor, reviewer, outcome):
    correction = (
        corrections.correction_propose(incident=published, user=editor, reason=REASON)
        if outcome == "open"
        else _proposed(published, editor)
    )
    if outcome == "rejected":
        corrections.correction_reject(correction=correction, user=reviewer, reason="The statement says the 13th.")
    elif outcome == "withdrawn":
        corrections.correction_withdraw(correction=correction, user=editor)

    texts = _public_texts(client, published)

    for name, text in texts.items():
        assert REASON not in text.replace("&#x27;", "'"), name
        assert "statement says the 13th" not in text, name
    assert client.get(f"/api/v1/incidents/{published.pk}/").json()["corrections"] == []
    assert "No corrections since publication." in texts["page"]
    assert "2025-06-12" not in texts["page"] and "2025-06-12" not in texts["detail"]


def test_a_corrections_diff_and_people_never_reach_the_public(client, published, editor, reviewer):
    correction = _approved(published, editor, reviewer)
    # The editors' diff names the protected source the correction cited.
    assert CONFIDENTIAL in json.dumps(correction.changes)

    for name, text in _public_texts(client, published).items():
        assert CONFIDENTIAL not in text, name
        for person in PEOPLE:
            assert person not in text, (name, person)
    detail = client.get(f"/api/v1/incidents/{published.pk}/").json()
    assert set(detail["corrections"][0]) == {"date", "reason"}


def test_a_retracted_incidents_notice_correction_shows_on_its_page(client, published, editor, reviewer):
    services.incident_retract(incident=published, user=reviewer, notice="Duplicate of another incident.")
    correction = corrections.correction_propose_notice(
        incident=published, user=editor, reason="Notice reworded.", notice="Retracted: reported twice."
    )
    assert "Notice reworded." not in client.get(published.get_absolute_url()).text

    corrections.correction_approve(correction=correction, user=reviewer)

    body = client.get(published.get_absolute_url()).text
    assert "Retracted: reported twice." in body and "Notice reworded." in body
    assert Incident.objects.get(pk=published.pk).status == Status.RETRACTED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_release_lists_the_incidents_corrected_since_the_previous_one_apart(tmp_path, editor, reviewer):
    published = IncidentFactory(published=True, start_date=datetime.date(2025, 6, 13))
    ClaimFactory(incident=published)
    untouched = IncidentFactory(published=True)
    rejected = IncidentFactory(published=True)
    ClaimFactory(incident=rejected)
    earlier = _approved(published, editor, reviewer, reason="Before the first release.")
    # Approved well before the first release (one approved within the second it was made waits
    # for the next release: a release's time is written to the second).
    Correction.objects.filter(pk=earlier.pk).update(decided_at=timezone.now() - datetime.timedelta(minutes=5))
    call_command("export_release", "--version", "1", "--out", str(tmp_path / "v1"))
    first = json.loads((tmp_path / "v1" / "changes.json").read_text())
    assert first["corrected"] == [] and first["corrections"] == []
    correction = _approved(published, editor, reviewer)
    refused = _proposed(rejected, editor, reason="Refused reason.")
    corrections.correction_reject(correction=refused, user=reviewer, reason="No.")

    # Made a second after the approval (a release's time is written to the second).
    release.export_release(version="2", out=tmp_path / "v2", now=correction.decided_at + datetime.timedelta(seconds=1))

    text = (tmp_path / "v2" / "changes.json").read_text()
    changes = json.loads(text)
    assert changes["corrected"] == [published.pk]
    assert changes["corrections"] == [
        {"incident": published.pk, "date": correction.decided_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "reason": REASON}
    ]
    assert changes["changed"] == [published.pk]  # its row changed too: the date
    assert untouched.pk not in changes["changed"] and rejected.pk not in changes["corrected"]
    assert "Refused reason" not in text and CONFIDENTIAL not in text


def test_the_methodology_page_says_who_does_what_and_how_a_correction_flows(client, db):
    body = client.get("/methodology/").text

    roles = body[body.index('id="roles"') : body.index('id="corrections"')]
    flow = body[body.index('id="corrections"') :]
    assert "Nothing reaches the public without a second person" in roles
    for role in ("Editors", "Reviewers", "The public"):
        assert f"<dt>{role}</dt>" in roles
    assert "confidential" in roles and "retracted incident" in roles
    assert "public reason" in flow and "submits it for review" in flow
    assert "Another reviewer" in flow and "rejects it with a reason" in flow
    assert "<code>corrections</code>" in flow and "<code>modified_since</code>" in flow and "changes.json" in flow
