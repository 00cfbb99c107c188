"""ACLED's read API over the archive: shape, columns, parameters, errors, visibility, pages, and
the unmodified ``acled`` client from PyPI against a live server."""

from __future__ import annotations

import datetime
import importlib
import sys

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from incidents import models
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    IncidentActorFactory,
    IncidentFactory,
    IncidentSourceFactory,
    SourceFactory,
)

READ = "/api/acled/acled/read"
DELETED = "/api/acled/deleted/read"


@pytest.fixture(autouse=True)
def _fresh_throttle(db):
    cache.clear()
    yield
    cache.clear()


def _published(**kwargs) -> models.Incident:
    return IncidentFactory(published=True, **kwargs)


@pytest.fixture
def archive(db):
    fama = ActorFactory(name="Malian Armed Forces", slug="fama", kind=models.ActorKind.STATE_FORCES)
    jnim = ActorFactory(name="JNIM", slug="jnim", kind=models.ActorKind.REBEL_GROUP)
    wagner = ActorFactory(name="Wagner Group", slug="wagner", kind=models.ActorKind.EXTERNAL_OTHER)
    civilians = ActorFactory(name="Civilians (Mali)", slug="civilians-mali", kind=models.ActorKind.CIVILIANS)

    clash = _published(
        title="Clash at Anefif",
        summary="Two armed groups clashed.",
        start_date=datetime.date(2024, 3, 5),
        fatalities_low=4,
        fatalities_best=6,
        fatalities_high=9,
        tags=["convoy"],
    )
    IncidentActorFactory(incident=clash, actor=fama, side=models.Side.A)
    IncidentActorFactory(incident=clash, actor=wagner, side=models.Side.A, role=models.Role.SUPPORTING)
    IncidentActorFactory(incident=clash, actor=jnim, side=models.Side.B)
    IncidentSourceFactory(incident=clash, source=SourceFactory(outlet="Reuters"), note="Source scale (ACLED): National")
    ClaimFactory(
        incident=clash,
        source=SourceFactory(kind=models.SourceKind.LOCAL_SOURCE, confidential=True, outlet="Secret informant"),
    )

    imported = _published(
        title="Attack on civilians near Gao",
        summary="Gunmen attacked a village.",
        start_date=datetime.date(2023, 7, 1),
        date_precision=models.DatePrecision.WEEK,
        geo_precision=models.GeoPrecision.EXACT,
        country="BF",
        admin1="Sahel",
        location="Djibo",
        sub_event_type=models.SubEventType.objects.get(slug="attack"),
        event_type=models.EventType.objects.get(slug="violence-against-civilians"),
        import_key="ACLED:BFO1234",
        tags=["civilian-targeting"],
    )
    IncidentActorFactory(incident=imported, actor=jnim, side=models.Side.A)
    IncidentActorFactory(incident=imported, actor=civilians, side=models.Side.B)

    unknown = _published(title="Unclear", start_date=datetime.date(2022, 1, 9), admin1="Mopti")
    IncidentActorFactory(incident=unknown, actor=jnim, side=models.Side.A)

    hidden = [
        IncidentFactory(title="Draft", status=models.Status.DRAFT),
        IncidentFactory(title="In review", status=models.Status.IN_REVIEW, submitted_at=timezone.now()),
    ]
    retracted = IncidentFactory(
        title="Retracted",
        status=models.Status.RETRACTED,
        published_at=timezone.now(),
        retracted_at=datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
        retraction_notice="Not an incident.",
        import_key="ACLED:MLI999",
    )
    return {"clash": clash, "imported": imported, "unknown": unknown, "hidden": hidden, "retracted": retracted}


def _read(client: Client, path: str = READ, **params) -> dict:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    assert body["count"] == len(body["data"])
    return body


def _ids(body: dict) -> list[str]:
    return [row["event_id_cnty"] for row in body["data"]]


