"""Readers in English, French and Arabic: the language they get, how they change it, and text in several languages."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from incidents import models
from incidents.templatetags.archive_site import page_title
from incidents.vocabulary_labels import EVENT_TYPE_NAMES, vocabulary_label
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

SITE = "Open Incident Archive"


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_it_serves_english_when_the_browser_asks_for_nothing_else(client: Client):
    response = client.get("/incidents/")
    assert response.status_code == 200
    assert html_tag(response) == '<html lang="en" dir="ltr">'
    assert ">Methodology</a>" in response.content.decode()
    assert response["Content-Language"] == "en"


def test_it_serves_a_french_page_to_a_french_browser(client: Client):
    response = client.get("/incidents/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    page = response.content.decode()
    assert html_tag(response) == '<html lang="fr" dir="ltr">'
    # The header and footer come from base.html's catalog.
    assert ">Méthodologie</a>" in page
    assert ">Acteurs</a>" in page
    assert "Aller au contenu" in page
    assert "Fiches publiées uniquement." in page
    assert response["Content-Language"] == "fr"


def test_it_serves_an_arabic_page_right_to_left(client: Client):
    response = client.get("/incidents/", HTTP_ACCEPT_LANGUAGE="ar")
    page = response.content.decode()
    assert html_tag(response) == '<html lang="ar" dir="rtl">'
    assert ">المنهجية</a>" in page
    assert 'aria-label="القائمة الرئيسية"' in page


def test_it_falls_back_to_english_for_a_language_it_does_not_have(client: Client):
    response = client.get("/incidents/", HTTP_ACCEPT_LANGUAGE="de")
    assert html_tag(response) == '<html lang="en" dir="ltr">'


def test_responses_vary_on_accept_language_and_the_cookie():
    # A shared cache must not hand a French page to an Arabic reader.
    response = Client().get("/incidents/", HTTP_ACCEPT_LANGUAGE="fr")
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary


def test_the_switchers_cookie_wins_over_accept_language():
    # CSRF checks on, as for a real browser: the switcher posts without a token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/i18n/setlang/", {"language": "ar", "next": "/incidents/?country=ML"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 302
    assert response["Location"] == "/incidents/?country=ML"
    assert client.cookies["django_language"].value == "ar"
    assert client.cookies["django_language"]["httponly"]

    page = client.get("/incidents/", HTTP_ACCEPT_LANGUAGE="fr")
    assert html_tag(page) == '<html lang="ar" dir="rtl">'


def test_the_switcher_refuses_to_send_the_reader_to_another_site():
    response = Client().post("/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_switcher_is_a_form_that_works_without_javascript(client: Client):
    page = client.get("/incidents/?country=ML", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    form = re.search(r'<form class="language-switch".*?</form>', page, re.S).group(0)
    assert 'action="/i18n/setlang/" method="post"' in form
    assert '<input type="hidden" name="next" value="/incidents/?country=ML">' in form
    assert '<label for="language-switch"' in form
    # Each language named in its own language, marked with it; the reader's own chosen.
    assert '<option value="en" lang="en">English</option>' in form
    assert '<option value="fr" lang="fr" selected>Français</option>' in form
    assert '<option value="ar" lang="ar">العربية</option>' in form
    assert '<button type="submit"' in form


def test_page_titles_name_the_site_once(client: Client):
    assert title_of(client.get("/incidents/")) == f"Incidents · {SITE}"
    # The data page's own title already ends with the site's name: it is not added again.
    assert title_of(client.get("/data/")).count(SITE) == 1
    # The home page is the site: its title stands alone.
    assert title_of(client.get("/")).count(SITE) <= 1


@pytest.mark.parametrize(
    ("title", "is_home", "expected"),
    [
        ("Incidents", False, f"Incidents · {SITE}"),
        ("", False, SITE),
        (SITE, False, SITE),
        (f"Data · {SITE}", False, f"Data · {SITE}"),
        ("Overview", True, "Overview"),
        ("", True, SITE),
    ],
)
def test_page_title_never_repeats_the_site_name(title: str, is_home: bool, expected: str):
    assert page_title(title, site=SITE, is_home=is_home) == expected


def test_every_page_has_an_svg_favicon_that_is_served(client: Client):
    page = client.get("/incidents/").content.decode()
    assert '<link rel="icon" type="image/svg+xml" href="/static/img/favicon.svg">' in page
    icon = client.get("/static/img/favicon.svg")
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)


def render(source: str, **context: object) -> str:
    return Template("{% load archive_i18n %}" + source).render(Context(context))


def test_a_french_reader_sees_the_french_title_and_summary():
    incident = IncidentFactory(
        title="Convoy ambushed near Anefif", title_fr="Convoi pris en embuscade près d'Anefif", summary_fr="Résumé."
    )
    incident.refresh_from_db()
    with translation.override("fr"):
        html = render(
            '<h1{% text_lang incident "title" %}>{{ incident|incident_title }}</h1>'
            '<p{% text_lang incident "summary" %}>{{ incident|incident_summary }}</p>',
            incident=incident,
        )
    assert html == (
        '<h1 lang="fr" dir="auto">Convoi pris en embuscade près d&#x27;Anefif</h1><p lang="fr" dir="auto">Résumé.</p>'
    )


def test_a_reader_without_a_translation_sees_the_original_marked_with_its_language():
    incident = IncidentFactory(
        title="Embuscade contre un convoi", summary="Un convoi a été attaqué.", text_language="fr", title_en="Ambush"
    )
    incident.refresh_from_db()
    source = '<h1{% text_lang incident "title" %}>{{ incident|incident_title }}</h1>'
    with translation.override("ar"):
        assert render(source, incident=incident) == '<h1 lang="fr" dir="auto">Embuscade contre un convoi</h1>'
    with translation.override("en"):
        assert render(source, incident=incident) == '<h1 lang="en" dir="auto">Ambush</h1>'
        # No English summary: the French original, marked French.
        assert (
            render('<p{% text_lang incident "summary" %}>{{ incident|incident_summary }}</p>', incident=incident)
            == '<p lang="fr" dir="auto">Un convoi a été attaqué.</p>'
        )


def test_a_blank_translation_counts_as_none():
    incident = IncidentFactory(title="Original", title_fr="   ")
    with translation.override("fr"):
        assert render("{{ incident|incident_title }}", incident=incident) == "Original"


def test_translated_text_is_escaped():
    incident = IncidentFactory(title="x", title_ar="<script>alert(1)</script>")
    with translation.override("ar"):
        assert render("{{ incident|incident_title }}", incident=incident) == "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ar", ' lang="ar" dir="auto"'),
        ("pt-BR", ' lang="pt-BR" dir="auto"'),
        ("", ' dir="auto"'),
        (None, ' dir="auto"'),
        # A language typed by an editor never breaks out of the attribute.
        ('fr" onmouseover="alert(1)', ' dir="auto"'),
    ],
)
def test_lang_attr_marks_a_records_language_and_direction(code: str | None, expected: str):
    assert render("<q{{ code|lang_attr }}>", code=code) == f"<q{expected}>"


def test_new_incidents_are_written_in_english_unless_the_editor_says_otherwise():
    incident = IncidentFactory()
    incident.refresh_from_db()
    assert incident.text_language == "en"
    assert (incident.title_en, incident.title_fr, incident.title_ar) == ("", "", "")


def test_the_vocabulary_module_lists_every_event_type_and_sub_type_in_the_archive():
    # The taxonomy seeded by migration 0003, read from the database: a name added there
    # without adding it here would never be translated.
    taxonomy: dict[str, set[str]] = {}
    for sub in models.SubEventType.objects.select_related("event_type"):
        taxonomy.setdefault(sub.event_type.name, set()).add(sub.name)
    assert taxonomy == {name: set(subs) for name, subs in EVENT_TYPE_NAMES.items()}


def test_event_types_are_named_in_the_readers_language():
    names = [name for event_type, subs in EVENT_TYPE_NAMES.items() for name in (event_type, *subs)]
    with translation.override("ar"):
        untranslated = [name for name in names if vocabulary_label(name) == name]
        assert vocabulary_label("Battles") == "معارك"
    assert untranslated == []
    with translation.override("fr"):
        assert vocabulary_label("Armed clash") == "Affrontement armé"
        assert render("{{ name|vocabulary }}", name="Violence against civilians") == "Violence contre les civils"
        # A name no catalog knows (an editor's addition) is shown as written; empty stays empty.
        assert vocabulary_label("Cattle raid") == "Cattle raid"
        assert vocabulary_label("") == ""


@pytest.mark.parametrize(
    ("label", "french", "arabic"),
    [
        (models.Grading.CONTESTED.label, "Contesté", "متنازع عليه"),
        (models.ActorKind.REBEL_GROUP.label, "Groupe rebelle", "جماعة متمردة"),
        (models.Stance.DENIAL.label, "Démenti", "نفي"),
        (models.ClaimKind.FATALITIES.label, "Morts", "قتلى"),
        (models.Status.PUBLISHED.label, "Publié", "منشور"),
    ],
)
def test_the_vocabularies_choices_are_translated(label: str, french: str, arabic: str):
    with translation.override("fr"):
        assert str(label) == french
    with translation.override("ar"):
        assert str(label) == arabic
    with translation.override("en"):
        assert str(label) not in (french, arabic)
