"""What an import writes beyond new rows: ACLED's figures as claims carried by ACLED with the
archive's proposal as the estimate, and the rows that update an incident already in the archive."""

from __future__ import annotations

import datetime
from typing import Any

import psycopg
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection

from incidents import services
from incidents.imports import inserts
from incidents.models import EstimateMethod, Incident, Source, SourceKind
from incidents.sql import quote_name

# --- ACLED's figures: a claim carried by ACLED, and the estimate the archive proposes from it ------

ACLED_OUTLET = "ACLED"
# The incident's estimate fields that accepting the archive's proposal sets (services.proposal_estimate).
ESTIMATE_COLUMNS = list(services.ESTIMATE_FIELDS)


def acled_source(file_format: str) -> int | None:
    """The source that carries ACLED's claims (an outlet named ACLED, as a file could name it), made once."""
    if file_format != "acled":
        return None
    found = (
        Source.objects.filter(outlet=ACLED_OUTLET, title="", author="", url="", confidential=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        found = Source.objects.create(
            kind=SourceKind.DATASET,
            outlet=ACLED_OUTLET,
            internal_notes="Carries ACLED's coding of the events imported from its files (the fatalities claims).",
        ).pk
    return found


def _acled_proposal(figure: int | None, acled: int) -> dict[str, Any]:
    """The archive's proposal for an incident whose only claim is ACLED's ``figure`` (None: no claim)."""
    from incidents.models import ClaimKind, LossesOf, Stance, Verification
    from incidents.reconcile import ClaimFacts, propose

    claims = []
    if figure is not None:
        claims.append(
            ClaimFacts(
                group=LossesOf.UNKNOWN,
                group_label=str(LossesOf.UNKNOWN.label),
                claimant=ACLED_OUTLET,
                low=figure,
                high=figure,
                wording=f"{figure} (ACLED)",
                stance=Stance.ASSERTION,
                verification=Verification.UNVERIFIED,
                kind=ClaimKind.FATALITIES,
                claim_id=None,
                claimant_key="",
                origin=f"source:{acled}",
                part_of=None,
            )
        )
    return services.proposal_estimate(propose(claims))


def estimates(raw: psycopg.Cursor[Any], acled: int) -> None:
    """``import_estimates``: the proposal for each figure the file gives (-1: none), for the new incidents."""
    raw.execute("SELECT DISTINCT acled_v FROM import_resolved r JOIN import_ids i USING (line)")
    figures = [figure for (figure,) in raw.fetchall()]
    types = {field.name: field.db_type(connection) for field in Incident._meta.concrete_fields}
    columns = ", ".join(f"{quote_name(name)} {types[name]}" for name in ESTIMATE_COLUMNS)
    raw.execute(f"CREATE TEMP TABLE import_estimates (figure bigint PRIMARY KEY, {columns}) ON COMMIT DROP")
    with raw.copy(f"COPY import_estimates (figure, {', '.join(map(quote_name, ESTIMATE_COLUMNS))}) FROM STDIN") as copy:
        for figure in figures:
            values = _acled_proposal(figure, acled)
            copy.write_row((-1 if figure is None else figure, *(values[name] for name in ESTIMATE_COLUMNS)))


# --- Rows that update an incident in the archive ----------------------------------------------------


def default_reason(file_format: str) -> str:
    today = datetime.date.today().isoformat()
    return f"Updated from ACLED's file of {today}." if file_format == "acled" else f"Updated from an import of {today}."


def update_existing(
    cursor: Any,
    raw: psycopg.Cursor[Any],
    file_format: str,
    given: set[str],
    user: AbstractBaseUser | None,
    reason: str,
    parameters: dict[str, Any],
) -> None:
    """Write the rows that update an incident: a draft (or one in review) in place, a published one
    into the draft copy of a correction proposed for it, which a reviewer approves as any correction.

    Row by row for the corrections (each is a copy of its incident) and the estimates; updates are
    expected to be a small part of a file. Through Django's cursor, so that the row triggers write
    the history of each change under the import's context.
    """
    from incidents.corrections import correction_propose

    raw.execute(
        "SELECT line, existing_id, action FROM import_actions WHERE action IN ('update', 'correction') ORDER BY line"
    )
    rows = raw.fetchall()
    if not rows:
        return
    targets = []
    for line, existing, action in rows:
        if action == "correction":
            correction = correction_propose(incident=Incident(pk=existing), user=user, reason=reason)
            targets.append((line, correction.revision_id))
        else:
            targets.append((line, existing))
    raw.execute("CREATE TEMP TABLE import_targets (line bigint PRIMARY KEY, id bigint) ON COMMIT DROP")
    with raw.copy("COPY import_targets FROM STDIN") as copy:
        for target in targets:
            copy.write_row(target)
    estimate = ESTIMATE_COLUMNS if file_format == "acled" else []
    cursor.execute(inserts.update_incident_rows(inserts.updated_columns(given, estimate)), parameters)
    cursor.execute(inserts.UPDATE_ACTOR_LINKS)
    cursor.execute(inserts.UPDATE_SOURCE_LINKS)
    if file_format != "acled":
        return
    cursor.execute(inserts.UPDATE_ACLED_CLAIMS, parameters)
    # The estimate follows ACLED's claim, unless the editors overrode it (then it is marked stale
    # by the database, for them to look at); an estimate that earlier imports set from ACLED's
    # figure is not the editors'.
    for incident in Incident.objects.filter(pk__in=[pk for _, pk in targets]):
        legacy = incident.fatalities_rationale.startswith("ACLED's count for event ")
        if incident.fatalities_method == EstimateMethod.OVERRIDE and not legacy:
            continue
        values = services.proposal_estimate(services.incident_proposal(incident=incident))
        Incident.objects.filter(pk=incident.pk).update(**values)
