"""The one declarative spec of the columns that the archive exports and imports.

Each table lists its columns once: name, SQL expression, Frictionless type and a
description, and where other parts of the archive use a column, how import files carry it,
whether the public change log reports changes to it, and where the API shows it. The spec
feeds the streamed CSV export (``incidents.export``), the data dictionary on ``/data/``,
the ``datapackage.json`` of a release, the import files' columns and their parsers
(``incidents.imports``), the fields of the public change log (``incidents.changelog``) and
the incident fields of the API (``incidents.serializers``). Adding a column is one entry
here plus the model field and its migration; a column that imports read is also written by
the set-based import's INSERT (``incidents.imports.inserts``, which a test holds to the spec).

Column order here is the CSV's column order. An import file's columns, and the admin's
export's, are the ones with a widget, in that order, then the table's ``import_only`` ones.
Lists of model fields taken from the spec (the API's, the change log's) follow the model's
field order. A column named like a model field (or like its ``_id`` column) shows that field.

The SQL is written against fixed aliases: the exported row (``i`` incident, ``c`` claim,
``ct`` citation, ``a`` actor, ``s`` source) and the joins named in each table's ``joins``.
Every text column goes through ``safe_text()``, so formula-injection safety is decided in
SQL, in one place, for every export path. What a table and a column are is in
``incidents.tables``; how a cell is written, and what the public may read of a confidential
source or person, in ``incidents.cells``.
"""

from __future__ import annotations

from django.conf import settings
from import_export.widgets import BooleanWidget, DateTimeWidget, Widget

from incidents.cells import (
    PERSON_WITHHELD,
    iso_date,
    person_public_name,
    person_public_slug,
    public_citation_field,
    public_source_field,
    source_public_label,
    utc_timestamp,
)
from incidents.imports.vocabulary import ACTOR_KIND, Choice, Coordinate, Count, Country, Date, Tags, Text, Time
from incidents.models import (
    Actor,
    Attribution,
    Citation,
    Claim,
    ClaimKind,
    DatePrecision,
    GeoPrecision,
    Grading,
    Incident,
    LossesOf,
    Movement,
    Role,
    Side,
    Source,
    SourceKind,
    Stance,
    TimePrecision,
    Verification,
)
from incidents.sql import sql_literal
from incidents.tables import ChangeLog, Column, Table, import_only, revised, text


def _actors_on(side: str, roles: tuple[str, ...]) -> str:
    role_list = ", ".join(sql_literal(role) for role in roles)
    return f"ia.side = {sql_literal(side)} AND ia.role IN ({role_list})"


_PRIMARY = (Role.PRIMARY.value,)
_ASSOCIATED = (Role.ASSOCIATED.value,)
_SUPPORTING = (Role.SUPPORTING.value,)

