"""The names of the event taxonomy, in the reader's language.

Event types and sub-event types are rows (ACLED's taxonomy, seeded by migration 0003), so
their names cannot be wrapped in ``gettext_lazy`` where they are declared. They are listed
here for ``makemessages`` instead, and translated at render time by ``vocabulary_label``,
the one place a row's name becomes a label. A name an editor adds later, which no catalog
knows, is shown as written.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

EVENT_TYPE_NAMES: dict[str, tuple[str, ...]] = {
    gettext_noop("Battles"): (
        gettext_noop("Armed clash"),
        gettext_noop("Government regains territory"),
        gettext_noop("Non-state actor overtakes territory"),
    ),
    gettext_noop("Explosions/Remote violence"): (
        gettext_noop("Chemical weapon"),
        gettext_noop("Air/drone strike"),
        gettext_noop("Suicide bomb"),
        gettext_noop("Shelling/artillery/missile attack"),
        gettext_noop("Remote explosive/landmine/IED"),
        gettext_noop("Grenade"),
    ),
    gettext_noop("Violence against civilians"): (
        gettext_noop("Sexual violence"),
        gettext_noop("Attack"),
        gettext_noop("Abduction/forced disappearance"),
    ),
    gettext_noop("Protests"): (
        gettext_noop("Peaceful protest"),
        gettext_noop("Protest with intervention"),
        gettext_noop("Excessive force against protesters"),
    ),
    gettext_noop("Riots"): (
        gettext_noop("Violent demonstration"),
        gettext_noop("Mob violence"),
    ),
    gettext_noop("Strategic developments"): (
        gettext_noop("Agreement"),
        gettext_noop("Arrests"),
        gettext_noop("Change to group/activity"),
        gettext_noop("Disrupted weapons use"),
        gettext_noop("Headquarters or base established"),
        gettext_noop("Looting/property destruction"),
        gettext_noop("Non-violent transfer of territory"),
        gettext_noop("Other"),
    ),
}


def vocabulary_label(name: str) -> str:
    """An event type's or sub-event type's name in the active language (as written if unknown).

    An empty name stays empty: ``gettext("")`` would return the catalog's header.
    """
    return gettext(name) if name else name
