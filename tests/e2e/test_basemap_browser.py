"""The offline basemap in a real headless chromium with every request off this machine refused:
the borders, coastlines, names and regions under the markers all come from the app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import NoReverseMatch, include, path, reverse

from tests.e2e.chromium import DESKTOP, SCREENSHOTS, chromium, requires_chromium
from tests.test_public_pages import build_kidal

LOCAL_HOSTS = {"localhost", "127.0.0.1"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]

# As in tests/test_basemap.py: until the root URLconf includes the basemap's URLs, mount them.
urlpatterns = [path("basemap/", include("incidents.views.basemap")), path("", include("archive.urls"))]
try:
    reverse("basemap-countries", urlconf="archive.urls")
except NoReverseMatch:
    pytestmark.append(pytest.mark.urls(__name__))


@pytest.fixture
def kidal() -> dict[str, object]:
    story = build_kidal()
    cache.clear()
    return story


@pytest.fixture
def browser(kidal: dict[str, object]) -> Iterator[object]:
    with chromium() as browser:
        yield browser


class OfflineTab:
    """A tab that refuses every request to another host and records what went wrong."""

    def __init__(self, browser: object, base_url: str) -> None:
        self.page = browser.new_page(viewport=DESKTOP)
        self.base_url = base_url
        self.refused: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.basemap: list[str] = []
        self.page.route("**/*", self.route)
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.on("response", self.response)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)

    def route(self, route: object) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def response(self, response: object) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")
        if "/basemap/" in response.url:
            self.basemap.append(urlsplit(response.url).path)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, path

    def shoot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.locator(".map").first.screenshot(path=str(SCREENSHOTS / f"basemap-{name}.png"))

    def assert_clean(self) -> None:
        assert not self.refused, f"requests off this machine: {self.refused}"
        assert not self.failed, f"failed requests: {self.failed}"
        assert not self.errors, f"browser errors: {self.errors}"


def test_the_incident_list_draws_the_countries_under_the_markers_with_no_network(live_server, browser):
    tab = OfflineTab(browser, live_server.url)

    tab.goto("/incidents/")

    borders = tab.page.locator("#results-map .leaflet-basemap-pane path")
    borders.first.wait_for(state="attached")
    assert borders.count() > 100, "the countries were not drawn"
    # The markers sit above the basemap, in Leaflet's overlay pane.
    assert tab.page.locator("#results-map .leaflet-overlay-pane path").count() >= 1
    assert tab.page.locator("#results-map .basemap-label--country", has_text=re.compile(r"^Mali$")).count() == 1
    assert "Natural Earth" in tab.page.locator("#results-map .leaflet-control-attribution").inner_text()
    assert "map--offline" not in (tab.page.locator("#results-map").get_attribute("class") or "")
    tab.page.wait_for_load_state("networkidle")
    tab.shoot("incident-list")
    assert "/basemap/countries.geojson" in tab.basemap
    tab.assert_clean()


def test_the_incident_page_draws_the_regions_of_mali_with_kidal_named(live_server, browser, kidal):
    tab = OfflineTab(browser, live_server.url)

    tab.goto(kidal["incident"].get_absolute_url())

    # The label's own box is empty (Leaflet places its corner); the text is in its span.
    tab.page.locator("#incident-map .basemap-label--region span", has_text=re.compile(r"^Kidal$")).wait_for()
    assert tab.page.locator("#incident-map .leaflet-basemap-pane path").count() > 100
    assert "/basemap/admin1/ML.geojson" in tab.basemap
    tab.page.wait_for_load_state("networkidle")
    tab.shoot("incident")
    tab.assert_clean()


def test_with_a_tile_server_set_the_map_asks_it_for_tiles_and_not_for_the_basemap(live_server, browser, settings):
    settings.ARCHIVE_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    tab = OfflineTab(browser, live_server.url)

    tab.goto("/incidents/")

    tab.page.locator("#results-map.leaflet-container").wait_for()
    tab.page.wait_for_load_state("networkidle")
    # The tiles are asked for (the CSP, read at start-up, may stop them before the network does).
    tiles = tab.page.locator("#results-map .leaflet-tile-pane img.leaflet-tile")
    assert tiles.count() > 0
    assert tiles.first.get_attribute("src").startswith("https://tiles.example.org/")
    assert tab.basemap == []
    assert tab.page.locator("#results-map .leaflet-basemap-pane").count() == 0
