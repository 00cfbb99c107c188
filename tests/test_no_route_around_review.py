"""Nothing attached to a published incident changes without a review, whatever the route.

Each route an editor or a reviewer could take to change a published (or retracted) incident, its
claims, their citations, its actor and source links or its relations is tried here with a logged-in
client, and each test checks that the public page and the API say what they said before and that
the database rows are as they were. A change to a published incident is a correction, proposed from
its page and approved by another reviewer (incidents.corrections).

Deletion checks the version too: a row that someone else saved after it was opened is not deleted,
inline or from its delete page, with the message of a stale edit.
"""

from __future__ import annotations

import io
import re

import pytest
import tablib
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command, get_commands
from django.test import Client
from django.urls import reverse

from incidents import corrections, services
from incidents.api_urls import router
from incidents.imports.resources import ClaimResource
from incidents.models import (
    Actor,
    Citation,
    Claim,
    Correction,
    Incident,
    IncidentActor,
    IncidentRelation,
    IncidentRelationKind,
    IncidentSource,
    Person,
    Source,
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
from tests.test_import import (
    ARCHIVE_FORMAT,
    ARCHIVE_HEADER,
    CLAIMS_FORMAT,
    CLAIMS_HEADER,
    archive_row,
    confirm,
    csv_file,
    preview,
    write_csv,
)

pytestmark = pytest.mark.django_db

# What a hostile or mistaken change writes; the public must never read it.
MARK = "UNREVIEWED"
PUBLISHED_REFUSAL = "This incident is published: propose a correction from its page"
STALE = "was changed by someone else after you opened it"


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Each test reads the public API often, as one anonymous client: it starts with no request counted."""
    cache.clear()


@pytest.fixture
def published() -> Incident:
    """A published incident with everything that can be attached to one."""
    incident = IncidentFactory(published=True, title="Ambush near Anefif", import_key="anefif-ambush")
    claim = ClaimFactory(incident=incident, quantity_low=5, quantity_high=5, quantity_text="five soldiers")
    CitationFactory(claim=claim, quote="Five soldiers were killed.")
    IncidentActorFactory(incident=incident)
    IncidentSourceFactory(incident=incident)
    other = IncidentFactory(published=True, title="Reprisals")
    IncidentRelation.objects.create(subject=incident, kind=IncidentRelationKind.FOLLOW_ON, object=other)
    return incident


@pytest.fixture
def clients(editor, reviewer) -> dict[str, Client]:
    """An editor and a reviewer, each logged in."""
    logged_in = {}
    for name, user in (("editor", editor), ("reviewer", reviewer)):
        logged_in[name] = Client()
        logged_in[name].force_login(user)
    return logged_in


def rows_of(incident: Incident) -> dict[str, list[dict]]:
    """Every row of ``incident``'s record, as the database holds it."""
    return {
        "incident": [Incident.objects.values().get(pk=incident.pk)],
        "claims": list(Claim.objects.filter(incident=incident).order_by("pk").values()),
        "citations": list(Citation.objects.filter(claim__incident=incident).order_by("pk").values()),
        "actors": list(IncidentActor.objects.filter(incident=incident).order_by("pk").values()),
        "sources": list(IncidentSource.objects.filter(incident=incident).order_by("pk").values()),
        "relations": list(IncidentRelation.objects.filter(subject=incident).order_by("pk").values()),
    }


class Public:
    """What the public reads about an incident: its page and its API record, and its rows."""

    def __init__(self, incident: Incident) -> None:
        self.incident = incident
        self.rows = rows_of(incident)
        self.api = self.read_api()
        assert MARK not in self.read_page()

    def read_page(self) -> str:
        response = Client().get(f"/incidents/{self.incident.pk}/")
        assert response.status_code == 200
        return response.content.decode()

    def read_api(self) -> dict:
        response = Client().get(f"/api/v1/incidents/{self.incident.pk}/")
        assert response.status_code == 200
        return response.json()

    def assert_unchanged(self) -> None:
        assert rows_of(self.incident) == self.rows
        assert self.read_api() == self.api
        assert MARK not in self.read_page()


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def open_as_draft(client: Client, incident: Incident) -> dict:
    """The change form's data as a browser holds it when the form was opened on a draft; the
    incident is published again at once, so that posting it is a write to a published incident."""
    status, published_at = incident.status, incident.published_at
    Incident.objects.filter(pk=incident.pk).update(status=Status.DRAFT, published_at=None)
    data = change_form_data(client, reverse("admin:incidents_incident_change", args=[incident.pk]))
    Incident.objects.filter(pk=incident.pk).update(status=status, published_at=published_at)
    return data


def prefixed(data: dict, prefix: str) -> dict:
    return {name: value for name, value in data.items() if name.startswith(prefix)}


# --- Who may edit what -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.RETRACTED])
def test_nobody_edits_a_public_incident_in_place_reviewers_included(status, editor, reviewer):
    incident = IncidentFactory(published=True)
    Incident.objects.filter(pk=incident.pk).update(status=status, retraction_notice="Withdrawn.")
    incident.refresh_from_db()
    superuser = UserFactory(is_superuser=True)

    for user in (editor, reviewer, superuser):
        assert not services.incident_can_edit(incident=incident, user=user)
        with pytest.raises(PermissionDenied, match=r"propose a correction|new public notice"):
            services.require_incident_edit(incident=incident, user=user)


def test_drafts_are_the_editors_and_incidents_in_review_the_reviewers(editor, reviewer):
    draft, in_review = IncidentFactory(), IncidentFactory(status=Status.IN_REVIEW)

    assert services.incident_can_edit(incident=draft, user=editor)
    assert services.incident_can_edit(incident=draft, user=reviewer)
    assert not services.incident_can_edit(incident=in_review, user=editor)
    assert services.incident_can_edit(incident=in_review, user=reviewer)


# --- The incident's change form and its inlines -----------------------------------------------


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_a_published_incidents_change_form_is_read_only_with_every_inline(clients, who, published):
    response = clients[who].get(reverse("admin:incidents_incident_change", args=[published.pk]))

    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.has_add_permission and not inline.has_change_permission
        assert not inline.has_delete_permission


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_posting_a_published_incidents_form_with_changed_inlines_is_refused(clients, who, published):
    """The incident's fields, a claim, its citation, an actor link, a source link and a relation,
    each changed or deleted in the form opened before the incident was published."""
    public = Public(published)
    data = open_as_draft(clients[who], published)
    data["title"] = MARK
    data["claims-0-quantity_text"] = MARK
    data["claims-0-citations-0-quote"] = MARK
    data["incident_actors-0-note"] = MARK
    data["incident_sources-0-note"] = MARK
    data["relations_out-0-note"] = MARK
    data["claims-0-citations-1-DELETE"] = "on"

    response = clients[who].post(reverse("admin:incidents_incident_change", args=[published.pk]), data)

    assert response.status_code == 403
    public.assert_unchanged()


# --- The claims' admin -------------------------------------------------------------------------


def claim_data(client: Client, url: str, incident: Incident) -> dict:
    data = change_form_data(client, url)
    data.update(
        incident=incident.pk, kind="fatalities", losses_of="unknown", quantity_low=99, quantity_high=99,
        quantity_text=MARK, stance="assertion", verification="unverified",
    )  # fmt: skip
    return data


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_adding_a_claim_to_a_published_incident_is_a_form_error(clients, who, published):
    public = Public(published)
    url = reverse("admin:incidents_claim_add")
    data = claim_data(clients[who], url, published)
    source = SourceFactory()
    data.update({"citations-TOTAL_FORMS": "1", "citations-0-source": source.pk, "citations-0-quote": MARK})

    response = clients[who].post(url, data)

    assert response.status_code == 200
    assert PUBLISHED_REFUSAL in " ".join(response.context["adminform"].form.errors["incident"])
    assert not Claim.objects.filter(quantity_text=MARK).exists()
    public.assert_unchanged()


def test_adding_a_claim_to_an_incident_in_review_is_for_reviewers(clients):
    in_review = IncidentFactory(status=Status.IN_REVIEW)
    url = reverse("admin:incidents_claim_add")

    refused = clients["editor"].post(url, claim_data(clients["editor"], url, in_review))
    accepted = clients["reviewer"].post(url, claim_data(clients["reviewer"], url, in_review))

    assert "Only a reviewer may change" in " ".join(refused.context["adminform"].form.errors["incident"])
    assert accepted.status_code == 302
    assert list(in_review.claims.values_list("quantity_text", flat=True)) == [MARK]


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_moving_a_drafts_claim_to_a_published_incident_is_a_form_error(clients, who, published):
    public = Public(published)
    draft = IncidentFactory()
    claim = ClaimFactory(incident=draft, quantity_text="seven")
    before = Claim.objects.values().get(pk=claim.pk)
    url = reverse("admin:incidents_claim_change", args=[claim.pk])
    data = change_form_data(clients[who], url)

    response = clients[who].post(url, {**data, "incident": published.pk, "quantity_text": MARK})

    assert response.status_code == 200
    assert PUBLISHED_REFUSAL in " ".join(response.context["adminform"].form.errors["incident"])
    assert Claim.objects.values().get(pk=claim.pk) == before
    public.assert_unchanged()


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_a_published_incidents_claim_and_its_citations_cannot_be_changed_from_the_claims_admin(clients, who, published):
    public = Public(published)
    claim = published.claims.get()
    url = reverse("admin:incidents_claim_change", args=[claim.pk])
    Incident.objects.filter(pk=published.pk).update(status=Status.DRAFT)
    data = change_form_data(clients[who], url)
    Incident.objects.filter(pk=published.pk).update(status=Status.PUBLISHED)
    read_only = clients[who].get(url)
    data.update({"quantity_text": MARK, "citations-0-quote": MARK, "citations-1-DELETE": "on"})
    new_citation = {"citations-TOTAL_FORMS": "3", "citations-2-source": SourceFactory().pk, "citations-2-quote": MARK}

    changed = clients[who].post(url, data)
    cited = clients[who].post(url, {**data, **new_citation})
    deleted = clients[who].post(reverse("admin:incidents_claim_delete", args=[claim.pk]), {"post": "yes"})

    assert not read_only.context["has_change_permission"]
    assert [inline.has_change_permission for inline in read_only.context["inline_admin_formsets"]] == [False]
    assert (changed.status_code, cited.status_code, deleted.status_code) == (403, 403, 403)
    public.assert_unchanged()


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_the_claims_bulk_delete_leaves_a_published_incidents_claims(clients, who, published):
    public = Public(published)
    claim = published.claims.get()
    data = {"action": "delete_selected", "_selected_action": [str(claim.pk)], "index": "0", "post": "yes"}

    response = clients[who].post(reverse("admin:incidents_claim_changelist"), data)

    assert response.status_code == 403
    public.assert_unchanged()


# --- The estimate --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_a_published_estimate_is_not_accepted_or_overridden_in_place(clients, who, published):
    public = Public(published)
    url = reverse("admin:incidents_incident_estimate", args=[published.pk])
    page = clients[who].get(url)

    accepted = clients[who].post(url, {"accept": "1"})
    overridden = clients[who].post(url, {"override": "1", "low": 1, "best": 2, "high": 3, "rationale": MARK})
    action = clients[who].post(
        reverse("admin:incidents_incident_changelist"),
        {"action": "accept_proposal", "_selected_action": [str(published.pk)], "index": "0"},
        follow=True,
    )

    assert PUBLISHED_REFUSAL in page.content.decode()
    assert (accepted.status_code, overridden.status_code) == (403, 403)
    assert PUBLISHED_REFUSAL in messages_of(action)
    public.assert_unchanged()


@pytest.mark.parametrize("service", ["incident_accept_proposal", "incident_override_estimate"])
def test_the_estimate_services_refuse_a_published_incident(service, reviewer, published):
    public = Public(published)
    extra = {"low": 1, "best": 2, "high": 3, "rationale": MARK} if service == "incident_override_estimate" else {}

    with pytest.raises(PermissionDenied, match=PUBLISHED_REFUSAL):
        getattr(services, service)(incident=published, user=reviewer, **extra)

    public.assert_unchanged()


# --- History restores --------------------------------------------------------------------------


def first_event(obj):
    return type(obj).pgh_event_model.objects.filter(pgh_obj_id=obj.pk).earliest("pgh_id")


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_restoring_a_published_incident_or_its_claim_is_refused(clients, who, published):
    claim = published.claims.get()
    incident_event, claim_event = first_event(published), first_event(claim)
    Incident.objects.filter(pk=published.pk).update(title="Ambush near Anefif, retitled")
    published.refresh_from_db()
    public = Public(published)
    restore_incident = reverse("admin:incidents_incident_restore", args=[published.pk, incident_event.pgh_id])
    restore_claim = reverse("admin:incidents_claim_restore", args=[claim.pk, claim_event.pgh_id])

    incident = clients[who].post(restore_incident)
    claimed = clients[who].post(restore_claim)

    assert (incident.status_code, claimed.status_code) == (403, 403)
    public.assert_unchanged()


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_restoring_a_drafts_claim_to_a_version_on_a_published_incident_is_refused(clients, who, published):
    """A claim once on the published incident, moved to a draft since: restoring its first
    version would move it back, unreviewed."""
    claim = ClaimFactory(incident=published, quantity_text=MARK)
    first = first_event(claim)
    draft = IncidentFactory()
    Claim.objects.filter(pk=claim.pk).update(incident=draft)
    Claim.objects.get(pk=claim.pk).save()  # an update event with the draft
    public = Public(published)
    before = Claim.objects.values().get(pk=claim.pk)

    response = clients[who].post(reverse("admin:incidents_claim_restore", args=[claim.pk, first.pgh_id]), follow=True)

    assert PUBLISHED_REFUSAL in messages_of(response)
    assert Claim.objects.values().get(pk=claim.pk) == before
    public.assert_unchanged()


@pytest.mark.parametrize("model", [Claim, Citation, IncidentActor, IncidentSource, IncidentRelation])
def test_the_restore_service_refuses_every_row_of_a_published_incident(model, reviewer, published):
    rows = {
        Claim: published.claims.all(),
        Citation: Citation.objects.filter(claim__incident=published),
        IncidentActor: published.incident_actors.all(),
        IncidentSource: published.incident_sources.all(),
        IncidentRelation: IncidentRelation.objects.filter(subject=published),
    }
    row = rows[model].first()
    event = first_event(row)
    public = Public(published)

    with pytest.raises(PermissionDenied, match=PUBLISHED_REFUSAL):
        services.history_restore(event=event, user=UserFactory(is_superuser=True))

    public.assert_unchanged()


# --- Imports -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_a_claims_import_naming_a_published_incident_or_its_claim_is_refused(clients, who, published):
    public = Public(published)
    claim = published.claims.get()
    source = SourceFactory()
    rows = [
        {"incident_key": "anefif-ambush", "kind": "fatalities", "quantity_text": MARK, "source": source.pk},
        {"claim": claim.pk, "source": source.pk, "quote": MARK},
    ]

    response = preview(clients[who], csv_file(CLAIMS_HEADER, rows), CLAIMS_FORMAT)

    problems = {(row, column): reason for row, column, reason in response.context["problems"]}
    assert "has been published" in problems[(1, "incident_key")]
    assert "propose a correction" in problems[(2, "claim")]
    assert "confirm_form" not in response.context
    public.assert_unchanged()


def test_the_claims_import_confirm_step_refuses_a_published_incident_too(reviewer, published):
    """The confirm step runs the same import without dry run: a forged confirmation writes nothing."""
    public = Public(published)
    dataset = tablib.Dataset(headers=["incident", "kind", "quantity_text", "source"])
    dataset.append([published.pk, "fatalities", MARK, SourceFactory().pk])

    result = ClaimResource().import_data(dataset, dry_run=False, user=reviewer)

    assert result.has_validation_errors()
    public.assert_unchanged()


def test_a_claims_import_by_an_editor_naming_an_incident_in_review_is_refused(clients):
    in_review = IncidentFactory(status=Status.IN_REVIEW, import_key="in-review")
    rows = [{"incident_key": "in-review", "kind": "fatalities", "quantity_text": MARK, "source": SourceFactory().pk}]

    refused = preview(clients["editor"], csv_file(CLAIMS_HEADER, rows), CLAIMS_FORMAT)
    accepted = preview(clients["reviewer"], csv_file(CLAIMS_HEADER, rows), CLAIMS_FORMAT)

    problems = {(row, column): reason for row, column, reason in refused.context["problems"]}
    assert "Only a reviewer may change" in problems[(1, "incident_key")]
    assert "confirm_form" in accepted.context
    assert not in_review.claims.exists()


@pytest.mark.parametrize("who", ["editor", "reviewer"])
def test_an_incidents_import_naming_a_published_import_key_proposes_a_correction_for_another_reviewer(
    clients, who, published, second_reviewer
):
    public = Public(published)

    response = preview(
        clients[who], csv_file(ARCHIVE_HEADER, [archive_row(import_key="anefif-ambush", title=MARK)]), ARCHIVE_FORMAT
    )
    assert response.context["problems"] == []
    confirm(clients[who], response)

    public.assert_unchanged()
    correction = Correction.objects.open().get(incident=published)
    assert correction.revision.title == MARK
    services.incident_submit(incident=correction.revision, user=correction.author)
    if who == "reviewer":
        with pytest.raises(services.WorkflowError, match="another reviewer"):
            corrections.correction_approve(correction=correction, user=correction.author)
        public.assert_unchanged()
    corrections.correction_approve(correction=correction, user=second_reviewer)
    assert Client().get(published.get_absolute_url()).content.decode().count(MARK) >= 1


def test_an_incidents_import_naming_a_published_id_adds_a_draft_and_leaves_the_incident(editor, published):
    public = Public(published)
    upload = csv_file(["id", *ARCHIVE_HEADER], [archive_row(id=published.pk, title=MARK)])
    client = Client()
    client.force_login(editor)

    response = preview(client, upload, ARCHIVE_FORMAT)
    client.post(
        reverse("admin:incidents_incident_process_import"),
        {name: value for name, value in response.context["confirm_form"].initial.items()},
    )

    assert Incident.objects.get(title=MARK).status == Status.DRAFT
    public.assert_unchanged()


def test_the_import_command_refuses_a_published_import_key(tmp_path, published):
    public = Public(published)
    path = write_csv(tmp_path / "incidents.csv", ARCHIVE_HEADER, [archive_row(import_key="anefif-ambush", title=MARK)])

    with pytest.raises(CommandError):
        call_command("import_incidents", str(path), stderr=io.StringIO(), stdout=io.StringIO())

    assert not Incident.objects.filter(title=MARK).exists()
    public.assert_unchanged()


# --- The API -------------------------------------------------------------------------------------


def api_urls(published: Incident) -> list[str]:
    """Every list and detail route of the API, and each extra action."""
    ids = {
        "api-incident": published.pk,
        "api-actor": published.incident_actors.get().actor_id,
        "api-source": published.incident_sources.get().source_id,
        "api-claim": published.claims.get().pk,
        "api-person": PersonFactory().pk,
    }
    urls = []
    for _, viewset, basename in router.registry:
        urls += [reverse(f"{basename}-list"), reverse(f"{basename}-detail", args=[ids[basename]])]
        for extra in viewset.get_extra_actions():
            urls.append(reverse(f"{basename}-{extra.url_name}", args=[ids[basename]] if extra.detail else []))
    return urls


@pytest.mark.parametrize("who", ["editor", "reviewer", "anonymous"])
def test_every_api_write_is_refused_and_changes_nothing(clients, who, published):
    client = clients.get(who, Client())
    public = Public(published)
    urls = api_urls(published)
    counts = {model: model.objects.count() for model in (Incident, Claim, Citation, Actor, Source, Person)}
    body = {"title": MARK, "quantity_text": MARK, "name": MARK, "outlet": MARK}

    statuses = {
        (method, url): getattr(client, method)(url, body, content_type="application/json").status_code
        for url in urls
        for method in ("post", "put", "patch", "delete")
    }

    assert {key: status for key, status in statuses.items() if status not in (403, 405)} == {}
    assert {model: model.objects.count() for model in counts} == counts
    public.assert_unchanged()


# --- Management commands -------------------------------------------------------------------------

# Commands that write to published incidents are maintenance, run by an administrator on the
# server: loading the demo, restoring a backup, erasing a source's identity, generating benchmark data.
MAINTENANCE_COMMANDS = {"load_demo", "restore", "erase_source_identity", "generate_incidents"}
# Commands that never change a published incident: they read, add drafts or write outside the record.
OTHER_COMMANDS = {
    "add_totp_device",  # a staff member's login device
    "backup",  # reads the database
    "check_read_model",  # compares the read model with the editorial tables
    "count_facets",  # facet count snapshots
    "create_demo_users",  # demo accounts
    "export_release",  # reads the published data
    "import_incidents",  # adds drafts only (tested above)
    "rebuild_read_model",  # writes the read model from the editorial tables, not them
}


def test_every_command_of_the_archive_is_either_maintenance_or_leaves_published_incidents_alone():
    ours = {name for name, app in get_commands().items() if app == "incidents"}

    assert ours == MAINTENANCE_COMMANDS | OTHER_COMMANDS


# --- Deletion checks the version -----------------------------------------------------------------


def hidden_version(response) -> int:
    return int(re.search(r'name="based_on_version" value="(\d+)"', response.content.decode()).group(1))


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="admin", is_superuser=True))
    return client


