"""Corrections: changes to an incident the public has seen, written by one person and approved by another.

A correction of a published incident is a *revision*: a draft copy of the incident with its
claims, their citations, its actor and source links and its relations, edited with the ordinary
admin form, submitted for review like any draft, and applied onto the published record in one
transaction when a reviewer who did not write it approves it. Until then the public sees the
published record, and the draft copy, like every draft, nothing public (the database refuses to
publish a revision). A correction of a retracted incident proposes a new public notice.

Each service is keyword-only, runs in one transaction and raises ``services.WorkflowError`` or
``PermissionDenied`` with a message an editor can act on, as the workflow's services do.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from incidents.models import (
    Citation,
    Claim,
    Correction,
    CorrectionStatus,
    EstimateMethod,
    Incident,
    IncidentActor,
    IncidentRelation,
    IncidentSource,
    Status,
)
from incidents.services import (
    PUBLISH_PERMISSION,
    STATUS_NOUNS,
    WorkflowError,
    _refuse_unconfirmed_mentions,
    incident_proposal,
    proposal_estimate,
    restorable_fields,
)

PROPOSE_PERMISSION = "incidents.change_incident"

# What a revision copies of its incident beyond the editable fields, and what it never copies.
INCIDENT_COPIED_STATE = ("estimate_stale", "confidential_wording_confirmed")
INCIDENT_NOT_APPLIED = {"import_key"}


def _incident_fields() -> list[str]:
    """The incident's columns a correction may change, in the form's order."""
    names = [f.name for f in restorable_fields(Incident) if f.name not in INCIDENT_NOT_APPLIED]
    return [*names, *INCIDENT_COPIED_STATE]


def _claim_fields() -> list[str]:
    return [f.name for f in restorable_fields(Claim) if f.name not in ("incident", "part_of", "revises")]


def _citation_fields() -> list[str]:
    return [f.name for f in restorable_fields(Citation) if f.name not in ("claim", "source")]


LINKS: tuple[tuple[type[models.Model], str, tuple[str, ...], str], ...] = (
    # model, the field naming the incident, the fields that identify a row, the diff's section
    (IncidentActor, "incident", ("actor", "side"), "Actors"),
    (IncidentSource, "incident", ("source",), "Sources"),
    (IncidentRelation, "subject", ("kind", "object"), "Related incidents"),
)


def _link_fields(model: type[models.Model], incident_field: str, key: tuple[str, ...]) -> list[str]:
    return [f.name for f in restorable_fields(model) if f.name != incident_field and f.name not in key]


def _values(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The columns ``names`` of ``instance`` by attribute name (``claimant_id``), as models and
    ``update()`` both take them."""
    attnames = (instance._meta.get_field(name).attname for name in names)
    return {attname: getattr(instance, attname) for attname in attnames}


# --- Proposing ---------------------------------------------------------------------------------


def _require_propose(user: AbstractBaseUser) -> None:
    if not user.has_perm(PROPOSE_PERMISSION):
        raise PermissionDenied(gettext("You do not have permission to propose corrections."))


def _refuse_open(incident: Incident) -> None:
    open_correction = Correction.objects.open().filter(incident=incident).first()
    if open_correction is not None:
        raise WorkflowError(
            gettext(
                "A correction to this incident is already open (correction %(number)s); "
                "work on it, or withdraw it first."
            )
            % {"number": open_correction.pk}
        )


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise WorkflowError(
            gettext("A correction needs a public reason, e.g. “Date corrected after the army's statement”.")
        )
    return reason


def correction_propose(*, incident: Incident, user: AbstractBaseUser, reason: str) -> Correction:
    """Open a correction of a published incident: a draft copy of it to edit, with its public reason."""
    _require_propose(user)
    reason = _reason(reason)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status != Status.PUBLISHED:
            raise WorkflowError(
                gettext("Only a published incident is corrected with a revision; this one is %(status)s.")
                % {"status": STATUS_NOUNS[incident.status]}
                + (" " + gettext("Propose a new public notice instead.") if incident.status == Status.RETRACTED else "")
            )
        _refuse_open(incident)
        revision = _copy_incident(incident, user)
        return Correction.objects.create(
            incident=incident, revision=revision, reason=reason, base_version=incident.version, author=user
        )


