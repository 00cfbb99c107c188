"""Corrections through the admin, with two people logged in: an editor proposes a correction from
the published incident's change form, edits the draft copy with the ordinary form and submits it;
a reviewer who did not write it reads the changes and approves or rejects them. The public page
shows the published record until the approval."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from incidents import services
from incidents.models import Correction, CorrectionStatus, Incident, Side, Status
from tests.admin_forms import change_form_data
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    IncidentSourceFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TITLE = "Ambush on the Anefif road"
NEW_TITLE = "Ambush near Tarkint"
REASON = "Place corrected after the army's statement of 15 June"


@pytest.fixture
def published(editor, reviewer) -> Incident:
    incident = IncidentFactory(title=TITLE, created_by=editor)
    IncidentActorFactory(incident=incident, actor=ActorFactory(name="Malian Armed Forces"), side=Side.A)
    IncidentSourceFactory(incident=incident, source=SourceFactory(outlet="AFP"))
    ClaimFactory(incident=incident, quantity_low=20, quantity_high=20, quantity_text="twenty")
    incident = services.incident_accept_proposal(incident=incident, user=reviewer)
    Incident.objects.filter(pk=incident.pk).update(status=Status.PUBLISHED, published_at=incident.created_at)
    incident.refresh_from_db()
    return incident


@pytest.fixture
def second_reviewer_client(second_reviewer) -> Client:
    client = Client()
    client.force_login(second_reviewer)
    return client


def change_url(incident_id: int) -> str:
    return reverse("admin:incidents_incident_change", args=[incident_id])


def propose_url(incident: Incident) -> str:
    return reverse("admin:incidents_incident_propose_correction", args=[incident.pk])


def correction_url(correction: Correction, view: str = "change") -> str:
    return reverse(f"admin:incidents_correction_{view}", args=[correction.pk])


def text(response) -> str:
    """The page as a reader sees its text: entities decoded, runs of white space as one space."""
    return " ".join(html.unescape(response.content.decode()).split())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def propose(client: Client, incident: Incident, reason: str = REASON) -> Correction:
    response = client.post(propose_url(incident), {"reason": reason})
    correction = Correction.objects.get(incident=incident, status=CorrectionStatus.OPEN)
    assert response.status_code == 302 and response.url == change_url(correction.revision_id)
    return correction


def edit_title(client: Client, revision_id: int, title: str) -> None:
    data = change_form_data(client, change_url(revision_id))
    data.update(title=title, _continue="Save and continue editing")
    response = client.post(change_url(revision_id), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors


def submit(client: Client, revision_id: int) -> None:
    response = client.post(reverse("admin:incidents_incident_workflow", args=[revision_id, "submit"]), follow=True)
    assert any("submitted for review" in m for m in messages_of(response)), messages_of(response)


def public_page(incident: Incident) -> str:
    return text(Client().get(f"/incidents/{incident.pk}/"))


# --- Proposing -------------------------------------------------------------------------------------


def test_a_published_incident_says_why_it_is_read_only_and_offers_a_correction(editor_client, published):
    page = text(editor_client.get(change_url(published.pk)))

    assert "Published: the public sees this record." in page
    assert "Changes go through a correction that another reviewer approves." in page
    assert f'href="{propose_url(published)}"' in page and "Propose a correction" in page


def test_a_correction_needs_a_public_reason(editor_client, published):
    form = editor_client.get(propose_url(published))
    assert "Date corrected after the army's statement of 15 June" in text(form)

    response = editor_client.post(propose_url(published), {"reason": "  "})

    assert response.status_code == 200
    assert "Write the public reason" in text(response)
    assert not Correction.objects.exists()


def test_while_a_correction_is_open_the_button_leads_to_it(editor_client, reviewer_client, published):
    correction = propose(editor_client, published)

    page = text(reviewer_client.get(change_url(published.pk)))
    again = reviewer_client.post(propose_url(published), {"reason": "Another reason."})

    assert "A correction is open" in page and f'href="{change_url(correction.revision_id)}"' in page
    assert f'href="{propose_url(published)}"' not in page
    assert again.status_code == 302 and again.url == correction_url(correction)
    assert Correction.objects.count() == 1


# --- The whole flow --------------------------------------------------------------------------------


def test_a_correction_goes_from_the_editor_to_another_reviewer_and_then_to_the_public(
    editor_client, reviewer_client, published, reviewer
):
    correction = propose(editor_client, published)
    revision_page = text(editor_client.get(change_url(correction.revision_id)))
    assert f'Correction to <a href="{change_url(published.pk)}">#{published.pk} ‘{TITLE}’</a>' in revision_page
    assert "The public sees the published record until a reviewer approves this correction." in revision_page
    assert REASON in revision_page and f'href="{correction_url(correction)}"' in revision_page
    assert f'href="{correction_url(correction, "withdraw")}"' in revision_page
    assert "Submit for review" in revision_page and ">Publish<" not in revision_page

    edit_title(editor_client, correction.revision_id, NEW_TITLE)
    submit(editor_client, correction.revision_id)
    assert TITLE in public_page(published) and NEW_TITLE not in public_page(published)

    diff = reviewer_client.get(correction_url(correction))
    page = text(diff)
    assert diff.status_code == 200 and "Awaiting review" in page
    assert f"<del>{TITLE}</del>" in page and f"<ins>{NEW_TITLE}</ins>" in page
    assert f'action="{correction_url(correction, "approve")}"' in page

    refused = editor_client.post(correction_url(correction, "approve"), follow=True)
    assert any("permission to approve" in m for m in messages_of(refused))
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.OPEN

    approved = reviewer_client.post(correction_url(correction, "approve"), follow=True)
    assert any("Correction approved" in m for m in messages_of(approved)), messages_of(approved)
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED and correction.decided_by == reviewer
    assert Incident.objects.get(pk=published.pk).title == NEW_TITLE
    assert NEW_TITLE in public_page(published)
    decided = text(approved)
    assert "Approved" in decided and "by reviewer" in decided and f"<ins>{NEW_TITLE}</ins>" in decided
    assert 'value="Approve"' not in decided


def test_an_editor_sees_the_changes_but_no_decision(editor_client, published):
    correction = propose(editor_client, published)
    edit_title(editor_client, correction.revision_id, NEW_TITLE)
    submit(editor_client, correction.revision_id)

    page = text(editor_client.get(correction_url(correction)))

    assert f"<ins>{NEW_TITLE}</ins>" in page
    assert 'value="Approve"' not in page and 'value="Reject"' not in page
    assert "Withdraw the correction" in page


def test_a_reviewer_who_edited_the_correction_cannot_approve_it(
    editor_client, reviewer_client, second_reviewer_client, published, second_reviewer
):
    correction = propose(editor_client, published)
    edit_title(reviewer_client, correction.revision_id, NEW_TITLE)
    submit(editor_client, correction.revision_id)

    page = text(reviewer_client.get(correction_url(correction)))
    refused = reviewer_client.post(correction_url(correction, "approve"), follow=True)

    assert "You proposed or last edited it" in page
    assert any("another reviewer must approve it" in m for m in messages_of(refused))
    assert Incident.objects.get(pk=published.pk).title == TITLE

    second_reviewer_client.post(correction_url(correction, "approve"))
    assert Incident.objects.get(pk=published.pk).title == NEW_TITLE
    assert Correction.objects.get(pk=correction.pk).decided_by == second_reviewer


def test_a_draft_correction_is_not_approved_before_it_is_submitted(editor_client, reviewer_client, published):
    correction = propose(editor_client, published)
    edit_title(editor_client, correction.revision_id, NEW_TITLE)

    page = text(reviewer_client.get(correction_url(correction)))
    refused = reviewer_client.post(correction_url(correction, "approve"), follow=True)

    assert "Draft being edited" in page and 'value="Approve"' not in page
    assert any("still a draft" in m for m in messages_of(refused))
    assert Incident.objects.get(pk=published.pk).title == TITLE


# --- Rejecting and withdrawing ---------------------------------------------------------------------


def test_a_rejection_needs_a_reason_and_keeps_it(editor_client, reviewer_client, published):
    correction = propose(editor_client, published)
    revision_id = correction.revision_id
    edit_title(editor_client, revision_id, NEW_TITLE)
    submit(editor_client, revision_id)

    blank = reviewer_client.post(correction_url(correction, "reject"), {"rejection_reason": " "})
    assert blank.status_code == 200 and "Say why the correction is rejected" in text(blank)
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.OPEN

    reviewer_client.post(
        correction_url(correction, "reject"), {"rejection_reason": "The army's statement says Anefif."}
    )

    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED
    assert correction.rejection_reason == "The army's statement says Anefif."
    assert not Incident.objects.filter(pk=revision_id).exists()
    assert Incident.objects.get(pk=published.pk).title == TITLE
    page = text(editor_client.get(correction_url(correction)))
    assert "Rejected" in page and "The army's statement says Anefif." in page
    assert f"<ins>{NEW_TITLE}</ins>" in page


def test_the_author_withdraws_a_correction_from_its_draft(editor_client, published):
    correction = propose(editor_client, published)
    revision_id = correction.revision_id
    other_editor = Client()
    other_editor.force_login(UserFactory(username="bakary", groups=["Editor"]))

    confirm = editor_client.get(correction_url(correction, "withdraw"))
    refused = other_editor.post(correction_url(correction, "withdraw"), follow=True)
    assert confirm.status_code == 200 and "deletes its draft copy" in text(confirm)
    assert any("author or a reviewer" in m for m in messages_of(refused))

    editor_client.post(correction_url(correction, "withdraw"))

    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.WITHDRAWN
    assert not Incident.objects.filter(pk=revision_id).exists()
    assert f'href="{propose_url(published)}"' in text(editor_client.get(change_url(published.pk)))


def test_a_correction_draft_is_withdrawn_not_deleted(editor_client, reviewer_client, published):
    correction = propose(editor_client, published)
    revision_id = correction.revision_id

    page = text(editor_client.get(change_url(revision_id)))
    delete = reviewer_client.get(reverse("admin:incidents_incident_delete", args=[revision_id]))
    bulk = reviewer_client.post(
        reverse("admin:incidents_incident_changelist"),
        {"action": "delete_selected", "_selected_action": [revision_id], "post": "yes"},
        follow=True,
    )

    assert 'class="deletelink"' not in page
    assert delete.status_code == 302 and delete.url == correction_url(correction, "withdraw")
    assert any("1 correction draft was left out: withdraw its correction instead" in m for m in messages_of(bulk))
    assert Incident.objects.filter(pk=revision_id).exists()
    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.OPEN


# --- A retracted incident's notice -----------------------------------------------------------------


def test_a_retracted_incidents_notice_is_corrected_through_another_person(editor_client, reviewer_client, published):
    services.incident_retract(incident=published, user=UserFactory(groups=["Reviewer"]), notice="Duplicate.")
    page = text(editor_client.get(change_url(published.pk)))
    assert "Retracted: the public sees only its notice." in page and "Propose a new public notice" in page

    missing = editor_client.post(propose_url(published), {"notice": "", "reason": "Wording."})
    assert missing.status_code == 200 and "Write the new public notice." in text(missing)
    response = editor_client.post(
        propose_url(published), {"notice": "Retracted: the ambush was reported twice.", "reason": "Wording."}
    )
    correction = Correction.objects.get(incident=published)
    assert response.url == correction_url(correction)
    assert "reported twice" not in text(Client().get(f"/incidents/{published.pk}/"))

    diff = text(reviewer_client.get(correction_url(correction)))
    assert "<del>Duplicate.</del>" in diff and "<ins>Retracted: the ambush was reported twice.</ins>" in diff
    refused = editor_client.post(correction_url(correction, "approve"), follow=True)
    assert any("permission to approve" in m for m in messages_of(refused))
    reviewer_client.post(correction_url(correction, "approve"))

    assert Correction.objects.get(pk=correction.pk).status == CorrectionStatus.APPROVED
    assert "reported twice" in text(Client().get(f"/incidents/{published.pk}/"))


# --- Finding corrections ---------------------------------------------------------------------------


def test_the_incident_list_marks_correction_drafts_and_filters_them(editor_client, reviewer_client, published):
    correction = propose(editor_client, published)
    IncidentFactory(title="Another clash")
    changelist = reverse("admin:incidents_incident_changelist")

    everything = text(reviewer_client.get(changelist))
    in_progress = reviewer_client.get(changelist, {"correction": "open"})
    awaiting = reviewer_client.get(changelist, {"correction": "review"})

    assert f"Correction to #{published.pk}</span> {TITLE}" in everything
    assert [i.pk for i in in_progress.context["cl"].result_list] == [correction.revision_id]
    assert list(awaiting.context["cl"].result_list) == []


def test_the_corrections_list_shows_those_awaiting_review_first(editor_client, reviewer_client, published):
    draft = propose(editor_client, published)
    other = IncidentFactory(published=True, title="Shelling of Gao market")
    waiting = propose(editor_client, other, reason="Date corrected.")
    submit(editor_client, waiting.revision_id)
    changelist = reverse("admin:incidents_correction_changelist")

    response = reviewer_client.get(changelist)
    awaiting = reviewer_client.get(changelist, {"stage": "review"})

    assert [c.pk for c in response.context["cl"].result_list] == [waiting.pk, draft.pk]
    page = text(response)
    assert "Awaiting review" in page and "Draft being edited" in page and "Date corrected." in page
    assert [c.pk for c in awaiting.context["cl"].result_list] == [waiting.pk]
    assert "Add correction" not in page


def test_corrections_are_neither_added_nor_deleted_through_the_admin(reviewer_client, editor_client, published):
    correction = propose(editor_client, published)

    assert reviewer_client.get(reverse("admin:incidents_correction_add")).status_code == 403
    assert reviewer_client.get(correction_url(correction, "delete")).status_code == 403