def save_changed(client: Client, url: str, **changes: object) -> None:
    response = client.post(url, {**change_form_data(client, url), **changes})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response


@pytest.mark.parametrize(
    ("model", "make", "field", "who"),
    [
        ("claim", lambda: ClaimFactory(incident=IncidentFactory()), "quantity_text", "editor"),
        ("actor", ActorFactory, "description", "superuser"),
        ("source", SourceFactory, "title", "superuser"),
        ("person", PersonFactory, "description", "superuser"),
        ("incident", IncidentFactory, "summary", "reviewer"),
    ],
)
def test_a_delete_page_opened_before_someone_else_saved_deletes_nothing(
    model, make, field, who, clients, superuser_client
):
    deleting = superuser_client if who == "superuser" else clients[who]
    obj = make()
    change_url = reverse(f"admin:incidents_{model}_change", args=[obj.pk])
    delete_url = reverse(f"admin:incidents_{model}_delete", args=[obj.pk])
    page = deleting.get(delete_url)
    save_changed(clients["reviewer"], change_url, **{field: "Changed meanwhile"})

    response = deleting.post(delete_url, {"post": "yes", "based_on_version": hidden_version(page)}, follow=True)

    assert f"Nothing was deleted. This {obj._meta.verbose_name} {STALE}" in messages_of(response)
    assert getattr(type(obj).objects.get(pk=obj.pk), field) == "Changed meanwhile"


