"""Writes that follow editorial rules: the workflow, estimates, merges, optimistic locking, reverts.

Each service is keyword-only, runs in one transaction and raises ``WorkflowError`` (a
``ValidationError``) with a message an editor can act on. Each one that acts for a user
checks that user's permission itself and raises ``PermissionDenied``, so every route (the
admin's pages and actions, commands, tests) is refused alike. The workflow's steps, with the
permission each needs, are one table: ``TRANSITIONS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pycountry
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from incidents.models import (
    ESTIMATE_PREFIXES,
    Citation,
    Claim,
    EstimateMethod,
    Incident,
    IncidentActor,
    IncidentRelation,
    IncidentSource,
    Person,
    Source,
    Status,
)
from incidents.reconcile import Estimate, Proposal, propose_for_claims


class WorkflowError(ValidationError):
    pass


class ConcurrentEditError(ValidationError):
    """Someone saved the record after this editor opened it."""


PUBLISH_PERMISSION = "incidents.publish_incident"
SUBMIT_PERMISSION = "incidents.submit_incident"


def refusal_message(error: ValidationError | PermissionDenied) -> str:
    """What an editor reads when a service refuses a write."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You do not have permission to do that."


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def stale_version_error(
    *, model: type[models.Model], expected_version: int, current_version: int
) -> ConcurrentEditError:
    """The message an editor sees when someone else saved the record after they opened it."""
    return ConcurrentEditError(
        gettext(
            "This %(name)s was changed by someone else after you opened it "
            "(your copy is version %(expected)s, the saved one is version %(current)s). "
            "Your changes were not saved: reload the page, then re-apply them."
        )
        % {"name": model._meta.verbose_name, "expected": expected_version, "current": current_version},
        code="stale",
    )


def record_save(*, instance: models.Model, expected_version: int | None) -> None:
    """Save ``instance`` only if nobody else saved it since ``expected_version`` was read.

    The row is locked first, so two editors saving at once are serialised and the
    second one sees the first one's version. It takes no user: the admin's form saves call
    it once Django has checked the add or change permission on the model and the record.
    """
    model = type(instance)
    with transaction.atomic():
        if instance.pk is not None and expected_version is not None:
            current = (
                model._default_manager.select_for_update().filter(pk=instance.pk).values_list("version", flat=True)
            )
            current_version = current.first()
            if current_version is not None and current_version != expected_version:
                raise stale_version_error(
                    model=model, expected_version=expected_version, current_version=current_version
                )
            instance.version = current_version + 1 if current_version is not None else 1
        instance.save()


# --- Confidential sources and people named in public text -----------------------------------------

# Shorter strings ("AP", "FLA") would match ordinary words and names.
IDENTIFYING_MIN_LENGTH = 4
INCIDENT_PUBLIC_TEXT = ("title", "summary", "admin1", "admin2", "location", "fatalities_rationale", "retraction_notice")
CLAIM_PUBLIC_TEXT = ("quantity_text", "losses_note", "place", "verification_note")
CITATION_PUBLIC_TEXT = ("quote", "translation")


@dataclass(frozen=True)
class ConfidentialMention:
    """Public text of an incident containing what identifies a confidential source it cites (its
    outlet, author or title) or a confidential person speaking in it (their name or an alias)."""

    where: str  # "summary", "citation 12, quote", ...
    wording: str  # the identifying string, as the record spells it
    part: str  # "outlet", "author", "title", "name" or "alias"
    source_id: int | None = None
    person_id: int | None = None

    @property
    def key(self) -> str:
        """What a reviewer's confirmation records, so that new wording needs a new confirmation."""
        return f"{self.where}: {self.wording.casefold()}"

    def __str__(self) -> str:
        whose = (
            f"confidential source #{self.source_id}"
            if self.person_id is None
            else (f"confidential person #{self.person_id}")
        )
        return f"The {self.where} contains “{self.wording}”, the {self.part} of {whose}."