# Set-based aggregates over the selected incidents (hash or merge joins, not a lookup per row).
# Each aggregates rows sorted once in a subquery, in the order the cells list them: PostgreSQL
# aggregates in input order, and an ORDER BY inside each aggregate would sort every group again.
_INCIDENT_JOINS = f"""JOIN incidents_eventtype AS et ON et.id = i.event_type_id
JOIN incidents_subeventtype AS st ON st.id = i.sub_event_type_id
LEFT JOIN (
  SELECT
    ia.incident_id,
    string_agg(ia.name, '; ') FILTER (WHERE {_actors_on(Side.A, _PRIMARY)}) AS actor1,
    string_agg(ia.kind, '; ') FILTER (WHERE {_actors_on(Side.A, _PRIMARY)}) AS actor1_kind,
    string_agg(ia.name, '; ') FILTER (WHERE {_actors_on(Side.A, _ASSOCIATED)}) AS assoc_actor_1,
    string_agg(ia.name, '; ') FILTER (WHERE {_actors_on(Side.A, _SUPPORTING)}) AS supporting_actor_1,
    string_agg(ia.name, '; ') FILTER (WHERE {_actors_on(Side.B, _PRIMARY)}) AS actor2,
    string_agg(ia.kind, '; ') FILTER (WHERE {_actors_on(Side.B, _PRIMARY)}) AS actor2_kind,
    string_agg(ia.name, '; ') FILTER (WHERE {_actors_on(Side.B, _ASSOCIATED)}) AS assoc_actor_2,
    string_agg(ia.name, '; ') FILTER (WHERE {_actors_on(Side.B, _SUPPORTING)}) AS supporting_actor_2
  FROM (
    SELECT link.incident_id, link.side, link.role, a.name, a.kind
    FROM incidents_incidentactor AS link JOIN incidents_actor AS a ON a.id = link.actor_id
    WHERE link.incident_id IN (SELECT id FROM selected)
    ORDER BY link.incident_id, a.name, a.id
  ) AS ia
  GROUP BY ia.incident_id
) AS actors ON actors.incident_id = i.id
LEFT JOIN (
  SELECT labels.incident_id, string_agg(labels.label, '; ') AS names, count(*) AS total
  FROM (
    SELECT cited.incident_id, {source_public_label("s")} AS label
    FROM (
      SELECT incident_id, source_id FROM incidents_incidentsource WHERE incident_id IN (SELECT id FROM selected)
      UNION
      SELECT claim.incident_id, citation.source_id
      FROM incidents_citation AS citation JOIN incidents_claim AS claim ON claim.id = citation.claim_id
      WHERE claim.incident_id IN (SELECT id FROM selected)
    ) AS cited JOIN incidents_source AS s ON s.id = cited.source_id
    ORDER BY cited.incident_id, label
  ) AS labels
  GROUP BY labels.incident_id
) AS sources ON sources.incident_id = i.id
LEFT JOIN (
  SELECT incident_id, count(*) AS total FROM incidents_claim
  WHERE incident_id IN (SELECT id FROM selected)
  GROUP BY incident_id
) AS claims ON claims.incident_id = i.id"""


def _estimate_columns(prefix: str, what: str, label: str) -> tuple[Column, ...]:
    """The low, best and high columns of one of the incident's estimates (``ESTIMATE_PREFIXES``)."""
    bounds = (
        ("low", "Lowest credible", "low"),
        ("best", "Best estimate of", "best"),
        ("high", "Highest credible", "high"),
    )
    return tuple(
        Column(
            f"{prefix}_{bound}",
            f"i.{prefix}_{bound}",
            "integer",
            f"{meaning} {what}.",
            changelog=ChangeLog(f"{label} ({short})"),
            api="list",
        )
        for bound, meaning, short in bounds
    )


def _incident_url(alias: str) -> str:
    base = settings.ARCHIVE_BASE_URL.rstrip("/")
    return f"{sql_literal(base + '/incidents/')} || {alias}.id || '/'"


