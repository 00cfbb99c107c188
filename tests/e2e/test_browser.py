"""The public site in a real headless browser (Debian's chromium), on the demo data.

The walk a reader takes: home page, search by an actor's alias, narrow by country and
event type, open the seed incident and read its claims side by side. Every page visited
is checked for leaks (a confidential source's identity, a draft's title), and screenshots
at desktop and phone width are saved to test-artifacts/screenshots/ for a human to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.management import call_command

from incidents.models import Incident, Person, Source, Status
from tests.e2e.chromium import DESKTOP, PHONE, SCREENSHOTS, chromium, requires_chromium
from tests.test_public_pages import build_kidal

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    requires_chromium,
]


@pytest.fixture
def demo() -> dict[str, object]:
    call_command("load_demo", verbosity=0)
    cache.clear()
    seed = Incident.objects.published().get(title__startswith="Ambush of a Malian army logistics convoy")
    confidential = list(Source.objects.filter(confidential=True))
    assert confidential, "the demo data must include a confidential source"
    # Identifying strings of confidential sources and people: none may reach a public page.
    secrets = {
        value
        for source in confidential
        for value in (source.author, source.title, source.url, source.archived_url, source.internal_notes)
        if value
    }
    for person in Person.objects.filter(confidential=True).prefetch_related("aliases"):
        secrets |= {person.name, person.slug, *(alias.name for alias in person.aliases.all())}
    # A confidential source some published incident cites, to visit its page.
    withheld = Source.objects.published().filter(confidential=True).order_by("pk").first()
    # A draft and a review in progress with tell-tale titles (in case the demo has none).
    draft = Incident.objects.get(pk=seed.pk)
    draft.pk = None
    draft.title = "UNPUBLISHED-DRAFT convoy ambush near Kidal"
    draft.status = Status.DRAFT
    draft.published_at = None
    draft.save()
    hidden_titles = [draft.title, *Incident.objects.exclude(status=Status.PUBLISHED).values_list("title", flat=True)]
    hidden_titles = [t for t in hidden_titles if not Incident.objects.published().filter(title=t).exists()]
    return {"seed": seed, "secrets": secrets, "hidden_titles": hidden_titles, "withheld": withheld}


@pytest.fixture
def browser(demo: dict[str, object]) -> Iterator[object]:
    # Started after the database is ready and the demo loaded: while Playwright's loop runs,
    # Django sees another execution context (hence other connection objects), so all ORM
    # work stays outside it.
    with chromium() as browser:
        yield browser


class Visitor:
    """A browser tab that checks every page it sees for leaks and JavaScript errors."""

    def __init__(self, page, base_url: str, demo: dict[str, object]) -> None:
        self.page = page
        self.base_url = base_url
        self.demo = demo
        self.errors: list[str] = []
        self.visited: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, (path, response and response.status)
        self.check()

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        html = self.page.content()
        self.visited.append(self.page.url)
        for secret in self.demo["secrets"]:
            assert secret not in html, f"confidential source identity {secret!r} on {self.page.url}"
        for title in self.demo["hidden_titles"]:
            assert title not in html, f"unpublished incident {title!r} on {self.page.url}"
        assert not self.errors, f"browser errors on {self.page.url}: {self.errors}"

    def shoot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        width = self.page.viewport_size["width"]
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def test_a_reader_finds_the_seed_story_and_reads_its_claims_side_by_side(live_server, demo, browser):
    page = browser.new_page(viewport=DESKTOP)
    visitor = Visitor(page, live_server.url, demo)
    seed: Incident = demo["seed"]

    visitor.goto("/")
    assert page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".leaflet-container").count() == 1, "the home map did not draw"
    assert page.locator(".timeline__bar").count() > 0

    # Search through an actor's French alias: the incident text never says it.
    page.get_by_label("Search incidents, places and actors").fill("Front de Libération de l'Azawad")
    page.get_by_role("button", name="Search").click()
    visitor.check()
    assert "/incidents/?" in page.url
    titles = page.locator(".result__title").all_inner_texts()
    assert seed.title in titles

    # Narrow by country and event type with the facet checkboxes, then apply.
    page.locator("input[name=country][value=ML]").check()
    page.locator("input[name=event_type][value=battles]").check()
    page.get_by_role("button", name="Apply filters").first.click()
    visitor.check()
    assert re.search(r"country=ML", page.url) and re.search(r"event_type=battles", page.url)
    assert seed.title in page.locator(".result__title").all_inner_texts()
    for meta in page.locator(".result__meta").all_inner_texts():
        assert ", ML" in meta
    csv_link = page.get_by_role("link", name="Download these incidents as CSV")
    assert csv_link.get_attribute("href").startswith("/export/incidents.csv?")
    assert "country=ML" in csv_link.get_attribute("href")
    visitor.shoot("incident-list")

    # Open the seed incident.
    page.get_by_role("link", name=seed.title).click()
    visitor.check()
    assert page.url.endswith(seed.get_absolute_url())
    assert page.locator(".leaflet-container").count() == 1, "the incident map did not draw"

    claims = page.locator("section.claims-section")
    claims_text = claims.inner_text()
    assert "several dozen" in claims_text
    assert "10 enemy combatants" in claims_text
    assert "three of their members" in claims_text
    # The army's 10 and the FLA's acknowledged 3 are about the same dead: one group, adjacent rows.
    group = claims.locator("tbody", has_text="10 enemy combatants")
    group_text = group.inner_text()
    assert "three of their members" in group_text
    assert "Acknowledgement" in group_text
    assert "identity withheld" in claims_text
    # The FLA's statement relayed by AFP and by AP is one claim with its reports beneath it.
    assert claims.locator("td[data-label=Reports]", has_text=re.compile(r"Carried by \d+ reports")).count() >= 1
    visitor.shoot("incident-detail")

    # A confidential source's page shows its kind only.
    withheld = page.get_by_role("link", name=re.compile("identity withheld"))
    if withheld.count():
        withheld.first.click()
        visitor.check()
    else:
        visitor.goto(demo["withheld"].get_absolute_url())
    assert "identity withheld" in page.locator("h1").inner_text()
    visitor.shoot("source-confidential")

    for path in ("/actors/", "/methodology/"):
        visitor.goto(path)
    visitor.goto("/actors/africa-corps/")
    relations = page.locator("ul.relations").inner_text()
    assert "is the successor of" in relations and "Wagner" in relations
    page.close()


def test_the_main_pages_render_at_desktop_and_phone_width(live_server, demo, browser):
    seed: Incident = demo["seed"]
    pages = {
        "home": "/",
        "incidents": "/incidents/?q=Afrika+Korps",
        "incident": seed.get_absolute_url(),
        "actor": "/actors/azawad-liberation-front/",
        "actors": "/actors/",
        "methodology": "/methodology/",
    }
    for viewport in (DESKTOP, PHONE):
        page = browser.new_page(viewport=viewport)
        visitor = Visitor(page, live_server.url, demo)
        for name, path in pages.items():
            visitor.goto(path)
            # Nothing may overflow sideways on a phone: the page scrolls only vertically.
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{name} is {overflow}px too wide at {viewport['width']}px"
            visitor.shoot(name)
        page.close()


def test_the_list_works_without_javascript(live_server, demo, browser):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    visitor = Visitor(page, live_server.url, demo)
    visitor.goto("/incidents/?q=Afrika+Korps")
    assert demo["seed"].title in page.locator(".result__title").all_inner_texts()
    assert page.locator(".map__fallback").is_visible()
    # The choices work uncounted; a link shows the page with its counts, and the countries found.
    page.get_by_role("link", name="Show how many incidents match each filter").click()
    visitor.check()
    page.locator("input[name=country][value=ML]").check()
    page.get_by_role("button", name="Apply filters").first.click()
    visitor.check()
    assert "country=ML" in page.url and "counts=1" in page.url
    context.close()


@pytest.fixture
def seed_like() -> dict[str, object]:
    """The seed story built here (not from the demo): the FLA's statement carried by AFP, AP and
    an Arabic-language aggregator, with the editors' translation of the Arabic."""
    cache.clear()
    kidal = build_kidal()
    secrets = {"Secret Official Name", "Kidal regional council", "secret.example.org", "phone number", "EDITORS-ONLY"}
    return {"seed": kidal["incident"], "secrets": secrets, "hidden_titles": []}