def _public_texts(incident: Incident) -> Iterator[tuple[str, str]]:
    """(where, text) for every public text of ``incident``: its own fields, its links' notes, its
    claims and the quotes and translations of their citations."""
    for name in INCIDENT_PUBLIC_TEXT:
        yield str(Incident._meta.get_field(name).verbose_name), getattr(incident, name)
    for pk, note in IncidentActor.objects.filter(incident=incident).exclude(note="").values_list("pk", "note"):
        yield f"note on actor link {pk}", note
    for pk, note in IncidentSource.objects.filter(incident=incident).exclude(note="").values_list("pk", "note"):
        yield f"note on source link {pk}", note
    relations = IncidentRelation.objects.filter(Q(subject=incident) | Q(object=incident)).exclude(note="")
    for pk, note in relations.values_list("pk", "note"):
        yield f"note on incident relation {pk}", note
    for pk, *texts in Claim.objects.filter(incident=incident).values_list("pk", *CLAIM_PUBLIC_TEXT):
        for name, text in zip(CLAIM_PUBLIC_TEXT, texts, strict=True):
            yield f"claim {pk}, {Claim._meta.get_field(name).verbose_name}", text
    citations = Citation.objects.filter(claim__incident=incident).order_by("pk")
    for pk, *texts in citations.values_list("pk", *CITATION_PUBLIC_TEXT):
        for name, text in zip(CITATION_PUBLIC_TEXT, texts, strict=True):
            yield f"citation {pk}, {Citation._meta.get_field(name).verbose_name}", text


def _places(incident: Incident) -> list[str]:
    country = pycountry.countries.get(alpha_2=incident.country) if incident.country else None
    names = [incident.admin1, incident.admin2, incident.location, country.name if country else ""]
    return [name.casefold() for name in names if name]


def _identifying(source: Source, places: list[str]) -> Iterator[tuple[str, str]]:
    """(part, string) that would identify ``source``: its outlet, title and author, and each
    comma-separated part of the author ("Regional elected official, Kidal region") except the
    parts naming the incident's own place, which the public page shows anyway."""
    for part in ("outlet", "title", "author"):
        value = getattr(source, part).strip()
        strings = [value]
        if part == "author":
            pieces = [piece.strip() for piece in value.split(",")]
            strings += [
                piece
                for piece in pieces
                if len(pieces) > 1
                and not any(place in piece.casefold() or piece.casefold() in place for place in places)
            ]
        for string in dict.fromkeys(strings):
            if len(string) >= IDENTIFYING_MIN_LENGTH:
                yield part, string


def _identifying_person(person: Person) -> Iterator[tuple[str, str]]:
    """(part, string) that would identify ``person``: their name and each alias."""
    strings = [("name", person.name.strip())] + [("alias", alias.name.strip()) for alias in person.aliases.all()]
    for part, string in strings:
        if len(string) >= IDENTIFYING_MIN_LENGTH:
            yield part, string


def _pattern(string: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(string)}(?!\w)", re.IGNORECASE)


def incident_confidential_mentions(*, incident: Incident) -> list[ConfidentialMention]:
    """Where the public text of ``incident`` contains, as whole words in any case, the outlet,
    author or title of a confidential source it cites (through a citation or a source link), or
    the name or an alias of a confidential person speaking in one of its claims or citations."""
    cited = (
        Citation.objects.filter(claim__incident=incident)
        .values("source_id")
        .union(IncidentSource.objects.filter(incident=incident).values("source_id"))
    )
    sources = list(Source.objects.filter(confidential=True, pk__in=cited).order_by("pk"))
    speaking = (
        Claim.objects.filter(incident=incident, speaker__isnull=False)
        .values("speaker_id")
        .union(Citation.objects.filter(claim__incident=incident, speaker__isnull=False).values("speaker_id"))
    )
    people = list(Person.objects.filter(confidential=True, pk__in=speaking).prefetch_related("aliases").order_by("pk"))
    if not sources and not people:
        return []
    places = _places(incident)
    patterns = [
        (part, string, {"source_id": source.pk}, _pattern(string))
        for source in sources
        for part, string in _identifying(source, places)
    ] + [
        (part, string, {"person_id": person.pk}, _pattern(string))
        for person in people
        for part, string in _identifying_person(person)
    ]
    return [
        ConfidentialMention(where=where, wording=string, part=part, **whose)
        for where, text in _public_texts(incident)
        if text
        for part, string, whose, pattern in patterns
        if pattern.search(text)
    ]