def correction_propose_notice(*, incident: Incident, user: AbstractBaseUser, reason: str, notice: str) -> Correction:
    """Open a correction of a retracted incident's public notice."""
    _require_propose(user)
    reason = _reason(reason)
    notice = notice.strip()
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status != Status.RETRACTED:
            raise WorkflowError(
                gettext("Only a retracted incident has a public notice to correct; this one is %(status)s.")
                % {"status": STATUS_NOUNS[incident.status]}
            )
        if not notice:
            raise WorkflowError(gettext("A retracted incident's notice cannot be empty."))
        if notice == incident.retraction_notice:
            raise WorkflowError(gettext("The new notice is the same as the published one."))
        _refuse_open(incident)
        return Correction.objects.create(
            incident=incident, reason=reason, notice=notice, base_version=incident.version, author=user
        )


def _copy_incident(incident: Incident, user: AbstractBaseUser) -> Incident:
    revision = Incident(
        **_values(incident, _incident_fields()),
        revision_of=incident,
        created_by=user,
        last_edited_by=user,
    )
    revision.save()
    originals = list(Claim.objects.filter(incident=incident).order_by("pk"))
    copies = Claim.objects.bulk_create(
        [Claim(**_values(claim, _claim_fields()), incident=revision, revises=claim) for claim in originals]
    )
    copy_of = {claim.pk: copy for claim, copy in zip(originals, copies, strict=True)}
    for claim in originals:
        if claim.part_of_id in copy_of:
            Claim.objects.filter(pk=copy_of[claim.pk].pk).update(part_of=copy_of[claim.part_of_id].pk)
    Citation.objects.bulk_create(
        [
            Citation(**_values(citation, [*_citation_fields(), "source"]), claim=copy_of[citation.claim_id])
            for citation in Citation.objects.filter(claim__incident=incident).order_by("pk")
        ]
    )
    for model, incident_field, key, _section in LINKS:
        names = [*key, *_link_fields(model, incident_field, key)]
        model.objects.bulk_create(
            [
                model(**_values(link, names), **{incident_field: revision})
                for link in model.objects.filter(**{incident_field: incident}).order_by("pk")
            ]
        )
    # Copying the claims marked the copy's estimate stale; it is as current as the published one.
    Incident.objects.filter(pk=revision.pk).update(estimate_stale=incident.estimate_stale)
    revision.refresh_from_db()
    return revision


# --- The changes -------------------------------------------------------------------------------


def _shown(instance: models.Model, name: str) -> str:
    """A field's value as an editor reads it: choice labels, names of related records, ISO dates."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    if field.choices and value in dict(field.flatchoices):
        return str(dict(field.flatchoices)[value])
    if value is None or value == "" or value == []:
        return ""
    if field.is_relation:
        return str(getattr(instance, name))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="minutes" if not value.second else "seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _label(instance: models.Model, name: str) -> str:
    return str(instance._meta.get_field(name).verbose_name)


def _field_changes(before: models.Model | None, after: models.Model | None, names: Iterable[str]) -> list[dict]:
    changes = []
    for name in names:
        old = _shown(before, name) if before is not None else ""
        new = _shown(after, name) if after is not None else ""
        if old != new:
            changes.append({"field": _label(before or after, name), "before": old, "after": new})
    return changes


def _entry(section: str, item: str, change: str, fields: list[dict]) -> dict:
    return {"section": section, "item": item, "change": change, "fields": fields}


class _Applied:
    """The revision's incident as approval would write it: with a proposal recomputed from its claims
    when the editors accepted the archive's proposal, since that figure follows the claims."""

    def __init__(self, revision: Incident) -> None:
        self.instance = revision
        self.values = _values(revision, _incident_fields())
        if revision.fatalities_method == EstimateMethod.PROPOSAL:
            self.values.update(proposal_estimate(incident_proposal(incident=revision)))
            for attname, value in self.values.items():
                setattr(revision, attname, value)


def correction_changes(*, correction: Correction) -> list[dict]:
    """What approving ``correction`` changes in the published record, section by section.

    Each entry: ``section`` (Incident, Claims, Actors, Sources, Related incidents), ``item`` (what it
    is about), ``change`` (added, removed, changed) and ``fields`` (label, before, after). Once
    the correction is decided, its stored ``changes``.
    """
    if correction.status != CorrectionStatus.OPEN:
        return correction.changes
    incident = Incident.objects.select_related("event_type", "sub_event_type").get(pk=correction.incident_id)
    if correction.revision_id is None:
        return [
            _entry(
                "Incident",
                "Public notice",
                "changed",
                [{"field": "retraction notice", "before": incident.retraction_notice, "after": correction.notice}],
            )
        ]
    revision = Incident.objects.select_related("event_type", "sub_event_type").get(pk=correction.revision_id)
    return _revision_changes(incident, _Applied(revision))