@pytest.mark.parametrize("model", ["claim", "incident"])
def test_a_delete_page_deletes_the_version_it_shows(model, clients):
    obj = ClaimFactory(incident=IncidentFactory()) if model == "claim" else IncidentFactory()
    delete_url = reverse(f"admin:incidents_{model}_delete", args=[obj.pk])
    page = clients["reviewer"].get(delete_url)

    response = clients["reviewer"].post(delete_url, {"post": "yes", "based_on_version": hidden_version(page)})

    assert response.status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()


def test_a_delete_confirmation_without_a_version_deletes_nothing(clients):
    claim = ClaimFactory(incident=IncidentFactory())

    response = clients["editor"].post(
        reverse("admin:incidents_claim_delete", args=[claim.pk]), {"post": "yes"}, follow=True
    )

    assert "did not say which version" in messages_of(response)
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_the_change_forms_delete_link_carries_the_version_the_editor_is_looking_at(clients):
    claim = ClaimFactory(incident=IncidentFactory())
    Claim.objects.filter(pk=claim.pk).update(version=4)
    delete_url = reverse("admin:incidents_claim_delete", args=[claim.pk])

    form = clients["editor"].get(reverse("admin:incidents_claim_change", args=[claim.pk]))
    Claim.objects.filter(pk=claim.pk).update(version=5)  # someone saved after the form was opened
    page = clients["editor"].get(f"{delete_url}?version=4")
    response = clients["editor"].post(delete_url, {"post": "yes", "based_on_version": hidden_version(page)})

    assert f"{delete_url}?version=4" in form.content.decode()
    assert hidden_version(page) == 4
    assert response.status_code == 302 and Claim.objects.filter(pk=claim.pk).exists()