def incident_unconfirmed_mentions(*, incident: Incident) -> list[ConfidentialMention]:
    """The mentions of confidential sources in ``incident``'s public text that no reviewer confirmed."""
    confirmed = set(incident.confidential_wording_confirmed.splitlines())
    return [m for m in incident_confidential_mentions(incident=incident) if m.key not in confirmed]


def _refuse_unconfirmed_mentions(incident: Incident, action: str) -> None:
    mentions = incident_unconfirmed_mentions(incident=incident)
    if mentions:
        raise WorkflowError(
            gettext(
                "This incident cannot be %(action)s while its public text names a confidential source or person. "
                "%(mentions)s Reword it, or ask a reviewer to confirm that the wording is deliberate."
            )
            % {"action": action, "mentions": " ".join(str(m) for m in mentions)}
        )


def incident_confirm_confidential_wording(*, incident: Incident, user: AbstractBaseUser) -> Incident:
    """A reviewer confirms that the public text naming confidential sources, as it is now, is deliberate."""
    row = transition("confirm-wording")
    row.require(user)
    with transaction.atomic():
        incident = _locked(incident)
        if not row.starts_from(incident):
            raise WorkflowError(
                gettext("Only %(sources)s can have its wording confirmed; this one is %(status)s.")
                % {"sources": _sources(row), "status": STATUS_NOUNS[incident.status]}
            )
        mentions = incident_confidential_mentions(incident=incident)
        if not mentions:
            raise WorkflowError(
                gettext("No public text of this incident names a confidential source: nothing to confirm.")
            )
        incident.confidential_wording_confirmed = "\n".join(sorted({m.key for m in mentions}))
        incident.version = F("version") + 1
        incident.save(update_fields=["confidential_wording_confirmed", "version", "updated_at"])
        incident.refresh_from_db()
    return incident


