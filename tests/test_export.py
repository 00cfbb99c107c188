"""The streamed CSV exports. They read through a connection of their own, so these tests
commit their data (transaction=True) instead of hiding it in a test transaction; the
migrations' seed data (the ACLED taxonomy, groups) is restored around each test."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict, StreamingHttpResponse

from incidents import export, models
from incidents.columns import TABLES
from incidents.filters import IncidentFilter
from incidents.selection import Selection
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    PersonFactory,
    SourceFactory,
)
from tests.graph import SECRET_MARKERS, build_archive

FORMULA_PAYLOADS = ("=1+1", "+1", "-1+1", "@SUM(1)", "\tinfo", "\rinfo", "\ninfo", " =1", "fine\n=2")
# A cell a spreadsheet might run: it starts (after spaces or tabs) with = + - @ tab CR or LF,
# or a later line starts with = + - @ or tab.
DANGEROUS = re.compile(r"\A[ \t]*[-=+@\t\r\n]|[\r\n][ \t]*[-=+@\t]")
NUMBER = re.compile(r"-?\d+(\.\d+)?(e[-+]?\d+)?")

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def archive():
    return build_archive()


def download(client, table: str, query: str = "") -> tuple[list[str], list[dict[str, str]]]:
    response = client.get(f"/export/{table}.csv?{query}")
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return list(reader.fieldnames or []), list(reader)


@pytest.mark.parametrize("table", list(TABLES))
def test_each_export_has_the_spec_columns_in_order(client, archive, table):
    header, _rows = download(client, table)

    assert header == [column.name for column in TABLES[table].columns]


def test_the_incident_export_holds_published_incidents_with_acled_like_columns(client, archive):
    _header, rows = download(client, "incidents")

    assert [int(row["id"]) for row in rows] == sorted(i.pk for i in archive.published)
    kidal = next(row for row in rows if int(row["id"]) == archive.kidal.pk)
    assert kidal["actor1"] == "Malian Armed Forces"
    assert kidal["actor1_kind"] == "state_forces"
    # A supporting force has its own column, so that a re-import gives it its role back.
    assert (kidal["assoc_actor_1"], kidal["supporting_actor_1"]) == ("", "Africa Corps")
    assert kidal["actor2"] == "Azawad Liberation Front"
    assert kidal["actor2_kind"] == "rebel_group"
    assert kidal["assoc_actor_2"] == ""
    assert (kidal["fatalities_low"], kidal["fatalities_best"], kidal["fatalities_high"]) == ("10", "15", "40")
    assert kidal["contested"] == "true"
    assert kidal["country"] == "ML"
    assert kidal["event_type"] == "Battles"
    assert kidal["start_date"] == "2025-06-13"
    assert kidal["tags"] == "convoy;ambush"
    assert kidal["source_names"] == "AFP — Convoy ambushed near Anefif; Local source, identity withheld"
    assert kidal["source_count"] == "2"
    assert kidal["claim_count"] == "2"
    assert kidal["url"].endswith(f"/incidents/{archive.kidal.pk}/")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", kidal["updated_at"])
    assert models.Incident.objects.get(pk=archive.kidal.pk).internal_notes == "INTERNAL-MARKER incident"


@pytest.mark.parametrize(
    "query",
    ["", "country=ML", "q=convoy", "actor=fama&side=A", "fatalities_min=5", "date_to=2025-05-31", "admin1=Bamako"],
)
def test_the_csv_holds_the_same_incidents_as_the_api_and_the_list_page(client, archive, query):
    _header, rows = download(client, "incidents", query)
    api_ids, url = [], f"/api/v1/incidents/?{query}"
    while url:
        page = client.get(url).json()
        api_ids += [item["id"] for item in page["results"]]
        url = page["next"]
    page_ids = [i.pk for i in IncidentFilter(QueryDict(query), queryset=models.Incident.objects.published()).qs]

    assert sorted(int(row["id"]) for row in rows) == sorted(api_ids) == sorted(page_ids)


def test_csv_rows_match_the_api_values(client, archive):
    _header, rows = download(client, "incidents")
    api = {item["id"]: item for item in client.get("/api/v1/incidents/").json()["results"]}

    for row in rows:
        item = api[int(row["id"])]
        assert row["title"] == item["title"]
        assert row["start_date"] == item["start_date"]
        assert row["latitude"] == ("" if item["latitude"] is None else str(item["latitude"]))
        side_a = [
            name
            for cell in (row["actor1"], row["assoc_actor_1"], row["supporting_actor_1"])
            for name in cell.split("; ")
            if name
        ]
        assert side_a == item["side_a"]


def test_the_incident_export_holds_the_per_side_estimates_time_precision_and_staleness(client, archive):
    models.Incident.objects.filter(pk=archive.gao.pk).update(
        deaths_b_low=1, deaths_b_best=2, deaths_b_high=3, deaths_civilians_best=1, injuries_high=7,
        fatalities_high_open=True, time_precision=models.TimePrecision.NIGHT,
    )  # fmt: skip

    _h, rows = download(client, "incidents", "admin1=Gao")

    gao = rows[0]
    assert (gao["deaths_b_low"], gao["deaths_b_best"], gao["deaths_b_high"]) == ("1", "2", "3")
    assert (gao["deaths_civilians_best"], gao["injuries_high"], gao["deaths_a_best"]) == ("1", "7", "")
    assert (gao["fatalities_high_open"], gao["estimate_stale"], gao["time_precision"]) == ("true", "false", "night")


def test_the_incident_export_lists_the_sources_its_claims_cite(client, archive):
    _h, rows = download(client, "incidents", "admin1=Kidal")

    # The informant is cited only by claims, twice: it is listed once.
    assert rows[0]["source_names"] == "AFP — Convoy ambushed near Anefif; Local source, identity withheld"
    assert not models.IncidentSource.objects.filter(source=archive.informant).exists()


def test_the_claims_export_names_speakers_and_counts_each_claims_citations(client, archive):
    _h, rows = download(client, "claims", "admin1=Kidal")
    claims = {int(row["id"]): row for row in rows}

    ambush, informant = claims[archive.ambush_claim.pk], claims[archive.informant_claim.pk]
    assert (ambush["speaker"], ambush["speaker_slug"]) == ("Mohamed Maouloud Ramadan", "mohamed-maouloud-ramadan")
    assert (informant["speaker"], informant["speaker_slug"]) == ("A person, identity withheld", "")
    assert (ambush["citation_count"], informant["citation_count"]) == ("2", "1")
    assert ambush["claimant_slug"] == "fla" and ambush["part_of"] == ""


def test_the_claims_export_shows_responsibility_territory_and_sub_counts(client, archive):
    whole = archive.ambush_claim
    part = ClaimFactory(incident=archive.kidal, part_of=whole, source=None)
    blame = ClaimFactory(
        incident=archive.kidal,
        kind=models.ClaimKind.RESPONSIBILITY,
        responsible_actor=archive.fla,
        attribution=models.Attribution.CLAIMED,
    )
    held = ClaimFactory(
        incident=archive.kidal,
        kind=models.ClaimKind.TERRITORY,
        movement=models.Movement.TOOK_CONTROL,
        place="Anefif",
        losses_of=models.LossesOf.MIXED,
        losses_note="soldiers and drivers",
    )

    _h, rows = download(client, "claims", "admin1=Kidal")
    claims = {int(row["id"]): row for row in rows}

    assert (claims[part.pk]["part_of"], claims[part.pk]["citation_count"]) == (str(whole.pk), "0")
    assert (claims[blame.pk]["responsible_actor"], claims[blame.pk]["responsible_actor_slug"]) == (
        "Azawad Liberation Front",
        "fla",
    )
    assert claims[blame.pk]["attribution"] == "claimed"
    assert (claims[held.pk]["movement"], claims[held.pk]["place"]) == ("took_control", "Anefif")
    assert (claims[held.pk]["losses_of"], claims[held.pk]["losses_note"]) == ("mixed", "soldiers and drivers")


def test_the_citations_export_holds_each_report_and_withholds_what_names_a_protected_source(client, archive):
    _h, rows = download(client, "citations")
    by_claim: dict[int, list[dict[str, str]]] = {}
    for row in rows:
        by_claim.setdefault(int(row["claim_id"]), []).append(row)

    assert set(by_claim) == {archive.ambush_claim.pk, archive.informant_claim.pk}
    afp, repeated = by_claim[archive.ambush_claim.pk]
    assert (afp["source_id"], afp["source_name"], afp["source_outlet"]) == (
        str(archive.afp.pk),
        "AFP — Convoy ambushed near Anefif",
        "AFP",
    )
    assert afp["source_url"] == archive.afp.url and afp["incident_id"] == str(archive.kidal.pk)
    assert repeated == {
        "id": repeated["id"],
        "claim_id": str(archive.ambush_claim.pk),
        "incident_id": str(archive.kidal.pk),
        "source_id": str(archive.informant.pk),
        "source_kind": "local_source",
        "source_name": "Local source, identity withheld",
        "source_outlet": "",
        "source_url": "",
        "quote": "Ils étaient plusieurs dizaines.",
        "language": "fr",
        "translation": "There were several dozen of them.",
        "published_on": "",
        "speaker": "",
        "speaker_slug": "",
        "updated_at": repeated["updated_at"],
    }
    [informant] = by_claim[archive.informant_claim.pk]
    assert (informant["speaker"], informant["speaker_slug"]) == ("A person, identity withheld", "")
    assert models.Citation.objects.get(pk=repeated["id"]).published_on == datetime.date(2025, 6, 14)


def test_a_public_sources_citation_keeps_its_date_language_and_speaker(client, archive):
    citation = CitationFactory(
        claim=ClaimFactory(incident=archive.gao, source=None),
        source=archive.afp,
        quote="Three soldiers died.",
        language="en",
        published_on=datetime.date(2025, 5, 3),
        speaker=archive.spokesman,
    )

    _h, rows = download(client, "citations", "admin1=Gao")

    assert [int(row["id"]) for row in rows] == [citation.pk]
    assert (rows[0]["language"], rows[0]["published_on"], rows[0]["quote"]) == (
        "en",
        "2025-05-03",
        "Three soldiers died.",
    )
    assert (rows[0]["speaker"], rows[0]["speaker_slug"]) == ("Mohamed Maouloud Ramadan", "mohamed-maouloud-ramadan")


def test_related_exports_cover_only_the_filtered_incidents(client, archive):
    _h, claims = download(client, "claims", "admin1=Gao")
    assert claims == []
    _h, claims = download(client, "claims", "admin1=Kidal")
    assert {int(row["incident_id"]) for row in claims} == {archive.kidal.pk}
    _h, citations = download(client, "citations", "admin1=Gao")
    assert citations == []
    _h, citations = download(client, "citations", "admin1=Kidal")
    assert {int(row["incident_id"]) for row in citations} == {archive.kidal.pk} and len(citations) == 3
    _h, actors = download(client, "actors", "admin1=Gao")
    assert [row["slug"] for row in actors] == ["fama"]
    _h, sources = download(client, "sources", "country=ML")
    assert [int(row["id"]) for row in sources] == [archive.afp.pk, archive.informant.pk]


@pytest.mark.parametrize("table", ["claims", "citations"])
def test_a_filtered_export_gives_the_whole_exports_rows_of_the_chosen_incidents(client, archive, table):
    """A filtered claims or citations export picks its rows of the read model's table
    (export.select_sql): they must be those of the whole export, cell for cell."""
    _h, everything = download(client, table, "")
    _h, chosen = download(client, table, "admin1=Kidal")
    assert chosen and chosen == [row for row in everything if int(row["incident_id"]) == archive.kidal.pk]


def test_no_unpublished_or_confidential_data_in_any_export(client, archive):
    for table in TABLES:
        for query in ("", "country=ML", "q=marker"):
            response = client.get(f"/export/{table}.csv?{query}")
            body = b"".join(response.streaming_content).decode().lower()
            for marker in SECRET_MARKERS:
                assert marker.lower() not in body, (table, query, marker)
    _h, sources = download(client, "sources")
    informant = next(row for row in sources if int(row["id"]) == archive.informant.pk)
    assert informant["name"] == "Local source, identity withheld"
    assert informant["kind"] == "local_source"
    assert informant["outlet"] == informant["url"] == informant["author"] == informant["title"] == ""
    assert informant["confidential"] == "true"


@pytest.fixture
def poisoned():
    """A published incident whose every text field carries a formula payload."""
    rows = []
    for n, payload in enumerate(FORMULA_PAYLOADS):
        actor = ActorFactory(name=payload, slug=f"poison-{n}", description=payload)
        models.ActorAlias.objects.create(actor=actor, name=payload + " alias", language="")
        source = SourceFactory(outlet=payload, title=payload, author=payload, url="", language="en")
        incident = IncidentFactory(
            published=True,
            title=payload,
            summary=payload,
            admin1=payload,
            admin2=payload,
            location=payload,
            latitude=-12.5,
            longitude=-8.25,
            fatalities_rationale=payload,
            tags=[payload],
        )
        IncidentActorFactory(incident=incident, actor=actor, side=models.Side.B)
        models.IncidentSource.objects.create(incident=incident, source=source)
        ClaimFactory(
            incident=incident,
            source=source,
            claimant=actor,
            speaker=PersonFactory(name=payload, slug=f"poison-{n}"),
            quantity_text=payload,
            losses_note=payload,
            place=payload,
            quote=payload,
            translation=payload,
            verification_note=payload,
        )
        rows.append(incident)
    return rows


def test_formula_payloads_are_neutralised_in_every_export_and_numbers_are_untouched(client, poisoned):
    for table in TABLES:
        header, rows = download(client, table)
        assert rows, table
        types = {column.name: column.type for column in TABLES[table].columns}
        for row in rows:
            for name in header:
                cell = row[name]
                if types[name] in {"integer", "number"}:
                    assert cell == "" or NUMBER.fullmatch(cell), (table, name, cell)
                else:
                    assert not DANGEROUS.search(cell), (table, name, cell)
    _h, incidents = download(client, "incidents")
    assert {row["latitude"] for row in incidents} == {"-12.5"}
    assert {row["longitude"] for row in incidents} == {"-8.25"}
    assert sorted(row["title"] for row in incidents) == sorted(
        ["'=1+1", "'+1", "'-1+1", "'@SUM(1)", "'\tinfo", "'\rinfo", "'\ninfo", "' =1", "fine\n'=2"]
    )


def test_harmless_text_is_left_as_written(client, archive):
    models.Incident.objects.filter(pk=archive.gao.pk).update(
        summary="Line one.\n\nLine two, with a - dash and a = sign and an e-mail a@b.org.\r\nThird line."
    )

    _h, rows = download(client, "incidents", "admin1=Gao")

    assert rows[0]["summary"] == models.Incident.objects.get(pk=archive.gao.pk).summary


def test_an_invalid_filter_is_a_client_error(client, archive):
    response = client.get("/export/incidents.csv?date_from=yesterday")

    assert response.status_code == 400
    assert "date_from" in response.json()["errors"]


def test_an_unknown_table_is_not_found(client, archive):
    assert client.get("/export/users.csv").status_code == 404


def test_the_stream_comes_in_chunks_and_stopping_early_frees_the_server(archive):
    for n in range(300):
        IncidentFactory(published=True, title=f"Bulk incident {n}", summary="x" * 200)
    select = export.select_sql("incidents", Selection({}))

    whole = b"".join(export.stream_csv(select, chunk_size=4096))
    first = next(export.stream_csv(select, chunk_size=4096))
    endless = export.stream_csv(
        "SELECT a, b FROM generate_series(1, 20000) AS a CROSS JOIN generate_series(1, 20000) AS b", chunk_size=4096
    )
    next(endless)
    endless.close()  # what the WSGI server does when a client goes away mid-download

    assert whole.startswith(first)
    assert whole.count(b"\n") > 300
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state = 'active' AND query LIKE '%%generate_series(1, 20000) AS a%%'"
        )
        assert cursor.fetchone()[0] == 0  # cancelled, not left running for a client that went away


def test_the_data_page_shows_downloads_and_the_data_dictionary(client, archive):
    response = client.get("/data/")

    assert response.status_code == 200
    body = response.content.decode()
    for table in TABLES.values():
        assert f"/export/{table.name}.csv" in body
        for column in table.columns:
            assert f"<code>{column.name}</code>" in body
    assert "/api/v1/docs/" in body


def test_only_exports_of_whole_tables_raise_the_memory_for_sorts_and_hashes(db):
    assert export.work_mem_for(Selection(QueryDict(""))) == export.EXPORT_WORK_MEM
    assert export.work_mem_for(Selection(QueryDict("country="))) == export.EXPORT_WORK_MEM  # a blank filter is none
    # an order chooses no rows
    assert export.work_mem_for(Selection(QueryDict("order=-fatalities"))) == export.EXPORT_WORK_MEM
    assert export.work_mem_for(Selection(QueryDict("country=NE"))) is None

    def work_mem(**kwargs) -> str:
        conn = export.dedicated_connection(**kwargs)
        try:
            return conn.execute("SHOW work_mem").fetchone()[0]
        finally:
            conn.close()

    assert work_mem() == export.EXPORT_WORK_MEM
    with connection.cursor() as cursor:  # the server's own setting (pg_settings counts work_mem in kB)
        cursor.execute(
            "SELECT pg_size_bytes(%s) = reset_val::bigint * 1024 FROM pg_settings WHERE name = 'work_mem'",
            [work_mem(work_mem=None)],
        )
        assert cursor.fetchone()[0]