@pytest.fixture
def seed_browser(seed_like: dict[str, object]) -> Iterator[object]:
    with chromium() as browser:
        yield browser


def test_an_arabic_quote_reads_right_to_left_with_its_translation_beside_it(live_server, seed_like, seed_browser):
    seed: Incident = seed_like["seed"]
    for viewport in (DESKTOP, PHONE):
        page = seed_browser.new_page(viewport=viewport)
        visitor = Visitor(page, live_server.url, seed_like)
        visitor.goto(seed.get_absolute_url())
        if viewport is PHONE:
            # Claim groups start closed on a phone: the reader taps the group open.
            page.locator("details.claims-group", has_text="several dozen").locator("summary").click()

        claim = page.locator("tr.claims__claim", has_text="several dozen")
        assert claim.count() == 1, "the claim is shown once, however many reports carry it"
        assert "Carried by 3 reports" in claim.inner_text()
        reports = page.locator("tr.claims__citations").first
        assert reports.locator(".cite").count() == 3
        quote = reports.locator("blockquote[lang=ar]")
        assert quote.get_attribute("dir") == "auto"
        assert quote.inner_text() == "قتل عشرات من عناصر الفيلق الأفريقي"
        assert quote.evaluate("element => getComputedStyle(element).direction") == "rtl"
        translation = quote.locator("xpath=following-sibling::*[1]")
        assert "Dozens of Africa Corps members were killed." in translation.inner_text()
        assert translation.get_attribute("lang") == "en"
        assert translation.evaluate("element => getComputedStyle(element).direction") == "ltr"
        words, meaning = quote.bounding_box(), translation.bounding_box()
        if viewport is DESKTOP:
            # Beside it: on the same line, the translation to one side.
            assert abs(words["y"] - meaning["y"]) < 20 and meaning["x"] > words["x"] + words["width"] - 1
        else:
            # On a phone, right beneath it.
            assert meaning["y"] >= words["y"] + words["height"] - 1
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the incident page is {overflow}px too wide at {viewport['width']}px"
        visitor.shoot("incident-quotes")
        # The spokesman's page, reached from the claim he speaks for.
        claim.get_by_role("link", name="Mohamed Maouloud Ramadan").click()
        visitor.check()
        assert page.locator("h1").inner_text() == "Mohamed Maouloud Ramadan"
        assert "several dozen" in page.locator("table.claims").inner_text()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the person page is {overflow}px too wide at {viewport['width']}px"
        visitor.shoot("person")
        page.close()
