"""What the read model holds: the editorial tables it copies (``mirrors``), which of their rows
are public and what of them is withheld, the tables of rows written ready (``ready_tables``),
and the names of the sets of rows the refresh works on (``incidents.readmodel.functions``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL

from incidents import models as m
from incidents.sql import quote_name, sql_literal
from incidents.tables import Table

SCHEMA = "readmodel"
ROLE = "archive_reader"
# What a public connection runs as: the reader role, finding the read model's tables first.
PUBLIC_SETTINGS = f"SET ROLE {ROLE}; SET search_path = {SCHEMA}, public"
RESET_SETTINGS = "RESET ROLE; RESET search_path"
# Connection options for a connection used only for public reads (a replica's).
PUBLIC_OPTIONS = f"-c search_path={SCHEMA},public -c role={ROLE} -c default_transaction_read_only=on"

# The sets of rows a refresh is about: the PL/pgSQL variables the compiled QuerySets name.
INCIDENTS, ACTORS, SOURCES, PERSONS = "v_incidents", "v_actors", "v_sources", "v_persons"
# The incidents whose parts (links, claims, citations, relations, corrections) are looked at
# again: those a write to a part touched, or whose status changed. Which parts are public
# depends on nothing else of the incident, so an edit of its text leaves them alone.
PARTS = "v_parts"
CLAIMS, CITATIONS = "v_claims", "v_citations"
ROWS = "v_rows"  # the rows one statement copies
EVENTS = "v_events"  # the history rows a statement on a history table wrote or deleted
# What the copies' writes changed, by what the rows written or deleted name: the exported rows
# and items are written again for these alone.
CHANGED = {name: f"v_changed_{name}" for name in ("incidents", "claims", "citations", "actors", "sources", "persons")}


def members(name: str) -> RawSQL:
    """The members of the set ``name``, as a subquery (``pk__in=members(INCIDENTS)``)."""
    return RawSQL(f"SELECT unnest({name})", ())


def _event(model: type[models.Model]) -> type[models.Model]:
    return apps.get_model(model._meta.app_label, f"{model.__name__}Event")


@dataclass(frozen=True)
class Mirror:
    """An editorial table copied into the read model: which of the affected rows are public
    (a QuerySet over the sets above), which rows of the copy a refresh replaces (SQL over the
    copy), and what of a public row is withheld (column → SQL expression)."""

    model: type[models.Model]
    public: Callable[[], models.QuerySet]
    replaced: str
    withheld: Callable[[], dict[str, str]] = dict
    # Change history: its events, once written (by pghistory's triggers or an import) or
    # rewritten (an erasure), are copied by their own table's trigger, a statement at a time.
    history: bool = False
    # Which sets a written or deleted row adds to, by which of its columns: what changed
    # (``CHANGED``), and the actors, sources and people to look at again (named or no longer).
    marks: tuple[tuple[str, str], ...] = ()

    @property
    def table(self) -> str:
        return self.model._meta.db_table


def _blank(model: type[models.Model], names: tuple[str, ...], when: str = "") -> dict[str, str]:
    """The columns of ``names`` emptied (NULL where allowed, else the empty text or the default)."""
    blanked = {}
    for name in names:
        f = model._meta.get_field(name)
        if f.null:
            value = "NULL"
        elif isinstance(f, models.CharField | models.TextField):
            value = "''"
        else:
            value = sql_literal(str(f.get_default()))
        # Typed, so that the row compares with the stored one column by column.
        value = f"{value}::{f.db_type(connection)}"
        blanked[f.column] = f"CASE WHEN {when} THEN {value} ELSE {quote_name(f.column)} END" if when else value
    return blanked


def _editors_only(model: type[models.Model]) -> dict[str, str]:
    """What no public row carries: internal notes and who did what (links to user accounts)."""
    names = tuple(
        f.name
        for f in model._meta.concrete_fields
        if f.name == "internal_notes"
        or (f.is_relation and f.related_model is not None and f.related_model._meta.label == settings.AUTH_USER_MODEL)
    )
    return _blank(model, names)


def _withheld_source() -> dict[str, str]:
    return {**_editors_only(m.Source), **_blank(m.Source, m.Source.WITHHELD_FIELDS, when="confidential")}


def _withheld_citation() -> dict[str, str]:
    confidential = "EXISTS (SELECT 1 FROM public.incidents_source AS s WHERE s.id = source_id AND s.confidential)"
    return _blank(m.Citation, m.Citation.WITHHELD_FIELDS, when=confidential)


def _withheld_person() -> dict[str, str]:
    withheld = {**_editors_only(m.Person), **_blank(m.Person, ("name", "description"), when="confidential")}
    withheld["slug"] = "CASE WHEN confidential THEN 'withheld-' || id ELSE slug END"
    return withheld


def _withheld_correction() -> dict[str, str]:
    # The public reads a correction's date, reason and notice; never its diff, which may name
    # a protected source, nor a rejected one's reason.
    return {**_editors_only(m.Correction), **_blank(m.Correction, ("rejection_reason",)), "changes": "'[]'::jsonb"}


def _history(model: type[models.Model]) -> Callable[[], dict[str, str]]:
    def withheld() -> dict[str, str]:
        event = _event(model)
        blanked = _blank(event, tuple(f.name for f in event._meta.concrete_fields if f.name == "internal_notes"))
        return {**blanked, "pgh_context_id": "NULL::uuid"}

    return withheld


def _published(ids: str) -> models.QuerySet:
    return m.Incident.objects.published().filter(pk__in=members(ids))


def _claim_events() -> models.QuerySet:
    """The public events among those of the claims of ``PARTS`` and those written in ``PARTS``:
    an event written in a published incident, or of a claim now in one. Whether an event is
    public may depend on an incident outside ``PARTS`` (a claim moved by a merge keeps the
    events written in the incident it came from), so the test is the whole archive's."""
    claim_event = _event(m.Claim)
    here = Q(incident_id__in=members(PARTS)) | Q(
        pgh_obj_id__in=m.Claim.objects.filter(incident_id__in=members(PARTS)).values("pk")
    )
    public = Q(incident_id__in=m.Incident.objects.published().values("pk")) | Q(
        pgh_obj_id__in=m.Claim.objects.published().values("pk")
    )
    return claim_event.objects.filter(here).filter(public)


