"""Erasing a confidential source's identity, from current data and from history.

History is meant to keep everything; this is the one deliberate exception, for when
keeping who a source is would put that person in danger. The kind, reliability,
dates and links to claims stay, so the archive's reasoning stays reviewable; what
could identify the person goes, everywhere the archive stored it.

A citation stores no part of its source's identity, and its quotation stays: it is the
evidence, and the public sees it already. But the admin names a citation, and an incident's
link to a source, by the source's label, so the log entries of the citations, claims and
incidents that cite the source are scrubbed too, as are the history contexts of their links.
So are the changes kept with corrections (and their history), which name reports by their source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pghistory
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from pghistory.models import Context

from incidents.models import (
    Citation,
    CitationEvent,
    Claim,
    Correction,
    CorrectionEvent,
    Incident,
    IncidentSource,
    IncidentSourceEvent,
    Source,
    SourceEvent,
)

# The fields that name the source, and the editors' notes, which may name it too. Kind,
# reliability, language and the publication date are kept: they describe the evidence, and the
# public never sees them for a confidential source anyway (Source.WITHHELD_FIELDS).
IDENTIFYING_FIELDS = (*Source.IDENTITY_FIELDS, "internal_notes")
ERASED = "[erased]"


@dataclass(frozen=True)
class ErasureReport:
    source_id: int
    events_scrubbed: int
    contexts_scrubbed: int
    log_entries_scrubbed: int
    corrections_scrubbed: int = 0


def _scrub(value: object, secrets: list[str]) -> object:
    """``value`` with every occurrence of a secret replaced, through nested JSON."""
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, ERASED)
        return value
    if isinstance(value, list):
        return [_scrub(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, secrets) for key, item in value.items()}
    return value


def _scrub_change_message(message: str, secrets: list[str]) -> str:
    """A log entry's change message without the secrets; Django writes it as JSON with non-ASCII
    characters escaped, so a secret is looked for in the decoded text."""
    try:
        decoded = json.loads(message)
    except ValueError:
        return _scrub(message, secrets)
    scrubbed = _scrub(decoded, secrets)
    return message if scrubbed == decoded else json.dumps(scrubbed)


def _citing_records(source: Source) -> dict[type, list[int]]:
    """The records whose admin log may name ``source``: its citations, their claims, and the
    incidents that cite it through a claim or directly."""
    citations = Citation.objects.filter(source=source)
    claims = Claim.objects.filter(pk__in=citations.values("claim_id"))
    incidents = Incident.objects.filter(pk__in=claims.values("incident_id")) | Incident.objects.filter(
        pk__in=IncidentSource.objects.filter(source=source).values("incident_id")
    )
    return {
        Citation: list(citations.values_list("pk", flat=True)),
        Claim: list(claims.values_list("pk", flat=True)),
        Incident: list(incidents.values_list("pk", flat=True)),
    }


def _scrub_log_entries(source: Source, secrets: list[str]) -> int:
    """Scrub the admin log of the source itself and of the records that cite it; return how many entries."""
    scrubbed = 0
    own = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Source), object_id=str(source.pk))
    for entry in own:
        entry.object_repr = source.public_label[:200]
        entry.change_message = _scrub_change_message(entry.change_message, secrets)
        entry.save(update_fields=["object_repr", "change_message"])
        scrubbed += 1
    for model, ids in _citing_records(source).items():
        entries = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in ids]
        )
        for entry in entries:
            object_repr = _scrub(entry.object_repr, secrets)
            change_message = _scrub_change_message(entry.change_message, secrets)
            if (object_repr, change_message) != (entry.object_repr, entry.change_message):
                entry.object_repr, entry.change_message = object_repr, change_message
                entry.save(update_fields=["object_repr", "change_message"])
                scrubbed += 1
    return scrubbed


def _scrub_corrections(secrets: list[str]) -> int:
    """Scrub the changes kept with corrections, and with their history, that quote a secret."""
    if not secrets:
        return 0
    quoting = Q()
    for secret in secrets:
        quoting |= Q(as_text__contains=secret)
    scrubbed = 0
    for model in (Correction, CorrectionEvent):
        rows = model.objects.annotate(as_text=Cast("changes", TextField())).filter(quoting).select_for_update()
        for row in rows:
            model.objects.filter(pk=row.pk).update(changes=_scrub(row.changes, secrets))
            scrubbed += 1
    return scrubbed


def source_erase_identity(*, source: Source, user: AbstractBaseUser | None = None) -> ErasureReport:
    """Blank the identifying fields of ``source`` and of every history event of it.

    Also scrubs the identifying strings from the history contexts of those events and of the
    events of its citations and incident links (a request URL or a command's arguments may quote
    them), and from the admin's action log of the source and of the records citing it. The
    source is marked confidential, so public output shows only its kind.
    """
    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source.pk)
        events = SourceEvent.objects.filter(pgh_obj_id=source.pk)
        secrets = {getattr(source, field) for field in IDENTIFYING_FIELDS}
        for event in events:
            secrets |= {getattr(event, field) for field in IDENTIFYING_FIELDS}
        # Longest first, so a secret that contains another is replaced whole.
        secrets = sorted((s for s in secrets if s and len(s) >= 3), key=len, reverse=True)

        with pghistory.context(erasure=f"source {source.pk}", user=getattr(user, "pk", None)):
            for field in IDENTIFYING_FIELDS:
                setattr(source, field, "")
            source.confidential = True
            source.version += 1
            source.save()

        # Includes the event of the save above, which already holds blanks.
        events = SourceEvent.objects.filter(pgh_obj_id=source.pk)
        events_scrubbed = events.update(**dict.fromkeys(IDENTIFYING_FIELDS, ""), confidential=True)
        context_ids = set(events.exclude(pgh_context=None).values_list("pgh_context_id", flat=True))
        for links in (
            CitationEvent.objects.filter(source_id=source.pk),
            IncidentSourceEvent.objects.filter(source_id=source.pk),
        ):
            context_ids |= set(links.exclude(pgh_context=None).values_list("pgh_context_id", flat=True))
        contexts_scrubbed = 0
        for context in Context.objects.filter(pk__in=context_ids).select_for_update():
            scrubbed = _scrub(context.metadata, secrets)
            if scrubbed != context.metadata:
                context.metadata = scrubbed
                context.save(update_fields=["metadata"])
                contexts_scrubbed += 1

        log_entries_scrubbed = _scrub_log_entries(source, secrets)
        corrections_scrubbed = _scrub_corrections(secrets)
    return ErasureReport(
        source_id=source.pk,
        events_scrubbed=events_scrubbed,
        contexts_scrubbed=contexts_scrubbed,
        log_entries_scrubbed=log_entries_scrubbed,
        corrections_scrubbed=corrections_scrubbed,
    )


def vacuum_source_tables() -> None:
    """Let PostgreSQL reclaim the dead row versions that still hold the old values.

    VACUUM cannot run inside a transaction; a caller that wraps the erasure in its own
    transaction vacuums after committing.
    """
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for table in (
            Source._meta.db_table,
            SourceEvent._meta.db_table,
            Context._meta.db_table,
            LogEntry._meta.db_table,
        ):
            cursor.execute(f'VACUUM "{table}"')
