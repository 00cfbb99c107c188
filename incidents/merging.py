"""Merging a duplicate: two published incidents that turn out to be one.

The claims, links and relations of the duplicate move to the incident kept, except what it
already has; the duplicate is retracted with a notice naming the other, so its id redirects.
A reviewer's act, on records the public has already seen, checked like the workflow's
services (``services``): keyword-only, one transaction, a message an editor can act on.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from incidents.models import Citation, Claim, Incident, IncidentActor, IncidentRelation, IncidentSource, Status
from incidents.services import PUBLISH_PERMISSION, STATUS_NOUNS, WorkflowError

# Two claims saying the same thing: the second's reports become citations of the first.
SAME_CLAIM = (
    "claimant_id",
    "speaker_id",
    "kind",
    "losses_of",
    "losses_actor_id",
    "quantity_low",
    "quantity_high",
    "stance",
    "responsible_actor_id",
    "attribution",
    "movement",
    "place",
)


def _merge_claims(duplicate: Incident, into: Incident, now: Any) -> bool:
    """Move ``duplicate``'s claims to ``into``. A claim ``into`` already has (``SAME_CLAIM``) stays
    behind, and its reports that ``into``'s claim lacks become citations of it; a sub-count
    always moves, pointed at the claim ``into`` keeps. Returns whether any claim moved."""
    twins = {
        tuple(row[1:]): row[0]
        for row in Claim.objects.filter(incident=into, part_of__isnull=True)
        .order_by("pk")
        .values_list("pk", *SAME_CLAIM)
    }
    moving: list[int] = []
    matched: dict[int, int] = {}
    for pk, part_of, *key in (
        Claim.objects.filter(incident=duplicate).order_by("pk").values_list("pk", "part_of_id", *SAME_CLAIM)
    ):
        twin = twins.get(tuple(key)) if part_of is None else None
        if twin is None:
            moving.append(pk)
        else:
            matched[pk] = twin
    for pk, twin in matched.items():
        carried = Citation.objects.filter(claim_id=twin).values("source_id")
        Citation.objects.filter(claim_id=pk).exclude(source_id__in=carried).update(
            claim_id=twin, version=F("version") + 1, updated_at=now
        )
    if not moving:
        return False
    part_of: Any = F("part_of")
    if matched:
        part_of = models.Case(
            *(models.When(part_of_id=pk, then=models.Value(twin)) for pk, twin in matched.items()),
            default=F("part_of"),
            output_field=models.BigIntegerField(),
        )
    # One statement, so a sub-count and its whole change incident together (a composite key ties them).
    Claim.objects.filter(pk__in=moving).update(incident=into, part_of=part_of, version=F("version") + 1, updated_at=now)
    return True


def _merge_links(duplicate: Incident, into: Incident) -> bool:
    """Move ``duplicate``'s actor links, source links and relations to ``into``, except those
    ``into`` already has (or that would link ``into`` to itself). Returns whether an actor link moved."""
    actors = IncidentActor.objects.filter(incident=duplicate).exclude(
        Exists(IncidentActor.objects.filter(incident=into, actor=OuterRef("actor"), side=OuterRef("side")))
    )
    moved_actors = actors.update(incident=into) > 0
    IncidentSource.objects.filter(incident=duplicate).exclude(
        Exists(IncidentSource.objects.filter(incident=into, source=OuterRef("source")))
    ).update(incident=into)
    IncidentRelation.objects.filter(subject=duplicate).exclude(object=into).exclude(
        Exists(IncidentRelation.objects.filter(subject=into, kind=OuterRef("kind"), object=OuterRef("object")))
    ).update(subject=into)
    IncidentRelation.objects.filter(object=duplicate).exclude(subject=into).exclude(
        Exists(IncidentRelation.objects.filter(subject=OuterRef("subject"), kind=OuterRef("kind"), object=into))
    ).update(object=into)
    return moved_actors


def incident_merge(*, duplicate: Incident, into: Incident, user: AbstractBaseUser, reason: str) -> Incident:
    """Merge ``duplicate`` into ``into``: its claims (with their citations), actor links, source
    links and relations move to ``into``, except what ``into`` already has; ``duplicate`` is
    retracted with ``merged_into`` set and the notice "Merged into #N: <reason>", so its id
    redirects and mirrors learn of it from the retractions. Both keep their history and their
    estimates; ``into``'s is marked stale when claims (by the database) or actors moved.
    Returns ``into``."""
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(gettext("You do not have permission to merge incidents."))
    reason = reason.strip()
    if not reason:
        raise WorkflowError(gettext("A merge needs a public reason, shown in place of the duplicate."))
    if duplicate.pk == into.pk:
        raise WorkflowError(gettext("An incident cannot be merged into itself."))
    with transaction.atomic():
        # Locked in one order, so two merges of the same pair cannot wait on each other.
        locked = {i.pk: i for i in Incident.objects.select_for_update().filter(pk__in=[duplicate.pk, into.pk])}
        duplicate, into = locked[duplicate.pk], locked[into.pk]
        for incident, role in ((duplicate, gettext("duplicate")), (into, gettext("incident it is merged into"))):
            if incident.status != Status.PUBLISHED:
                raise WorkflowError(
                    gettext("Only published incidents can be merged; the %(role)s, #%(number)s, is %(status)s.")
                    % {"role": role, "number": incident.pk, "status": STATUS_NOUNS[incident.status]}
                )
        now = timezone.now()
        _merge_claims(duplicate, into, now)
        moved_actors = _merge_links(duplicate, into)
        duplicate.status = Status.RETRACTED
        duplicate.merged_into = into
        duplicate.retraction_notice = f"Merged into #{into.pk}: {reason}"
        duplicate.retracted_at = now
        duplicate.last_edited_by = user
        duplicate.version = F("version") + 1
        duplicate.save(
            update_fields=["status", "merged_into", "retraction_notice", "retracted_at", "last_edited_by", "version",
                           "updated_at"]
        )  # fmt: skip
        # Incidents merged into the duplicate earlier now redirect straight to ``into``.
        Incident.objects.filter(merged_into=duplicate).update(merged_into=into, updated_at=now)
        stale = {"estimate_stale": True} if moved_actors and into.fatalities_method else {}
        Incident.objects.filter(pk=into.pk).update(
            version=F("version") + 1, updated_at=now, last_edited_by=user, **stale
        )
        into.refresh_from_db()
    return into
