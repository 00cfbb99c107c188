"""History: how it is recorded, pausing it for rows written in bulk, and reading it back for
the editors.

``tracked`` gives a model pghistory's insert, update and delete events, written by
statement-level triggers: one INSERT ... SELECT over the rows a statement changed, so a bulk
UPDATE of 100,000 incidents writes its events (and refreshes their public copy,
incidents.readmodel) once, not 100,000 times. The bulk writers (the imports in
incidents.imports.engine and the synthetic data of generate_incidents) pause the insert triggers
inside their transaction: the triggers select no row while ``settings.HISTORY_PAUSED`` is on.
The imports then record the same events with one INSERT ... SELECT per table; synthetic
benchmark data keeps no insert events.

``history_entries`` reads a record's events (and those of the rows that belong to it) as the
editors' history page shows them: who changed which field from what to what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pghistory
import pghistory.models
import pgtrigger
import psycopg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.backends.utils import CursorWrapper

from incidents.sql import set_config


def tracked(**options: Any) -> Callable[[type[models.Model]], type[models.Model]]:
    """``pghistory.track`` with the archive's events, at statement level. The trackers are made
    afresh for each model: pghistory's copies of shared ones would carry copies of pgtrigger's
    operations, which no longer compare equal to the originals a statement-level trigger checks."""
    paused = pgtrigger.Condition(f"current_setting('{settings.HISTORY_PAUSED}', true) IS DISTINCT FROM 'on'")
    trackers = (pghistory.InsertEvent(condition=paused), pghistory.UpdateEvent(), pghistory.DeleteEvent())
    return pghistory.track(*trackers, level=pghistory.Statement, **options)


@contextmanager
def insert_history_paused(cursor: CursorWrapper | psycopg.Cursor[Any]) -> Iterator[None]:
    """Rows inserted inside the block get no insert event from the triggers.

    Call it inside ``transaction.atomic()``. The setting is transaction-local; it is cleared at
    the end of the block, since an enclosing transaction would otherwise keep it. After an
    error, the rollback of the atomic block clears it with everything else.
    """
    set_config(cursor, settings.HISTORY_PAUSED, "on", local=True)
    yield
    set_config(cursor, settings.HISTORY_PAUSED, "", local=True)


# --- The editors' history of a record ----------------------------------------------------------

# Columns that change on every save and say nothing an editor needs to read.
HISTORY_NOISE = {"updated_at", "version"}


@dataclass
class HistoryEntry:
    """One row of a record's history page."""

    event_id: int
    when: datetime
    label: str
    subject: str
    user: str
    url: str
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    restorable: bool = False
    subject_url: str = ""


def _columns(model: type[models.Model]) -> dict[str, models.Field]:
    return {f.column: f for f in model._meta.concrete_fields}


def _related_labels(diffs: list[tuple[models.Field, Any, Any]]) -> dict[tuple[type, Any], str]:
    """Readable names for the foreign keys that appear in diffs: one query per related model."""
    wanted: dict[type[models.Model], set] = {}
    for model_field, before, after in diffs:
        if model_field.is_relation:
            wanted.setdefault(model_field.related_model, set()).update(v for v in (before, after) if v is not None)
    labels = {}
    for model, ids in wanted.items():
        rows = model._default_manager.filter(pk__in=ids)
        if model is get_user_model():
            labels.update({(model, u.pk): u.get_username() for u in rows})
        else:
            labels.update({(model, obj.pk): str(obj) for obj in rows.select_related()})
    return labels


def _readable(field: models.Field, value: Any, labels: dict[tuple[type, Any], str]) -> Any:
    if value is None or value == "" or value == []:
        return None
    if field.is_relation:
        return labels.get((field.related_model, value), f"#{value} (deleted)")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def _no_link(model: type[models.Model], pk: Any) -> str:
    return ""


def _nested_events(
    obj: models.Model, parent: type[models.Model], child: type[models.Model], limit: int
) -> list[pghistory.models.Events]:
    """The events of the ``child`` rows of every ``parent`` row that ever pointed to ``obj``, deleted ones too."""
    fk = next(f for f in parent._meta.concrete_fields if f.is_relation and f.related_model is type(obj))
    parents = parent.pgh_event_model.objects.filter(**{fk.attname: obj.pk}).values_list("pgh_obj_id", flat=True)
    parent_ids = sorted(set(parents))
    if not parent_ids:
        return []
    events = pghistory.models.Events.objects.across(child.pgh_event_model)
    events = events.references([parent(pk=pk) for pk in parent_ids])
    return list(events.order_by("-pgh_created_at", "-pgh_id")[:limit])


def history_entries(
    obj: models.Model,
    related: tuple[type[models.Model], ...] = (),
    limit: int = 200,
    link: Callable[[type[models.Model], Any], str] = _no_link,
    nested: tuple[tuple[type[models.Model], type[models.Model]], ...] = (),
) -> list[HistoryEntry]:
    """The history of ``obj`` (and of the listed related models' rows that point to it), newest first.

    ``nested`` pairs (parent, child) add the rows of a related row: (Claim, Citation) lists the
    changes to the citations of an incident's claims. ``link(model, pk)`` gives the address of
    a related row's own history, where it has one.
    """
    own_event_model = type(obj).pgh_event_model
    event_models = [own_event_model, *(m.pgh_event_model for m in related)]
    events = pghistory.models.Events.objects.across(*event_models)
    events = events.references(obj) if related else events.tracks(obj)
    events = list(events.order_by("-pgh_created_at", "-pgh_id")[:limit])
    for parent, child in nested:
        events += _nested_events(obj, parent, child, limit)
    if nested:
        events = sorted(events, key=lambda e: (e.pgh_created_at, e.pgh_id), reverse=True)[:limit]

    children = tuple(child for _, child in nested)
    models_by_event = {m.pgh_event_model._meta.label: m for m in (type(obj), *related, *children)}
    columns = {label: _columns(model) for label, model in models_by_event.items()}
    # Event ids are per table: a claim event and an incident event can share one.
    diffs = {
        (event.pgh_model, event.pgh_id): [
            (columns[event.pgh_model][column], before, after)
            for column, (before, after) in sorted((event.pgh_diff or {}).items())
            if column in columns[event.pgh_model] and column not in HISTORY_NOISE
        ]
        for event in events
    }
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context} - {None}
    users = {u.pk: u.get_username() for u in get_user_model().objects.filter(pk__in=user_ids)}
    labels = _related_labels([change for changes in diffs.values() for change in changes])

    entries = []
    for event in events:
        model = models_by_event[event.pgh_model]
        context = event.pgh_context or {}
        own = event.pgh_model == own_event_model._meta.label
        entries.append(
            HistoryEntry(
                event_id=event.pgh_id,
                when=event.pgh_created_at,
                label=event.pgh_label,
                subject=str(model._meta.verbose_name).capitalize() + ("" if own else f" #{event.pgh_obj_id}"),
                subject_url=link(model, event.pgh_obj_id) if not own and event.pgh_label != "delete" else "",
                user=users.get(context.get("user"), "—"),
                url=context.get("url", ""),
                changes=[
                    (str(field.verbose_name), _readable(field, before, labels), _readable(field, after, labels))
                    for field, before, after in diffs[event.pgh_model, event.pgh_id]
                ],
                restorable=own,
            )
        )
    return entries