def test_shape_and_columns(client, archive):
    body = _read(client)
    assert set(body) >= {"success", "count", "data"}
    assert body["count"] == 3  # drafts, in review and retracted never appear
    clash = archive["clash"]
    row = body["data"][0]  # newest first
    assert list(row) == list(__import__("incidents.acled", fromlist=["COLUMNS"]).COLUMNS)
    assert row["event_id_cnty"] == f"ARC{clash.pk}"
    assert row["event_date"] == "2024-03-05"
    assert row["year"] == 2024
    assert row["time_precision"] == 1
    assert row["disorder_type"] == "Political violence"
    assert row["event_type"] == "Battles"
    assert row["sub_event_type"] == "Armed clash"
    assert row["actor1"] == "Malian Armed Forces"
    assert row["assoc_actor_1"] == "Wagner Group"
    assert (row["inter1"], row["actor2"], row["inter2"], row["interaction"]) == (1, "JNIM", 2, 12)
    assert row["civilian_targeting"] == ""
    assert (row["iso"], row["region"], row["country"]) == (466, "Western Africa", "Mali")
    assert (row["admin1"], row["admin3"], row["location"]) == ("Kidal", "", "Anefif")
    assert (row["latitude"], row["longitude"], row["geo_precision"]) == (18.05, 0.65, 2)
    assert row["source"] == "Local source, identity withheld; Reuters"
    assert "Secret informant" not in str(body)
    assert row["source_scale"] == "National"
    assert row["notes"].startswith("Two armed groups clashed. ")
    assert row["notes"].endswith(f"/incidents/{clash.pk}/")
    assert row["fatalities"] == 4  # the low estimate, as ACLED codes conservatively
    assert row["tags"] == "convoy"
    clash.refresh_from_db()
    assert row["timestamp"] == int(clash.updated_at.timestamp())

    imported = body["data"][1]
    assert imported["event_id_cnty"] == "BFO1234"
    assert (imported["time_precision"], imported["geo_precision"]) == (2, 1)
    assert (imported["iso"], imported["country"]) == (854, "Burkina Faso")
    assert imported["civilian_targeting"] == "Civilian targeting"
    assert imported["interaction"] == 27
    assert imported["fatalities"] == 0  # unknown is 0 in ACLED's coding

    unknown = body["data"][2]
    assert (unknown["actor2"], unknown["inter2"], unknown["interaction"]) == ("", 0, 20)


def test_parameters(client, archive):
    clash, unknown = archive["clash"], archive["unknown"]
    own = {k: f"ARC{v.pk}" for k, v in (("clash", clash), ("unknown", unknown))}
    cases = [
        ({"country": "Mali"}, [own["clash"], own["unknown"]]),
        ({"country": "mali|Burkina Faso"}, [own["clash"], "BFO1234", own["unknown"]]),
        ({"iso": "854"}, ["BFO1234"]),
        ({"region": "1"}, [own["clash"], "BFO1234", own["unknown"]]),
        ({"region": "Western Africa"}, [own["clash"], "BFO1234", own["unknown"]]),
        ({"year": "2023"}, ["BFO1234"]),
        ({"year": "2023", "year_where": ">"}, [own["clash"]]),
        ({"event_date": "2023-01-01|2024-12-31", "event_date_where": "BETWEEN"}, [own["clash"], "BFO1234"]),
        ({"event_date": "2023-07-01"}, ["BFO1234"]),
        ({"event_date": "2023-07-01", "event_date_where": "<="}, ["BFO1234", own["unknown"]]),
        ({"actor1": "jnim"}, ["BFO1234", own["unknown"]]),  # LIKE by default, regardless of case
        ({"actor1": "Malian%", "actor1_where": "LIKE"}, [own["clash"]]),
        ({"actor2": "JNIM", "actor2_where": "="}, [own["clash"]]),
        ({"assoc_actor_1": "Wagner"}, [own["clash"]]),
        ({"inter1": "2"}, ["BFO1234", own["unknown"]]),
        ({"inter2": "7"}, ["BFO1234"]),
        ({"interaction": "12"}, [own["clash"]]),
        ({"interaction": "20"}, [own["unknown"]]),
        ({"event_type": "Violence"}, ["BFO1234"]),
        (
            {"sub_event_type": "armed clash|Attack", "sub_event_type_where": "="},
            [own["clash"], "BFO1234", own["unknown"]],
        ),
        ({"sub_event_type": "Attack", "sub_event_type_where": "="}, ["BFO1234"]),
        ({"disorder_type": "Political violence"}, [own["clash"], "BFO1234", own["unknown"]]),
        ({"civilian_targeting": "Civilian"}, ["BFO1234"]),
        ({"admin1": "kid"}, [own["clash"]]),
        ({"location": "Djibo"}, ["BFO1234"]),
        ({"time_precision": "2"}, ["BFO1234"]),
        ({"geo_precision": "1"}, ["BFO1234"]),
        ({"source": "Reuters"}, [own["clash"]]),
        ({"source": "informant"}, []),  # a confidential source is never matched by its name
        ({"source_scale": "National"}, [own["clash"]]),
        ({"notes": "village"}, ["BFO1234"]),
        ({"fatalities": "4"}, [own["clash"]]),
        ({"fatalities": "1", "fatalities_where": ">="}, [own["clash"]]),
        ({"tags": "convoy"}, [own["clash"]]),
        ({"event_id_cnty": "BFO1234"}, ["BFO1234"]),
        ({"event_id_cnty": f"{own['clash']}|BFO1234"}, [own["clash"], "BFO1234"]),
        ({"event_id_cnty": "BFO%", "event_id_cnty_where": "LIKE"}, ["BFO1234"]),
        ({"latitude": "18.05"}, [own["clash"], "BFO1234", own["unknown"]]),
        ({"admin3": "x"}, []),
        ({"key": "anything", "email": "me@example.org", "country": "Burkina Faso"}, ["BFO1234"]),
        ({"timestamp": "1"}, [own["clash"], "BFO1234", own["unknown"]]),
        ({"timestamp": "2999-01-01"}, []),
    ]
    for params, expected in cases:
        assert _ids(_read(client, **params)) == expected, params


