"""The labels the admin shows for fields and record types that name none of their own, in the
editor's language.

Django names such a field after itself ("start_date" is "start date") and a model after its
class ("IncidentSource" is "incident source"). ``translate_default_labels`` makes those names
translatable when the app starts, by the catalogs' entries listed here for extraction. Only the
label shown changes: a field's declared ``verbose_name`` (what migrations record) stays unset,
so no migration follows; the test in ``tests/test_admin_languages.py`` fails on a label missing
from this list.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import AppConfig
from django.utils.translation import gettext_lazy, gettext_noop

DEFAULT_LABELS = [
    gettext_noop("actor"),
    gettext_noop("actor alias"),
    gettext_noop("actor relation"),
    gettext_noop("actor relations"),
    gettext_noop("actors"),
    gettext_noop("admin1"),
    gettext_noop("admin2"),
    gettext_noop("archived url"),
    gettext_noop("attribution"),
    gettext_noop("author"),
    gettext_noop("base version"),
    gettext_noop("changes"),
    gettext_noop("citation"),
    gettext_noop("citations"),
    gettext_noop("claim"),
    gettext_noop("claimant"),
    gettext_noop("claims"),
    gettext_noop("confidential"),
    gettext_noop("confidential wording confirmed"),
    gettext_noop("contested"),
    gettext_noop("correction"),
    gettext_noop("corrections"),
    gettext_noop("country"),
    gettext_noop("created at"),
    gettext_noop("created by"),
    gettext_noop("date precision"),
    gettext_noop("deaths a best"),
    gettext_noop("deaths a high"),
    gettext_noop("deaths a low"),
    gettext_noop("deaths b best"),
    gettext_noop("deaths b high"),
    gettext_noop("deaths b low"),
    gettext_noop("deaths civilians best"),
    gettext_noop("deaths civilians high"),
    gettext_noop("deaths civilians low"),
    gettext_noop("deaths unknown best"),
    gettext_noop("deaths unknown high"),
    gettext_noop("deaths unknown low"),
    gettext_noop("decided at"),
    gettext_noop("decided by"),
    gettext_noop("description"),
    gettext_noop("disclosure requested by"),
    gettext_noop("end date"),
    gettext_noop("estimate stale"),
    gettext_noop("event type"),
    gettext_noop("event types"),
    gettext_noop("fatalities best"),
    gettext_noop("fatalities high"),
    gettext_noop("fatalities high open"),
    gettext_noop("fatalities low"),
    gettext_noop("fatalities method"),
    gettext_noop("fatalities rationale"),
    gettext_noop("geo precision"),
    gettext_noop("grading"),
    gettext_noop("import key"),
    gettext_noop("incident"),
    gettext_noop("incident actor"),
    gettext_noop("incident actors"),
    gettext_noop("incident relation"),
    gettext_noop("incident relations"),
    gettext_noop("incident source"),
    gettext_noop("incident sources"),
    gettext_noop("incidents"),
    gettext_noop("injuries best"),
    gettext_noop("injuries high"),
    gettext_noop("injuries low"),
    gettext_noop("internal notes"),
    gettext_noop("kind"),
    gettext_noop("language"),
    gettext_noop("last edited by"),
    gettext_noop("latitude"),
    gettext_noop("location"),
    gettext_noop("longitude"),
    gettext_noop("losses actor"),
    gettext_noop("losses note"),
    gettext_noop("losses of"),
    gettext_noop("merged into"),
    gettext_noop("movement"),
    gettext_noop("name"),
    gettext_noop("note"),
    gettext_noop("notice"),
    gettext_noop("object"),
    gettext_noop("outlet"),
    gettext_noop("part of"),
    gettext_noop("person"),
    gettext_noop("person affiliation"),
    gettext_noop("person affiliations"),
    gettext_noop("person alias"),
    gettext_noop("place"),
    gettext_noop("published at"),
    gettext_noop("published by"),
    gettext_noop("published on"),
    gettext_noop("quantity high"),
    gettext_noop("quantity low"),
    gettext_noop("quantity text"),
    gettext_noop("quote"),
    gettext_noop("reason"),
    gettext_noop("rejection reason"),
    gettext_noop("reliability"),
    gettext_noop("responsible actor"),
    gettext_noop("retracted at"),
    gettext_noop("retraction notice"),
    gettext_noop("reviewed at"),
    gettext_noop("reviewed by"),
    gettext_noop("revises"),
    gettext_noop("revision"),
    gettext_noop("revision of"),
    gettext_noop("role"),
    gettext_noop("search document"),
    gettext_noop("side"),
    gettext_noop("slug"),
    gettext_noop("source"),
    gettext_noop("sources"),
    gettext_noop("speaker"),
    gettext_noop("stance"),
    gettext_noop("start date"),
    gettext_noop("status"),
    gettext_noop("sub event type"),
    gettext_noop("sub event types"),
    gettext_noop("subject"),
    gettext_noop("submitted at"),
    gettext_noop("summary"),
    gettext_noop("summary ar"),
    gettext_noop("summary en"),
    gettext_noop("summary fr"),
    gettext_noop("tags"),
    gettext_noop("text language"),
    gettext_noop("time of day"),
    gettext_noop("time precision"),
    gettext_noop("title"),
    gettext_noop("title ar"),
    gettext_noop("title en"),
    gettext_noop("title fr"),
    gettext_noop("translation"),
    gettext_noop("updated at"),
    gettext_noop("url"),
    gettext_noop("verification"),
    gettext_noop("verification note"),
    gettext_noop("version"),
]


def translatable_models(app: AppConfig) -> list:
    """The app's models an editor meets: not the history's event copies, nor the facet snapshots."""
    return [
        model
        for model in app.get_models()
        if model.__module__ == "incidents.models"
        and not model.__name__.endswith("Event")
        and model.__name__ != "FacetSnapshot"
    ]


def _derived(app: AppConfig) -> Iterator[tuple[object, str]]:
    """(holder, attribute) of each name Django made up because the code named none: a model's
    ``verbose_name`` and ``verbose_name_plural``, a field's ``verbose_name``."""
    for model in translatable_models(app):
        options = model._meta
        for attribute in ("verbose_name", "verbose_name_plural"):
            if attribute not in options.original_attrs:
                yield options, attribute
        for field in options.get_fields():
            if getattr(field, "concrete", False) and not field.auto_created and field._verbose_name is None:
                yield field, "verbose_name"


def default_labels(app: AppConfig) -> set[str]:
    """The field and record-type names Django made up because the code named none."""
    return {str(getattr(holder, attribute)) for holder, attribute in _derived(app)}


def translate_default_labels(app: AppConfig) -> None:
    for holder, attribute in _derived(app):
        setattr(holder, attribute, gettext_lazy(str(getattr(holder, attribute))))