def _revision_changes(incident: Incident, applied: _Applied) -> list[dict]:
    revision = applied.instance
    entries = []
    fields = _field_changes(incident, applied.instance, _incident_fields())
    if fields:
        entries.append(_entry("Incident", str(incident.title), "changed", fields))
    entries.extend(_claim_changes(incident, revision))
    for model, incident_field, key, section in LINKS:
        entries.extend(_link_changes(model, incident_field, key, section, incident, revision))
    return entries


def _claims_of(incident: Incident) -> list[Claim]:
    return list(
        Claim.objects.filter(incident=incident)
        .select_related("claimant", "speaker", "losses_actor", "responsible_actor", "part_of")
        .prefetch_related(models.Prefetch("citations", queryset=Citation.objects.select_related("source", "speaker")))
        .order_by("pk")
    )


def _claim_changes(incident: Incident, revision: Incident) -> Iterator[dict]:
    published = {claim.pk: claim for claim in _claims_of(incident)}
    revised = _claims_of(revision)
    kept = {claim.revises_id for claim in revised if claim.revises_id in published}
    names = _claim_fields()
    for claim in revised:
        before = published.get(claim.revises_id)
        whole = lambda c: str(c.part_of) if c and c.part_of_id else ""  # noqa: E731
        fields = _field_changes(before, claim, names)
        if whole(before) != whole(claim):
            fields.append({"field": "part of", "before": whole(before), "after": whole(claim)})
        citations = list(_citation_changes(before, claim))
        if before is None:
            yield _entry("Claims", f"New claim: {claim}", "added", fields + citations)
        elif fields or citations:
            yield _entry("Claims", f"Claim {before.pk}: {before}", "changed", fields + citations)
    for pk, claim in published.items():
        if pk not in kept:
            yield _entry("Claims", f"Claim {pk}: {claim}", "removed", [])


def _citation_changes(before: Claim | None, after: Claim) -> Iterator[dict]:
    old = {c.source_id: c for c in before.citations.all()} if before is not None else {}
    new = {c.source_id: c for c in after.citations.all()}
    names = _citation_fields()
    for source_id, citation in new.items():
        previous = old.get(source_id)
        changes = _field_changes(previous, citation, names)
        if previous is None:
            yield {"field": f"report added: {citation.source}", "before": "", "after": citation.quote}
        for change in changes if previous is not None else []:
            yield {**change, "field": f"{change['field']} ({citation.source})"}
    for source_id, citation in old.items():
        if source_id not in new:
            yield {"field": f"report removed: {citation.source}", "before": citation.quote, "after": ""}


def _links_of(model: type[models.Model], incident_field: str, incident: Incident) -> list[models.Model]:
    related = [f.name for f in model._meta.concrete_fields if f.is_relation and f.name != incident_field]
    return list(model.objects.filter(**{incident_field: incident}).select_related(*related).order_by("pk"))


def _key(link: models.Model, key: tuple[str, ...]) -> tuple:
    return tuple(getattr(link, link._meta.get_field(name).attname) for name in key)


def _link_label(link: models.Model, key: tuple[str, ...]) -> str:
    return ", ".join(_shown(link, name) for name in key)


def _link_changes(
    model: type[models.Model], incident_field: str, key: tuple[str, ...], section: str, incident: Incident,
    revision: Incident,
) -> Iterator[dict]:  # fmt: skip
    old = {_key(link, key): link for link in _links_of(model, incident_field, incident)}
    new = {_key(link, key): link for link in _links_of(model, incident_field, revision)}
    names = _link_fields(model, incident_field, key)
    for k, link in new.items():
        if k not in old:
            yield _entry(section, _link_label(link, key), "added", _field_changes(None, link, names))
        else:
            fields = _field_changes(old[k], link, names)
            if fields:
                yield _entry(section, _link_label(link, key), "changed", fields)
    for k, link in old.items():
        if k not in new:
            yield _entry(section, _link_label(link, key), "removed", [])


# --- Deciding ----------------------------------------------------------------------------------


def _require_review(user: AbstractBaseUser) -> None:
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(gettext("You do not have permission to approve or reject corrections."))


