"""Corrections as services: a published incident changes only through a draft copy that another
reviewer approves, applied as one change; the public sees the published record meanwhile."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import override_settings

from incidents import changelog, corrections, services
from incidents.models import (
    Citation,
    Claim,
    Correction,
    CorrectionStatus,
    EstimateMethod,
    Incident,
    IncidentActor,
    IncidentSource,
    Side,
    Status,
)
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    IncidentSourceFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(editor, reviewer):
    incident = IncidentFactory(published=True, title="Ambush on the Anefif road", created_by=editor)
    actor = ActorFactory(name="Malian Armed Forces")
    IncidentActorFactory(incident=incident, actor=actor, side=Side.A)
    IncidentSourceFactory(incident=incident, source=SourceFactory(outlet="AFP"))
    whole = ClaimFactory(incident=incident, quantity_low=20, quantity_high=20, quantity_text="twenty")
    CitationFactory(claim=whole, source=SourceFactory(outlet="AP"), quote="Twenty died.")
    ClaimFactory(incident=incident, quantity_low=4, quantity_high=4, quantity_text="four", part_of=whole)
    return _draft_then_publish(incident, reviewer)


def _draft_then_publish(incident: Incident, reviewer) -> Incident:
    """Accept the proposal as the draft it was, then put it back in print."""
    Incident.objects.filter(pk=incident.pk).update(status=Status.DRAFT)
    incident = services.incident_accept_proposal(incident=incident, user=reviewer)
    Incident.objects.filter(pk=incident.pk).update(status=Status.PUBLISHED)
    incident.refresh_from_db()
    return incident


def _submitted(correction: Correction, user) -> Incident:
    return services.incident_submit(incident=correction.revision, user=user)


def test_a_revision_copies_the_incident_and_everything_attached(published, editor):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Date corrected.")
    revision = correction.revision
    assert revision.status == Status.DRAFT and revision.revision_of_id == published.pk
    assert revision.title == published.title and revision.import_key == ""
    assert revision.estimate_stale is False and revision.fatalities_best == published.fatalities_best
    copies = list(revision.claims.order_by("pk"))
    originals = list(published.claims.order_by("pk"))
    assert [c.revises_id for c in copies] == [c.pk for c in originals]
    assert copies[1].part_of_id == copies[0].pk
    assert Citation.objects.filter(claim__incident=revision).count() == 3
    assert revision.incident_actors.count() == 1 and revision.incident_sources.count() == 1
    assert corrections.correction_changes(correction=correction) == []


def test_approval_applies_the_revision_and_keeps_claim_ids(published, editor, reviewer):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Date corrected.")
    revision = correction.revision
    Incident.objects.filter(pk=revision.pk).update(start_date=datetime.date(2025, 6, 12), last_edited_by=editor)
    whole, _part = revision.claims.order_by("pk")
    Claim.objects.filter(pk=whole.pk).update(quantity_low=22, quantity_high=22, quantity_text="twenty-two")
    Citation.objects.filter(claim=whole, source__outlet="AP").delete()
    added = ClaimFactory(incident=revision, quantity_low=30, quantity_high=30, quantity_text="thirty")
    IncidentActor.objects.filter(incident=revision).update(side=Side.B)
    _submitted(correction, editor)
    published_claims = sorted(published.claims.values_list("pk", flat=True))

    changes = corrections.correction_changes(correction=correction)
    sections = {(c["section"], c["change"]) for c in changes}
    assert ("Incident", "changed") in sections and ("Claims", "added") in sections
    assert ("Actors", "added") in sections and ("Actors", "removed") in sections
    date_change = next(c for c in changes if c["section"] == "Incident")["fields"]
    assert {"field": "start date", "before": "2025-06-13", "after": "2025-06-12"} in date_change

    incident = corrections.correction_approve(correction=correction, user=reviewer)
    assert incident.start_date == datetime.date(2025, 6, 12) and incident.status == Status.PUBLISHED
    claims = list(incident.claims.order_by("pk"))
    assert [c.pk for c in claims][:2] == published_claims
    assert claims[0].quantity_text == "twenty-two" and claims[1].part_of_id == claims[0].pk
    assert claims[2].quantity_text == "thirty" and claims[2].pk != added.pk and claims[2].revises_id is None
    assert list(Citation.objects.filter(claim=claims[0]).values_list("source__outlet", flat=True)) != ["AP"]
    assert incident.incident_actors.get().side == Side.B
    # The accepted proposal follows the claims: 22 + 30, counted once each.
    assert incident.fatalities_method == EstimateMethod.PROPOSAL and incident.estimate_stale is False
    assert incident.fatalities_low == 22
    assert incident.version == published.version + 1 and incident.reviewed_by == reviewer
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED and correction.decided_by == reviewer
    assert correction.revision is None and correction.changes == changes
    assert not Incident.objects.filter(pk=revision.pk).exists()


def test_the_public_sees_the_published_record_until_approval(published, editor, client):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Title corrected.")
    Incident.objects.filter(pk=correction.revision_id).update(title="Ambush near Tarkint")
    assert "Ambush on the Anefif road" in client.get(f"/incidents/{published.pk}/").text
    assert client.get(f"/incidents/{correction.revision_id}/").status_code == 404
    assert client.get(f"/api/v1/incidents/{correction.revision_id}/").status_code == 404
    assert b"Tarkint" not in b"".join(client.get("/export/incidents.csv").streaming_content)


def test_a_revision_can_never_be_published(published, editor, reviewer):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Title corrected.")
    revision = _submitted(correction, editor)
    assert "publish" not in [row.step for row in services.incident_transitions(incident=revision, user=reviewer)]
    with pytest.raises(services.WorkflowError, match="approve the correction"):
        services.incident_publish(incident=revision, user=reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.filter(pk=revision.pk).update(status=Status.PUBLISHED, published_at=revision.created_at)


def test_the_author_cannot_approve_their_own_correction(published, reviewer, second_reviewer):
    correction = corrections.correction_propose(incident=published, user=reviewer, reason="Title corrected.")
    _submitted(correction, reviewer)
    with pytest.raises(services.WorkflowError, match="another reviewer"):
        corrections.correction_approve(correction=correction, user=reviewer)
    with override_settings(ARCHIVE_ALLOW_SELF_REVIEW=True):
        corrections.correction_approve(correction=correction, user=reviewer)


def test_a_reviewer_who_edited_the_correction_cannot_approve_it(published, editor, reviewer, second_reviewer):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Title corrected.")
    _submitted(correction, editor)
    Incident.objects.filter(pk=correction.revision_id).update(last_edited_by=reviewer)
    with pytest.raises(services.WorkflowError, match="another reviewer"):
        corrections.correction_approve(correction=correction, user=reviewer)
    corrections.correction_approve(correction=correction, user=second_reviewer)


def test_editors_cannot_approve_or_reject(published, editor):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Title corrected.")
    _submitted(correction, editor)
    with pytest.raises(PermissionDenied):
        corrections.correction_approve(correction=correction, user=editor)
    with pytest.raises(PermissionDenied):
        corrections.correction_reject(correction=correction, user=editor, reason="No.")


def test_a_draft_correction_is_not_approved(published, editor, reviewer):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Title corrected.")
    with pytest.raises(services.WorkflowError, match="submit it for review"):
        corrections.correction_approve(correction=correction, user=reviewer)


def test_rejection_keeps_the_reason_and_the_changes(published, editor, reviewer):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Title corrected.")
    Incident.objects.filter(pk=correction.revision_id).update(title="Ambush near Tarkint")
    _submitted(correction, editor)
    with pytest.raises(services.WorkflowError, match="reason"):
        corrections.correction_reject(correction=correction, user=reviewer, reason="  ")
    corrections.correction_reject(correction=correction, user=reviewer, reason="The army's statement says Anefif.")
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED and correction.rejection_reason.startswith("The army")
    assert correction.changes[0]["fields"][0]["after"] == "Ambush near Tarkint"
    published.refresh_from_db()
    assert published.title == "Ambush on the Anefif road"
    # A new correction may be proposed once this one is closed.
    corrections.correction_propose(incident=published, user=editor, reason="Again.")


def test_one_open_correction_at_a_time(published, editor):
    corrections.correction_propose(incident=published, user=editor, reason="One.")
    with pytest.raises(services.WorkflowError, match="already open"):
        corrections.correction_propose(incident=published, user=editor, reason="Two.")


def test_a_correction_proposed_before_another_was_applied_is_refused(published, editor, reviewer, second_reviewer):
    first = corrections.correction_propose(incident=published, user=editor, reason="One.")
    _submitted(first, editor)
    stale = Correction.objects.get(pk=first.pk)
    corrections.correction_approve(correction=first, user=reviewer)
    second = corrections.correction_propose(incident=published, user=editor, reason="Two.")
    Correction.objects.filter(pk=second.pk).update(base_version=stale.base_version)
    _submitted(second, editor)
    with pytest.raises(services.WorkflowError, match="changed since this correction was proposed"):
        corrections.correction_approve(correction=second, user=second_reviewer)


def test_an_overridden_estimate_made_stale_by_the_correction_stops_approval(published, editor, reviewer):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Figures.")
    Incident.objects.filter(pk=correction.revision_id).update(
        fatalities_method=EstimateMethod.OVERRIDE, fatalities_rationale="Hospital count."
    )
    ClaimFactory(incident=correction.revision, quantity_low=90, quantity_high=90)
    _submitted(correction, editor)
    with pytest.raises(services.WorkflowError, match="override the estimate again"):
        corrections.correction_approve(correction=correction, user=reviewer)


def test_withdrawal_by_the_author_drops_the_draft(published, editor):
    correction = corrections.correction_propose(incident=published, user=editor, reason="One.")
    revision_id = correction.revision_id
    corrections.correction_withdraw(correction=correction, user=editor)
    assert not Incident.objects.filter(pk=revision_id).exists()
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.WITHDRAWN


def test_a_retracted_incidents_notice_is_corrected_by_another_person(published, editor, reviewer):
    services.incident_retract(incident=published, user=reviewer, notice="Duplicate of another incident.")
    with pytest.raises(services.WorkflowError, match="new public notice"):
        corrections.correction_propose(incident=published, user=editor, reason="Wording.")
    correction = corrections.correction_propose_notice(
        incident=published, user=editor, reason="Wording.", notice="Retracted: the ambush was reported twice."
    )
    assert Incident.objects.get(pk=published.pk).retraction_notice == "Duplicate of another incident."
    incident = corrections.correction_approve(correction=correction, user=reviewer)
    assert incident.retraction_notice == "Retracted: the ambush was reported twice."
    assert incident.status == Status.RETRACTED


def test_the_incident_source_link_and_citation_fields_apply(published, editor, reviewer):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Sources.")
    IncidentSource.objects.filter(incident=correction.revision).update(note="The first report.")
    Citation.objects.filter(claim__incident=correction.revision, source__outlet="AP").update(quote="Twenty-two died.")
    _submitted(correction, editor)
    incident = corrections.correction_approve(correction=correction, user=reviewer)
    assert incident.incident_sources.get().note == "The first report."
    assert Citation.objects.get(claim__incident=incident, source__outlet="AP").quote == "Twenty-two died."


# Each step its own transaction: history's timestamps are the transactions'.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_public_change_log_holds_the_approved_changes_and_nothing_of_the_draft(published, editor, reviewer):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Figures.")
    added = ClaimFactory(incident=correction.revision, quantity_low=30, quantity_high=30, quantity_text="thirty")
    Citation.objects.filter(claim=added).update(quote="A draft's words, later rewritten.")
    Citation.objects.filter(claim=added).update(quote="Thirty died.")
    Incident.objects.filter(pk=correction.revision_id).update(location="Tarkint")
    _submitted(correction, editor)
    incident = corrections.correction_approve(correction=correction, user=reviewer)

    log = [(change.subject, change.description) for change in changelog.incident_changelog(incident)]
    new_claim = incident.claims.get(quantity_text="thirty")
    assert (f"Claim {new_claim.pk}", "Claim added about fatalities: “thirty”.") in log
    assert any(subject == "Incident" and "Tarkint" in description for subject, description in log)
    assert not any("report" in description.lower() for _subject, description in log), log


def test_the_changes_read_as_an_editor_writes_them(published, editor):
    correction = corrections.correction_propose(incident=published, user=editor, reason="Time added.")
    Incident.objects.filter(pk=correction.revision_id).update(time_of_day=datetime.time(6, 30), time_precision="around")

    (entry,) = corrections.correction_changes(correction=correction)

    assert {"field": "time of day", "before": "", "after": "06:30"} in entry["fields"]
    assert {"field": "time precision", "before": "Not reported", "after": "Around"} in entry["fields"]
