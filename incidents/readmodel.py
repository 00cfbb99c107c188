"""The public read model: the published archive in a schema of its own, shaped for reading.

Schema ``readmodel`` holds, under the editorial tables' own names, the rows the public may
see and nothing else: published incidents (and retracted ones, for their notices), their
claims, citations, links, relations, approved corrections and change history, the actors,
sources and people they show, each row with what the public must not read already removed
(internal notes, who did what, a confidential source's or person's identity). Beside them,
one table per exported file (``incident_export``, ``claim_export``...) holds each row's CSV
cells written once, and ``incident_items`` each incident's API list item.

Public requests read with ``SET ROLE archive_reader`` and ``search_path = readmodel, public``
(``public_reads``): the ORM's queries, unchanged, find the read model's tables first, and the
role may read nothing else, so a draft cannot reach a public page by any query, written or
forgotten. Which rows are public is still decided in one place, the QuerySets of
``incidents.models``: their SQL, compiled here, is what fills the read model.

The database keeps the read model current in the same transaction as every write: statement
triggers on the editorial tables hand the incidents, actors, sources and people a statement
touched to ``readmodel.refresh()``, a PL/pgSQL function written from this module, which
brings their rows in line set-wise (one call for a whole import), writing only the rows that
are new or differ, then writes again the exported rows and items those changes reach.
``ensure`` installs it after every migration (and rebuilds the tables when the editorial
tables' shape changed); ``rebuild`` fills it from scratch; ``differences`` compares it with a
fresh build (``check_read_model``).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, models, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, JsonResponse
from django.http.response import HttpResponseBase
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated
from rest_framework.request import Request
from rest_framework.settings import api_settings

from archive.replicas import choose
from archive.routers import reading_from
from incidents import models as m
from incidents.sql import compile_literal, quote_name, sql_literal
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
# What the copies' writes changed, by what the rows written or deleted name: the exported rows
# and items are written again for these alone.
CHANGED = {name: f"v_changed_{name}" for name in ("incidents", "claims", "citations", "actors", "sources", "persons")}


def _in(name: str) -> RawSQL:
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
    # Change history, refreshed on its own when written apart from its rows (an import's).
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
    return m.Incident.objects.published().filter(pk__in=_in(ids))


def mirrors() -> list[Mirror]:
    """The editorial tables the read model copies, in the order a refresh replaces them."""
    incident_event, claim_event, citation_event = _event(m.Incident), _event(m.Claim), _event(m.Citation)
    public_actors = m.Actor.objects.published().filter(pk__in=_in(ACTORS))
    public_people = m.Person.objects.public().filter(pk__in=_in(PERSONS))
    return [
        Mirror(
            m.Incident,
            lambda: m.Incident.objects.with_public_page().filter(pk__in=_in(INCIDENTS)),
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
            lambda: m.Citation.objects.published().filter(claim__incident_id__in=_in(PARTS)),
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
            lambda: m.Claim.objects.published().filter(incident_id__in=_in(PARTS)),
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
                Q(subject_id__in=_in(PARTS)) | Q(object_id__in=_in(PARTS))
            ),
            f"subject_id = ANY({PARTS}) OR object_id = ANY({PARTS})",
            marks=((CHANGED["incidents"], "subject_id"), (CHANGED["incidents"], "object_id")),
        ),
        Mirror(
            m.Correction,
            lambda: m.Correction.objects.public().filter(incident_id__in=_in(PARTS)),
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
                Q(subject_id__in=_in(ACTORS)) | Q(object_id__in=_in(ACTORS))
            ),
            f"subject_id = ANY({ACTORS}) OR object_id = ANY({ACTORS})",
            marks=((CHANGED["actors"], "subject_id"), (CHANGED["actors"], "object_id")),
        ),
        Mirror(
            m.Source,
            lambda: m.Source.objects.published().filter(pk__in=_in(SOURCES)),
            f"id = ANY({SOURCES})",
            _withheld_source,
            marks=((CHANGED["sources"], "id"),),
        ),
        Mirror(
            m.Person,
            lambda: m.Person.objects.speaking().filter(pk__in=_in(PERSONS)),
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
        # events, its claims' (here or where they came from) and their reports'.
        Mirror(
            incident_event,
            lambda: incident_event.objects.filter(
                pgh_obj_id__in=m.Incident.objects.with_public_page().filter(pk__in=_in(INCIDENTS)).values("pk")
            ),
            f"pgh_obj_id = ANY({INCIDENTS})",
            _history(m.Incident),
            history=True,
        ),
        Mirror(
            claim_event,
            lambda: claim_event.objects.filter(
                Q(incident_id__in=_published(PARTS).values("pk"))
                | Q(pgh_obj_id__in=m.Claim.objects.published().filter(incident_id__in=_in(PARTS)).values("pk"))
            ),
            f"incident_id = ANY({PARTS}) OR pgh_obj_id = ANY({CLAIMS})",
            _history(m.Claim),
            history=True,
        ),
        Mirror(
            citation_event,
            lambda: citation_event.objects.filter(
                Q(
                    claim_id__in=claim_event.objects.filter(incident_id__in=_published(PARTS).values("pk")).values(
                        "pgh_obj_id"
                    )
                )
                | Q(
                    pgh_obj_id__in=m.Citation.objects.published().filter(claim__incident_id__in=_in(PARTS)).values("pk")
                )
            ),
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


# --- The SQL: tables, the refresh function, the triggers ----------------------------------------------


def _columns(cursor: CursorWrapper, table: str) -> list[str]:
    """The columns of editorial ``table``, in order. A generated column (the search document) is
    copied as it is stored rather than computed again."""
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
        "ORDER BY attnum",
        [f"public.{table}"],
    )
    return [row[0] for row in cursor.fetchall()]


def _select_list(columns: list[str], withheld: dict[str, str]) -> str:
    return ", ".join(f"{withheld[c]} AS {quote_name(c)}" if c in withheld else quote_name(c) for c in columns)


def _collect(marks: tuple[tuple[str, str], ...], rows: str, old: bool = False) -> str:
    """``SELECT ... INTO``: the sets of ``marks``, each extended by what ``rows`` (a CTE) name in
    its columns (and, with ``old``, what the rows they replaced named)."""
    sets = sorted({name for name, _ in marks})
    extended = []
    for name in sets:
        columns = [column for n, column in marks if n == name]
        named = [f"SELECT {quote_name(c)} FROM {rows}" for c in columns]
        if old:
            named += [f"SELECT {quote_name('was_' + c)} FROM {rows}" for c in columns]
        extended.append(f"{name} || ARRAY({' UNION '.join(named)})")
    return f"SELECT {', '.join(extended)} INTO {', '.join(sets)}"


def _write(target: str, pk: str, columns: list[str], select: str, marks: tuple[tuple[str, str], ...] = ()) -> str:
    """An INSERT of the rows of ``select`` that ``target`` lacks or holds otherwise, updating
    the latter in place. Rows that did not change are not written at all: an edit rewrites
    only what it changed, and the replicas receive only that. With ``marks``, what the rows
    written name, and what the rows they replaced named, is added to the changed sets."""
    names = [quote_name(c) for c in columns]
    key = quote_name(pk)
    same = " AND ".join(f"o.{n} IS NOT DISTINCT FROM n.{n}" for n in names)
    update = ", ".join(f"{n} = EXCLUDED.{n}" for n in names if n != key)
    # A join on the key, then the comparison: as one condition of the join, the comparison's
    # 70 columns would make the planner expect no match and read the copy once per row.
    was = "".join(f", o.{quote_name(c)} AS {quote_name('was_' + c)}" for c in sorted({c for _, c in marks}))
    changed = (
        f"SELECT n.*{was} FROM ({select}) AS n\n"
        f"  LEFT JOIN {target} AS o ON o.{key} = n.{key} WHERE o.{key} IS NULL OR NOT ({same})"
    )
    insert = (
        f"INSERT INTO {target} ({', '.join(names)}) SELECT {', '.join(names)} FROM changed\n"
        f"  ON CONFLICT ({key}) DO UPDATE SET {update}"
    )
    if not marks:
        return f"WITH changed AS ({changed}) {insert};"
    return f"WITH changed AS MATERIALIZED ({changed}), written AS ({insert})\n{_collect(marks, 'changed', old=True)};"


def _not_in(pk: str) -> str:
    """The copy's row ``o`` is not among ``ROWS`` (an anti-join: ``<> ALL`` would read the whole
    array for every row)."""
    return f"NOT EXISTS (SELECT FROM unnest({ROWS}) AS k(id) WHERE k.id = o.{pk})"


def _delete(target: str, condition: str, pk: str, marks: tuple[tuple[str, str], ...]) -> str:
    delete = f"DELETE FROM {target} AS o WHERE ({condition}) AND {_not_in(pk)}"
    if not marks:
        return f"{delete};"
    return f"WITH gone AS ({delete} RETURNING o.*)\n{_collect(marks, 'gone')};"


def _replace(schema: str, mirror: Mirror, columns: list[str]) -> str:
    """Statements bringing ``mirror``'s affected rows in ``schema`` in line with the public ones:
    those no longer public go, those new or changed are written (a link or claim that moved
    is updated where it is)."""
    ids = compile_literal(mirror.public().order_by().values("pk"))
    target = f"{schema}.{mirror.table}"
    pk = mirror.model._meta.pk.column
    select = (
        f"SELECT {_select_list(columns, mirror.withheld())} FROM public.{mirror.table} "
        f"WHERE {quote_name(pk)} = ANY({ROWS})"
    )
    # One statement per condition, each an index lookup.
    gone = [_delete(target, c, quote_name(pk), mirror.marks) for c in mirror.replaced.split(" OR ")]
    if mirror.history:
        # Events never change once written: only those not yet copied are.
        names = ", ".join(quote_name(c) for c in columns)
        write = f"INSERT INTO {target} ({names}) {select} ON CONFLICT ({quote_name(pk)}) DO NOTHING;"
    else:
        write = _write(target, pk, columns, select, mirror.marks)
    return "\n".join([f"{ROWS} := ARRAY({ids});", *gone, write])


def _expand(schema: str) -> str:
    """PL/pgSQL: from the rows a statement touched to every row of the read model they change."""
    rm = schema
    return f"""
  -- The public incidents showing a changed actor, source or person (their names are in the
  -- incidents' exported rows and items).
  IF cardinality({ACTORS}) > 0 THEN
    {INCIDENTS} := {INCIDENTS} || ARRAY(
      SELECT incident_id FROM {rm}.incidents_incidentactor WHERE actor_id = ANY({ACTORS})
      UNION SELECT incident_id FROM {rm}.incidents_claim
        WHERE claimant_id = ANY({ACTORS}) OR losses_actor_id = ANY({ACTORS}) OR responsible_actor_id = ANY({ACTORS}));
  END IF;
  IF cardinality({SOURCES}) > 0 THEN
    {INCIDENTS} := {INCIDENTS} || ARRAY(
      SELECT incident_id FROM {rm}.incidents_incidentsource WHERE source_id = ANY({SOURCES})
      UNION SELECT c.incident_id FROM {rm}.incidents_citation ct JOIN {rm}.incidents_claim c ON c.id = ct.claim_id
        WHERE ct.source_id = ANY({SOURCES}));
  END IF;
  IF cardinality({PERSONS}) > 0 THEN
    {INCIDENTS} := {INCIDENTS} || ARRAY(
      SELECT incident_id FROM {rm}.incidents_claim WHERE speaker_id = ANY({PERSONS})
      UNION SELECT c.incident_id FROM {rm}.incidents_citation ct JOIN {rm}.incidents_claim c ON c.id = ct.claim_id
        WHERE ct.speaker_id = ANY({PERSONS}));
  END IF;
  -- Only incidents that are public, or were until this statement, change the read model.
  {INCIDENTS} := ARRAY(
    SELECT id FROM public.incidents_incident WHERE id = ANY({INCIDENTS})
      AND status IN ({sql_literal(m.Status.PUBLISHED)}, {sql_literal(m.Status.RETRACTED)})
    UNION SELECT id FROM {rm}.incidents_incident WHERE id = ANY({INCIDENTS}));
  IF cardinality({INCIDENTS}) = 0 AND cardinality({ACTORS}) = 0 AND cardinality({SOURCES}) = 0
     AND cardinality({PERSONS}) = 0 THEN
    RETURN;
  END IF;
  {PARTS} := ARRAY(SELECT unnest({PARTS}) INTERSECT SELECT unnest({INCIDENTS}));
  {CLAIMS} := ARRAY(SELECT id FROM {rm}.incidents_claim WHERE incident_id = ANY({PARTS}));
  {CITATIONS} := ARRAY(SELECT id FROM {rm}.incidents_citation WHERE claim_id = ANY({CLAIMS}));
"""


def _named() -> str:
    """PL/pgSQL, once the incidents' own rows are written: the actors, sources and people to
    look at again are those named or no longer named by a row written or deleted (collected
    by the marks), those touched, and the actors related to any of them (an actor is public
    through its relations, too)."""
    return f"""
  {ACTORS} := {ACTORS} || ARRAY(
    SELECT object_id FROM public.incidents_actorrelation WHERE subject_id = ANY({ACTORS})
    UNION SELECT subject_id FROM public.incidents_actorrelation WHERE object_id = ANY({ACTORS}));
  {ACTORS} := ARRAY(SELECT DISTINCT a FROM unnest({ACTORS}) AS a WHERE a IS NOT NULL);
  {SOURCES} := ARRAY(SELECT DISTINCT s FROM unnest({SOURCES}) AS s WHERE s IS NOT NULL);
  {PERSONS} := ARRAY(SELECT DISTINCT p FROM unnest({PERSONS}) AS p WHERE p IS NOT NULL);
"""


def _reach(schema: str) -> str:
    """PL/pgSQL: from the rows the copies' writes changed to the exported rows and items they
    change: the claims and citations naming a changed actor, source or person, a changed
    claim's citations, and the incidents of all of them."""
    rm = schema
    incidents, claims, citations = CHANGED["incidents"], CHANGED["claims"], CHANGED["citations"]
    actors, sources, persons = CHANGED["actors"], CHANGED["sources"], CHANGED["persons"]
    return f"""
  {claims} := {claims} || ARRAY(
    SELECT id FROM {rm}.incidents_claim WHERE claimant_id = ANY({actors}) OR losses_actor_id = ANY({actors})
      OR responsible_actor_id = ANY({actors}) OR speaker_id = ANY({persons}));
  {citations} := {citations} || ARRAY(
    SELECT id FROM {rm}.incidents_citation
    WHERE claim_id = ANY({claims}) OR source_id = ANY({sources}) OR speaker_id = ANY({persons}));
  {incidents} := {incidents} || ARRAY(
    SELECT incident_id FROM {rm}.incidents_claim WHERE id = ANY({claims})
    UNION SELECT c.incident_id FROM {rm}.incidents_citation ct JOIN {rm}.incidents_claim c ON c.id = ct.claim_id
      WHERE ct.id = ANY({citations})
    UNION SELECT incident_id FROM {rm}.incidents_incidentactor WHERE actor_id = ANY({actors})
    UNION SELECT incident_id FROM {rm}.incidents_incidentsource WHERE source_id = ANY({sources}));
"""


def refresh_function(schema: str, columns: dict[str, list[str]]) -> str:
    """``<schema>.refresh(incidents, actors, sources, persons, parts)``: brings every row of the
    read model that depends on them (and on the parts of the incidents of ``parts``) in line,
    set-wise, with what the editorial tables now say."""
    rm = schema
    replace = "\n".join(
        (_named() if mirror.model is m.Actor else "") + _replace(schema, mirror, columns[mirror.table])
        for mirror in mirrors()
    )
    ready = []
    for table in ready_tables():
        ready.append(f"{ROWS} := ARRAY({table.ids.replace('{rm}', rm)});")
        ready.append(f"DELETE FROM {rm}.{table.name} AS o WHERE ({table.replaced}) AND {_not_in('id')};")
        select = table.select(f"SELECT unnest({ROWS})")
        ready.append(_write(f"{rm}.{table.name}", "id", columns[table.name], select))
    history = "\n".join(_replace(schema, mirror, columns[mirror.table]) for mirror in mirrors() if mirror.history)
    public = f"{sql_literal(m.Status.PUBLISHED)}, {sql_literal(m.Status.RETRACTED)}"
    return f"""
CREATE OR REPLACE FUNCTION {rm}.refresh_history({INCIDENTS} bigint[]) RETURNS void
LANGUAGE plpgsql SET search_path = public SET plan_cache_mode = force_generic_plan AS $history$
DECLARE
  {PARTS} bigint[];
  {CLAIMS} bigint[];
  {CITATIONS} bigint[];
  {ROWS} bigint[];
BEGIN
  {INCIDENTS} := ARRAY(
    SELECT id FROM public.incidents_incident WHERE id = ANY({INCIDENTS}) AND status IN ({public}));
  IF cardinality({INCIDENTS}) = 0 THEN
    RETURN;
  END IF;
  {PARTS} := {INCIDENTS};
  {CLAIMS} := ARRAY(SELECT id FROM public.incidents_claim WHERE incident_id = ANY({INCIDENTS}));
  {CITATIONS} := ARRAY(SELECT id FROM public.incidents_citation WHERE claim_id = ANY({CLAIMS}));
{history}
END
$history$;

{"".join(_refresh_function(schema, name, mode, replace, ready) for name, mode in _PLANS.items())}
CREATE OR REPLACE FUNCTION {rm}.refresh(
  {INCIDENTS} bigint[], {ACTORS} bigint[], {SOURCES} bigint[], {PERSONS} bigint[], {PARTS} bigint[]
) RETURNS void LANGUAGE plpgsql AS $refresh$
BEGIN
  IF cardinality({INCIDENTS}) + cardinality({ACTORS}) + cardinality({SOURCES}) + cardinality({PERSONS})
     < {FEW_ROWS} THEN
    PERFORM {rm}.refresh_rows({INCIDENTS}, {ACTORS}, {SOURCES}, {PERSONS}, {PARTS});
  ELSE
    PERFORM {rm}.refresh_set({INCIDENTS}, {ACTORS}, {SOURCES}, {PERSONS}, {PARTS});
  END IF;
END
$refresh$;
"""


# A refresh of a few rows (an editor's, a reviewer's) runs plans made once per connection: planning
# its hundred statements anew each time would cost more than running them. A refresh of many
# (an import, a bulk action, a rebuild) plans each statement for the rows at hand.
_PLANS = {"refresh_rows": "force_generic_plan", "refresh_set": "force_custom_plan"}
# A refresh of many rows sorts and hashes hundreds of thousands of them: in memory, not in
# temporary files. One backend at a time runs such a refresh (an import, a bulk action).
SET_WORK_MEM = "256MB"
FEW_ROWS = 500


def _refresh_function(schema: str, name: str, plan_cache_mode: str, replace: str, ready: list[str]) -> str:
    rm = schema
    work_mem = f" SET work_mem = {sql_literal(SET_WORK_MEM)}" if name == "refresh_set" else ""
    return f"""
CREATE OR REPLACE FUNCTION {rm}.{name}(
  {INCIDENTS} bigint[], {ACTORS} bigint[], {SOURCES} bigint[], {PERSONS} bigint[], {PARTS} bigint[]
) RETURNS void LANGUAGE plpgsql SET search_path = public SET plan_cache_mode = {plan_cache_mode}{work_mem}
AS $refresh$
DECLARE
  {CLAIMS} bigint[];
  {CITATIONS} bigint[];
  {ROWS} bigint[];
  {"".join(f"{name} bigint[] := '{{}}';{chr(10)}  " for name in CHANGED.values()).rstrip()}
BEGIN
{_expand(schema)}
{replace}
{_reach(schema)}
{chr(10).join(ready)}
END
$refresh$;
"""


# What each editorial table's statements hand to the refresh: (incidents, actors, sources, persons),
# as SQL over the statement's rows ``{t}``.
_NONE = "'{{}}'::bigint[]"
TOUCHES: dict[str, tuple[str, str, str, str]] = {
    "incidents_incident": ("SELECT id FROM {t}", _NONE, _NONE, _NONE),
    "incidents_claim": ("SELECT incident_id FROM {t}", _NONE, _NONE, _NONE),
    "incidents_citation": (
        "SELECT c.incident_id FROM {t} AS t JOIN public.incidents_claim c ON c.id = t.claim_id "
        "UNION SELECT c.incident_id FROM {t} AS t JOIN {rm}.incidents_claim c ON c.id = t.claim_id",
        _NONE,
        _NONE,
        _NONE,
    ),
    "incidents_incidentactor": ("SELECT incident_id FROM {t}", _NONE, _NONE, _NONE),
    "incidents_incidentsource": ("SELECT incident_id FROM {t}", _NONE, _NONE, _NONE),
    "incidents_incidentrelation": ("SELECT subject_id FROM {t} UNION SELECT object_id FROM {t}", _NONE, _NONE, _NONE),
    "incidents_correction": ("SELECT incident_id FROM {t}", _NONE, _NONE, _NONE),
    "incidents_actor": (_NONE, "SELECT id FROM {t}", _NONE, _NONE),
    "incidents_actoralias": (_NONE, "SELECT actor_id FROM {t}", _NONE, _NONE),
    "incidents_actorrelation": (_NONE, "SELECT subject_id FROM {t} UNION SELECT object_id FROM {t}", _NONE, _NONE),
    "incidents_source": (_NONE, _NONE, "SELECT id FROM {t}", _NONE),
    "incidents_person": (_NONE, _NONE, _NONE, "SELECT id FROM {t}"),
    "incidents_personalias": (_NONE, _NONE, _NONE, "SELECT person_id FROM {t}"),
    "incidents_personaffiliation": (_NONE, _NONE, _NONE, "SELECT person_id FROM {t}"),
}
# An UPDATE of the incidents looks at the parts of those whose status it changed (``PARTS``).
PARTS_ON_UPDATE = {
    "incidents_incident": (
        "SELECT n.id FROM new_rows AS n JOIN old_rows AS o ON o.id = n.id WHERE n.status IS DISTINCT FROM o.status"
    )
}
# History written apart from its rows (an import's, in bulk) refreshes the copies of history only.
HISTORY_TOUCHES: dict[str, str] = {
    "incidents_incidentevent": "SELECT pgh_obj_id FROM {t}",
    "incidents_claimevent": "SELECT incident_id FROM {t}",
    "incidents_citationevent": "SELECT c.incident_id FROM {t} AS t JOIN public.incidents_claim c ON c.id = t.claim_id",
}


def _as_array(sql: str, rows: str, schema: str) -> str:
    sql = sql.format(t=rows, rm=schema)
    return sql if sql.startswith("'") else f"ARRAY({sql})"


def trigger_sql(schema: str) -> str:
    """Statement triggers handing every write on the editorial tables to the refresh, and a
    TRUNCATE of one emptying the read model (as the test runner's flush does)."""
    statements = []
    for table, touches in [*TOUCHES.items(), *HISTORY_TOUCHES.items()]:
        function = f"{schema}.on_{table}"
        refresh = f"{schema}.refresh_history" if table in HISTORY_TOUCHES else f"{schema}.refresh"

        def call(
            *rows: str, touches: tuple[str, ...] | str = touches, refresh: str = refresh, table: str = table
        ) -> str:
            touches = (touches,) if isinstance(touches, str) else touches
            sets = [" || ".join(_as_array(sql, r, schema) for r in rows) for sql in touches]
            if refresh.endswith(".refresh"):
                # The parts: of the incidents the statement touched, or of those whose status an
                # UPDATE of the incidents changed.
                changed = PARTS_ON_UPDATE.get(table) if len(rows) == 2 else None
                sets.append(f"ARRAY({changed})" if changed else sets[0])
            return f"PERFORM {refresh}({', '.join(sets)});"

        statements.append(f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $t$
BEGIN
  IF TG_OP = 'INSERT' THEN {call("new_rows")}
  ELSIF TG_OP = 'DELETE' THEN {call("old_rows")}
  ELSE {call("new_rows", "old_rows")}
  END IF;
  RETURN NULL;
END $t$;
DROP TRIGGER IF EXISTS readmodel_insert ON public.{table};
DROP TRIGGER IF EXISTS readmodel_update ON public.{table};
DROP TRIGGER IF EXISTS readmodel_delete ON public.{table};
DROP TRIGGER IF EXISTS readmodel_truncate ON public.{table};
CREATE TRIGGER readmodel_insert AFTER INSERT ON public.{table} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER readmodel_update AFTER UPDATE ON public.{table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER readmodel_delete AFTER DELETE ON public.{table} REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER readmodel_truncate AFTER TRUNCATE ON public.{table}
  FOR EACH STATEMENT EXECUTE FUNCTION {schema}.emptied();""")
    return "\n".join(statements)


def _all_tables(schema: str) -> list[str]:
    return [f"{schema}.{mirror.table}" for mirror in mirrors()] + [f"{schema}.{t.name}" for t in ready_tables()]


# Columns only the editors look rows up by: the copies keep no index on them.
EDITORS_COLUMNS = (
    "revision_of_id", "revises_id", "import_key", "pgh_context_id", "created_by_id", "last_edited_by_id",
    "reviewed_by_id", "published_by_id", "disclosure_requested_by_id",
)  # fmt: skip
# The public change log finds history by these alone.
HISTORY_KEYS = ("pgh_obj_id", "incident_id", "claim_id")


def _unread_indexes_dropped(schema: str) -> str:
    """Drop the copied indexes the public never reads by, which would only slow every refresh."""
    editors = ", ".join(sql_literal(c) for c in EDITORS_COLUMNS)
    history = ", ".join(sql_literal(c) for c in HISTORY_KEYS)
    return f"""
DO $drop$ DECLARE index regclass; BEGIN
  FOR index IN
    SELECT i.indexrelid::regclass FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = {sql_literal(schema)} AND NOT i.indisprimary AND (
      EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
              AND a.attname IN ({editors}))
      OR t.relname LIKE '%event' AND NOT EXISTS (
        SELECT FROM pg_attribute a
        WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0] AND a.attname IN ({history})))
  LOOP
    EXECUTE format('DROP INDEX %s', index);
  END LOOP;
END $drop$;"""


def schema_sql(schema: str, columns: dict[str, list[str]]) -> str:
    """The read model's tables and views in ``schema`` (dropped and made anew), its functions."""
    statements = [f"DROP SCHEMA IF EXISTS {schema} CASCADE;", f"CREATE SCHEMA {schema};"]
    for mirror in mirrors():
        statements.append(f"CREATE TABLE {schema}.{mirror.table} (LIKE public.{mirror.table} INCLUDING INDEXES);")
    statements.append(_unread_indexes_dropped(schema))
    for table in ready_tables():
        statements.append(
            f"CREATE TABLE {schema}.{table.name} AS {table.select('SELECT NULL::bigint WHERE false')} WITH NO DATA;"
        )
        statements.append(f"ALTER TABLE {schema}.{table.name} ADD PRIMARY KEY (id);")
    for model in SHARED:
        statements.append(
            f"CREATE VIEW {schema}.{model._meta.db_table} AS SELECT * FROM public.{model._meta.db_table};"
        )
    for name in SHARED_TABLES:
        statements.append(f"CREATE VIEW {schema}.{name} AS SELECT * FROM public.{name};")
    statements.append(refresh_function(schema, columns))
    statements.append(
        f"CREATE FUNCTION {schema}.emptied() RETURNS trigger LANGUAGE plpgsql AS $e$ BEGIN "
        f"TRUNCATE {', '.join(_all_tables(schema))}; RETURN NULL; END $e$;"
    )
    return "\n".join(statements)


def grants_sql(schema: str) -> str:
    return f"""
GRANT USAGE ON SCHEMA {schema} TO {ROLE};
GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {ROLE};
-- The throttles' counters, when no Redis keeps them, are written by public requests.
DO $grant$ BEGIN
  IF to_regclass({sql_literal("public." + CACHE_TABLE)}) IS NOT NULL THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON public.{CACHE_TABLE} TO {ROLE};
  END IF;
END $grant$;"""


# The database cache's table (archive.settings, without Redis).
CACHE_TABLE = "archive_cache"


@dataclass
class Definition:
    """The columns of the read model's tables: the editorial tables' own, and those of the
    rows written ready (named by their SELECTs)."""

    columns: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def read(cls) -> Definition:
        with connection.cursor() as cursor:
            columns = {mirror.table: _columns(cursor, mirror.table) for mirror in mirrors()}
            for table in ready_tables():
                cursor.execute(f"SELECT * FROM ({table.select('SELECT NULL::bigint WHERE false')}) AS t LIMIT 0")
                columns[table.name] = [column.name for column in cursor.description]
        return cls(columns)

    def fingerprint(self) -> str:
        text = schema_sql(SCHEMA, self.columns) + trigger_sql(SCHEMA)
        return hashlib.sha256(text.encode()).hexdigest()


def _fill(cursor: CursorWrapper, schema: str) -> None:
    cursor.execute(
        f"SELECT {schema}.refresh("
        "ARRAY(SELECT id FROM public.incidents_incident), ARRAY(SELECT id FROM public.incidents_actor), "
        "ARRAY(SELECT id FROM public.incidents_source), ARRAY(SELECT id FROM public.incidents_person), "
        "ARRAY(SELECT id FROM public.incidents_incident))"
    )


def rebuild() -> None:
    """Make the read model anew from the editorial tables, in one transaction."""
    definition = Definition.read()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(schema_sql(SCHEMA, definition.columns))
        cursor.execute(f"CREATE TABLE {SCHEMA}.definition (fingerprint text NOT NULL)")
        cursor.execute(f"INSERT INTO {SCHEMA}.definition VALUES (%s)", [definition.fingerprint()])
        cursor.execute(trigger_sql(SCHEMA))
        cursor.execute(grants_sql(SCHEMA))
        _fill(cursor, SCHEMA)
        cursor.execute(f"ANALYZE {', '.join(_all_tables(SCHEMA))}")


def ensure(**_: object) -> None:
    """After migrations: rebuild the read model if the editorial tables or its definition changed."""
    definition = Definition.read()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{SCHEMA}.definition"])
        current = None
        if cursor.fetchone()[0] is not None:
            cursor.execute(f"SELECT fingerprint FROM {SCHEMA}.definition")
            current = cursor.fetchone()[0]
    if current != definition.fingerprint():
        rebuild()


def differences() -> list[str]:
    """Where the read model differs from one built now from the editorial tables (empty: none)."""
    check = f"{SCHEMA}_check"
    definition = Definition.read()
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(schema_sql(check, definition.columns))
        _fill(cursor, check)
        for table in [mirror.table for mirror in mirrors()] + [t.name for t in ready_tables()]:
            for a, b, what in ((SCHEMA, check, "not expected"), (check, SCHEMA, "missing")):
                cursor.execute(f"SELECT count(*) FROM (TABLE {a}.{table} EXCEPT ALL TABLE {b}.{table}) AS d")
                count = cursor.fetchone()[0]
                if count:
                    found.append(f"{table}: {count} row(s) {what}")
        cursor.execute(f"DROP SCHEMA {check} CASCADE")
    return found


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """For a bulk load: the read model is dropped with its triggers and built anew once the block
    succeeds. In between, and after a failure, public reads fail rather than show stale rows;
    ``migrate`` (``ensure``) or ``rebuild_read_model`` builds it again."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    yield
    rebuild()


def refresh_incidents(ids: list[int], parts: list[int] | None = None) -> None:
    """Bring the read model up to date for ``ids`` now (the triggers do this on every write),
    and for the parts of ``parts`` (by default of all of them): what a trigger on the incidents
    passes after an edit that changed no status is ``parts=[]``."""
    parts = list(ids) if parts is None else list(parts)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {SCHEMA}.refresh(%s::bigint[], '{{}}', '{{}}', '{{}}', %s::bigint[])", [list(ids), parts]
        )


# --- Reading it -------------------------------------------------------------------------------------


@contextlib.contextmanager
def public_reads(alias: str = "default") -> Iterator[None]:
    """Queries inside read the read model as the reader role, on ``alias`` (the primary, or a
    replica whose connection always does)."""
    conn = connections[alias]
    # The primary's connection switches for the request and back. Sent on the driver's own
    # connection: settings of the connection, not the page's queries (which tests count).
    switch = alias == "default"
    if switch:
        conn.ensure_connection()
        conn.connection.execute(PUBLIC_SETTINGS)
    try:
        with reading_from(alias):
            yield
    finally:
        if switch and not conn.needs_rollback and conn.connection is not None:
            conn.connection.execute(RESET_SETTINGS)


class PublicReadsMiddleware:
    """Every request outside the admin reads the read model (see ``public_reads``)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path.startswith((*EDITORIAL_PATHS, *NO_DATABASE_PATHS)):
            return self.get_response(request)
        refused = identify_first(request)
        if refused is not None:
            return refused
        alias = choose(request)
        with public_reads(alias):
            return self.get_response(request)


def identify_first(request: HttpRequest) -> HttpResponseBase | None:
    """Who is asking, settled before the request reads as the reader role, which may not read
    sessions or accounts: a signed-in user's session, and credentials sent to the API (checked
    by its authenticators, failures counted towards the lockout, the result handed to the view).
    Returns the API's refusal of credentials it does not accept."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        _ = request.user.is_authenticated
    if "HTTP_AUTHORIZATION" not in request.META:
        return None
    authenticators = [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    api_request = Request(request, authenticators=authenticators)
    try:
        request._force_auth_user, request._force_auth_token = api_request.user, api_request.auth
    except (AuthenticationFailed, NotAuthenticated) as refused:
        # As the API answers it: 401 with the first authenticator's challenge, else 403.
        header = authenticators[0].authenticate_header(api_request) if authenticators else None
        response = JsonResponse({"detail": str(refused.detail)}, status=401 if header else 403)
        if header:
            response["WWW-Authenticate"] = header
        return response
    return None


EDITORIAL_PATHS = ("/admin/",)
# Served from installed files, with no query: no connection is opened for them.
NO_DATABASE_PATHS = ("/basemap/",)