INCIDENTS = Table(
    name="incidents",
    title="Incidents",
    description="Published incidents, one row each, with ACLED-like columns and UCDP-style estimates.",
    alias="i",
    model=Incident,
    joins=_INCIDENT_JOINS,
    columns=(
        Column(
            "id",
            "i.id",
            "integer",
            "Stable public identifier of the incident; never reused.",
            widget=Widget(),
            readonly=True,
            api="list",
        ),
        text("url", _incident_url("i"), "The incident's public page."),
        text(
            "title",
            "i.title",
            "Short, neutral title.",
            widget=Text(300, required=True),
            changelog=ChangeLog("Title"),
            api="list",
        ),
        Column(
            "start_date",
            iso_date("i.start_date"),
            "date",
            "First day of the incident (or of the period).",
            widget=Date(required=True),
            changelog=ChangeLog("Start date"),
            api="list",
        ),
        Column(
            "end_date",
            iso_date("i.end_date"),
            "date",
            "Last day; equal to start_date for a one-day incident.",
            widget=Date(),
            changelog=ChangeLog("End date"),
            api="list",
        ),
        Column("year", "extract(year FROM i.start_date)::int", "integer", "Year of start_date."),
        text(
            "date_precision",
            "i.date_precision",
            "How precisely the date is known: day, week, month or year.",
            widget=Choice(DatePrecision.choices, default=DatePrecision.DAY),
            changelog=ChangeLog("Date precision"),
            api="list",
        ),
        Column(
            "time_of_day",
            "to_char(i.time_of_day, 'HH24:MI:SS')",
            "time",
            "Local time it began, if reported.",
            widget=Time(),
            changelog=ChangeLog("Time of day"),
            api="detail",
        ),
        text(
            "time_precision",
            "i.time_precision",
            "How the time was reported: exact or around (a clock time in time_of_day), or a part of the day "
            "(dawn, early_morning, morning, midday, afternoon, evening, night); empty when not reported.",
            widget=Choice(TimePrecision.choices, default=TimePrecision.NONE),
            changelog=ChangeLog("Time precision"),
            api="list",
        ),
        text("event_type", "et.name", "ACLED event type.", widget=Text(), changelog=revised("Event type"), api="list"),
        text(
            "sub_event_type",
            "st.name",
            "ACLED sub-event type.",
            widget=Text(required=True),
            changelog=revised("Sub-event type"),
            api="list",
        ),
        text("actor1", "actors.actor1", "Primary actor(s) on side A, '; '-separated (ACLED actor1).", widget=Text()),
        text(
            "actor1_kind",
            "actors.actor1_kind",
            "ACLED actor category of each actor1, in the same order (e.g. state_forces).",
            widget=ACTOR_KIND,
        ),
        text(
            "assoc_actor_1", "actors.assoc_actor_1", "Associated actors on side A (ACLED assoc_actor_1).", widget=Text()
        ),
        text("supporting_actor_1", "actors.supporting_actor_1", "Supporting forces on side A.", widget=Text()),
        text("actor2", "actors.actor2", "Primary actor(s) on side B (ACLED actor2).", widget=Text()),
        text(
            "actor2_kind",
            "actors.actor2_kind",
            "ACLED actor category of each actor2, in the same order.",
            widget=ACTOR_KIND,
        ),
        text(
            "assoc_actor_2", "actors.assoc_actor_2", "Associated actors on side B (ACLED assoc_actor_2).", widget=Text()
        ),
        text("supporting_actor_2", "actors.supporting_actor_2", "Supporting forces on side B.", widget=Text()),
        text(
            "country",
            "i.country",
            "ISO 3166-1 alpha-2 country code.",
            widget=Country(),
            changelog=ChangeLog("Country"),
            api="list",
        ),
        text(
            "admin1",
            "i.admin1",
            "First-order administrative area (region).",
            widget=Text(100),
            changelog=ChangeLog("Region"),
            api="list",
        ),
        text(
            "admin2",
            "i.admin2",
            "Second-order administrative area.",
            widget=Text(100),
            changelog=ChangeLog("District"),
            api="list",
        ),
        text(
            "location", "i.location", "Named place or road.", widget=Text(200), changelog=ChangeLog("Place"), api="list"
        ),
        Column(
            "latitude",
            "i.latitude",
            "number",
            "WGS 84 latitude in decimal degrees.",
            widget=Coordinate(90),
            changelog=ChangeLog("Latitude"),
            api="list",
        ),
        Column(
            "longitude",
            "i.longitude",
            "number",
            "WGS 84 longitude in decimal degrees.",
            widget=Coordinate(180),
            changelog=ChangeLog("Longitude"),
            api="list",
        ),
        text(
            "geo_precision",
            "i.geo_precision",
            "How precisely the coordinates locate the incident.",
            widget=Choice(GeoPrecision.choices, default=GeoPrecision.ADMIN1),
            changelog=ChangeLog("Location precision"),
            api="list",
        ),
        Column(
            "fatalities_low",
            "i.fatalities_low",
            "integer",
            "Lowest credible total of deaths.",
            widget=Count(),
            changelog=ChangeLog("Fatalities (low)"),
            api="list",
        ),
        Column(
            "fatalities_best",
            "i.fatalities_best",
            "integer",
            "The archive's best estimate of deaths.",
            widget=Count(),
            changelog=ChangeLog("Fatalities (best)"),
            api="list",
        ),
        Column(
            "fatalities_high",
            "i.fatalities_high",
            "integer",
            "Highest credible total of deaths.",
            widget=Count(),
            changelog=ChangeLog("Fatalities (high)"),
            api="list",
        ),
        Column(
            "fatalities_high_open",
            "i.fatalities_high_open::text",
            "boolean",
            "Whether the highest figure is open-ended: a claim gives only a lower figure ('more than 50').",
            changelog=ChangeLog("Open-ended highest figure"),
            api="list",
        ),
        *_estimate_columns("deaths_a", "deaths on side A", "Deaths on side A"),
        *_estimate_columns("deaths_b", "deaths on side B", "Deaths on side B"),
        *_estimate_columns("deaths_civilians", "civilian deaths", "Civilian deaths"),
        *_estimate_columns(
            "deaths_unknown", "deaths on no known side (or on several at once)", "Deaths on no known side"
        ),
        *_estimate_columns("injuries", "injured", "Injuries"),
        Column(
            "estimate_stale",
            "i.estimate_stale::text",
            "boolean",
            "Whether claims about deaths or injuries changed after the estimate was accepted or overridden; "
            "the editors have yet to review it again.",
            api="list",
        ),
        text(
            "fatalities_method",
            "i.fatalities_method",
            "proposal (archive's reconciliation) or override.",
            changelog=ChangeLog("Estimate method"),
            api="detail",
        ),
        text(
            "fatalities_rationale",
            "i.fatalities_rationale",
            "The editors' public explanation of the estimate.",
            widget=Text(),
            changelog=revised("Estimate rationale"),
            api="detail",
        ),
        Column(
            "contested",
            "i.contested::text",
            "boolean",
            "Whether credible claims about the losses disagree.",
            widget=BooleanWidget(),
            readonly=True,
            changelog=ChangeLog("Contested"),
            api="list",
        ),
        text(
            "grading",
            "i.grading",
            "Strength of the evidence: confirmed, fair, weak, contested or discounted.",
            widget=Choice(Grading.choices, default=Grading.WEAK),
            changelog=ChangeLog("Evidence grading"),
            api="list",
        ),
        text("source_names", "sources.names", "Public names of the cited sources, '; '-separated.", widget=Text()),
        Column("source_count", "coalesce(sources.total, 0)", "integer", "Number of distinct sources cited."),
        Column("claim_count", "coalesce(claims.total, 0)", "integer", "Number of attributed claims."),
        text(
            "summary",
            "i.summary",
            "Neutral public summary (ACLED notes).",
            widget=Text(),
            changelog=revised("Summary"),
            api="detail",
        ),
        text(
            "tags",
            "array_to_string(i.tags, ';')",
            "Tags, ';'-separated.",
            widget=Tags(),
            changelog=ChangeLog("Tags"),
            api="list",
        ),
        Column(
            "published_at",
            utc_timestamp("i.published_at"),
            "datetime",
            "When it was first published (UTC).",
            api="list",
        ),
        Column(
            "updated_at",
            utc_timestamp("i.updated_at"),
            "datetime",
            "When it last changed (UTC).",
            widget=DateTimeWidget(),
            readonly=True,
            api="list",
        ),
    ),
    import_only=(
        import_only("status", "string", "Workflow status.", widget=Widget(), readonly=True),
        import_only(
            "import_key",
            "string",
            "The file's own identifier of the row; an incident imported with it is never imported again.",
            widget=Text(100),
        ),
        import_only("created_at", "datetime", "When it was created.", widget=DateTimeWidget(), readonly=True),
    ),
)

