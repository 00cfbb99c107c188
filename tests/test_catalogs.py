"""The French and Arabic catalogs: every string translated, and the compiled files the app loads
made from the catalogs as committed (``make messages`` gathers and compiles them)."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


def _entries(path: Path) -> list[dict]:
    """The entries of a .po file as makemessages writes it: flags, msgctxt, msgid, msgid_plural and
    each msgstr, strings joined across lines."""
    entries: list[dict] = []
    entry: dict = {}
    key = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#,"):
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def _messages(code: str) -> list[dict]:
    return [e for e in _entries(LOCALE / code / "LC_MESSAGES" / "django.po") if e["msgid"]]


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_string_is_translated(code):
    untranslated = [
        e["msgid"]
        for e in _messages(code)
        if "fuzzy" in e.get("flags", ()) or not all(value for key, value in e.items() if key.startswith("msgstr"))
    ]
    assert untranslated == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_compiled_catalog_is_the_committed_one(code):
    with open(LOCALE / code / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    differing = []
    for e in _messages(code):
        context = f"{e['msgctxt']}\x04" if "msgctxt" in e else ""
        if "msgid_plural" in e:
            found = catalog._catalog.get((context + e["msgid"], 0))
            expected = e["msgstr[0]"]
        else:
            found = catalog._catalog.get(context + e["msgid"])
            expected = e["msgstr"]
        if found != expected:
            differing.append(e["msgid"])
    assert differing == []