# --- The workflow ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """One step of the workflow: the statuses it starts from, the status it leads to, who may take it.

    The admin's changelist actions, change-form buttons and workflow view are made from these
    rows, and each service checks its own row, so a step is refused alike by every route.
    """

    step: str  # names the step in the change form's button URL
    source: tuple[str, ...]
    target: str | None  # None: the step changes no status
    permission: str
    label: str  # the button; also "You do not have permission to <label>."
    done: str  # what the step did, after the incident's title: "“Clash near Anefif” published."
    service: Callable[..., Incident]
    action: str = ""  # the changelist action taking the step on selected incidents, if it has one
    action_label: str = ""
    notice: bool = False  # the step asks for a public notice, which the service takes as ``notice``
    # Beyond the status and the permission, when the step is worth offering on an incident.
    offered: Callable[[Incident], bool] | None = None

    def permits(self, user: AbstractBaseUser) -> bool:
        return user.has_perm(self.permission)

    def require(self, user: AbstractBaseUser) -> None:
        if not self.permits(user):
            label = str(self.label)
            raise PermissionDenied(
                gettext("You do not have permission to %(step)s.") % {"step": label[0].lower() + label[1:]}
            )

    def starts_from(self, incident: Incident) -> bool:
        return incident.status in self.source


def transition(step: str) -> Transition:
    """The row of ``TRANSITIONS`` for ``step``."""
    for row in TRANSITIONS:
        if row.step == step:
            return row
    raise KeyError(step)


def incident_transitions(*, incident: Incident, user: AbstractBaseUser) -> list[Transition]:
    """The steps ``user`` may take on ``incident`` now, in the order of the table."""
    return [
        row
        for row in TRANSITIONS
        if row.starts_from(incident) and row.permits(user) and (row.offered is None or row.offered(incident))
    ]


# How a refusal names a status: "Only a draft can be submitted for review; this one is a published incident."
STATUS_NOUNS = {
    Status.DRAFT: gettext_lazy("a draft"),
    Status.IN_REVIEW: gettext_lazy("an incident in review"),
    Status.PUBLISHED: gettext_lazy("a published incident"),
    Status.RETRACTED: gettext_lazy("a retracted incident"),
}


def _sources(row: Transition) -> str:
    return gettext(" or ").join(str(STATUS_NOUNS[status]) for status in row.source)


def _take(step: str, *, incident: Incident, user: AbstractBaseUser, apply: Callable[[Incident], list[str]]) -> Incident:
    """Take ``step`` as its row says: check the permission, lock the incident, check its status,
    then let ``apply`` check the step's own rules and set its fields (it returns their names)."""
    row = transition(step)
    row.require(user)
    with transaction.atomic():
        incident = _locked(incident)
        if not row.starts_from(incident):
            raise WorkflowError(
                gettext("Only %(sources)s can be %(done)s; this one is %(status)s.")
                % {"sources": _sources(row), "done": row.done, "status": STATUS_NOUNS[incident.status]}
            )
        fields = apply(incident)
        incident.status = row.target
        incident.version = F("version") + 1
        incident.save(update_fields=["status", *fields, "version", "updated_at"])
        incident.refresh_from_db()
    return incident


def incident_submit(*, incident: Incident, user: AbstractBaseUser) -> Incident:
    def apply(incident: Incident) -> list[str]:
        _refuse_unconfirmed_mentions(incident, gettext("submitted for review"))
        incident.submitted_at = timezone.now()
        return ["submitted_at"]

    return _take("submit", incident=incident, user=user, apply=apply)


def incident_return_to_draft(*, incident: Incident, user: AbstractBaseUser) -> Incident:
    return _take("return-to-draft", incident=incident, user=user, apply=lambda incident: [])


def incident_publish(*, incident: Incident, user: AbstractBaseUser) -> Incident:
    def apply(incident: Incident) -> list[str]:
        if incident.revision_of_id is not None:
            raise WorkflowError(
                gettext(
                    "This is the draft of a correction: approve the correction to apply it to the published incident."
                )
            )
        if incident.last_edited_by_id == user.pk and not settings.ARCHIVE_ALLOW_SELF_REVIEW:
            raise WorkflowError(gettext("You edited this incident last; another reviewer must publish it."))
        _refuse_unconfirmed_mentions(incident, gettext("published"))
        now = timezone.now()
        incident.reviewed_by = user
        incident.reviewed_at = now
        incident.published_by = user
        incident.published_at = incident.published_at or now
        return ["reviewed_by", "reviewed_at", "published_by", "published_at"]

    return _take("publish", incident=incident, user=user, apply=apply)


def incident_retract(*, incident: Incident, user: AbstractBaseUser, notice: str) -> Incident:
    notice = notice.strip()

    def apply(incident: Incident) -> list[str]:
        if not notice:
            raise WorkflowError(gettext("A retraction needs a public notice saying why."))
        incident.retraction_notice = notice
        incident.retracted_at = timezone.now()
        return ["retraction_notice", "retracted_at"]

    return _take("retract", incident=incident, user=user, apply=apply)