CLAIMS = Table(
    name="claims",
    title="Claims",
    description="Attributed statements about published incidents: who said what, where, and how sure we are. "
    "The reports that carry each claim, with their quotations, are in citations.csv.",
    alias="c",
    model=Claim,
    narrow_when_filtered=True,
    joins="""LEFT JOIN incidents_actor AS claimant ON claimant.id = c.claimant_id
LEFT JOIN incidents_person AS speaker ON speaker.id = c.speaker_id
LEFT JOIN incidents_actor AS losses ON losses.id = c.losses_actor_id
LEFT JOIN incidents_actor AS responsible ON responsible.id = c.responsible_actor_id
LEFT JOIN LATERAL (SELECT count(*) AS total FROM incidents_citation WHERE claim_id = c.id) AS citations ON true""",
    columns=(
        Column("id", "c.id", "integer", "Identifier of the claim."),
        Column("incident_id", "c.incident_id", "integer", "The incident the claim is about."),
        text(
            "kind",
            "c.kind",
            "What the claim is about (fatalities, injuries, detained, materiel_destroyed, territory, "
            "responsibility, ...).",
            widget=Choice(ClaimKind.choices, required=True),
            changelog=ChangeLog("subject"),
        ),
        text(
            "losses_of",
            "c.losses_of",
            "Whose losses: actor, civilians, mixed (several groups, see losses_note) or unknown.",
            widget=Choice(LossesOf.choices, default=LossesOf.UNKNOWN),
            changelog=ChangeLog("whose losses"),
        ),
        text(
            "losses_actor",
            "losses.name",
            "The actor whose losses these are, when losses_of is actor.",
            widget=Text(),
            changelog=revised("whose losses"),
        ),
        text("losses_actor_slug", "losses.slug", "Slug of losses_actor."),
        text(
            "losses_note",
            "c.losses_note",
            "Who the losses are, in the claim's words; given when losses_of is mixed.",
            widget=Text(300),
            changelog=ChangeLog("who the losses are"),
        ),
        text(
            "claimant",
            "claimant.name",
            "The actor asserting the claim, when not the reporting outlet itself.",
            widget=Text(),
            changelog=revised("claimant"),
        ),
        text("claimant_slug", "claimant.slug", "Slug of the claimant."),
        text(
            "speaker",
            person_public_name("speaker"),
            f"The person who made the statement, if named ('{PERSON_WITHHELD}' if protected).",
            widget=Text(),
            changelog=revised("speaker"),
        ),
        text("speaker_slug", person_public_slug("speaker"), "Slug of the speaker; empty if protected."),
        Column(
            "quantity_low",
            "c.quantity_low",
            "integer",
            "Lowest number the wording allows.",
            widget=Count(),
            changelog=ChangeLog("lower figure"),
        ),
        Column(
            "quantity_high",
            "c.quantity_high",
            "integer",
            "Highest number; empty when open-ended.",
            widget=Count(),
            changelog=ChangeLog("upper figure"),
        ),
        text(
            "quantity_text",
            "c.quantity_text",
            "The verbatim wording of the quantity.",
            widget=Text(200),
            changelog=ChangeLog("wording"),
        ),
        Column(
            "part_of",
            "c.part_of_id",
            "integer",
            "The claim whose figure this one counts part of (a sub-count, never in conflict with its whole).",
            changelog=revised("part of"),
        ),
        text(
            "responsible_actor",
            "responsible.name",
            "For a responsibility claim: the actor held responsible.",
            widget=Text(),
            changelog=revised("actor held responsible"),
        ),
        text("responsible_actor_slug", "responsible.slug", "Slug of responsible_actor."),
        text(
            "attribution",
            "c.attribution",
            "How firmly a responsibility claim ties the act to responsible_actor: claimed, attributed, suspected "
            "or supposed.",
            widget=Choice(Attribution.choices, default=""),
            changelog=ChangeLog("attribution"),
        ),
        text(
            "movement",
            "c.movement",
            "For a territory claim, what the force did: took_control, withdrew, retreated_to or held.",
            widget=Choice(Movement.choices, default=""),
            changelog=ChangeLog("movement"),
        ),
        text("place", "c.place", "The place the claim names.", widget=Text(200), changelog=ChangeLog("place")),
        text(
            "stance",
            "c.stance",
            "assertion, denial, acknowledgement or declined (to comment).",
            widget=Choice(Stance.choices, default=Stance.ASSERTION),
            changelog=ChangeLog("stance"),
        ),
        text(
            "verification",
            "c.verification",
            "unverified, corroborated, disputed, confirmed or refuted.",
            widget=Choice(Verification.choices, default=Verification.UNVERIFIED),
            changelog=ChangeLog("verification"),
        ),
        text(
            "verification_note",
            "c.verification_note",
            "Public note on the verification.",
            widget=Text(),
            changelog=revised("verification note"),
        ),
        Column(
            "citation_count",
            "coalesce(citations.total, 0)",
            "integer",
            "Number of reports carrying the claim (rows of citations.csv); repetition, not corroboration.",
        ),
        Column("updated_at", utc_timestamp("c.updated_at"), "datetime", "When the claim last changed (UTC)."),
    ),
    # A claims file has a row per report carrying a claim (a citation): it names the claim's incident
    # and the report, a known source by id or URL or a new one described by the columns source_*.
    # Rows with the same claim_key on one incident are one claim; a row naming a claim adds a report to it.
    import_only=(
        import_only("incident", "integer", "The id of the incident the claim is about.", widget=Text()),
        import_only("incident_key", "string", "Else, the import_key of the incident.", widget=Text()),
        import_only(
            "claim_key",
            "string",
            "The file's own name for the claim: the rows with the same key on the same incident are one claim "
            "carried by several reports; the first of them gives the claim's columns.",
            widget=Text(100),
        ),
        import_only(
            "claim",
            "integer",
            "The id of a claim already in the archive that this row's report also carries (its claim columns "
            "are left empty).",
            widget=Text(),
        ),
        import_only("source", "integer", "The id of the source that reported the claim.", widget=Text()),
        import_only("source_kind", "string", "Kind of a new source.", widget=Choice(SourceKind.choices)),
        import_only("source_outlet", "string", "Outlet or publisher of a new source.", widget=Text(200)),
        import_only("source_title", "string", "Headline or title of a new source.", widget=Text(500)),
        import_only("source_author", "string", "Author or speaker of a new source.", widget=Text(200)),
        import_only("source_url", "string", "URL of the source (a known one, or a new one's).", widget=Text(1000)),
        import_only("source_published_on", "date", "Publication date of a new source.", widget=Date()),
        import_only("source_language", "string", "BCP 47 language tag of a new source.", widget=Text(16)),
        import_only("quote", "string", "The exact quotation, in the report's words.", widget=Text()),
        import_only("language", "string", "BCP 47 language tag of the quotation, e.g. 'fr', 'ar'.", widget=Text(16)),
        import_only("translation", "string", "The editors' English translation of the quotation.", widget=Text()),
        import_only(
            "published_on", "date", "When this report carried the claim (else source_published_on).", widget=Date()
        ),
    ),
)

