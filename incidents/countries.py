"""Country names for ISO 3166-1 alpha-2 codes, in English or in the reader's language, from
pycountry's copy of the iso-codes project's names and translations."""

from __future__ import annotations

import functools
import gettext

import pycountry
from django.utils.translation import get_language

# Codes in use that ISO 3166-1 has not assigned (yet), with their English names.
EXTRA_COUNTRIES = {"XK": "Kosovo"}


@functools.cache
def catalog(language: str) -> gettext.NullTranslations:
    """pycountry's translations of the country names into ``language`` (none for English)."""
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language.split("-")[0]], fallback=True)


def msgid(code: str) -> str | None:
    """The name the catalogs translate: the common name where ISO's is formal; None if unknown."""
    country = pycountry.countries.get(alpha_2=code) if code else None
    if country is None:
        return EXTRA_COUNTRIES.get(code)
    return getattr(country, "common_name", None) or country.name


def english_name(code: str) -> str:
    """The short English name ("Congo, The Democratic Republic of the" reads as "The Democratic
    Republic of the Congo"); the code itself if unknown."""
    name = msgid(code)
    if name is None:
        return code
    if ", " in name:
        head, tail = name.split(", ", 1)
        name = f"{tail} {head}"
    return name


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in ``language`` (the active language by default), in English where
    the catalogs have no translation."""
    language = language or get_language() or "en"
    name = msgid(code)
    if name is None or language.startswith("en"):
        return english_name(code)
    translated = catalog(language).gettext(name)
    return english_name(code) if translated == name else translated
