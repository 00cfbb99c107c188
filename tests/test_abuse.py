"""Abuse: per-client throttles on the API and the exports, shared between workers; capped pages;
no browsable API in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import Client, override_settings
from rest_framework.throttling import SimpleRateThrottle

from incidents.models import Incident
from incidents.pagination import KeysetPagination
from tests.factories import IncidentFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tight_rates(monkeypatch):
    # DRF reads the rates once, into a class attribute; patch it there.
    rates = {"anon": "3/minute", "user": "3/minute", "export": "2/minute"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    cache.clear()
    yield rates
    cache.clear()


def test_the_api_throttles_each_anonymous_client(db, tight_rates):
    crawler = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert crawler.get("/api/v1/incidents/").status_code == 200
    refused = crawler.get("/api/v1/incidents/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="198.51.100.20").get("/api/v1/incidents/").status_code == 200


def test_exports_are_throttled_per_client_with_a_clear_reason(db, tight_rates):
    crawler = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(2):
        assert crawler.get("/export/incidents.csv").status_code == 200
    refused = crawler.get("/export/claims.csv")
    assert refused.status_code == 429
    assert "Too many exports" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert Client(REMOTE_ADDR="198.51.100.20").get("/export/incidents.csv").status_code == 200


def test_a_forged_x_forwarded_for_does_not_buy_a_fresh_budget(db, tight_rates):
    for n in range(3):
        Client(REMOTE_ADDR="203.0.113.9").get("/api/v1/incidents/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    refused = Client(REMOTE_ADDR="203.0.113.9").get("/api/v1/incidents/", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert refused.status_code == 429


def spent_budget_seen_by_another_process(env: dict[str, str]) -> list[str]:
    """What a second process, as a second gunicorn worker would be, answers the spent client and a fresh one."""
    code = (
        "from django.test import Client; "
        "print(Client(REMOTE_ADDR='203.0.113.9').get('/export/incidents.csv').status_code, "
        "Client(REMOTE_ADDR='198.51.100.20').get('/export/incidents.csv').status_code)"
    )
    env = {
        **os.environ,
        "EXPORT_THROTTLE": "2/minute",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def spend_the_export_budget() -> None:
    for _ in range(2):
        assert Client(REMOTE_ADDR="203.0.113.9").get("/export/incidents.csv").status_code == 200


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the shared cache (REDIS_URL), as in CI")
def test_workers_share_the_throttle_through_the_shared_cache(db, tight_rates):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    spend_the_export_budget()
    seen = spent_budget_seen_by_another_process({"DATABASE_URL": os.environ.get("DATABASE_URL", "")})
    assert seen[:1] == ["429"]


def database_url(alias: str = "default") -> str:
    """A DATABASE_URL naming the database that ``alias`` uses now (the test database in tests)."""
    config = connections[alias].settings_dict
    user = quote(config["USER"]) + (f":{quote(config['PASSWORD'])}" if config["PASSWORD"] else "")
    host = config["HOST"]
    if host.startswith("/"):  # the embedded server's Unix socket directory
        return f"postgresql://{user}@:{config['PORT']}/{config['NAME']}?host={quote(host)}"
    return f"postgresql://{user}@{host}:{config['PORT']}/{config['NAME']}"


# The counters must be committed for the other process to see them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_share_the_throttle_through_the_database_cache_without_redis(tight_rates):
    database_cache = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "archive_cache"}
    }
    with override_settings(CACHES=database_cache):
        cache.clear()
        spend_the_export_budget()
        # Production settings without REDIS_URL: the other process uses the database cache too.
        seen = spent_budget_seen_by_another_process(
            {"DATABASE_URL": database_url(), "REDIS_URL": "", "DJANGO_DEBUG": ""}
        )
        cache.clear()
    assert seen == ["429", "200"]


def test_production_without_redis_keeps_the_cache_in_the_database_and_debug_in_local_memory():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"

    def backend(**env: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "archive.settings", "DJANGO_SECRET_KEY": "x", **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert backend(REDIS_URL="", DJANGO_DEBUG="") == "django.core.cache.backends.db.DatabaseCache"
    assert backend(REDIS_URL="", DJANGO_DEBUG="1") == "django.core.cache.backends.locmem.LocMemCache"
    assert backend(REDIS_URL="redis://127.0.0.1:6379/0") == "django.core.cache.backends.redis.RedisCache"


def test_api_pages_are_capped_whatever_the_client_asks(db, tight_rates, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100/minute", "user": "100/minute"})
    cap = KeysetPagination.max_page_size
    incidents = IncidentFactory.build_batch(cap + 5, published=True)
    for incident in incidents:
        incident.event_type = incident.sub_event_type.event_type
    Incident.objects.bulk_create(incidents)
    response = Client().get("/api/v1/incidents/?page_size=100000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == cap
    assert response.json()["next"]


def test_a_script_gets_json_and_a_browser_gets_the_browsable_api(db, tight_rates):
    assert Client().get("/api/v1/incidents/")["Content-Type"] == "application/json"
    assert Client().get("/api/v1/incidents/", HTTP_ACCEPT="*/*")["Content-Type"] == "application/json"
    browser = Client().get(
        "/api/v1/incidents/", HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    )
    assert browser.status_code == 200
    assert browser["Content-Type"].startswith("text/html")


def test_an_api_url_that_matches_no_route_answers_json(db):
    # Found by schemathesis: an id like "2.5e-3" matched no route and got Django's HTML page.
    response = Client().get("/api/v1/claims/2.2250738585e-313/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    assert Client().get("/no-such-page/")["Content-Type"].startswith("text/html")