def test_deleting_a_claim_inline_that_someone_else_changed_deletes_nothing(clients):
    draft = IncidentFactory()
    claim = ClaimFactory(incident=draft, quantity_text="five")
    incident_url = reverse("admin:incidents_incident_change", args=[draft.pk])
    data = change_form_data(clients["editor"], incident_url)
    save_changed(clients["reviewer"], reverse("admin:incidents_claim_change", args=[claim.pk]), quantity_text="six")

    response = clients["editor"].post(incident_url, {**data, "claims-0-DELETE": "on"})

    assert response.status_code == 200
    assert STALE in str(response.context["inline_admin_formsets"][1].formset.non_form_errors())
    assert Claim.objects.get(pk=claim.pk).quantity_text == "six"


def test_deleting_a_citation_under_a_claim_inline_that_someone_else_changed_deletes_nothing(clients):
    draft = IncidentFactory()
    claim = ClaimFactory(incident=draft)
    citation = claim.citations.get()
    incident_url = reverse("admin:incidents_incident_change", args=[draft.pk])
    data = change_form_data(clients["editor"], incident_url)
    save_changed(clients["reviewer"], reverse("admin:incidents_claim_change", args=[claim.pk]), **{
        "citations-0-quote": "Corrected quote."
    })  # fmt: skip

    response = clients["editor"].post(incident_url, {**data, "claims-0-citations-0-DELETE": "on"})

    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert Citation.objects.get(pk=citation.pk).quote == "Corrected quote."


