"""archive_unaccent() in SQL folds text exactly as search_document.fold() does in Python, on each of its paths."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from incidents.search_document import UNACCENT_FUNCTION_SQL, fold

pytestmark = pytest.mark.django_db

TEXTS = [
    "",
    "Ambush near Kidal",  # ASCII: lower() alone
    "It`s a `quoted` word",  # ASCII with a backtick, which folds to a space
    "Agence France-Presse — Staff — Convoy ambushed",  # beyond ASCII, nothing to fold
    "Ménaka ÉCOLE Ålesund Łódź",  # accented, upper and lower case
    "Groupe de soutien à l’islam et aux musulmans",  # typographic apostrophe
    "Африканский корпус",  # Cyrillic: lower-cased, not folded
    "الجيش المالي",  # Arabic
    "ÆØß œ ñ ç",
]


@pytest.mark.parametrize("text", TEXTS)
def test_sql_folding_matches_python(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT archive_unaccent(%s)", [text])
        assert cursor.fetchone()[0] == fold(text)


def test_sql_folding_keeps_null():
    with connection.cursor() as cursor:
        cursor.execute("SELECT archive_unaccent(NULL)")
        assert cursor.fetchone()[0] is None


def test_the_latest_migration_creates_archive_unaccent_as_the_app_describes_it():
    # Migrations keep a frozen copy of the SQL; a change to the app's copy needs a new one.
    latest = importlib.import_module("incidents.migrations.0011_faster_unaccent")

    assert latest.UNACCENT_FUNCTION_SQL == UNACCENT_FUNCTION_SQL


@pytest.mark.parametrize("text", ["Ramadan", "ramadán", "MAULUD", "maouloud", "رمضان", '"maulud ramadan"'])
def test_people_are_searched_exactly_as_actors_are(text):
    from incidents.models import Actor, ActorAlias, Person, PersonAlias
    from incidents.search import matching_actor_ids, matching_person_ids

    actor = Actor.objects.create(name="Mohamed Maouloud Ramadan", slug="ramadan-group", kind="rebel_group")
    person = Person.objects.create(name="Mohamed Maouloud Ramadan", slug="ramadan")
    for spelling in ("Muhammad Maulud Ramadan", "محمد مولود رمضان"):
        ActorAlias.objects.create(actor=actor, name=spelling)
        PersonAlias.objects.create(person=person, name=spelling)
    Person.objects.create(name="Moussa Ag Ramadane", slug="someone-else")

    people = [row["pk"] for row in matching_person_ids(text)]
    actors = [row["pk"] for row in matching_actor_ids(text)]

    assert (people, actors) == ([person.pk], [actor.pk])