CITATIONS = Table(
    name="citations",
    title="Citations",
    description="The reports carrying each claim of claims.csv: the source, its exact words, their language and "
    "the editors' translation. A claim relayed by several outlets has several citations and counts once; "
    f"protected sources show only their kind ({Source.WITHHELD}).",
    alias="ct",
    model=Citation,
    narrow_when_filtered=True,
    joins="""JOIN incidents_claim AS c ON c.id = ct.claim_id
JOIN incidents_source AS s ON s.id = ct.source_id
LEFT JOIN incidents_person AS speaker ON speaker.id = ct.speaker_id""",
    columns=(
        Column("id", "ct.id", "integer", "Identifier of the citation."),
        Column("claim_id", "ct.claim_id", "integer", "The claim the report carries."),
        Column("incident_id", "c.incident_id", "integer", "The incident the claim is about."),
        Column("source_id", "ct.source_id", "integer", "The source (row of sources.csv).", changelog=revised("report")),
        text("source_kind", "s.kind", "Kind of source."),
        text(
            "source_name",
            source_public_label("s"),
            f"Public name of the source ('..., {Source.WITHHELD}' if protected).",
        ),
        text(
            "source_outlet", public_source_field("s", "outlet", "nullif(s.outlet, '')"), "Outlet; empty if protected."
        ),
        text(
            "source_url", public_source_field("s", "url", "nullif(s.url, '')"), "URL of the source; empty if protected."
        ),
        text(
            "quote",
            "ct.quote",
            "The exact quotation, in the report's words and language.",
            changelog=revised("quotation"),
        ),
        text(
            "language",
            "ct.language",
            "BCP 47 language tag of the quotation.",
            changelog=ChangeLog("language"),
        ),
        text(
            "translation",
            "ct.translation",
            "The editors' English translation of the quotation.",
            changelog=revised("translation"),
        ),
        Column(
            "published_on",
            public_citation_field("ct", "s", "published_on", iso_date("ct.published_on")),
            "date",
            "When this report carried the claim; empty if the source is protected.",
            changelog=revised("date"),
        ),
        text(
            "speaker",
            person_public_name("speaker"),
            f"The person quoted in this report, if named ('{PERSON_WITHHELD}' if protected).",
            changelog=revised("speaker"),
        ),
        text("speaker_slug", person_public_slug("speaker"), "Slug of the speaker; empty if protected."),
        Column("updated_at", utc_timestamp("ct.updated_at"), "datetime", "When the citation last changed (UTC)."),
    ),
)