def _citation_events() -> models.QuerySet:
    """The public events among those of the citations of ``PARTS`` and of the claims written or
    now in ``PARTS``: an event of a citation now published, or of a claim once written in a
    published incident (the test is the whole archive's, as for the claims' events)."""
    claim_event, citation_event = _event(m.Claim), _event(m.Citation)
    here = (
        Q(claim_id__in=claim_event.objects.filter(incident_id__in=members(PARTS)).values("pgh_obj_id"))
        | Q(claim_id__in=m.Claim.objects.filter(incident_id__in=members(PARTS)).values("pk"))
        | Q(pgh_obj_id__in=m.Citation.objects.filter(claim__incident_id__in=members(PARTS)).values("pk"))
    )
    public = Q(
        claim_id__in=claim_event.objects.filter(incident_id__in=m.Incident.objects.published().values("pk")).values(
            "pgh_obj_id"
        )
    ) | Q(pgh_obj_id__in=m.Citation.objects.published().values("pk"))
    return citation_event.objects.filter(here).filter(public)


def mirrors() -> list[Mirror]:
    """The editorial tables the read model copies, in the order a refresh replaces them."""
    incident_event, claim_event, citation_event = _event(m.Incident), _event(m.Claim), _event(m.Citation)
    public_actors = m.Actor.objects.published().filter(pk__in=members(ACTORS))
    public_people = m.Person.objects.public().filter(pk__in=members(PERSONS))
    return [
        Mirror(
            m.Incident,
            lambda: m.Incident.objects.with_public_page().filter(pk__in=members(INCIDENTS)),
            f"id = ANY({INCIDENTS})",
            lambda: _editors_only(m.Incident),
            marks=((CHANGED["incidents"], "id"),),
        ),
        Mirror(
            m.IncidentActor,
            lambda: m.IncidentActor.objects.filter(incident__in=_published(PARTS)),
            f"incident_id = ANY({PARTS})",
            marks=((CHANGED["incidents"], "incident_id"), (ACTORS, "actor_id")),
        ),
        Mirror(
            m.IncidentSource,
            lambda: m.IncidentSource.objects.filter(incident__in=_published(PARTS)),
            f"incident_id = ANY({PARTS})",
            marks=((CHANGED["incidents"], "incident_id"), (SOURCES, "source_id")),
        ),
        Mirror(
            m.Citation,
            lambda: m.Citation.objects.published().filter(claim__incident_id__in=members(PARTS)),
            f"id = ANY({CITATIONS})",
            _withheld_citation,
            marks=(
                (CHANGED["citations"], "id"),
                (CHANGED["claims"], "claim_id"),
                (SOURCES, "source_id"),
                (PERSONS, "speaker_id"),
            ),
        ),
        Mirror(
            m.Claim,
            lambda: m.Claim.objects.published().filter(incident_id__in=members(PARTS)),
            f"id = ANY({CLAIMS})",
            lambda: _editors_only(m.Claim),
            marks=(
                (CHANGED["claims"], "id"),
                (CHANGED["incidents"], "incident_id"),
                (ACTORS, "claimant_id"),
                (ACTORS, "losses_actor_id"),
                (ACTORS, "responsible_actor_id"),
                (PERSONS, "speaker_id"),
            ),
        ),
        Mirror(
            m.IncidentRelation,
            lambda: m.IncidentRelation.objects.public().filter(
                Q(subject_id__in=members(PARTS)) | Q(object_id__in=members(PARTS))
            ),
            f"subject_id = ANY({PARTS}) OR object_id = ANY({PARTS})",
            marks=((CHANGED["incidents"], "subject_id"), (CHANGED["incidents"], "object_id")),
        ),
        Mirror(
            m.Correction,
            lambda: m.Correction.objects.public().filter(incident_id__in=members(PARTS)),
            f"incident_id = ANY({PARTS})",
            _withheld_correction,
            marks=((CHANGED["incidents"], "incident_id"),),
        ),
        Mirror(
            m.Actor,
            lambda: public_actors,
            f"id = ANY({ACTORS})",
            lambda: _editors_only(m.Actor),
            marks=((CHANGED["actors"], "id"),),
        ),
        Mirror(
            m.ActorAlias,
            lambda: m.ActorAlias.objects.filter(actor__in=public_actors),
            f"actor_id = ANY({ACTORS})",
            marks=((CHANGED["actors"], "actor_id"),),
        ),
        Mirror(
            m.ActorRelation,
            lambda: m.ActorRelation.objects.public().filter(
                Q(subject_id__in=members(ACTORS)) | Q(object_id__in=members(ACTORS))
            ),
            f"subject_id = ANY({ACTORS}) OR object_id = ANY({ACTORS})",
            marks=((CHANGED["actors"], "subject_id"), (CHANGED["actors"], "object_id")),
        ),
        Mirror(
            m.Source,
            lambda: m.Source.objects.published().filter(pk__in=members(SOURCES)),
            f"id = ANY({SOURCES})",
            _withheld_source,
            marks=((CHANGED["sources"], "id"),),
        ),
        Mirror(
            m.Person,
            lambda: m.Person.objects.speaking().filter(pk__in=members(PERSONS)),
            f"id = ANY({PERSONS})",
            _withheld_person,
            marks=((CHANGED["persons"], "id"),),
        ),
        Mirror(
            m.PersonAlias,
            lambda: m.PersonAlias.objects.filter(person__in=public_people),
            f"person_id = ANY({PERSONS})",
            marks=((CHANGED["persons"], "person_id"),),
        ),
        Mirror(
            m.PersonAffiliation,
            lambda: m.PersonAffiliation.objects.filter(person__in=public_people),
            f"person_id = ANY({PERSONS})",
            marks=((CHANGED["persons"], "person_id"), (CHANGED["actors"], "actor_id")),
        ),
        # The change history the public change log reads (incidents.changelog): an incident's
        # events, its claims' (here or where they came from) and their reports'. Which events
        # are public depends only on the status of their incident (``PARTS``); events written
        # later are copied by the history's own triggers (``history`` below).
        Mirror(
            incident_event,
            lambda: incident_event.objects.filter(
                pgh_obj_id__in=m.Incident.objects.with_public_page().filter(pk__in=members(PARTS)).values("pk")
            ),
            f"pgh_obj_id = ANY({PARTS})",
            _history(m.Incident),
            history=True,
        ),
        Mirror(
            claim_event,
            _claim_events,
            f"incident_id = ANY({PARTS}) OR pgh_obj_id = ANY({CLAIMS})",
            _history(m.Claim),
            history=True,
        ),
        Mirror(
            citation_event,
            _citation_events,
            f"claim_id = ANY({CLAIMS}) OR pgh_obj_id = ANY({CITATIONS})",
            _history(m.Citation),
            history=True,
        ),
    ]


