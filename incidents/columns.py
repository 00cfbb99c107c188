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
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
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

# Descriptions are marked with gettext_noop: the files and datapackage.json keep them in English,
# and /data/ translates them. The change log's labels are only ever shown on an incident's page,
# so they are lazy translations, in the reader's language when the page renders.


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


def _estimate_columns(
    prefix: str, descriptions: tuple[str, str, str], labels: tuple[str | Promise, str | Promise, str | Promise]
) -> tuple[Column, ...]:
    """The low, best and high columns of one of the incident's estimates (``ESTIMATE_PREFIXES``).

    ``descriptions`` and the change log's ``labels`` are the three columns' whole phrases, so that
    each translates as one.
    """
    bounds = ("low", "best", "high")
    return tuple(
        Column(
            f"{prefix}_{bound}",
            f"i.{prefix}_{bound}",
            "integer",
            description,
            changelog=ChangeLog(label),
            api="list",
        )
        for bound, description, label in zip(bounds, descriptions, labels, strict=True)
    )


def _incident_url(alias: str) -> str:
    base = settings.ARCHIVE_BASE_URL.rstrip("/")
    return f"{sql_literal(base + '/incidents/')} || {alias}.id || '/'"


INCIDENTS = Table(
    name="incidents",
    title="Incidents",
    description=gettext_noop("Published incidents, one row each, with ACLED-like columns and UCDP-style estimates."),
    alias="i",
    model=Incident,
    joins=_INCIDENT_JOINS,
    columns=(
        Column(
            "id",
            "i.id",
            "integer",
            gettext_noop("Stable public identifier of the incident; never reused."),
            widget=Widget(),
            readonly=True,
            api="list",
        ),
        text("url", _incident_url("i"), gettext_noop("The incident's public page.")),
        text(
            "title",
            "i.title",
            gettext_noop("Short, neutral title."),
            widget=Text(300, required=True),
            changelog=ChangeLog(_("Title")),
            api="list",
        ),
        Column(
            "start_date",
            iso_date("i.start_date"),
            "date",
            gettext_noop("First day of the incident (or of the period)."),
            widget=Date(required=True),
            changelog=ChangeLog(_("Start date")),
            api="list",
        ),
        Column(
            "end_date",
            iso_date("i.end_date"),
            "date",
            gettext_noop("Last day; equal to start_date for a one-day incident."),
            widget=Date(),
            changelog=ChangeLog(_("End date")),
            api="list",
        ),
        Column("year", "extract(year FROM i.start_date)::int", "integer", gettext_noop("Year of start_date.")),
        text(
            "date_precision",
            "i.date_precision",
            gettext_noop("How precisely the date is known: day, week, month or year."),
            widget=Choice(DatePrecision.choices, default=DatePrecision.DAY),
            changelog=ChangeLog(_("Date precision")),
            api="list",
        ),
        Column(
            "time_of_day",
            "to_char(i.time_of_day, 'HH24:MI:SS')",
            "time",
            gettext_noop("Local time it began, if reported."),
            widget=Time(),
            changelog=ChangeLog(_("Time of day")),
            api="detail",
        ),
        text(
            "time_precision",
            "i.time_precision",
            gettext_noop(
                "How the time was reported: exact or around (a clock time in time_of_day), or a part of the day "
                "(dawn, early_morning, morning, midday, afternoon, evening, night); empty when not reported."
            ),
            widget=Choice(TimePrecision.choices, default=TimePrecision.NONE),
            changelog=ChangeLog(_("Time precision")),
            api="list",
        ),
        text(
            "event_type",
            "et.name",
            gettext_noop("ACLED event type."),
            widget=Text(),
            changelog=revised(_("Event type")),
            api="list",
        ),
        text(
            "sub_event_type",
            "st.name",
            gettext_noop("ACLED sub-event type."),
            widget=Text(required=True),
            changelog=revised(_("Sub-event type")),
            api="list",
        ),
        text(
            "actor1",
            "actors.actor1",
            gettext_noop("Primary actor(s) on side A, '; '-separated (ACLED actor1)."),
            widget=Text(),
        ),
        text(
            "actor1_kind",
            "actors.actor1_kind",
            gettext_noop("ACLED actor category of each actor1, in the same order (e.g. state_forces)."),
            widget=ACTOR_KIND,
        ),
        text(
            "assoc_actor_1",
            "actors.assoc_actor_1",
            gettext_noop("Associated actors on side A (ACLED assoc_actor_1)."),
            widget=Text(),
        ),
        text(
            "supporting_actor_1",
            "actors.supporting_actor_1",
            gettext_noop("Supporting forces on side A."),
            widget=Text(),
        ),
        text("actor2", "actors.actor2", gettext_noop("Primary actor(s) on side B (ACLED actor2)."), widget=Text()),
        text(
            "actor2_kind",
            "actors.actor2_kind",
            gettext_noop("ACLED actor category of each actor2, in the same order."),
            widget=ACTOR_KIND,
        ),
        text(
            "assoc_actor_2",
            "actors.assoc_actor_2",
            gettext_noop("Associated actors on side B (ACLED assoc_actor_2)."),
            widget=Text(),
        ),
        text(
            "supporting_actor_2",
            "actors.supporting_actor_2",
            gettext_noop("Supporting forces on side B."),
            widget=Text(),
        ),
        text(
            "country",
            "i.country",
            gettext_noop("ISO 3166-1 alpha-2 country code."),
            widget=Country(),
            changelog=ChangeLog(_("Country")),
            api="list",
        ),
        text(
            "admin1",
            "i.admin1",
            gettext_noop("First-order administrative area (region)."),
            widget=Text(100),
            changelog=ChangeLog(_("Region")),
            api="list",
        ),
        text(
            "admin2",
            "i.admin2",
            gettext_noop("Second-order administrative area."),
            widget=Text(100),
            changelog=ChangeLog(_("District")),
            api="list",
        ),
        text(
            "location",
            "i.location",
            gettext_noop("Named place or road."),
            widget=Text(200),
            changelog=ChangeLog(_("Place")),
            api="list",
        ),
        Column(
            "latitude",
            "i.latitude",
            "number",
            gettext_noop("WGS 84 latitude in decimal degrees."),
            widget=Coordinate(90),
            changelog=ChangeLog(_("Latitude")),
            api="list",
        ),
        Column(
            "longitude",
            "i.longitude",
            "number",
            gettext_noop("WGS 84 longitude in decimal degrees."),
            widget=Coordinate(180),
            changelog=ChangeLog(_("Longitude")),
            api="list",
        ),
        text(
            "geo_precision",
            "i.geo_precision",
            gettext_noop("How precisely the coordinates locate the incident."),
            widget=Choice(GeoPrecision.choices, default=GeoPrecision.ADMIN1),
            changelog=ChangeLog(_("Location precision")),
            api="list",
        ),
        Column(
            "fatalities_low",
            "i.fatalities_low",
            "integer",
            gettext_noop("Lowest credible total of deaths."),
            widget=Count(),
            changelog=ChangeLog(_("Fatalities (low)")),
            api="list",
        ),
        Column(
            "fatalities_best",
            "i.fatalities_best",
            "integer",
            gettext_noop("The archive's best estimate of deaths."),
            widget=Count(),
            changelog=ChangeLog(_("Fatalities (best)")),
            api="list",
        ),
        Column(
            "fatalities_high",
            "i.fatalities_high",
            "integer",
            gettext_noop("Highest credible total of deaths."),
            widget=Count(),
            changelog=ChangeLog(_("Fatalities (high)")),
            api="list",
        ),
        Column(
            "fatalities_high_open",
            "i.fatalities_high_open::text",
            "boolean",
            gettext_noop(
                "Whether the highest figure is open-ended: a claim gives only a lower figure ('more than 50')."
            ),
            changelog=ChangeLog(_("Open-ended highest figure")),
            api="list",
        ),
        *_estimate_columns(
            "deaths_a",
            (
                gettext_noop("Lowest credible deaths on side A."),
                gettext_noop("Best estimate of deaths on side A."),
                gettext_noop("Highest credible deaths on side A."),
            ),
            (_("Deaths on side A (low)"), _("Deaths on side A (best)"), _("Deaths on side A (high)")),
        ),
        *_estimate_columns(
            "deaths_b",
            (
                gettext_noop("Lowest credible deaths on side B."),
                gettext_noop("Best estimate of deaths on side B."),
                gettext_noop("Highest credible deaths on side B."),
            ),
            (_("Deaths on side B (low)"), _("Deaths on side B (best)"), _("Deaths on side B (high)")),
        ),
        *_estimate_columns(
            "deaths_civilians",
            (
                gettext_noop("Lowest credible civilian deaths."),
                gettext_noop("Best estimate of civilian deaths."),
                gettext_noop("Highest credible civilian deaths."),
            ),
            (_("Civilian deaths (low)"), _("Civilian deaths (best)"), _("Civilian deaths (high)")),
        ),
        *_estimate_columns(
            "deaths_unknown",
            (
                gettext_noop("Lowest credible deaths on no known side (or on several at once)."),
                gettext_noop("Best estimate of deaths on no known side (or on several at once)."),
                gettext_noop("Highest credible deaths on no known side (or on several at once)."),
            ),
            (
                _("Deaths on no known side (low)"),
                _("Deaths on no known side (best)"),
                _("Deaths on no known side (high)"),
            ),
        ),
        *_estimate_columns(
            "injuries",
            (
                gettext_noop("Lowest credible injured."),
                gettext_noop("Best estimate of injured."),
                gettext_noop("Highest credible injured."),
            ),
            (_("Injuries (low)"), _("Injuries (best)"), _("Injuries (high)")),
        ),
        Column(
            "estimate_stale",
            "i.estimate_stale::text",
            "boolean",
            gettext_noop(
                "Whether claims about deaths or injuries changed after the estimate was accepted or overridden; "
                "the editors have yet to review it again."
            ),
            api="list",
        ),
        text(
            "fatalities_method",
            "i.fatalities_method",
            gettext_noop("proposal (archive's reconciliation) or override."),
            changelog=ChangeLog(_("Estimate method")),
            api="detail",
        ),
        text(
            "fatalities_rationale",
            "i.fatalities_rationale",
            gettext_noop("The editors' public explanation of the estimate."),
            widget=Text(),
            changelog=revised(_("Estimate rationale")),
            api="detail",
        ),
        Column(
            "contested",
            "i.contested::text",
            "boolean",
            gettext_noop("Whether credible claims about the losses disagree."),
            widget=BooleanWidget(),
            readonly=True,
            changelog=ChangeLog(_("Contested")),
            api="list",
        ),
        text(
            "grading",
            "i.grading",
            gettext_noop("Strength of the evidence: confirmed, fair, weak, contested or discounted."),
            widget=Choice(Grading.choices, default=Grading.WEAK),
            changelog=ChangeLog(_("Evidence grading")),
            api="list",
        ),
        text(
            "source_names",
            "sources.names",
            gettext_noop("Public names of the cited sources, '; '-separated."),
            widget=Text(),
        ),
        Column(
            "source_count", "coalesce(sources.total, 0)", "integer", gettext_noop("Number of distinct sources cited.")
        ),
        Column("claim_count", "coalesce(claims.total, 0)", "integer", gettext_noop("Number of attributed claims.")),
        text(
            "summary",
            "i.summary",
            gettext_noop("Neutral public summary (ACLED notes)."),
            widget=Text(),
            changelog=revised(_("Summary")),
            api="detail",
        ),
        text(
            "tags",
            "array_to_string(i.tags, ';')",
            gettext_noop("Tags, ';'-separated."),
            widget=Tags(),
            changelog=ChangeLog(_("Tags")),
            api="list",
        ),
        Column(
            "published_at",
            utc_timestamp("i.published_at"),
            "datetime",
            gettext_noop("When it was first published (UTC)."),
            api="list",
        ),
        Column(
            "updated_at",
            utc_timestamp("i.updated_at"),
            "datetime",
            gettext_noop("When it last changed (UTC)."),
            widget=DateTimeWidget(),
            readonly=True,
            api="list",
        ),
    ),
    import_only=(
        import_only("status", "string", gettext_noop("Workflow status."), widget=Widget(), readonly=True),
        import_only(
            "import_key",
            "string",
            gettext_noop("The file's own identifier of the row; an incident imported with it is never imported again."),
            widget=Text(100),
        ),
        import_only(
            "created_at", "datetime", gettext_noop("When it was created."), widget=DateTimeWidget(), readonly=True
        ),
    ),
)