def _locked_open(correction: Correction) -> Correction:
    correction = Correction.objects.select_for_update().get(pk=correction.pk)
    if correction.status != CorrectionStatus.OPEN:
        raise WorkflowError(
            gettext("This correction was already %(status)s.") % {"status": correction.get_status_display().lower()}
        )
    return correction


def _writers(correction: Correction, revision: Incident | None) -> set[Any]:
    return {correction.author_id, revision.last_edited_by_id if revision is not None else None} - {None}


def correction_wrote(*, correction: Correction, user: AbstractBaseUser) -> bool:
    """Whether ``user`` wrote ``correction`` (proposed it or edited its draft last), so that another
    reviewer must approve it unless self-review is allowed."""
    return user.pk in _writers(correction, correction.revision) and not settings.ARCHIVE_ALLOW_SELF_REVIEW


def correction_may_withdraw(*, correction: Correction, user: AbstractBaseUser) -> bool:
    return correction.status == CorrectionStatus.OPEN and (
        correction.author_id == user.pk or user.has_perm(PUBLISH_PERMISSION)
    )


def _close(correction: Correction, user: AbstractBaseUser, status: str, changes: list[dict], **fields: Any) -> None:
    revision_id = correction.revision_id
    correction.status = status
    correction.decided_by = user
    correction.decided_at = timezone.now()
    correction.changes = changes
    correction.revision = None
    for name, value in fields.items():
        setattr(correction, name, value)
    correction.version += 1
    correction.save()
    if revision_id is not None:
        Incident.objects.filter(pk=revision_id).delete()


def correction_approve(*, correction: Correction, user: AbstractBaseUser) -> Incident:
    """Apply ``correction`` onto its published incident, as one change, recorded with who and when."""
    _require_review(user)
    with transaction.atomic():
        correction = _locked_open(correction)
        incident = Incident.objects.select_for_update().get(pk=correction.incident_id)
        revision = (
            Incident.objects.select_for_update().get(pk=correction.revision_id) if correction.revision_id else None
        )
        if user.pk in _writers(correction, revision) and not settings.ARCHIVE_ALLOW_SELF_REVIEW:
            # As correction_wrote, on the rows just locked.
            raise WorkflowError(gettext("You wrote this correction; another reviewer must approve it."))
        if incident.version != correction.base_version:
            raise WorkflowError(
                gettext(
                    "The published incident changed since this correction was proposed "
                    "(version %(base)s, now %(now)s); "
                    "withdraw it and propose it again from the published record."
                )
                % {"base": correction.base_version, "now": incident.version}
            )
        if revision is None:
            if incident.status != Status.RETRACTED:
                raise WorkflowError(gettext("Only a retracted incident's notice can be corrected this way."))
            changes = correction_changes(correction=correction)
            fields: dict[str, Any] = {"retraction_notice": correction.notice, "last_edited_by_id": correction.author_id}
        else:
            if revision.status != Status.IN_REVIEW:
                raise WorkflowError(
                    gettext("This correction is still a draft: its editor must submit it for review first.")
                )
            if incident.status != Status.PUBLISHED:
                raise WorkflowError(
                    gettext("The incident is now %(status)s; this correction cannot apply.")
                    % {"status": STATUS_NOUNS[incident.status]}
                )
            if revision.estimate_stale and revision.fatalities_method == EstimateMethod.OVERRIDE:
                raise WorkflowError(
                    gettext(
                        "The correction's claims changed after its estimate was overridden: return it to draft "
                        "and override the estimate again, or accept the archive's proposal."
                    )
                )
            _refuse_unconfirmed_mentions(revision, gettext("approved"))
            # The proposal is computed once, for the changes kept and for the values written.
            applied = _Applied(Incident.objects.select_related("event_type", "sub_event_type").get(pk=revision.pk))
            shown = Incident.objects.select_related("event_type", "sub_event_type").get(pk=incident.pk)
            changes = _revision_changes(shown, applied)
            fields = applied.values
            _apply(revision, incident)
            fields["last_edited_by_id"] = revision.last_edited_by_id
        now = timezone.now()
        Incident.objects.filter(pk=incident.pk).update(
            **fields, reviewed_by=user, reviewed_at=now, updated_at=now, version=F("version") + 1
        )
        _close(correction, user, CorrectionStatus.APPROVED, changes)
        incident.refresh_from_db()
    return incident


