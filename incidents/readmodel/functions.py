"""The PL/pgSQL that keeps the read model current: ``refresh_function`` (the refresh, set-wise,
writing only the rows that changed and the exported rows those changes reach) and
``trigger_sql`` (the statement triggers that hand it every write on the editorial tables)."""

from __future__ import annotations

from incidents import models as m
from incidents.readmodel.definition import (
    ACTORS,
    CHANGED,
    CITATIONS,
    CLAIMS,
    EVENTS,
    INCIDENTS,
    PARTS,
    PERSONS,
    ROWS,
    SOURCES,
    Mirror,
    members,
    mirrors,
    ready_tables,
)
from incidents.sql import compile_literal, quote_name, sql_literal


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


def _replace(schema: str, mirror: Mirror, columns: list[str], among: str | None = None) -> str:
    """Statements bringing ``mirror``'s affected rows in ``schema`` in line with the public ones:
    those no longer public go, those new or changed are written (a link or claim that moved
    is updated where it is). With ``among`` (a set of the table's own ids, as a history
    table's trigger hands them), only those rows are looked at."""
    target = f"{schema}.{mirror.table}"
    pk = mirror.model._meta.pk.column
    public = mirror.public()
    # One statement per condition, each an index lookup.
    replaced = mirror.replaced.split(" OR ")
    if among:
        public = public.filter(pk__in=members(among))
        replaced = [f"o.{quote_name(pk)} = ANY({among})"]
    ids = compile_literal(public.order_by().values("pk"))
    select = (
        f"SELECT {_select_list(columns, mirror.withheld())} FROM public.{mirror.table} "
        f"WHERE {quote_name(pk)} = ANY({ROWS})"
    )
    gone = [_delete(target, c, quote_name(pk), mirror.marks) for c in replaced]
    write = _write(target, pk, columns, select, mirror.marks)
    return "\n".join([f"{ROWS} := ARRAY({ids});", *gone, write])


def _expand(schema: str) -> str:
    """PL/pgSQL: from the rows a statement touched to the incidents, claims and citations whose
    copies are looked at again."""
    rm = schema
    return f"""
  -- An actor, source or person changed reaches the exported rows and items naming it through
  -- what the copies' writes changed (``_reach``), not through the incidents' own rows.
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
    return f"""
{"".join(_history_function(schema, name, mode, columns) for name, mode in _PLANS.items())}
{_dispatch(schema, "refresh_history", f"v_table text, {PARTS} bigint[], {EVENTS} bigint[]", EVENTS)}
{"".join(_refresh_function(schema, name, mode, replace, ready) for name, mode in _PLANS.items())}
{_dispatch(schema, "refresh", _SETS, f"{INCIDENTS} || {ACTORS} || {SOURCES} || {PERSONS}")}
"""


_SETS = f"{INCIDENTS} bigint[], {ACTORS} bigint[], {SOURCES} bigint[], {PERSONS} bigint[], {PARTS} bigint[]"


def _dispatch(schema: str, name: str, parameters: str, rows: str) -> str:
    """``<schema>.<name>``, calling ``<name>_rows`` for fewer than ``FEW_ROWS`` rows, else ``<name>_set``."""
    arguments = ", ".join(parameter.split()[0] for parameter in parameters.split(", "))
    return f"""
CREATE OR REPLACE FUNCTION {schema}.{name}({parameters}) RETURNS void LANGUAGE plpgsql AS $dispatch$
BEGIN
  IF cardinality({rows}) < {FEW_ROWS} THEN
    PERFORM {schema}.{name}_rows({arguments});
  ELSE
    PERFORM {schema}.{name}_set({arguments});
  END IF;
END
$dispatch$;"""


def _history_function(schema: str, name: str, plan_cache_mode: str, columns: dict[str, list[str]]) -> str:
    """``<schema>.refresh_history_rows`` or ``_set`` (``name``): the copies of the rows
    ``EVENTS`` of the history table ``v_table``, whose incidents are ``PARTS``."""
    branches = "\n  ELS".join(
        f"IF v_table = {sql_literal(mirror.table)} THEN\n"
        + _replace(schema, mirror, columns[mirror.table], among=EVENTS)
        for mirror in mirrors()
        if mirror.history
    )
    options = f" {SET_OPTIONS}" if name.endswith("_set") else ""
    return f"""