CLAIMS = Table(
    name="claims",
    title="Claims",
    description=gettext_noop(
        "Attributed statements about published incidents: who said what, where, and how sure we are. "
        "The reports that carry each claim, with their quotations, are in citations.csv."
    ),
    alias="c",
    model=Claim,
    joins="""LEFT JOIN incidents_actor AS claimant ON claimant.id = c.claimant_id
LEFT JOIN incidents_person AS speaker ON speaker.id = c.speaker_id
LEFT JOIN incidents_actor AS losses ON losses.id = c.losses_actor_id
LEFT JOIN incidents_actor AS responsible ON responsible.id = c.responsible_actor_id
LEFT JOIN LATERAL (SELECT count(*) AS total FROM incidents_citation WHERE claim_id = c.id) AS citations ON true""",
    columns=(
        Column("id", "c.id", "integer", gettext_noop("Identifier of the claim.")),
        Column("incident_id", "c.incident_id", "integer", gettext_noop("The incident the claim is about.")),
        text(
            "kind",
            "c.kind",
            gettext_noop(
                "What the claim is about (fatalities, injuries, detained, materiel_destroyed, territory, "
                "responsibility, ...)."
            ),
            widget=Choice(ClaimKind.choices, required=True),
            changelog=ChangeLog(_("subject")),
        ),
        text(
            "losses_of",
            "c.losses_of",
            gettext_noop("Whose losses: actor, civilians, mixed (several groups, see losses_note) or unknown."),
            widget=Choice(LossesOf.choices, default=LossesOf.UNKNOWN),
            changelog=ChangeLog(_("whose losses")),
        ),
        text(
            "losses_actor",
            "losses.name",
            gettext_noop("The actor whose losses these are, when losses_of is actor."),
            widget=Text(),
            changelog=revised(_("whose losses")),
        ),
        text("losses_actor_slug", "losses.slug", gettext_noop("Slug of losses_actor.")),
        text(
            "losses_note",
            "c.losses_note",
            gettext_noop("Who the losses are, in the claim's words; given when losses_of is mixed."),
            widget=Text(300),
            changelog=ChangeLog(_("who the losses are")),
        ),
        text(
            "claimant",
            "claimant.name",
            gettext_noop("The actor asserting the claim, when not the reporting outlet itself."),
            widget=Text(),
            changelog=revised(_("claimant")),
        ),
        text("claimant_slug", "claimant.slug", gettext_noop("Slug of the claimant.")),
        text(
            "speaker",
            person_public_name("speaker"),
            f"The person who made the statement, if named ('{PERSON_WITHHELD}' if protected).",
            widget=Text(),
            changelog=revised(_("speaker")),
        ),
        text("speaker_slug", person_public_slug("speaker"), gettext_noop("Slug of the speaker; empty if protected.")),
        Column(
            "quantity_low",
            "c.quantity_low",
            "integer",
            gettext_noop("Lowest number the wording allows."),
            widget=Count(),
            changelog=ChangeLog(_("lower figure")),
        ),
        Column(
            "quantity_high",
            "c.quantity_high",
            "integer",
            gettext_noop("Highest number; empty when open-ended."),
            widget=Count(),
            changelog=ChangeLog(_("upper figure")),
        ),
        text(
            "quantity_text",
            "c.quantity_text",
            gettext_noop("The verbatim wording of the quantity."),
            widget=Text(200),
            changelog=ChangeLog(_("wording")),
        ),
        Column(
            "part_of",
            "c.part_of_id",
            "integer",
            gettext_noop(
                "The claim whose figure this one counts part of (a sub-count, never in conflict with its whole)."
            ),
            changelog=revised(_("part of")),
        ),
        text(
            "responsible_actor",
            "responsible.name",
            gettext_noop("For a responsibility claim: the actor held responsible."),
            widget=Text(),
            changelog=revised(_("actor held responsible")),
        ),
        text("responsible_actor_slug", "responsible.slug", gettext_noop("Slug of responsible_actor.")),
        text(
            "attribution",
            "c.attribution",
            gettext_noop(
                "How firmly a responsibility claim ties the act to responsible_actor: claimed, attributed, suspected "
                "or supposed."
            ),
            widget=Choice(Attribution.choices, default=""),
            changelog=ChangeLog(_("attribution")),
        ),
        text(
            "movement",
            "c.movement",
            gettext_noop("For a territory claim, what the force did: took_control, withdrew, retreated_to or held."),
            widget=Choice(Movement.choices, default=""),
            changelog=ChangeLog(_("movement")),
        ),
        text(
            "place",
            "c.place",
            gettext_noop("The place the claim names."),
            widget=Text(200),
            changelog=ChangeLog(_("place")),
        ),
        text(
            "stance",
            "c.stance",
            gettext_noop("assertion, denial, acknowledgement or declined (to comment)."),
            widget=Choice(Stance.choices, default=Stance.ASSERTION),
            changelog=ChangeLog(_("stance")),
        ),
        text(
            "verification",
            "c.verification",
            gettext_noop("unverified, corroborated, disputed, confirmed or refuted."),
            widget=Choice(Verification.choices, default=Verification.UNVERIFIED),
            changelog=ChangeLog(_("verification")),
        ),
        text(
            "verification_note",
            "c.verification_note",
            gettext_noop("Public note on the verification."),
            widget=Text(),
            changelog=revised(_("verification note")),
        ),
        Column(
            "citation_count",
            "coalesce(citations.total, 0)",
            "integer",
            gettext_noop(
                "Number of reports carrying the claim (rows of citations.csv); repetition, not corroboration."
            ),
        ),
        Column(
            "updated_at", utc_timestamp("c.updated_at"), "datetime", gettext_noop("When the claim last changed (UTC).")
        ),
    ),
    # A claims file has a row per report carrying a claim (a citation): it names the claim's incident
    # and the report, a known source by id or URL or a new one described by the columns source_*.
    # Rows with the same claim_key on one incident are one claim; a row naming a claim adds a report to it.
    import_only=(
        import_only("incident", "integer", gettext_noop("The id of the incident the claim is about."), widget=Text()),
        import_only("incident_key", "string", gettext_noop("Else, the import_key of the incident."), widget=Text()),
        import_only(
            "claim_key",
            "string",
            gettext_noop(
                "The file's own name for the claim: the rows with the same key on the same incident are one claim "
                "carried by several reports; the first of them gives the claim's columns."
            ),
            widget=Text(100),
        ),
        import_only(
            "claim",
            "integer",
            gettext_noop(
                "The id of a claim already in the archive that this row's report also carries (its claim columns "
                "are left empty)."
            ),
            widget=Text(),
        ),
        import_only("source", "integer", gettext_noop("The id of the source that reported the claim."), widget=Text()),
        import_only("source_kind", "string", gettext_noop("Kind of a new source."), widget=Choice(SourceKind.choices)),
        import_only("source_outlet", "string", gettext_noop("Outlet or publisher of a new source."), widget=Text(200)),
        import_only("source_title", "string", gettext_noop("Headline or title of a new source."), widget=Text(500)),
        import_only("source_author", "string", gettext_noop("Author or speaker of a new source."), widget=Text(200)),
        import_only(
            "source_url", "string", gettext_noop("URL of the source (a known one, or a new one's)."), widget=Text(1000)
        ),
        import_only("source_published_on", "date", gettext_noop("Publication date of a new source."), widget=Date()),
        import_only("source_language", "string", gettext_noop("BCP 47 language tag of a new source."), widget=Text(16)),
        import_only("quote", "string", gettext_noop("The exact quotation, in the report's words."), widget=Text()),
        import_only(
            "language",
            "string",
            gettext_noop("BCP 47 language tag of the quotation, e.g. 'fr', 'ar'."),
            widget=Text(16),
        ),
        import_only(
            "translation", "string", gettext_noop("The editors' English translation of the quotation."), widget=Text()
        ),
        import_only(
            "published_on",
            "date",
            gettext_noop("When this report carried the claim (else source_published_on)."),
            widget=Date(),
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
    joins="""JOIN incidents_claim AS c ON c.id = ct.claim_id
JOIN incidents_source AS s ON s.id = ct.source_id
LEFT JOIN incidents_person AS speaker ON speaker.id = ct.speaker_id""",
    columns=(
        Column("id", "ct.id", "integer", gettext_noop("Identifier of the citation.")),
        Column("claim_id", "ct.claim_id", "integer", gettext_noop("The claim the report carries.")),
        Column("incident_id", "c.incident_id", "integer", gettext_noop("The incident the claim is about.")),
        Column(
            "source_id",
            "ct.source_id",
            "integer",
            gettext_noop("The source (row of sources.csv)."),
            changelog=revised(_("report")),
        ),
        text("source_kind", "s.kind", gettext_noop("Kind of source.")),
        text(
            "source_name",
            source_public_label("s"),
            f"Public name of the source ('..., {Source.WITHHELD}' if protected).",
        ),
        text(
            "source_outlet",
            public_source_field("s", "outlet", "nullif(s.outlet, '')"),
            gettext_noop("Outlet; empty if protected."),
        ),
        text(
            "source_url",
            public_source_field("s", "url", "nullif(s.url, '')"),
            gettext_noop("URL of the source; empty if protected."),
        ),
        text(
            "quote",
            "ct.quote",
            gettext_noop("The exact quotation, in the report's words and language."),
            changelog=revised(_("quotation")),
        ),
        text(
            "language",
            "ct.language",
            gettext_noop("BCP 47 language tag of the quotation."),
            changelog=ChangeLog(_("language")),
        ),
        text(
            "translation",
            "ct.translation",
            gettext_noop("The editors' English translation of the quotation."),
            changelog=revised(_("translation")),
        ),
        Column(
            "published_on",
            public_citation_field("ct", "s", "published_on", iso_date("ct.published_on")),
            "date",
            gettext_noop("When this report carried the claim; empty if the source is protected."),
            changelog=revised(_("date")),
        ),
        text(
            "speaker",
            person_public_name("speaker"),
            f"The person quoted in this report, if named ('{PERSON_WITHHELD}' if protected).",
            changelog=revised(_("speaker")),
        ),
        text("speaker_slug", person_public_slug("speaker"), gettext_noop("Slug of the speaker; empty if protected.")),
        Column(
            "updated_at",
            utc_timestamp("ct.updated_at"),
            "datetime",
            gettext_noop("When the citation last changed (UTC)."),
        ),
    ),
)

ACTORS = Table(
    name="actors",
    title="Actors",
    description=gettext_noop("Actors involved in the published incidents, with their aliases."),
    alias="a",
    model=Actor,
    joins="""LEFT JOIN LATERAL (
  SELECT string_agg(CASE WHEN language = '' THEN name ELSE name || ' [' || language || ']' END, '; ' ORDER BY name)
    AS names
  FROM incidents_actoralias WHERE actor_id = a.id
) AS aliases ON true""",
    columns=(
        Column("id", "a.id", "integer", gettext_noop("Identifier of the actor.")),
        text("slug", "a.slug", gettext_noop("Stable identifier used in URLs and filters (?actor=slug).")),
        text("name", "a.name", gettext_noop("Name the archive uses.")),
        text("kind", "a.kind", gettext_noop("ACLED actor category.")),
        text(
            "country", "a.country", gettext_noop("ISO 3166-1 alpha-2 code of the home country; empty if transnational.")
        ),
        text("aliases", "aliases.names", gettext_noop("Other names, '; '-separated, with [language] tags.")),
        text("description", "a.description", gettext_noop("Neutral public description.")),
        Column(
            "updated_at", utc_timestamp("a.updated_at"), "datetime", gettext_noop("When the actor last changed (UTC).")
        ),
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
        Column("id", "s.id", "integer", gettext_noop("Identifier of the source.")),
        text("kind", "s.kind", gettext_noop("Kind of source (news_agency, party_statement, local_source, ...).")),
        text("name", source_public_label("s"), gettext_noop("Public name of the source.")),
        text("outlet", public_source_field("s", "outlet"), gettext_noop("Outlet or publisher; empty if protected.")),
        text("title", public_source_field("s", "title"), gettext_noop("Headline or title; empty if protected.")),
        text("author", public_source_field("s", "author"), gettext_noop("Author or speaker; empty if protected.")),
        text("url", public_source_field("s", "url"), gettext_noop("Where it was published; empty if protected.")),
        text(
            "archived_url",
            public_source_field("s", "archived_url"),
            gettext_noop("Web archive copy; empty if protected."),
        ),
        Column(
            "published_on",
            public_source_field("s", "published_on", iso_date("s.published_on")),
            "date",
            gettext_noop("Publication date."),
        ),
        text("language", public_source_field("s", "language"), gettext_noop("BCP 47 language tag.")),
        text("reliability", public_source_field("s", "reliability"), gettext_noop("Admiralty reliability grade A-F.")),
        Column(
            "confidential",
            "s.confidential::text",
            "boolean",
            gettext_noop("Whether the source's identity is protected."),
        ),
    ),
)

TABLES: dict[str, Table] = {table.name: table for table in (INCIDENTS, CLAIMS, CITATIONS, ACTORS, SOURCES)}