def _apply(revision: Incident, incident: Incident) -> None:
    """Make ``incident``'s claims, citations, links and relations those of ``revision``.

    Claims and rows that stay keep their ids and change only where the revision differs; new
    ones are inserted afresh, so the published record's history holds each change once, at
    approval, and nothing of how the draft was written.
    """
    now = timezone.now()
    revised = list(Claim.objects.filter(incident=revision).order_by("pk"))
    published = {claim.pk: claim for claim in Claim.objects.filter(incident=incident)}
    target = {claim.pk: claim.revises_id for claim in revised if claim.revises_id in published}
    Claim.objects.filter(incident=incident).exclude(pk__in=target.values()).delete()
    names = _claim_fields()
    by_pk = {claim.pk: claim for claim in revised}
    # Wholes before their sub-counts: a sub-count names its whole's id on the published incident.
    for claim in sorted(revised, key=lambda c: _depth(c, by_pk)):
        whole = target.get(claim.part_of_id) if claim.part_of_id else None
        values = {**_values(claim, names), "part_of_id": whole}
        if claim.pk in target:
            current = published[target[claim.pk]]
            if _values(current, [*names, "part_of"]) != values:
                Claim.objects.filter(pk=current.pk).update(**values, version=F("version") + 1, updated_at=now)
        else:
            target[claim.pk] = Claim.objects.create(**values, incident=incident).pk
        _apply_citations(claim.pk, target[claim.pk], now)
    for model, incident_field, key, _section in LINKS:
        _apply_links(model, incident_field, key, revision, incident)


def _depth(claim: Claim, by_pk: dict[int, Claim]) -> int:
    depth = 0
    while claim.part_of_id in by_pk and depth < len(by_pk):
        claim = by_pk[claim.part_of_id]
        depth += 1
    return depth


def _apply_citations(revised_claim: int, claim: int, now: datetime.datetime) -> None:
    revised = {c.source_id: c for c in Citation.objects.filter(claim_id=revised_claim)}
    current = {c.source_id: c for c in Citation.objects.filter(claim_id=claim)}
    Citation.objects.filter(claim_id=claim).exclude(source_id__in=revised).delete()
    names = _citation_fields()
    for source_id, citation in revised.items():
        values = _values(citation, names)
        if source_id not in current:
            Citation.objects.create(**values, claim_id=claim, source_id=source_id)
        elif _values(current[source_id], names) != values:
            Citation.objects.filter(pk=current[source_id].pk).update(**values, version=F("version") + 1, updated_at=now)


def _apply_links(
    model: type[models.Model], incident_field: str, key: tuple[str, ...], revision: Incident, incident: Incident
) -> None:
    revised = {_key(link, key): link for link in model.objects.filter(**{incident_field: revision})}
    current = {_key(link, key): link for link in model.objects.filter(**{incident_field: incident})}
    names = _link_fields(model, incident_field, key)
    model.objects.filter(pk__in=[link.pk for k, link in current.items() if k not in revised]).delete()
    for k, link in revised.items():
        values = _values(link, names)
        if k not in current:
            model.objects.create(**values, **_values(link, key), **{incident_field: incident})
        elif _values(current[k], names) != values:
            model.objects.filter(pk=current[k].pk).update(**values, version=F("version") + 1)


def correction_reject(*, correction: Correction, user: AbstractBaseUser, reason: str) -> Correction:
    """Refuse ``correction`` with a reason its editor reads; the published record stays as it is."""
    _require_review(user)
    reason = reason.strip()
    if not reason:
        raise WorkflowError(gettext("A rejection needs a reason for the correction's editor."))
    with transaction.atomic():
        correction = _locked_open(correction)
        if correction.revision_id is not None:
            status = Incident.objects.filter(pk=correction.revision_id).values_list("status", flat=True).get()
            if status != Status.IN_REVIEW:
                raise WorkflowError(
                    gettext("This correction is still a draft; only a correction in review can be rejected.")
                )
        _close(correction, user, CorrectionStatus.REJECTED, correction_changes(correction=correction),
               rejection_reason=reason)  # fmt: skip
    return correction


def correction_withdraw(*, correction: Correction, user: AbstractBaseUser) -> Correction:
    """Abandon ``correction``: its author or a reviewer may."""
    with transaction.atomic():
        correction = _locked_open(correction)
        if not correction_may_withdraw(correction=correction, user=user):
            raise PermissionDenied(gettext("Only the correction's author or a reviewer may withdraw it."))
        _close(correction, user, CorrectionStatus.WITHDRAWN, correction_changes(correction=correction))
    return correction
