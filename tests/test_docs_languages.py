"""The methodology and data pages in French and Arabic.

These need the compiled catalogs (``manage.py compilemessages``); English stays the default.
"""

from __future__ import annotations

import re

import pytest

from incidents import methodology_text
from incidents.columns import TABLES
from incidents.presenters import GRADING_NOTES, reconciliation_rules

ANCHORS = ("acled", "corrections", "roles", "imports", "figures")


def _page(client, path: str, language: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_it_shows_the_methodology_in_french_with_its_anchors(client):
    body = _page(client, "/methodology/", "fr")

    assert '<html lang="fr" dir="ltr">' in body
    assert "<h1>Méthodologie</h1>" in body or "Méthodologie</h1>" in body
    assert "Qui fait quoi" in body and "Concilier les chiffres" in body and "Les colonnes d’ACLED" in body
    assert "Rien n’atteint le public sans une deuxième personne" in body
    assert "Seules les revendications portant sur les morts" in body  # a reconciliation rule
    for anchor in ANCHORS:
        assert f'id="{anchor}"' in body and f'href="#{anchor}"' in body
    assert "<code>/api/acled</code>" in body  # code samples stay as they are
    assert "Nothing reaches the public without a second person" not in body


@pytest.mark.django_db
def test_it_shows_the_methodology_in_arabic_right_to_left_with_its_anchors(client):
    body = _page(client, "/methodology/", "ar")

    assert 'dir="rtl"' in body
    assert "من يفعل ماذا" in body and "التوفيق بين الأرقام" in body and "أعمدة ACLED" in body
    assert "لا يصل شيء إلى الجمهور دون شخص ثانٍ" in body
    for anchor in ANCHORS:
        assert f'id="{anchor}"' in body and f'href="#{anchor}"' in body
    assert "<code>estimate_stale</code>" in body


@pytest.mark.django_db
def test_it_translates_the_data_page_and_keeps_column_names(client):
    french = _page(client, "/data/", "fr")
    arabic = _page(client, "/data/", "ar")

    assert "Données et téléchargements" in french and "Dictionnaire des données" in french
    assert "البيانات والتنزيلات" in arabic and "قاموس البيانات" in arabic
    for body in (french, arabic):
        for table in TABLES.values():
            assert f"/export/{table.name}.csv" in body
    title = re.search(r"<title>(.*?)</title>", french, re.S)
    assert title and title.group(1).startswith("Données et téléchargements")


@pytest.mark.django_db
def test_it_writes_the_data_dictionary_in_english_whatever_the_reader_language(client):
    """The descriptions are translated on the page only; the files keep the English text."""
    description = TABLES["incidents"].description
    assert description.startswith("Published incidents")
    body = _page(client, "/data/", "fr")
    assert description not in body


def test_it_keeps_the_translatable_copies_of_the_rules_and_grading_notes_in_step():
    assert tuple(reconciliation_rules()) == methodology_text.RECONCILIATION_RULES
    assert tuple(GRADING_NOTES.values()) == methodology_text.GRADING_NOTES