CREATE OR REPLACE FUNCTION {schema}.{name.replace("refresh", "refresh_history")}(
  v_table text, {PARTS} bigint[], {EVENTS} bigint[]
) RETURNS void LANGUAGE plpgsql SET search_path = public SET plan_cache_mode = {plan_cache_mode}{options}
AS $history$
DECLARE
  {ROWS} bigint[];
BEGIN
  {branches}
  END IF;
END
$history$;
"""


# A refresh of a few rows (an editor's, a reviewer's) runs plans made once per connection: planning
# its hundred statements anew each time would cost more than running them. A refresh of many
# (an import, a bulk action, a rebuild) plans each statement for the rows at hand.
_PLANS = {"refresh_rows": "force_generic_plan", "refresh_set": "force_custom_plan"}
# A refresh of many rows sorts and hashes hundreds of thousands of them: in memory, not in
# temporary files. One backend at a time runs such a refresh (an import, a bulk action).
# Without JIT: in a refresh of 100,000 incidents at a million, compiling the exported rows'
# SELECT (141 functions) took 1.9 s, more than it saved in running it.
SET_OPTIONS = f"SET work_mem = {sql_literal('256MB')} SET jit = off"
FEW_ROWS = 500


def _refresh_function(schema: str, name: str, plan_cache_mode: str, replace: str, ready: list[str]) -> str:
    rm = schema
    options = f" {SET_OPTIONS}" if name.endswith("_set") else ""
    return f"""
CREATE OR REPLACE FUNCTION {rm}.{name}({_SETS}) RETURNS void
LANGUAGE plpgsql SET search_path = public SET plan_cache_mode = {plan_cache_mode}{options} AS $refresh$
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
# A statement on a history table (pghistory's, an import's, an erasure's) refreshes the copies of
# the rows it wrote or deleted, by their incidents.
HISTORY_TOUCHES: dict[str, str] = {
    "incidents_incidentevent": "SELECT pgh_obj_id FROM {t}",
    "incidents_claimevent": "SELECT incident_id FROM {t}",
    "incidents_citationevent": "SELECT c.incident_id FROM {t} AS t JOIN public.incidents_claim c ON c.id = t.claim_id",
}


def _as_array(sql: str, rows: str, schema: str) -> str:
    sql = sql.format(t=rows, rm=schema)
    return sql if sql.startswith("'") else f"ARRAY({sql})"


def _call(table: str, schema: str, *rows: str) -> str:
    """The refresh a statement on ``table`` calls, over its transition tables ``rows``."""
    if table in HISTORY_TOUCHES:
        incidents = " || ".join(_as_array(HISTORY_TOUCHES[table], r, schema) for r in rows)
        events = " || ".join(f"ARRAY(SELECT pgh_id FROM {r})" for r in rows)
        return f"PERFORM {schema}.refresh_history({sql_literal(table)}, {incidents}, {events});"
    sets = [" || ".join(_as_array(sql, r, schema) for r in rows) for sql in TOUCHES[table]]
    # The parts: of the incidents the statement touched, or of those whose status an UPDATE of
    # the incidents changed.
    changed = PARTS_ON_UPDATE.get(table) if len(rows) == 2 else None
    sets.append(f"ARRAY({changed})" if changed else sets[0])
    return f"PERFORM {schema}.refresh({', '.join(sets)});"


def trigger_sql(schema: str) -> str:
    """Statement triggers handing every write on the editorial tables to the refresh, and a
    TRUNCATE of one emptying the read model (as the test runner's flush does)."""
    statements = []
    for table in [*TOUCHES, *HISTORY_TOUCHES]:
        function = f"{schema}.on_{table}"
        statements.append(f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $t$
BEGIN
  IF TG_OP = 'INSERT' THEN {_call(table, schema, "new_rows")}
  ELSIF TG_OP = 'DELETE' THEN {_call(table, schema, "old_rows")}
  ELSE {_call(table, schema, "new_rows", "old_rows")}
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