# The workflow, in the order its buttons and actions are offered.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        step="submit",
        source=(Status.DRAFT,),
        target=Status.IN_REVIEW,
        permission=SUBMIT_PERMISSION,
        label=gettext_lazy("Submit for review"),
        done=gettext_lazy("submitted for review"),
        service=incident_submit,
        action="submit_for_review",
        action_label=gettext_lazy("Submit selected incidents for review"),
    ),
    Transition(
        step="publish",
        source=(Status.IN_REVIEW,),
        target=Status.PUBLISHED,
        permission=PUBLISH_PERMISSION,
        label=gettext_lazy("Publish"),
        done=gettext_lazy("published"),
        service=incident_publish,
        action="publish",
        action_label=gettext_lazy("Publish selected incidents"),
        # A correction's draft is approved as a correction, onto the incident it corrects.
        offered=lambda incident: incident.revision_of_id is None,
    ),
    Transition(
        step="retract",
        source=(Status.PUBLISHED,),
        target=Status.RETRACTED,
        permission=PUBLISH_PERMISSION,
        label=gettext_lazy("Retract"),
        done=gettext_lazy("retracted"),
        service=incident_retract,
        action="retract",
        action_label=gettext_lazy("Retract selected incidents, with a public notice…"),
        notice=True,
    ),
    Transition(
        step="return-to-draft",
        source=(Status.IN_REVIEW,),
        target=Status.DRAFT,
        permission=SUBMIT_PERMISSION,
        label=gettext_lazy("Return to draft"),
        done=gettext_lazy("returned to draft"),
        service=incident_return_to_draft,
        action="return_to_draft",
        action_label=gettext_lazy("Return selected incidents to draft"),
    ),
    Transition(
        step="confirm-wording",
        source=(Status.DRAFT, Status.IN_REVIEW),
        target=None,
        permission=PUBLISH_PERMISSION,
        label=gettext_lazy("Confirm the wording naming a confidential source"),
        done=gettext_lazy("has its wording naming a confidential source confirmed as deliberate"),
        service=incident_confirm_confidential_wording,
        offered=lambda incident: bool(incident_unconfirmed_mentions(incident=incident)),
    ),
)


# --- The estimate ------------------------------------------------------------------------------


def incident_proposal(*, incident: Incident) -> Proposal:
    """The archive's proposal from ``incident``'s claims and its actors' sides (3 queries)."""
    claims = incident.claims.select_related("claimant", "losses_actor", "speaker").prefetch_related(
        models.Prefetch("citations", queryset=Citation.objects.select_related("source").order_by("pk"))
    )
    links = incident.incident_actors.values_list("actor_id", "side")
    return propose_for_claims(claims, links)


BOUNDS = ("low", "best", "high")
# The incident's fields that hold its estimate: each low/best/high triple (total deaths, deaths per
# side, the injured), whether the high is open, how it was set and why, whether the claims conflict,
# and whether claims changed since (accepting or overriding always clears it).
ESTIMATE_FIELDS = (
    *(f"{prefix}_{bound}" for prefix in ESTIMATE_PREFIXES for bound in BOUNDS),
    "fatalities_high_open",
    "fatalities_method",
    "fatalities_rationale",
    "contested",
    "estimate_stale",
)
# The triples other than the total: an override may set them, or keep the proposal's.
PART_PREFIXES = ESTIMATE_PREFIXES[1:]

Triple = tuple[int | None, int | None, int | None]


def _triple(estimate: Estimate | None) -> Triple:
    return (estimate.low, estimate.best, estimate.high) if estimate else (None, None, None)