# Tables the public reads as they are: vocabularies and counts that hold nothing unpublished.
SHARED = (m.EventType, m.SubEventType, m.FacetSnapshot)
SHARED_TABLES = ("incidents_published_day",)


@dataclass(frozen=True)
class Ready:
    """A table of rows written once for reading: an exported file's cells, the API's items."""

    name: str
    ids: str  # the rows to write: SQL over the read model's copies ({rm}), after they are written
    replaced: str  # the rows the changes reach (over ``CHANGED`` or the sets), deleted if not written
    select: Callable[[str], str]  # SELECT of the rows whose id is in a subquery


def ready_table(table: Table) -> str:
    """The read model's table holding the rows of exported ``table`` (incidents.columns)."""
    return f"{table.model._meta.model_name}_export"


def ready_tables() -> list[Ready]:
    from incidents import listing
    from incidents.columns import TABLES

    def export(name: str) -> Callable[[str], str]:
        return lambda ids: TABLES[name].select_sql(ids)

    incidents, claims, citations = CHANGED["incidents"], CHANGED["claims"], CHANGED["citations"]
    published = (
        f"SELECT id FROM {{rm}}.incidents_incident WHERE id = ANY({incidents}) "
        f"AND status = {sql_literal(m.Status.PUBLISHED)}"
    )
    tables = [
        Ready(ready_table(TABLES["incidents"]), published, f"id = ANY({incidents})", export("incidents")),
        Ready(
            ready_table(TABLES["claims"]),
            f"SELECT id FROM {{rm}}.incidents_claim WHERE id = ANY({claims})",
            f"id = ANY({claims})",
            export("claims"),
        ),
        Ready(
            ready_table(TABLES["citations"]),
            f"SELECT id FROM {{rm}}.incidents_citation WHERE id = ANY({citations})",
            f"id = ANY({citations})",
            export("citations"),
        ),
        Ready(
            ready_table(TABLES["actors"]),
            f"SELECT id FROM {{rm}}.incidents_actor WHERE id = ANY({ACTORS})",
            f"id = ANY({ACTORS})",
            export("actors"),
        ),
        Ready(
            ready_table(TABLES["sources"]),
            f"SELECT id FROM {{rm}}.incidents_source WHERE id = ANY({SOURCES})",
            f"id = ANY({SOURCES})",
            export("sources"),
        ),
    ]
    tables.append(Ready("incident_items", published, f"id = ANY({incidents})", listing.stored_items_sql))
    return tables