ACTORS = Table(
    name="actors",
    title="Actors",
    description="Actors involved in the published incidents, with their aliases.",
    alias="a",
    model=Actor,
    joins="""LEFT JOIN LATERAL (
  SELECT string_agg(CASE WHEN language = '' THEN name ELSE name || ' [' || language || ']' END, '; ' ORDER BY name)
    AS names
  FROM incidents_actoralias WHERE actor_id = a.id
) AS aliases ON true""",
    columns=(
        Column("id", "a.id", "integer", "Identifier of the actor."),
        text("slug", "a.slug", "Stable identifier used in URLs and filters (?actor=slug)."),
        text("name", "a.name", "Name the archive uses."),
        text("kind", "a.kind", "ACLED actor category."),
        text("country", "a.country", "ISO 3166-1 alpha-2 code of the home country; empty if transnational."),
        text("aliases", "aliases.names", "Other names, '; '-separated, with [language] tags."),
        text("description", "a.description", "Neutral public description."),
        Column("updated_at", utc_timestamp("a.updated_at"), "datetime", "When the actor last changed (UTC)."),
    ),
)

SOURCES = Table(
    name="sources",
    title="Sources",
    description="Sources cited by the published incidents; protected sources show only their kind "
    f"({Source.WITHHELD}).",
    alias="s",
    model=Source,
    joins="",
    columns=(
        Column("id", "s.id", "integer", "Identifier of the source."),
        text("kind", "s.kind", "Kind of source (news_agency, party_statement, local_source, ...)."),
        text("name", source_public_label("s"), "Public name of the source."),
        text("outlet", public_source_field("s", "outlet"), "Outlet or publisher; empty if protected."),
        text("title", public_source_field("s", "title"), "Headline or title; empty if protected."),
        text("author", public_source_field("s", "author"), "Author or speaker; empty if protected."),
        text("url", public_source_field("s", "url"), "Where it was published; empty if protected."),
        text("archived_url", public_source_field("s", "archived_url"), "Web archive copy; empty if protected."),
        Column(
            "published_on",
            public_source_field("s", "published_on", iso_date("s.published_on")),
            "date",
            "Publication date.",
        ),
        text("language", public_source_field("s", "language"), "BCP 47 language tag."),
        text("reliability", public_source_field("s", "reliability"), "Admiralty reliability grade A-F."),
        Column("confidential", "s.confidential::text", "boolean", "Whether the source's identity is protected."),
    ),
)

TABLES: dict[str, Table] = {table.name: table for table in (INCIDENTS, CLAIMS, CITATIONS, ACTORS, SOURCES)}