def proposal_estimate(proposal: Proposal) -> dict[str, Any]:
    """The values of ``ESTIMATE_FIELDS`` that accepting ``proposal`` sets.

    The method is "proposal" even when no claim gives a figure: the editors accepted that there
    is none, which the page says ("No figures reported"), and a claim added later marks it stale.
    """
    total = proposal.total
    injuries = proposal.injuries
    triples: dict[str, Triple] = {"fatalities": _triple(total)}
    triples.update({side.group: _triple(side) for side in proposal.sides})
    triples["injuries"] = _triple(injuries.total if injuries else None)
    rationale = proposal.rationale()
    return {
        **{
            f"{prefix}_{bound}": value
            for prefix in ESTIMATE_PREFIXES
            for bound, value in zip(BOUNDS, triples.get(prefix, (None, None, None)), strict=True)
        },
        "fatalities_high_open": total.high_open,
        "fatalities_method": EstimateMethod.PROPOSAL,
        "fatalities_rationale": rationale,
        "contested": proposal.contested,
        "estimate_stale": False,
    }


def incident_accept_proposal(*, incident: Incident, user: AbstractBaseUser) -> Incident:
    """Adopt the archive's proposal (total, per side, injured) as the incident's estimate."""
    with transaction.atomic():
        incident = _locked(incident)
        require_incident_edit(incident=incident, user=user)
        for name, value in proposal_estimate(incident_proposal(incident=incident)).items():
            setattr(incident, name, value)
        incident.last_edited_by = user
        incident.version = F("version") + 1
        incident.save()
        incident.refresh_from_db()
    return incident


def _check_triple(values: Triple, what: str) -> None:
    given = [v for v in values if v is not None]
    if given != sorted(given) or any(v < 0 for v in given):
        raise WorkflowError(gettext("%(what)s must satisfy 0 ≤ low ≤ best ≤ high.") % {"what": what})


def incident_override_estimate(
    *,
    incident: Incident,
    user: AbstractBaseUser,
    low: int | None,
    best: int | None,
    high: int | None,
    rationale: str,
    contested: bool | None = None,
    high_open: bool = False,
    parts: Mapping[str, Triple] | None = None,
) -> Incident:
    """Set the total by hand; the rationale is required and shown to the public.

    ``parts`` maps a prefix of ``PART_PREFIXES`` ("deaths_a", ..., "injuries") to the editors'
    (low, best, high); every triple they do not give keeps the archive's proposal.
    """
    rationale = rationale.strip()
    parts = dict(parts or {})
    with transaction.atomic():
        incident = _locked(incident)
        require_incident_edit(incident=incident, user=user)
        if not rationale:
            raise WorkflowError(gettext("Overriding the proposal needs a rationale."))
        _check_triple((low, best, high), gettext("The estimate"))
        unknown = sorted(set(parts) - set(PART_PREFIXES))
        if unknown:
            raise WorkflowError(gettext("There is no estimate called %(names)s.") % {"names": ", ".join(unknown)})
        for prefix, values in parts.items():
            _check_triple(values, gettext("The estimate of %(part)s") % {"part": prefix.replace("_", " ")})
        proposed = proposal_estimate(incident_proposal(incident=incident))
        for prefix in PART_PREFIXES:
            values = parts.get(prefix) or tuple(proposed[f"{prefix}_{bound}"] for bound in BOUNDS)
            for bound, value in zip(BOUNDS, values, strict=True):
                setattr(incident, f"{prefix}_{bound}", value)
        incident.fatalities_low, incident.fatalities_best, incident.fatalities_high = low, best, high
        incident.fatalities_high_open = high_open
        incident.fatalities_method = EstimateMethod.OVERRIDE
        incident.fatalities_rationale = rationale
        incident.contested = proposed["contested"] if contested is None else contested
        incident.estimate_stale = False
        incident.last_edited_by = user
        incident.version = F("version") + 1
        incident.save()
        incident.refresh_from_db()
    return incident


# --- Editing and restoring ---------------------------------------------------------------------