def test_fields_limit_page_and_csv(client, archive):
    body = _read(client, fields="event_id_cnty|fatalities", limit="2")
    assert body["count"] == 2
    assert all(list(row) == ["event_id_cnty", "fatalities"] for row in body["data"])
    page2 = _read(client, fields="event_id_cnty", limit="2", page="2")
    assert _ids(page2) == [f"ARC{archive['unknown'].pk}"]
    assert _read(client, limit="2", page="3")["data"] == []
    every = [_ids(_read(client, fields="event_id_cnty", limit="1", page=str(n)))[0] for n in (1, 2, 3)]
    assert every == _ids(_read(client))

    for params in ({"_format": "csv"}, {"export_type": "csv"}):
        response = client.get(READ, {**params, "fields": "event_id_cnty|country|notes"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        lines = response.content.decode().splitlines()
        assert lines[0] == "event_id_cnty,country,notes"
        assert len(lines) == 4


def test_errors_have_acled_shape(client, archive):
    for params, fragment in [
        ({"colour": "red"}, "Unknown parameter"),
        ({"format": "xml"}, "Unknown parameter"),
        ({"fatalities": "many"}, "fatalities"),
        ({"event_date": "yesterday"}, "event_date"),
        ({"event_date": "2024-01-01", "event_date_where": "BETWEEN"}, "BETWEEN"),
        ({"country": "Mali", "country_where": "NEAR"}, "country_where"),
        ({"country_where": "="}, "country_where"),
        ({"limit": "0"}, "limit"),
        ({"limit": "5001"}, "limit"),
        ({"page": "-1"}, "page"),
        ({"fields": "event_id_cnty|colour"}, "colour"),
        ({"export_type": "monadic"}, "export_type"),
        ({"_format": "xml"}, "_format"),
        ({"interaction": "12", "interaction_where": ">"}, "interaction"),
    ]:
        response = client.get(READ, params)
        assert response.status_code == 400, params
        body = response.json()
        assert body["success"] is False
        assert fragment in body["error"][0]["message"], (params, body)
    response = client.get(READ + "?country=Mali&country=Niger")
    assert response.status_code == 400


def test_credentials_are_ignored(client, archive):
    headers = {"HTTP_AUTHORIZATION": "Bearer not-a-token", "HTTP_X_CSRF_TOKEN": "x"}
    response = client.get(READ, {"key": "k", "email": "e@example.org"}, **headers)
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_throttled_like_the_api(client, archive, settings):
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**SimpleRateThrottle.THROTTLE_RATES, "anon": "2/minute"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        statuses = [client.get(READ, {"limit": "1"}).status_code for _ in range(3)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert statuses == [200, 200, 429]
    response = client.get(READ)  # a fresh rate after restoring is not guaranteed; only the shape matters
    assert response.status_code in (200, 429)


def test_throttled_answer_has_acled_shape(client, archive, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "allow_request", lambda self, request, view: False)
    monkeypatch.setattr(AnonRateThrottle, "wait", lambda self: 30)
    response = client.get(READ)
    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert response.json()["success"] is False


def test_deleted(client, archive):
    body = _read(client, DELETED)
    assert body["data"] == [{"event_id_cnty": "MLI999", "deleted_timestamp": 1735787045}]
    assert _read(client, DELETED, deleted_timestamp="1735787046")["data"] == []
    assert _read(client, DELETED, deleted_timestamp="1735787046", deleted_timestamp_where="<")["count"] == 1
    assert _read(client, DELETED, deleted_timestamp="2025-01-02")["count"] == 1
    assert _read(client, DELETED, event_id_cnty="MLI999")["count"] == 1
    assert client.get(DELETED, {"country": "Mali"}).status_code == 400


def test_confidential_and_unpublished_never_leak(client, archive):
    text = client.get(READ, {"limit": "5000"}).content.decode()
    for title in ("Draft", "In review", "Retracted"):
        incident = models.Incident.objects.get(title=title)
        assert f'ARC{incident.pk}"' not in text
    assert "Secret informant" not in text
    csv_text = client.get(READ, {"_format": "csv"}).content.decode()
    assert "Secret informant" not in csv_text


# A condition every published incident of the fixture meets: a filtered result set's jumps read its sort keys.
EVERY = {"event_date": "2000-01-01", "event_date_where": ">"}


def test_deep_page_reads_no_offset_of_rows(archive):
    """A page's rows are a range beyond the previous page's last keys, read from the keys alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents import acled

    query = acled.AcledQuery.parse({**EVERY, "page": "3", "limit": "1"}, acled.FILTERS, acled.COLUMNS)
    with CaptureQueriesContext(connection) as captured:
        page = acled.incident_page(query)
    assert [i.pk for i in page] == [archive["unknown"].pk]
    seek, rows = captured.captured_queries
    # The seek numbers the sort keys only (an index-only scan of the status/date/id index) ...
    assert (
        'SELECT "incidents_incident"."start_date" AS "start_date", "incidents_incident"."id" AS "id" FROM'
        in (seek["sql"])
    )
    assert "row_number() OVER ()" in seek["sql"] and "OFFSET" not in seek["sql"]
    # ... and the page is a range beyond them, with no OFFSET over the rows.
    assert "OFFSET" not in rows["sql"] and '"start_date" <=' in rows["sql"]


# --- the unmodified client from PyPI -------------------------------------------------------------


def _fresh_acled(monkeypatch, host: str):
    """The ``acled`` package imported anew, so it reads ACLED_API_HOST as a user's script would."""
    monkeypatch.setenv("ACLED_API_HOST", host)
    monkeypatch.setenv("ACLED_API_KEY", "any-key")
    monkeypatch.setenv("ACLED_EMAIL", "researcher@example.org")
    for variable in ("ACLED_USERNAME", "ACLED_PASSWORD"):
        monkeypatch.delenv(variable, raising=False)
    for name in [name for name in sys.modules if name == "acled" or name.startswith("acled.")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module("acled")


# The live server reads committed data; what the migrations wrote (groups, content types) comes back after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_acled_client_reads_the_archive(live_server, monkeypatch, archive):
    acled_client = _fresh_acled(monkeypatch, f"{live_server.url}/api/acled")
    client = acled_client.AcledClient()
    api = Client()

    def api_count(**params) -> int:
        cache.clear()
        total, url = 0, "/api/v1/incidents/"
        while url:
            body = api.get(url, {**params, "page_size": "500"} if "?" not in url else None).json()
            total += len(body["results"])
            url = body["next"] and body["next"].replace("http://testserver", "")
        return total

    everything = client.get_data(limit=5000)
    assert len(everything) == api_count() == 3
    assert everything[0]["event_date"] == datetime.date(2024, 3, 5)
    assert everything[0]["timestamp"].tzinfo is not None

    mali = client.get_data(country="Mali", limit=5000)
    assert len(mali) == api_count(country="ML") == 2
    window = client.get_data(
        event_date="2023-01-01|2024-12-31", query_params={"event_date_where": "BETWEEN"}, limit=5000
    )
    assert len(window) == api_count(date_from="2023-01-01", date_to="2024-12-31") == 2
    by_actor = client.get_data(actor1="JNIM", query_params={"actor1_where": "="}, limit=5000)
    assert len(by_actor) == api_count(actor="jnim", side="A") == 2

    pages = [client.get_data(limit=1, page=n) for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [1, 1, 1, 0]
    assert [p[0]["event_id_cnty"] for p in pages[:3]] == [row["event_id_cnty"] for row in everything]

    deleted = client.get_deleted_data()
    assert deleted == [{"event_id_cnty": "MLI999", "deleted_timestamp": 1735787045}]
    cache.clear()
    retracted = api.get("/api/v1/incidents/retracted/").json()["results"]
    assert len(deleted) == len(retracted)
    assert client.get_deleted_data(deleted_timestamp=1735787046) == []

    with pytest.raises(Exception, match="400"):
        client.get_data(query_params={"colour": "red"})


def test_methodology_says_how_the_columns_map(client, db):
    page = client.get("/methodology/").content.decode()
    assert 'id="acled"' in page
    assert "Our low estimate" in page
    assert "/api/acled" in page


def _filtered_page(number: str) -> tuple[list[int], list[str]]:
    """Page ``number`` (one row a page) of a filtered query, remembered as the endpoint does, and
    the statements that read it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents import acled

    query = acled.AcledQuery.parse(
        {**EVERY, "page": number, "limit": "1"}, acled.FILTERS, acled.COLUMNS, memo="incidents"
    )
    with CaptureQueriesContext(connection) as captured:
        rows = acled.incident_page(query)
    return [row.pk for row in rows], [q["sql"] for q in captured.captured_queries]


def test_a_script_paging_in_order_skips_the_seek(archive):
    """Page N starts where page N-1 ended, remembered under the query and the published data."""
    page = _filtered_page
    first, _ = page("1")
    second, statements = page("2")
    third, statements3 = page("3")
    assert first + second + third == [archive["clash"].pk, archive["imported"].pk, archive["unknown"].pk]
    assert not any("OFFSET" in sql for sql in statements + statements3)
    # A change to the published data forgets where pages ended: the seek reads the keys again.
    models.Incident.objects.filter(pk=archive["unknown"].pk).update(updated_at=timezone.now())
    again, statements = page("3")
    assert again == third
    assert any("row_number()" in sql for sql in statements)


def test_a_jump_starts_from_the_nearest_remembered_position(archive, monkeypatch):
    """The keys of every MARK_EVERY-th row met on a jump are remembered: a later jump starts there."""
    from incidents import acled

    monkeypatch.setattr(acled, "MARK_EVERY", 2)
    page = _filtered_page

    cold, statements = page("3")  # row 3 is beyond row 2, whose keys the scan remembers
    assert cold == [archive["unknown"].pk]
    assert any("row_number()" in sql for sql in statements)
    warm, statements = page("3")
    assert warm == cold
    assert len(statements) == 1 and "row_number()" not in statements[0]
    assert page("9")[0] == []


def test_a_jump_through_every_published_incident_starts_from_the_day_counts(archive):
    """Unfiltered, page N starts at the day the published incidents per day put it on, read from
    those counts and that day's incidents, with neither an OFFSET nor a scan of the keys before it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents import acled

    expected = [archive["clash"].pk, archive["imported"].pk, archive["unknown"].pk]
    for number, pk in enumerate(expected, start=1):
        query = acled.AcledQuery.parse({"page": str(number), "limit": "1"}, acled.FILTERS, acled.COLUMNS)
        with CaptureQueriesContext(connection) as captured:
            assert [row.pk for row in acled.incident_page(query)] == [pk]
        statements = " ".join(q["sql"] for q in captured.captured_queries)
        assert "row_number()" not in statements and "OFFSET" not in statements.split("incidents_published_day")[0]
        assert ("incidents_published_day" in statements) == (number > 1)
    beyond = acled.AcledQuery.parse({"page": "5", "limit": "1"}, acled.FILTERS, acled.COLUMNS)
    with CaptureQueriesContext(connection) as captured:
        assert acled.incident_page(beyond) == []
    assert len(captured.captured_queries) == 1  # the counts say there is no fourth incident to start after


def _published_days() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT day, incidents FROM incidents_published_day WHERE incidents > 0")
        return dict(cursor.fetchall())


def _counted_days() -> dict:
    from django.db.models import Count

    rows = models.Incident.objects.published().values_list("start_date").annotate(n=Count("id")).order_by()
    return dict(rows)


def test_the_database_keeps_the_published_incidents_per_day(archive):
    """Whatever writes the incidents (publishing, a date moved, a retraction, a bulk
    update), the day counts equal a count of the published incidents."""
    assert _published_days() == _counted_days() and sum(_published_days().values()) == 3
    clash = archive["clash"]
    models.Incident.objects.filter(pk=clash.pk).update(
        start_date=datetime.date(2024, 3, 6), end_date=datetime.date(2024, 3, 6)
    )
    assert _published_days() == _counted_days()
    models.Incident.objects.filter(pk=archive["unknown"].pk).update(
        status=models.Status.RETRACTED, retracted_at=timezone.now(), retraction_notice="Not an incident."
    )
    assert _published_days() == _counted_days() and sum(_published_days().values()) == 2
    draft = archive["hidden"][0]
    models.Incident.objects.filter(pk=draft.pk).update(
        status=models.Status.PUBLISHED,
        published_at=timezone.now(),
        start_date=datetime.date(2024, 3, 6),
        end_date=datetime.date(2024, 3, 6),
    )
    models.Incident.objects.filter(status=models.Status.PUBLISHED).update(summary="bulk")
    assert _published_days() == _counted_days() and sum(_published_days().values()) == 3
    _published(title="Another", start_date=datetime.date(2024, 3, 6))
    assert _published_days() == _counted_days() and _published_days()[datetime.date(2024, 3, 6)] == 3
