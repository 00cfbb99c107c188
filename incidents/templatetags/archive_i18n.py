"""Template helpers for text in several languages: `{% load archive_i18n %}`.

Editors may translate an incident's title and summary (``title_fr``, ``summary_ar``...). The
reader sees the translation into the active language when there is one, else the original,
which is then marked with the language it is written in (``Incident.text_language``), so a
browser shapes, hyphenates and orders it correctly inside a page in another language.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from incidents.vocabulary_labels import vocabulary_label

register = template.Library()

# The fields that have translations, and a language tag's shape (BCP 47: "fr", "ar", "pt-BR").
# Record languages are typed by editors; anything else is left out of the markup.
TRANSLATED_FIELDS = ("title", "summary")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


def _reader_language() -> str:
    return (get_language() or "en").split("-")[0].lower()


def shown_text(incident: object, field: str) -> tuple[str, str]:
    """The text of ``field`` that the reader sees and the language it is written in."""
    if field not in TRANSLATED_FIELDS:
        raise ValueError(f"{field!r} has no translations; expected one of {TRANSLATED_FIELDS}.")
    language = _reader_language()
    translated = getattr(incident, f"{field}_{language}", "") or ""
    if translated.strip():
        return translated, language
    return getattr(incident, field, "") or "", getattr(incident, "text_language", "") or ""


@register.filter
def incident_title(incident: object) -> str:
    """``{{ incident|incident_title }}``: the title in the reader's language, else the original."""
    return shown_text(incident, "title")[0]


@register.filter
def incident_summary(incident: object) -> str:
    """``{{ incident|incident_summary }}``: the summary in the reader's language, else the original."""
    return shown_text(incident, "summary")[0]


@register.filter
def lang_attr(code: object) -> SafeString:
    """``<p{{ quote.language|lang_attr }}>``: ` lang="code" dir="auto"`, or only ` dir="auto"`.

    ``dir="auto"`` lets the browser take the direction from the text itself, so an Arabic
    quotation reads right to left inside an English page and a French one inside an Arabic page.
    """
    code = str(code or "").strip()
    if code and _LANGUAGE_TAG.match(code):
        return format_html(' lang="{}" dir="auto"', code)
    return SafeString(' dir="auto"')


@register.simple_tag
def text_lang(incident: object, field: str) -> SafeString:
    """``<h1{% text_lang incident "title" %}>``: the language of the text actually shown, and dir="auto"."""
    return lang_attr(shown_text(incident, field)[1])


@register.filter
def vocabulary(name: object) -> str:
    """``{{ incident.event_type.name|vocabulary }}``: an event type's name in the reader's language."""
    return vocabulary_label(str(name or ""))