def incident_edit_refusal(*, incident: Incident, user: AbstractBaseUser) -> str:
    """Why ``user`` may not change ``incident`` and what is attached to it, or "" if they may.

    Drafts are the editors'; once submitted, an incident is the reviewers'; once public, nobody
    changes it in place, reviewers included: a change to it is a correction, which another
    reviewer approves, as the first publication was.
    """
    if not user.has_perm("incidents.change_incident"):
        return "You do not have permission to change incidents."
    if incident.status == Status.PUBLISHED:
        return (
            "This incident is published: propose a correction from its page; "
            "it goes live once another reviewer approves it."
        )
    if incident.status == Status.RETRACTED:
        return (
            "This incident is retracted: it is not changed any more; "
            "a new public notice is proposed from its page and goes live once a reviewer approves it."
        )
    if incident.status != Status.DRAFT and not user.has_perm(PUBLISH_PERMISSION):
        return "Only a reviewer may change an incident once it has been submitted."
    return ""


def incident_can_edit(*, incident: Incident, user: AbstractBaseUser) -> bool:
    """Whether ``user`` may change ``incident``, its claims, their citations and its links."""
    return not incident_edit_refusal(incident=incident, user=user)


def require_incident_edit(*, incident: Incident, user: AbstractBaseUser) -> None:
    refusal = incident_edit_refusal(incident=incident, user=user)
    if refusal:
        raise PermissionDenied(refusal)


def attached_incident_ids(instance: models.Model) -> set[int]:
    """The incidents whose record ``instance`` is part of, as its values say now: itself, the
    incident of a claim, of a citation's claim, of an actor or source link, the subject of a relation."""
    if isinstance(instance, Incident):
        return {instance.pk} if instance.pk is not None else set()
    if isinstance(instance, Claim | IncidentActor | IncidentSource):
        return {instance.incident_id} if instance.incident_id is not None else set()
    if isinstance(instance, Citation):
        return set(Claim.objects.filter(pk=instance.claim_id).values_list("incident_id", flat=True))
    if isinstance(instance, IncidentRelation):
        return {instance.subject_id} if instance.subject_id is not None else set()
    return set()


def require_attached_edit(*, incident_ids: set[int], user: AbstractBaseUser) -> None:
    """Refuse unless ``user`` may change every incident of ``incident_ids`` (locked until the
    transaction ends, so that none is published meanwhile)."""
    for incident in Incident.objects.select_for_update().filter(pk__in=incident_ids).order_by("pk"):
        require_incident_edit(incident=incident, user=user)


# Fields a restore never writes back: they belong to the workflow, not to the record's content.
# "confidential" of a source or person: making one public takes a reviewer (record_disclose).
NOT_RESTORED = {"retraction_notice", "confidential"}


def restorable_fields(model: type[models.Model]) -> list[models.Field]:
    """The editor-entered columns of ``model``: what a history restore writes back."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key and not field.generated and field.name not in NOT_RESTORED
    ]


def history_restore(*, event: models.Model, user: AbstractBaseUser) -> models.Model:
    """Write the editable values recorded in a history ``event`` back to its row, as a new version.

    Workflow state (status, who published it and when) is left as it is now: a restore
    changes what a record says, never where it stands in review.
    """
    model = event.pgh_tracked_model
    opts = model._meta
    if not user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
        raise PermissionDenied(
            gettext("You do not have permission to change this %(name)s.") % {"name": opts.verbose_name}
        )
    with transaction.atomic():
        instance = model._default_manager.select_for_update().filter(pk=event.pgh_obj_id).first()
        if instance is None:
            raise WorkflowError(
                gettext("This %(name)s has been deleted; there is nothing to restore into.")
                % {"name": opts.verbose_name}
            )
        # The record as it is and as it would be: a restore may move a claim to another incident.
        incident_ids = attached_incident_ids(instance)
        for field in restorable_fields(model):
            setattr(instance, field.attname, getattr(event, field.attname))
        require_attached_edit(incident_ids=incident_ids | attached_incident_ids(instance), user=user)
        if hasattr(instance, "last_edited_by_id"):
            instance.last_edited_by = user
        if hasattr(instance, "version"):
            instance.version += 1
        instance.save()
    return instance
