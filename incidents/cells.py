"""How an exported cell is written in SQL: text that spreadsheets will not run as a formula,
choice labels, dates and times, and what the public may read of a confidential source, of its
citations and of a confidential person (the SQL twins of ``Source.public_label``,
``Source.WITHHELD_FIELDS``, ``Citation.WITHHELD_FIELDS`` and ``Person.public_name``).

The column spec (``incidents.columns``) writes its columns with these.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils import translation

from incidents.models import Citation, Person, Source, SourceKind
from incidents.sql import sql_literal

# A cell is neutralised (a single quote is put in front of the offending line) when it starts
# with = + - @ tab CR or LF, or when any later line (after CR or LF) starts with = + - @ or tab;
# spaces and tabs before the character do not hide it. Empty lines are left alone.
FORMULA_PATTERN = r"(^(?=[[:blank:]]*[-=+@\t\r\n])|(?<=[\r\n])(?=[[:blank:]]*[-=+@\t]))"
# Matches a row's string cells joined with a line feed before each one whenever FORMULA_PATTERN
# could match one of them (a superset: a blank line also trips it, and the cells are then checked).
ROW_GUARD_PATTERN = r"[\r\n][[:blank:]]*[-=+@\t\r\n]"


def safe_text(expression: str) -> str:
    """``expression`` as text that spreadsheet programs will not run as a formula."""
    return f"regexp_replace(({expression})::text, {sql_literal(FORMULA_PATTERN)}, '''', 'g')"


def choice_label(expression: str, choices: type[TextChoices]) -> str:
    """SQL for the human label of a choice value, so CSVs need no lookup table. In English,
    whatever the language of the request: a file's labels don't depend on who asked."""
    with translation.override("en"):
        labels = [(value, str(label)) for value, label in choices.choices]
    whens = " ".join(f"WHEN {sql_literal(value)} THEN {sql_literal(label)}" for value, label in labels)
    return f"CASE {expression} {whens} ELSE {expression} END"


def utc_timestamp(expression: str) -> str:
    return f"""to_char(({expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""


def iso_date(expression: str) -> str:
    return f"to_char({expression}, 'YYYY-MM-DD')"


def source_public_label(alias: str) -> str:
    """SQL twin of ``Source.public_label``: confidential sources show only their kind."""
    parts = ", ".join(f"nullif({alias}.{field}, '')" for field in Source.LABEL_FIELDS)
    editors_label = f"nullif(concat_ws(' — ', {parts}), '')"
    kind = choice_label(f"{alias}.kind", SourceKind)
    return (
        f"CASE WHEN {alias}.confidential THEN ({kind}) || {sql_literal(', ' + Source.WITHHELD)} "
        f"ELSE coalesce({editors_label}, {kind}) END"
    )


# How the public names a confidential person: never the name (``Person.public_name``).
PERSON_WITHHELD = Person(confidential=True).public_name


def person_public_name(alias: str) -> str:
    """SQL twin of ``Person.public_name``: a confidential person is only someone whose identity is withheld."""
    return f"CASE WHEN {alias}.confidential THEN {sql_literal(PERSON_WITHHELD)} ELSE {alias}.name END"


def person_public_slug(alias: str) -> str:
    """A person's slug (their page's address), NULL for a confidential one: it would name them too."""
    return unless_confidential(alias, f"{alias}.slug")


def unless_confidential(alias: str, expression: str) -> str:
    return f"CASE WHEN {alias}.confidential THEN NULL ELSE {expression} END"


def public_source_field(alias: str, field: str, expression: str = "") -> str:
    """SQL for a source's ``field`` (or ``expression`` made from it) as the public may read it:
    NULL for a confidential source when ``Source.WITHHELD_FIELDS`` names the field."""
    expression = expression or f"{alias}.{field}"
    return unless_confidential(alias, expression) if field in Source.WITHHELD_FIELDS else expression


def public_citation_field(alias: str, source: str, field: str, expression: str = "") -> str:
    """SQL for a citation's ``field`` as the public may read it: NULL when the citation's source
    (``source``) is confidential and ``Citation.WITHHELD_FIELDS`` names the field."""
    expression = expression or f"{alias}.{field}"
    return unless_confidential(source, expression) if field in Citation.WITHHELD_FIELDS else expression
