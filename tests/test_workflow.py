"""The editorial workflow through the admin's actions, and who may do what."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from incidents import merging, services
from incidents.models import (
    Citation,
    ClaimEvent,
    EstimateMethod,
    Incident,
    IncidentActor,
    IncidentEvent,
    IncidentRelation,
    IncidentRelationKind,
    IncidentSource,
    LossesOf,
    PersonAlias,
    Side,
    Source,
    SourceKind,
    Status,
)
from tests.admin_forms import change_form_data
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    IncidentSourceFactory,
    PersonFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:incidents_incident_changelist")


def run_action(client, action: str, *incidents: Incident, follow: bool = True, **extra: str):
    data = {"action": action, "_selected_action": [str(i.pk) for i in incidents], "index": "0", **extra}
    return client.post(CHANGELIST, data, follow=follow)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def status_of(incident: Incident) -> str:
    return Incident.objects.values_list("status", flat=True).get(pk=incident.pk)


def test_an_editor_submits_a_draft_for_review(editor_client):
    draft = IncidentFactory()

    response = run_action(editor_client, "submit_for_review", draft)

    assert "1 incident(s) submitted for review" in messages_of(response)
    assert status_of(draft) == Status.IN_REVIEW


def test_an_editor_returns_an_incident_in_review_to_draft(editor_client, editor):
    incident = services.incident_submit(incident=IncidentFactory(), user=editor)

    response = run_action(editor_client, "return_to_draft", incident)

    assert "returned to draft" in messages_of(response)
    assert status_of(incident) == Status.DRAFT


def test_submitting_something_that_is_not_a_draft_reports_why(editor_client):
    published = IncidentFactory(published=True)

    response = run_action(editor_client, "submit_for_review", published)

    assert "Only a draft can be submitted" in messages_of(response)
    assert status_of(published) == Status.PUBLISHED


def test_editors_are_not_offered_publish_or_retract(editor_client, editor):
    incident = services.incident_submit(incident=IncidentFactory(), user=editor)

    page = editor_client.get(CHANGELIST).content.decode()
    response = run_action(editor_client, "publish", incident)

    assert 'value="publish"' not in page and 'value="retract"' not in page
    assert 'value="submit_for_review"' in page
    assert "No action selected" in messages_of(response)
    assert status_of(incident) == Status.IN_REVIEW


def test_a_reviewer_publishes_an_incident_in_review(reviewer_client, reviewer, editor):
    incident = IncidentFactory(last_edited_by=editor)
    services.incident_submit(incident=incident, user=editor)

    response = run_action(reviewer_client, "publish", incident)

    assert "1 incident(s) published" in messages_of(response)
    incident.refresh_from_db()
    assert (incident.status, incident.published_by, incident.reviewed_by) == (Status.PUBLISHED, reviewer, reviewer)
    assert incident.published_at is not None


def test_a_reviewer_cannot_publish_an_incident_they_edited_last(reviewer_client, reviewer, editor):
    incident = IncidentFactory()
    services.incident_submit(incident=incident, user=editor)
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    reviewer_client.post(url, {**change_form_data(reviewer_client, url), "summary": "Reviewer's own wording."})
    assert Incident.objects.get(pk=incident.pk).last_edited_by == reviewer

    response = run_action(reviewer_client, "publish", incident)

    assert "another reviewer must publish it" in messages_of(response)
    assert status_of(incident) == Status.IN_REVIEW


def test_another_reviewer_can_publish_what_the_first_reviewer_edited(client, second_reviewer, reviewer, editor):
    incident = IncidentFactory(last_edited_by=reviewer)
    services.incident_submit(incident=incident, user=editor)
    client.force_login(second_reviewer)

    run_action(client, "publish", incident)

    assert status_of(incident) == Status.PUBLISHED


@override_settings(ARCHIVE_ALLOW_SELF_REVIEW=True)
def test_self_review_is_allowed_when_the_setting_says_so(reviewer_client, reviewer, editor):
    incident = IncidentFactory(last_edited_by=reviewer)
    services.incident_submit(incident=incident, user=editor)

    run_action(reviewer_client, "publish", incident)

    assert status_of(incident) == Status.PUBLISHED


def test_retracting_asks_for_a_public_notice_first(reviewer_client):
    incident = IncidentFactory(published=True)

    page = run_action(reviewer_client, "retract", incident, follow=False)

    assert page.status_code == 200
    assert "Retract with this notice" in page.content.decode()
    assert status_of(incident) == Status.PUBLISHED


def test_a_reviewer_retracts_with_a_notice(reviewer_client):
    incident = IncidentFactory(published=True)
    notice = "Retracted: the videos were from a 2022 clash."

    response = run_action(reviewer_client, "retract", incident, apply="1", notice=notice)

    assert "1 incident(s) retracted" in messages_of(response)
    incident.refresh_from_db()
    assert (incident.status, incident.retraction_notice) == (Status.RETRACTED, notice)
    assert incident.retracted_at is not None


def test_a_retraction_without_a_notice_is_refused(reviewer_client):
    incident = IncidentFactory(published=True)

    response = run_action(reviewer_client, "retract", incident, follow=False, apply="1", notice="  ")

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert status_of(incident) == Status.PUBLISHED


def test_the_accept_proposal_action_sets_each_estimate(editor_client):
    first, second = IncidentFactory(), IncidentFactory()
    ClaimFactory(incident=first, quantity_low=4, quantity_high=4)
    ClaimFactory(incident=second, quantity_low=9, quantity_high=9)

    run_action(editor_client, "accept_proposal", first, second)

    assert Incident.objects.get(pk=first.pk).fatalities_best == 4
    assert Incident.objects.get(pk=second.pk).fatalities_best == 9


def test_an_editor_cannot_change_an_incident_once_it_is_submitted(editor_client, editor):
    incident = IncidentFactory(title="As submitted")
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = change_form_data(editor_client, url)
    services.incident_submit(incident=incident, user=editor)

    read_only = editor_client.get(url)
    response = editor_client.post(url, {**data, "title": "Changed after submission", "based_on_version": "2"})
    accepted = run_action(editor_client, "accept_proposal", incident)

    assert read_only.status_code == 200 and not read_only.context["has_change_permission"]
    assert response.status_code == 403
    assert "Only a reviewer may change" in messages_of(accepted)
    assert Incident.objects.get(pk=incident.pk).title == "As submitted"


# --- Nothing published is deleted ------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_a_published_or_retracted_incident_cannot_be_deleted_from_its_page(reviewer_client, status):
    incident = IncidentFactory(published=True)
    Incident.objects.filter(pk=incident.pk).update(status=status, retraction_notice="Withdrawn.")
    change = reviewer_client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))

    response = reviewer_client.post(reverse("admin:incidents_incident_delete", args=[incident.pk]), {"post": "yes"})

    assert reverse("admin:incidents_incident_delete", args=[incident.pk]) not in change.content.decode()
    assert response.status_code == 403
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_a_reviewer_can_delete_a_draft(reviewer_client):
    draft = IncidentFactory()

    response = reviewer_client.post(
        reverse("admin:incidents_incident_delete", args=[draft.pk]), {"post": "yes", "based_on_version": draft.version}
    )

    assert response.status_code == 302
    assert not Incident.objects.filter(pk=draft.pk).exists()


def test_the_bulk_delete_skips_published_incidents(reviewer_client):
    draft, published = IncidentFactory(), IncidentFactory(published=True)

    confirmation = run_action(reviewer_client, "delete_selected", draft, published, follow=False)
    response = run_action(reviewer_client, "delete_selected", draft, published, post="yes")

    assert confirmation.status_code == 200
    assert list(confirmation.context["queryset"]) == [draft]
    assert "cannot be deleted, only retracted" in messages_of(response)
    assert list(Incident.objects.values_list("pk", flat=True)) == [published.pk]


def test_the_bulk_delete_of_only_published_incidents_deletes_nothing(reviewer_client):
    published = IncidentFactory(published=True)

    response = run_action(reviewer_client, "delete_selected", published, post="yes")

    assert "cannot be deleted, only retracted" in messages_of(response)
    assert Incident.objects.filter(pk=published.pk).exists()


def test_editors_cannot_delete_incidents_at_all(editor_client):
    draft = IncidentFactory()

    response = editor_client.post(reverse("admin:incidents_incident_delete", args=[draft.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Incident.objects.filter(pk=draft.pk).exists()


# --- The same steps as buttons on the change form ----------------------------------------------


def workflow_url(incident: Incident, step: str) -> str:
    return reverse("admin:incidents_incident_workflow", args=[incident.pk, step])


def test_the_change_form_offers_the_steps_this_person_may_take(editor_client, reviewer_client, editor):
    draft = IncidentFactory()
    in_review = services.incident_submit(incident=IncidentFactory(), user=editor)

    def buttons(client, incident):
        return [step["label"] for step in client.get(change_url(incident)).context["workflow_steps"]]

    assert buttons(editor_client, draft) == ["Submit for review"]
    assert buttons(editor_client, in_review) == ["Return to draft"]
    assert buttons(reviewer_client, in_review) == ["Publish", "Return to draft"]


def change_url(incident: Incident) -> str:
    return reverse("admin:incidents_incident_change", args=[incident.pk])


def test_a_draft_goes_from_submission_to_publication_with_the_change_form_buttons(
    editor_client, reviewer_client, reviewer
):
    incident = IncidentFactory()

    editor_client.post(workflow_url(incident, "submit"))
    assert status_of(incident) == Status.IN_REVIEW
    response = reviewer_client.post(workflow_url(incident, "publish"), follow=True)

    assert "published" in messages_of(response)
    incident.refresh_from_db()
    assert (incident.status, incident.published_by) == (Status.PUBLISHED, reviewer)


def test_an_editor_posting_the_publish_button_anyway_is_refused(editor_client, editor):
    incident = services.incident_submit(incident=IncidentFactory(), user=editor)

    response = editor_client.post(workflow_url(incident, "publish"), follow=True)

    assert "You do not have permission to publish" in messages_of(response)
    assert status_of(incident) == Status.IN_REVIEW


def test_a_workflow_button_does_nothing_on_a_get(editor_client):
    incident = IncidentFactory()

    editor_client.get(workflow_url(incident, "submit"))

    assert status_of(incident) == Status.DRAFT


def test_retracting_from_the_change_form_asks_for_the_notice(reviewer_client):
    incident = IncidentFactory(published=True)

    page = reviewer_client.get(workflow_url(incident, "retract"))
    response = reviewer_client.post(workflow_url(incident, "retract"), {"notice": "Duplicate of #12."})

    assert "Retract with this notice" in page.content.decode()
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.status, incident.retraction_notice) == (Status.RETRACTED, "Duplicate of #12.")


def test_only_public_incidents_link_to_their_public_page(editor_client):
    draft, published = IncidentFactory(), IncidentFactory(published=True)

    assert not editor_client.get(change_url(draft)).context["has_absolute_url"]
    assert editor_client.get(change_url(published)).context["has_absolute_url"]


# --- Public text that names a confidential source --------------------------------------------


@pytest.fixture
def official() -> Source:
    return SourceFactory(
        kind=SourceKind.LOCAL_SOURCE,
        outlet="",
        title="Account of the fighting, quoted by AFP",
        author="Regional elected official, Kidal region",
        confidential=True,
    )


@pytest.fixture
def naming_draft(official, editor) -> Incident:
    """A draft whose summary names the office of the confidential source one of its claims cites."""
    incident = IncidentFactory(
        admin1="Kidal",
        summary="Fierce fighting in the Kidal region. A regional elected official reported losses on both sides.",
        last_edited_by=editor,
    )
    ClaimFactory(incident=incident, source=official, quote="There were losses on both sides.")
    return incident


def test_saving_public_text_that_names_a_confidential_source_warns_the_editor(editor_client, official):
    incident = IncidentFactory(admin1="Kidal", summary="Fighting in the Kidal region.")
    IncidentSourceFactory(incident=incident, source=official)
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    data = change_form_data(editor_client, url)

    clean = editor_client.post(url, data, follow=True)
    named = editor_client.post(
        url,
        {**data, "based_on_version": "2", "summary": "Fighting in the Kidal region, said a REGIONAL ELECTED OFFICIAL."},
        follow=True,
    )

    assert "confidential" not in messages_of(clean)
    warnings = [str(m) for m in named.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1
    assert "summary contains “Regional elected official”, the author of confidential source" in warnings[0]
    # The place the page shows anyway ("Kidal region") is no secret.
    assert "Kidal region”" not in warnings[0]
    assert Incident.objects.get(pk=incident.pk).summary.endswith("REGIONAL ELECTED OFFICIAL.")


def test_an_incident_naming_a_confidential_source_cannot_be_submitted(editor_client, naming_draft):
    response = run_action(editor_client, "submit_for_review", naming_draft)

    assert "cannot be submitted for review while its public text names a confidential source" in messages_of(response)
    assert "“Regional elected official”" in messages_of(response)
    assert status_of(naming_draft) == Status.DRAFT


def test_an_incident_in_review_naming_a_confidential_source_cannot_be_published(reviewer_client, naming_draft):
    Incident.objects.filter(pk=naming_draft.pk).update(status=Status.IN_REVIEW)

    response = run_action(reviewer_client, "publish", naming_draft)

    assert "cannot be published while its public text names a confidential source" in messages_of(response)
    assert status_of(naming_draft) == Status.IN_REVIEW


def test_a_reviewer_confirms_deliberate_wording_and_new_wording_needs_a_new_confirmation(
    reviewer_client, naming_draft, editor, second_reviewer
):
    change = reverse("admin:incidents_incident_change", args=[naming_draft.pk])
    page = reviewer_client.get(change).content.decode()
    assert "Confirm the wording naming a confidential source" in page

    response = reviewer_client.post(
        reverse("admin:incidents_incident_workflow", args=[naming_draft.pk, "confirm-wording"]), follow=True
    )

    assert "confirmed as deliberate" in messages_of(response)
    confirmed = Incident.objects.get(pk=naming_draft.pk)
    assert confirmed.confidential_wording_confirmed == "summary: regional elected official"
    assert "Confirm the wording" not in reviewer_client.get(change).content.decode()
    services.incident_submit(incident=confirmed, user=editor)
    Incident.objects.filter(pk=naming_draft.pk).update(title="Clash reported by a regional elected official")

    with pytest.raises(services.WorkflowError, match="The title contains “Regional elected official”"):
        services.incident_publish(incident=confirmed, user=second_reviewer)
    Incident.objects.filter(pk=naming_draft.pk).update(title="Clash in the Kidal region")
    assert services.incident_publish(incident=confirmed, user=second_reviewer).status == Status.PUBLISHED


def test_only_a_reviewer_may_confirm_wording_that_names_a_confidential_source(editor_client, editor, naming_draft):
    change = reverse("admin:incidents_incident_change", args=[naming_draft.pk])

    with pytest.raises(PermissionDenied):
        services.incident_confirm_confidential_wording(incident=naming_draft, user=editor)
    assert "Confirm the wording" not in editor_client.get(change).content.decode()
    assert Incident.objects.get(pk=naming_draft.pk).confidential_wording_confirmed == ""


def test_mentions_are_found_in_every_public_text_of_the_incident_and_its_links(official):
    incident = IncidentFactory(fatalities_rationale="Per the account of the fighting, quoted by AFP.")
    IncidentSourceFactory(incident=incident, source=official, note="The regional elected official's account.")
    ClaimFactory(incident=incident, source=SourceFactory(), verification_note="Matches the Regional Elected Official.")

    found = {(m.where.split(" ")[0], m.part) for m in services.incident_confidential_mentions(incident=incident)}

    assert found == {("fatalities", "title"), ("note", "author"), ("claim", "author")}


def test_short_strings_partial_words_and_sources_that_are_not_confidential_or_not_cited_do_not_count():
    incident = IncidentFactory(summary="Residents told AFP and the Radio Kidal team that the army attacked.")
    IncidentSourceFactory(
        incident=incident, source=SourceFactory(outlet="AFP", author="Resident", title="", confidential=True)
    )
    IncidentSourceFactory(incident=incident, source=SourceFactory(outlet="Radio Kidal", confidential=False))
    SourceFactory(outlet="the army", confidential=True)  # cited by no claim or link of this incident

    assert services.incident_confidential_mentions(incident=incident) == []


# --- Every write service checks its own permission --------------------------------------------


def user_without(permission: str) -> User:
    """A user holding every permission of the archive except ``permission``."""
    app_label, codename = permission.split(".")
    user = UserFactory()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label=app_label).exclude(codename=codename))
    return user


def incident_in(status: str) -> Incident:
    if status == Status.PUBLISHED:
        return IncidentFactory(published=True)
    incident = IncidentFactory()
    Incident.objects.filter(pk=incident.pk).update(status=status)
    incident.refresh_from_db()
    return incident


def take(row: services.Transition) -> Callable[[Incident, User], Incident]:
    notice = {"notice": "Withdrawn: a duplicate."} if row.notice else {}
    return lambda incident, user: row.service(incident=incident, user=user, **notice)


def restore_first_version(incident: Incident, user: User) -> Incident:
    event = IncidentEvent.objects.filter(pgh_obj_id=incident.pk).earliest("pgh_id")
    return services.history_restore(event=event, user=user)


# Each write service of incidents.services: the permission it needs, a status it starts from, a call.
WRITES = {
    **{row.service.__name__: (row.permission, row.source[0], take(row)) for row in services.TRANSITIONS},
    "incident_accept_proposal": (
        "incidents.change_incident",
        Status.DRAFT,
        lambda incident, user: services.incident_accept_proposal(incident=incident, user=user),
    ),
    "incident_override_estimate": (
        "incidents.change_incident",
        Status.DRAFT,
        lambda incident, user: services.incident_override_estimate(
            incident=incident, user=user, low=3, best=4, high=5, rationale="Counted from the videos."
        ),
    ),
    "history_restore": ("incidents.change_incident", Status.DRAFT, restore_first_version),
    "incident_merge": (
        services.PUBLISH_PERMISSION,
        Status.PUBLISHED,
        lambda incident, user: merging.incident_merge(
            duplicate=incident, into=IncidentFactory(published=True), user=user, reason="The same ambush."
        ),
    ),
}
# Services that take a user only to decide what that user may do.
USER_CHECKS = {
    "incident_can_edit",
    "incident_edit_refusal",
    "require_incident_edit",
    "require_attached_edit",
    "incident_transitions",
}


def test_every_public_service_that_takes_a_user_is_a_write_tested_here_or_a_check():
    takes_a_user = {
        name
        for module in (services, merging)
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and not name.startswith("_")
        and function.__module__ == module.__name__
        and "user" in inspect.signature(function).parameters
    }

    assert takes_a_user == set(WRITES) | USER_CHECKS


@pytest.mark.parametrize("name", WRITES)
def test_every_write_service_refuses_a_user_without_its_permission(name):
    permission, status, write = WRITES[name]
    incident = incident_in(status)
    before = Incident.objects.values().get(pk=incident.pk)

    with pytest.raises(PermissionDenied, match="You do not have permission to"):
        write(incident, user_without(permission))

    assert Incident.objects.values().get(pk=incident.pk) == before


@pytest.mark.parametrize("name", ["incident_accept_proposal", "incident_override_estimate"])
def test_an_editor_cannot_change_the_estimate_of_an_incident_in_review(name, editor):
    _, _, write = WRITES[name]
    incident = incident_in(Status.IN_REVIEW)
    ClaimFactory(incident=incident, quantity_low=4, quantity_high=4)

    with pytest.raises(PermissionDenied, match="Only a reviewer may change"):
        write(incident, editor)

    assert Incident.objects.get(pk=incident.pk).fatalities_best is None


@pytest.mark.parametrize("row", [row for row in services.TRANSITIONS if row.target], ids=lambda row: row.step)
def test_each_step_of_the_workflow_leads_from_its_source_to_its_target(row):
    incident = incident_in(row.source[0])
    notice = {"notice": "Withdrawn: a duplicate."} if row.notice else {}

    taken = row.service(incident=incident, user=UserFactory(is_superuser=True), **notice)

    assert taken.status == row.target
    assert Incident.objects.values_list("status", "version").get(pk=incident.pk) == (row.target, incident.version + 1)


@pytest.mark.parametrize("row", services.TRANSITIONS, ids=lambda row: row.step)
def test_each_step_of_the_workflow_refuses_an_incident_in_another_status(row):
    incident = incident_in(next(status for status in (Status.DRAFT, Status.PUBLISHED) if status not in row.source))
    notice = {"notice": "Withdrawn: a duplicate."} if row.notice else {}

    with pytest.raises(services.WorkflowError, match="Only "):
        row.service(incident=incident, user=UserFactory(is_superuser=True), **notice)

    assert Incident.objects.values_list("version", flat=True).get(pk=incident.pk) == incident.version


# --- The admin's actions and buttons are the table's -----------------------------------------


def button_label(row: services.Transition) -> str:
    return f"{row.label}…" if row.notice else row.label


def offered_on(row: services.Transition, source: Source) -> Incident:
    """An incident on which ``row`` is offered: in its first source status, naming ``source`` if it must."""
    incident = incident_in(row.source[0])
    if row.offered is not None and not row.offered(incident):
        # The one condition beyond status and permission: public text naming a confidential source.
        IncidentSourceFactory(incident=incident, source=source)
        Incident.objects.filter(pk=incident.pk).update(summary="A regional elected official described the clash.")
        incident.refresh_from_db()
    assert row.offered is None or row.offered(incident)
    return incident


@pytest.mark.parametrize("group", ["Editor", "Reviewer"])
def test_the_changelist_offers_the_steps_of_the_table_that_the_person_may_take(client, group):
    user = UserFactory(groups=[group])
    client.force_login(user)

    choices = client.get(CHANGELIST).context["action_form"].fields["action"].choices
    # Beyond the table's steps: deleting drafts, accepting proposals and merging duplicates.
    others = ("", "delete_selected", "accept_proposal", "merge_duplicates")
    offered = {name: str(label) for name, label in choices if name not in others}

    assert offered == {
        row.action: row.action_label for row in services.TRANSITIONS if row.action and user.has_perm(row.permission)
    }


@pytest.mark.parametrize("row", [row for row in services.TRANSITIONS if row.action], ids=lambda row: row.action)
def test_each_action_takes_its_step_on_the_selected_incidents(client, row):
    client.force_login(UserFactory(is_superuser=True))
    incident = incident_in(row.source[0])
    notice = {"apply": "1", "notice": "Withdrawn: a duplicate."} if row.notice else {}

    response = run_action(client, row.action, incident, **notice)

    assert f"1 incident(s) {row.done}." in messages_of(response)
    assert status_of(incident) == row.target


@pytest.mark.parametrize("row", services.TRANSITIONS, ids=lambda row: row.step)
def test_the_change_form_offers_the_steps_of_the_table_as_buttons_that_take_them(client, row, official):
    client.force_login(UserFactory(is_superuser=True))
    incident = offered_on(row, official)

    steps = client.get(change_url(incident)).context["workflow_steps"]
    step = next(step for step in steps if step["label"] == button_label(row))
    response = client.post(step["url"], {"notice": "Withdrawn: a duplicate."} if row.notice else {}, follow=True)

    assert [step["label"] for step in steps] == [
        button_label(other)
        for other in services.TRANSITIONS
        if other.starts_from(incident) and (other.offered is None or other.offered(incident))
    ]
    assert step["url"] == workflow_url(incident, row.step)
    assert f"“{incident}” {row.done}." in messages_of(response)
    taken = Incident.objects.get(pk=incident.pk)
    assert (taken.status, taken.version) == (row.target or incident.status, incident.version + 1)


def test_a_step_that_is_not_in_the_table_changes_nothing(reviewer_client):
    incident = IncidentFactory()

    response = reviewer_client.post(workflow_url(incident, "delete"))

    assert response.status_code == 302 and response["Location"] == change_url(incident)
    assert Incident.objects.get(pk=incident.pk).version == incident.version


# --- Estimates that cannot go stale silently ---------------------------------------------------


def stale(incident: Incident) -> bool:
    return Incident.objects.values_list("estimate_stale", flat=True).get(pk=incident.pk)


def test_accepting_the_proposal_clears_a_stale_estimate(editor):
    incident = IncidentFactory()
    ClaimFactory(incident=incident, quantity_low=4, quantity_high=4)
    services.incident_accept_proposal(incident=incident, user=editor)
    ClaimFactory(incident=incident, quantity_low=9, quantity_high=9)
    assert stale(incident)

    accepted = services.incident_accept_proposal(incident=incident, user=editor)

    assert not accepted.estimate_stale and not stale(incident)
    assert (accepted.fatalities_low, accepted.fatalities_high) == (4, 9)


def test_accepting_a_proposal_without_figures_records_that_none_were_reported(editor):
    incident = IncidentFactory()
    ClaimFactory(incident=incident, quantity_low=None, quantity_high=None, quantity_text="heavy losses")

    accepted = services.incident_accept_proposal(incident=incident, user=editor)

    assert accepted.fatalities_method == EstimateMethod.PROPOSAL and accepted.fatalities_best is None
    # Accepted, so a claim with a figure arriving later shows the estimate is out of date.
    ClaimFactory(incident=incident, quantity_low=2, quantity_high=2)
    assert stale(incident)


def test_overriding_clears_a_stale_estimate_and_keeps_the_proposals_sides_unless_given(editor):
    army, fla = ActorFactory(), ActorFactory()
    incident = IncidentFactory()
    IncidentActorFactory(incident=incident, actor=army, side=Side.A)
    IncidentActorFactory(incident=incident, actor=fla, side=Side.B)
    ClaimFactory(incident=incident, losses_of=LossesOf.ACTOR, losses_actor=fla, quantity_low=6, quantity_high=6)
    ClaimFactory(incident=incident, kind="injuries", quantity_low=2, quantity_high=3)
    services.incident_accept_proposal(incident=incident, user=editor)
    ClaimFactory(incident=incident, losses_of=LossesOf.ACTOR, losses_actor=army, quantity_low=1, quantity_high=1)
    assert stale(incident)

    kept = services.incident_override_estimate(
        incident=incident, user=editor, low=7, best=9, high=51, high_open=True, rationale="The videos show more."
    )

    assert not kept.estimate_stale
    assert (kept.fatalities_low, kept.fatalities_best, kept.fatalities_high, kept.fatalities_high_open) == (
        7,
        9,
        51,
        True,
    )
    assert (kept.deaths_a_best, kept.deaths_b_best, kept.injuries_low, kept.injuries_high) == (1, 6, 2, 3)
    assert kept.deaths_civilians_best is None

    given = services.incident_override_estimate(
        incident=incident, user=editor, low=7, best=9, high=12, rationale="Counted from the videos.",
        parts={"deaths_a": (2, 3, 4), "deaths_civilians": (0, 0, 0)},
    )  # fmt: skip

    assert (given.deaths_a_low, given.deaths_a_best, given.deaths_a_high) == (2, 3, 4)
    assert (given.deaths_civilians_low, given.deaths_b_best, given.fatalities_high_open) == (0, 6, False)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"deaths_a": (5, 3, 4)}, "The estimate of deaths a must satisfy"),
        ({"deaths_z": (1, 1, 1)}, "There is no estimate called deaths_z"),
        ({"fatalities": (1, 1, 1)}, "There is no estimate called fatalities"),
    ],
)
def test_an_override_refuses_disordered_or_unknown_parts(editor, parts, message):
    incident = IncidentFactory()

    with pytest.raises(services.WorkflowError, match=message):
        services.incident_override_estimate(
            incident=incident, user=editor, low=1, best=2, high=3, rationale="Because.", parts=parts
        )

    assert Incident.objects.get(pk=incident.pk).fatalities_method == ""


# --- Merging a duplicate -------------------------------------------------------------------------


@pytest.fixture
def duplicates(reviewer) -> dict[str, object]:
    """The same ambush recorded twice: the duplicate has its own claims, one of them the FLA's
    statement that ``into`` has already (carried by AFP there, by AP and AFP here)."""
    fla, army, corps = ActorFactory(name="FLA"), ActorFactory(name="Army"), ActorFactory(name="Africa Corps")
    afp, ap, radio = SourceFactory(outlet="AFP"), SourceFactory(outlet="AP"), SourceFactory(outlet="Radio")
    # Estimated while drafts, then published: nobody changes a published estimate in place.
    into = IncidentFactory(title="Ambush near Anefif")
    duplicate = IncidentFactory(title="Convoy attacked on the Anefif road")
    IncidentActorFactory(incident=into, actor=fla, side=Side.B)
    IncidentActorFactory(incident=duplicate, actor=fla, side=Side.B)
    IncidentActorFactory(incident=duplicate, actor=army, side=Side.A)
    IncidentSourceFactory(incident=into, source=afp)
    IncidentSourceFactory(incident=duplicate, source=afp)
    IncidentSourceFactory(incident=duplicate, source=radio)
    statement = {"claimant": fla, "losses_of": LossesOf.ACTOR, "losses_actor": corps, "quantity_low": 24,
                 "quantity_high": 60}  # fmt: skip
    kept = ClaimFactory(incident=into, source=afp, **statement)
    twin = ClaimFactory(incident=duplicate, source=afp, **statement)
    CitationFactory(claim=twin, source=ap, quote="a tué plusieurs dizaines", language="fr")
    moved = ClaimFactory(incident=duplicate, source=radio, claimant=army, quantity_low=5, quantity_high=5)
    part = ClaimFactory(incident=duplicate, source=radio, claimant=fla, part_of=twin, quantity_low=4, quantity_high=4,
                        kind="materiel_destroyed", quantity_text="armoured vehicles among them")  # fmt: skip
    follow_on = IncidentFactory(published=True, title="Reprisals after the ambush")
    IncidentRelation.objects.create(subject=follow_on, kind=IncidentRelationKind.FOLLOW_ON, object=duplicate)
    IncidentRelation.objects.create(subject=duplicate, kind=IncidentRelationKind.SAME_EVENT, object=into)
    services.incident_accept_proposal(incident=into, user=reviewer)
    services.incident_accept_proposal(incident=duplicate, user=reviewer)
    Incident.objects.filter(pk__in=[into.pk, duplicate.pk]).update(status=Status.PUBLISHED, published_at=timezone.now())
    return {"into": into, "duplicate": duplicate, "kept": kept, "twin": twin, "moved": moved, "part": part,
            "follow_on": follow_on, "ap": ap, "afp": afp, "radio": radio, "army": army}  # fmt: skip


def test_merging_moves_what_the_duplicate_adds_and_retracts_it_pointing_at_the_other(duplicates, reviewer):
    into, duplicate = duplicates["into"], duplicates["duplicate"]
    before = Incident.objects.values(*services.ESTIMATE_FIELDS).get(pk=duplicate.pk)

    merged = merging.incident_merge(duplicate=duplicate, into=into, user=reviewer, reason="  The same ambush. ")

    assert merged.pk == into.pk
    gone = Incident.objects.get(pk=duplicate.pk)
    assert (gone.status, gone.merged_into_id) == (Status.RETRACTED, into.pk)
    assert gone.retraction_notice == f"Merged into #{into.pk}: The same ambush."
    assert gone.retracted_at is not None and gone.published_at is not None
    # The FLA's statement stays one claim: AP's report joins the claim ``into`` has; AFP's was there.
    kept = duplicates["kept"]
    assert sorted(kept.citations.values_list("source__outlet", flat=True)) == ["AFP", "AP"]
    assert list(duplicates["twin"].citations.values_list("source__outlet", flat=True)) == ["AFP"]
    # The army's claim moves; the sub-count moves and now counts part of the claim ``into`` kept.
    assert set(into.claims.values_list("pk", flat=True)) == {kept.pk, duplicates["moved"].pk, duplicates["part"].pk}
    assert into.claims.get(pk=duplicates["part"].pk).part_of_id == kept.pk
    assert set(IncidentActor.objects.filter(incident=into).values_list("actor__name", "side")) == {
        ("FLA", "B"),
        ("Army", "A"),
    }
    assert set(IncidentSource.objects.filter(incident=into).values_list("source__outlet", flat=True)) == {
        "AFP",
        "Radio",
    }
    # The follow-on now follows ``into``; the link between the two records stays with the duplicate.
    assert IncidentRelation.objects.filter(subject=duplicates["follow_on"], object=into).exists()
    assert IncidentRelation.objects.filter(subject=duplicate, object=into).exists()
    # Both estimates are kept; ``into``'s is stale since claims moved into it.
    assert merged.estimate_stale
    after = Incident.objects.values(*services.ESTIMATE_FIELDS).get(pk=duplicate.pk)
    assert {k: v for k, v in after.items() if k != "estimate_stale"} == {
        k: v for k, v in before.items() if k != "estimate_stale"
    }
    assert merged.version == into.version + 2  # accepted, then merged into
    # History is kept: the moved claim's earlier incident is in its history.
    assert ClaimEvent.objects.filter(pgh_obj_id=duplicates["moved"].pk, incident_id=duplicate.pk).exists()
    assert IncidentEvent.objects.filter(pgh_obj_id=duplicate.pk, status=Status.PUBLISHED).exists()


def test_an_incident_merged_into_the_duplicate_earlier_now_points_at_the_survivor(duplicates, reviewer):
    earlier = IncidentFactory(published=True)
    merging.incident_merge(duplicate=earlier, into=duplicates["duplicate"], user=reviewer, reason="Twice entered.")

    merging.incident_merge(duplicate=duplicates["duplicate"], into=duplicates["into"], user=reviewer, reason="Same.")

    assert Incident.objects.get(pk=earlier.pk).merged_into_id == duplicates["into"].pk


def test_merging_only_citations_into_an_existing_claim_leaves_the_estimate_current(reviewer):
    source = SourceFactory()
    into, duplicate = IncidentFactory(), IncidentFactory(published=True)
    ClaimFactory(incident=into, source=source)
    twin = ClaimFactory(incident=duplicate, source=source)
    CitationFactory(claim=twin)
    services.incident_accept_proposal(incident=into, user=reviewer)
    Incident.objects.filter(pk=into.pk).update(status=Status.PUBLISHED, published_at=timezone.now())

    merged = merging.incident_merge(duplicate=duplicate, into=into, user=reviewer, reason="Same.")

    assert not merged.estimate_stale
    assert Citation.objects.filter(claim__incident=into).count() == 2


@pytest.mark.parametrize(
    ("statuses", "reason", "message"),
    [
        ((Status.DRAFT, Status.PUBLISHED), "Same.", "the duplicate, #\\d+, is a draft"),
        (
            (Status.PUBLISHED, Status.IN_REVIEW),
            "Same.",
            "the incident it is merged into, #\\d+, is an incident in review",
        ),
        ((Status.PUBLISHED, Status.PUBLISHED), "   ", "A merge needs a public reason"),
    ],
)
def test_a_merge_is_refused_unless_both_are_published_and_a_reason_given(reviewer, statuses, reason, message):
    duplicate, into = (incident_in(status) for status in statuses)
    ClaimFactory(incident=duplicate)

    with pytest.raises(services.WorkflowError, match=message):
        merging.incident_merge(duplicate=duplicate, into=into, user=reviewer, reason=reason)

    assert Incident.objects.get(pk=duplicate.pk).status == statuses[0]
    assert duplicate.claims.count() == 1


def test_an_incident_cannot_be_merged_into_itself(reviewer):
    incident = IncidentFactory(published=True)

    with pytest.raises(services.WorkflowError, match="into itself"):
        merging.incident_merge(duplicate=incident, into=incident, user=reviewer, reason="Same.")


# --- Confidential people and citations in public text -------------------------------------------


def test_mentions_are_found_in_citations_quotes_and_translations(official):
    incident = IncidentFactory()
    claim = ClaimFactory(incident=incident, source=official, quote="Le conseil régional de Kidal l'a confirmé.")
    CitationFactory(claim=claim, translation="As the Account of the fighting, quoted by AFP, says.")

    found = {
        (m.where.split(",")[1].strip(), m.part) for m in services.incident_confidential_mentions(incident=incident)
    }

    assert found == {("translation", "title")}


def test_mentions_find_a_confidential_persons_name_and_aliases_but_not_a_public_persons():
    secret = PersonFactory(name="Ahmed Ag Secret", confidential=True)
    PersonAlias.objects.create(person=secret, name="Ahmad Ag Sikrit", language="en")
    spokesman = PersonFactory(name="Mohamed Ramadan")
    incident = IncidentFactory(summary="Ahmad ag Sikrit and Mohamed Ramadan both spoke.")
    claim = ClaimFactory(incident=incident, speaker=spokesman, quote="")
    CitationFactory(claim=claim, speaker=secret, quote="Ahmed Ag Secret a parlé.", language="fr")
    PersonFactory(name="Somebody Else", confidential=True)  # speaks in no claim of this incident

    mentions = services.incident_confidential_mentions(incident=incident)

    assert {(m.where.split(",")[0], m.wording, m.part, m.person_id) for m in mentions} == {
        ("summary", "Ahmad Ag Sikrit", "alias", secret.pk),
        (f"citation {claim.citations.get(speaker=secret).pk}", "Ahmed Ag Secret", "name", secret.pk),
    }
    assert "the alias of confidential person #" in str(next(m for m in mentions if m.part == "alias"))
    with pytest.raises(services.WorkflowError, match="names a confidential source"):
        services.incident_submit(incident=incident, user=UserFactory(is_superuser=True))