def test_deleting_a_citation_in_the_claims_admin_that_someone_else_changed_deletes_nothing(clients):
    claim = ClaimFactory(incident=IncidentFactory())
    citation = claim.citations.get()
    url = reverse("admin:incidents_claim_change", args=[claim.pk])
    data = change_form_data(clients["editor"], url)
    save_changed(clients["reviewer"], url, **{"citations-0-quote": "Corrected quote."})

    response = clients["editor"].post(url, {**data, "citations-0-DELETE": "on"})

    assert response.status_code == 200
    assert STALE in str(response.context["inline_admin_formsets"][0].formset.non_form_errors())
    assert Citation.objects.get(pk=citation.pk).quote == "Corrected quote."


def test_deleting_an_unchanged_claim_inline_deletes_it(clients):
    draft = IncidentFactory()
    claim = ClaimFactory(incident=draft)
    incident_url = reverse("admin:incidents_incident_change", args=[draft.pk])
    data = change_form_data(clients["editor"], incident_url)

    response = clients["editor"].post(incident_url, {**data, "claims-0-DELETE": "on"})

    assert response.status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()


@pytest.mark.parametrize(
    ("prefix", "make", "model"),
    [
        ("incident_actors", lambda draft: IncidentActorFactory(incident=draft), IncidentActor),
        ("incident_sources", lambda draft: IncidentSourceFactory(incident=draft), IncidentSource),
        (
            "relations_out",
            lambda draft: IncidentRelation.objects.create(
                subject=draft, kind=IncidentRelationKind.FOLLOW_ON, object=IncidentFactory()
            ),
            IncidentRelation,
        ),
    ],
)
def test_deleting_a_link_inline_that_someone_else_changed_deletes_nothing(clients, prefix, make, model):
    draft = IncidentFactory()
    link = make(draft)
    incident_url = reverse("admin:incidents_incident_change", args=[draft.pk])
    data = change_form_data(clients["editor"], incident_url)
    save_changed(clients["reviewer"], incident_url, **{f"{prefix}-0-note": "Changed meanwhile."})

    response = clients["editor"].post(incident_url, {**data, f"{prefix}-0-DELETE": "on"})

    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert model.objects.get(pk=link.pk).note == "Changed meanwhile."
    assert model.objects.get(pk=link.pk).version == 2

    fresh = change_form_data(clients["editor"], incident_url)
    assert clients["editor"].post(incident_url, {**fresh, f"{prefix}-0-DELETE": "on"}).status_code == 302
    assert not model.objects.filter(pk=link.pk).exists()
