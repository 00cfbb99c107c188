"""The editors' tool.

Every write goes through ``incidents.services``: saves carry the version the editor
started from (optimistic locking), workflow actions call the workflow services, and
history comes from the pghistory triggers, so it is the same whatever wrote the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pghistory.models
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.db import connection, connections, models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import smart_split, unescape_string_literal
from django.views.decorators.http import require_POST

from incidents import services
from incidents.admin_import import IncidentImportExportMixin
from incidents.admin_paginator import EstimatedCountPaginator
from incidents.models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Claim,
    EventType,
    Incident,
    IncidentActor,
    IncidentQuerySet,
    IncidentSource,
    Source,
    Status,
    SubEventType,
)
from incidents.search import search_incidents

# The hidden form field that carries the version of the record the editor started from.
VERSION_FIELD = "based_on_version"


# --- Optimistic locking ----------------------------------------------------------------------


class VersionedModelForm(forms.ModelForm):
    """A form that remembers which version of the record it was opened on.

    The check in ``clean()`` turns a stale save into a form error with the editor's input
    kept; ``services.record_save`` repeats it under a row lock for saves that race.
    """

    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault(VERSION_FIELD, self.instance.version)
            self.fields[VERSION_FIELD].required = True

    @cached_property
    def changed_data(self) -> list[str]:
        # The version is bookkeeping: a form whose only difference is a newer version is unchanged.
        return [name for name in super().changed_data if name != VERSION_FIELD]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        expected = cleaned.get(VERSION_FIELD)
        # An untouched inline row is never saved, so it cannot overwrite anything.
        is_inline_row = self.prefix is not None and self.prefix != ""
        if self.instance.pk is None or expected is None or (is_inline_row and not self.has_changed()):
            return cleaned
        # self.instance was read at the start of this request; record_save re-checks under a lock.
        if self.instance.version != expected:
            raise services.stale_version_error(
                model=type(self.instance), expected_version=expected, current_version=self.instance.version
            )
        return cleaned


def expected_version(form: forms.Form) -> int | None:
    return form.cleaned_data.get(VERSION_FIELD) if isinstance(form, VersionedModelForm) else None


class VersionedInline:
    """Inline rows that carry their own version (claims edited inside an incident)."""

    form = VersionedModelForm

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> list:
        return [*super().get_fieldsets(request, obj), (None, {"fields": [VERSION_FIELD]})]


# --- History ---------------------------------------------------------------------------------


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


def _history_url(model: type[models.Model], pk: Any) -> str:
    """The history page of a related record, when it has one in the admin."""
    if not admin.site.is_registered(model):
        return ""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[pk])


def history_entries(obj: models.Model, related: tuple[type[models.Model], ...] = (), limit: int = 200) -> list:
    """The history of ``obj`` (and of the listed related models' rows that point to it), newest first."""
    own_event_model = type(obj).pgh_event_model
    event_models = [own_event_model, *(m.pgh_event_model for m in related)]
    events = pghistory.models.Events.objects.across(*event_models)
    events = events.references(obj) if related else events.tracks(obj)
    events = list(events.order_by("-pgh_created_at", "-pgh_id")[:limit])

    models_by_event = {m.pgh_event_model._meta.label: m for m in (type(obj), *related)}
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
                subject_url=_history_url(model, event.pgh_obj_id) if not own and event.pgh_label != "delete" else "",
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


# --- The common editors' admin ---------------------------------------------------------------


class ArchiveModelAdmin(admin.ModelAdmin):
    """Saves through ``services.record_save`` (optimistic locking) and shows pghistory history."""

    form = VersionedModelForm
    # Related models whose history belongs on this record's history page.
    history_related: tuple[type[models.Model], ...] = ()
    history_template = "admin/incidents/record_history.html"

    class Media:
        css = {"all": ["incidents/admin.css"]}

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if any(VERSION_FIELD in flatten_fieldsets([fs]) for fs in fieldsets):
            return fieldsets
        return [*fieldsets, (None, {"fields": [VERSION_FIELD], "classes": ["hidden"]})]

    def save_model(self, request: HttpRequest, obj: models.Model, form: forms.Form, change: bool) -> None:
        if hasattr(obj, "created_by_id") and not change:
            obj.created_by = request.user
        if hasattr(obj, "last_edited_by_id"):
            obj.last_edited_by = request.user
        services.record_save(instance=obj, expected_version=expected_version(form) if change else None)

    def save_formset(self, request: HttpRequest, form: forms.Form, formset: Any, change: bool) -> None:
        if not issubclass(formset.form, VersionedModelForm):
            super().save_formset(request, form, formset, change)
            return
        instances = formset.save(commit=False)
        versions = {id(f.instance): expected_version(f) for f in formset.forms if hasattr(f, "cleaned_data")}
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            services.record_save(instance=obj, expected_version=versions.get(id(obj)))
        formset.save_m2m()

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.ConcurrentEditError as error:
            # Someone saved between this form's check and its save; the transaction was rolled back.
            self.message_user(request, error.messages[0], messages.ERROR)
            return HttpResponseRedirect(request.path)

    def render_change_form(
        self, request: HttpRequest, context: dict, add: bool = False, change: bool = False, form_url: str = "", obj=None
    ) -> HttpResponse:
        if obj is not None and obj.pk is not None and context["adminform"].form.errors:
            # The refused input was written onto obj; the page's headings name the record as saved.
            saved = self.get_object(request, str(obj.pk))
            if saved is not None:
                context.update(original=saved, subtitle=str(saved))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self) -> list:
        opts = self.opts
        return [
            path(
                "<path:object_id>/history/<int:event_id>/restore/",
                self.admin_site.admin_view(require_POST(self.restore_view)),
                name=f"{opts.app_label}_{opts.model_name}_restore",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "entries": history_entries(obj, self.history_related),
            "can_restore": self.has_change_permission(request, obj),
            "restore_url_name": f"admin:{self.opts.app_label}_{self.opts.model_name}_restore",
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.history_template, context)

    def restore_view(self, request: HttpRequest, object_id: str, event_id: int) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        event = get_object_or_404(type(obj).pgh_event_model, pgh_id=event_id, pgh_obj_id=obj.pk)
        try:
            services.history_restore(event=event, user=request.user)
        except (services.WorkflowError, PermissionDenied) as error:
            self.message_user(request, _message(error), messages.ERROR)
        else:
            when = event.pgh_created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            self.message_user(request, f"Restored “{obj}” to the version of {when}.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You do not have permission to do that."


class LargeTableAdmin:
    """Changelist settings for tables of millions of rows: no exact COUNT(*), no facet counts."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER


# --- Incidents -------------------------------------------------------------------------------


class CountryListFilter(admin.SimpleListFilter):
    title = "country"
    parameter_name = "country"

    # A loose index scan over incident_country_date: one index probe per distinct country
    # instead of reading every row, which DISTINCT would do.
    DISTINCT_COUNTRIES_SQL = """
        WITH RECURSIVE countries AS (
            (SELECT country FROM incidents_incident ORDER BY country LIMIT 1)
            UNION ALL
            SELECT (SELECT i.country FROM incidents_incident i WHERE i.country > c.country ORDER BY i.country LIMIT 1)
            FROM countries c WHERE c.country IS NOT NULL
        )
        SELECT country FROM countries WHERE country IS NOT NULL
    """

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(self.DISTINCT_COUNTRIES_SQL)
            return [(code, code) for (code,) in cursor.fetchall()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(country=self.value())
        return queryset


class IncidentAdminQuerySet(IncidentQuerySet):
    """The changelist's queryset, with a ``dates()`` that does not read the whole table.

    The date hierarchy asks for the distinct years (or months, or days) of the selection.
    ``SELECT DISTINCT date_trunc(...)`` reads every selected row; this walks the
    incident_date index instead, one probe per period that has incidents.
    """

    def dates(self, field_name: str, kind: str, order: str = "ASC") -> Any:
        if kind not in ("year", "month", "day") or self.query.is_sliced or self.query.combinator:
            return super().dates(field_name, kind, order)
        column = connection.ops.quote_name(self.model._meta.get_field(field_name).column)
        try:
            inner, params = self.order_by().values(field_name).query.sql_with_params()
        except EmptyResultSet:
            return []
        sql = f"""
            WITH RECURSIVE periods(d) AS (
                SELECT date_trunc(%s, min(s.{column}))::date FROM ({inner}) s
                UNION ALL
                SELECT (
                    SELECT date_trunc(%s, min(s.{column}))::date FROM ({inner}) s
                    WHERE s.{column} >= p.d + %s::interval
                )
                FROM periods p WHERE p.d IS NOT NULL
            )
            SELECT d FROM periods WHERE d IS NOT NULL
        """
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [kind, *params, kind, *params, f"1 {kind}"])
            periods = [row[0] for row in cursor.fetchall()]
        return sorted(periods, reverse=order == "DESC")


class LoadedChoiceAutocompleteSelect(AutocompleteSelect):
    """An autocomplete picker that labels its current choice from an object already loaded.

    Django's picker looks its selected object up again, one query per picker; an incident
    with thirty claims has ninety of them. Inline rows are read with their related objects
    (``select_related``), so the formset hands each picker its object and no query runs.
    """

    loaded: models.Model | None = None

    def optgroups(self, name: str, value: list, attr: dict | None = None) -> list:
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if self.loaded is None or selected != {str(self.loaded.pk)}:
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance(self.loaded)
        options.append(self.create_option(name, self.loaded.pk, label, True, len(options)))
        return [(None, options, 0)]


class LoadedChoicesFormSet(BaseInlineFormSet):
    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is None:
            return form
        for name, formfield in form.fields.items():
            picker = getattr(formfield.widget, "widget", formfield.widget)
            if isinstance(picker, LoadedChoiceAutocompleteSelect):
                # Already in memory: the inline's queryset selects the related objects.
                picker.loaded = getattr(form.instance, name)
        return form


class LoadedChoicesInline:
    """Inline rows whose autocomplete pickers need no query of their own."""

    formset = LoadedChoicesFormSet

    def formfield_for_foreignkey(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = LoadedChoiceAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class IncidentChildInline(LoadedChoicesInline):
    """An inline that can be changed exactly when its incident can."""

    def _incident_editable(self, request: HttpRequest, obj: Incident | None) -> bool:
        return obj is None or services.incident_can_edit(incident=obj, user=request.user)

    def has_add_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._incident_editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._incident_editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._incident_editable(request, obj)


class IncidentActorInline(IncidentChildInline, admin.TabularInline):
    model = IncidentActor
    autocomplete_fields = ["actor"]
    fields = ["actor", "side", "role", "note"]
    extra = 0
    verbose_name = "actor in the incident"
    verbose_name_plural = "actors in the incident (side A / side B)"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("actor")


class IncidentSourceInline(IncidentChildInline, admin.TabularInline):
    model = IncidentSource
    autocomplete_fields = ["source"]
    fields = ["source", "identity", "note"]
    readonly_fields = ["identity"]
    extra = 0
    verbose_name_plural = "sources cited"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("source")

    @admin.display(description="identity")
    def identity(self, obj: IncidentSource) -> str:
        return confidential_badge(obj.source) if obj.pk else ""


class ClaimInline(IncidentChildInline, VersionedInline, admin.StackedInline):
    model = Claim
    autocomplete_fields = ["source", "claimant", "losses_actor"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("source", "claimant"),
                    ("kind", "stance", "verification"),
                    ("losses_of", "losses_actor"),
                    ("quantity_low", "quantity_high", "quantity_text"),
                    "quote",
                    ("verification_note", "internal_notes"),
                ]
            },
        )
    ]
    extra = 0
    show_change_link = True
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("source", "claimant", "losses_actor")

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # Dozens of claims per incident: only "add" is worth its place beside each picker.
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            widget = formfield.widget
            widget.can_change_related = widget.can_delete_related = widget.can_view_related = False
        return formfield


class RetractionForm(forms.Form):
    notice = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Public notice shown in place of the incident, saying why it was retracted.",
    )


class EstimateOverrideForm(forms.Form):
    low = forms.IntegerField(min_value=0, required=False)
    best = forms.IntegerField(min_value=0, required=False)
    high = forms.IntegerField(min_value=0, required=False)
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="Public explanation of why the editors depart from the archive's proposal.",
    )
    contested = forms.TypedChoiceField(
        choices=[("", "As the proposal says"), ("yes", "Contested"), ("no", "Not contested")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )


@admin.register(Incident)
class IncidentAdmin(IncidentImportExportMixin, LargeTableAdmin, ArchiveModelAdmin):
    list_display = [
        "id",
        "title",
        "status",
        "start_date",
        "country",
        "event_and_sub_type",
        "grading",
        "fatalities_best",
        "contested",
        "last_edited_by",
    ]
    list_display_links = ["id", "title"]
    list_filter = ["status", CountryListFilter, "event_type", "grading", "contested"]
    list_select_related = ["event_type", "sub_event_type", "last_edited_by"]
    # Matched through the full-text index (see get_search_results), not with ILIKE scans.
    search_fields = ["title", "location", "summary"]
    search_help_text = (
        "Words in the title, place or summary, part of a place name, an actor's name or alias, or an incident number."
    )
    date_hierarchy = "start_date"
    inlines = [IncidentActorInline, ClaimInline, IncidentSourceInline]
    history_related = (Claim, IncidentActor, IncidentSource)
    readonly_fields = [
        "reconciliation",
        "fatalities_low",
        "fatalities_best",
        "fatalities_high",
        "fatalities_method",
        "fatalities_rationale",
        "contested",
        "status",
        "retraction_notice",
        "created_by",
        "last_edited_by",
        "reviewed_by",
        "published_by",
        "submitted_at",
        "published_at",
        "retracted_at",
        "confidential_wording_confirmed",
        "version",
    ]
    fieldsets = [
        (None, {"fields": [("status", "version"), "title", "summary", "tags"]}),
        ("When", {"fields": [("start_date", "end_date"), ("date_precision", "time_of_day")]}),
        (
            "Where",
            {"fields": ["country", ("admin1", "admin2"), "location", ("latitude", "longitude"), "geo_precision"]},
        ),
        ("What", {"fields": [("event_type", "sub_event_type"), "grading"]}),
        (
            "Fatalities",
            {
                "description": "The estimate changes only by accepting the proposal or overriding it with a rationale.",
                "fields": [
                    "reconciliation",
                    ("fatalities_low", "fatalities_best", "fatalities_high"),
                    ("fatalities_method", "contested"),
                    "fatalities_rationale",
                ],
            },
        ),
        ("Editors only", {"fields": ["internal_notes"]}),
        (
            "Workflow",
            {
                "classes": ["collapse"],
                "fields": [
                    "retraction_notice",
                    ("created_by", "last_edited_by"),
                    ("reviewed_by", "published_by"),
                    ("submitted_at", "published_at", "retracted_at"),
                    "confidential_wording_confirmed",
                ],
            },
        ),
    ]
    actions = [
        "submit_for_review",
        "return_to_draft",
        "publish",
        "retract",
        "accept_proposal",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        queryset = IncidentAdminQuerySet(model=queryset.model, query=queryset.query.chain(), using=queryset.db)
        # The search vector is for the database's eyes only; it would only widen every row read.
        return queryset.defer("search_document")

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Incident | None:
        # As Django's, but the people the change form names come in the same query.
        queryset = self.get_queryset(request).select_related(
            "event_type", "sub_event_type", "created_by", "last_edited_by", "reviewed_by", "published_by"
        )
        field = Incident._meta.pk if from_field is None else Incident._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Incident.DoesNotExist, ValidationError, ValueError):
            return None

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        if changelist.query:
            # Search results can match most of the table in any order of dates; drilling them down
            # by date would read every match twice more. The hierarchy returns with the search cleared.
            changelist.date_hierarchy = None
        return changelist

    def get_fieldsets(self, request: HttpRequest, obj: Incident | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            # A new incident has no claims to reconcile and no workflow history yet.
            return [fs for fs in fieldsets if fs[0] not in ("Fatalities", "Workflow")]
        return fieldsets

    def formfield_for_foreignkey(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "sub_event_type":
            # Each choice's label names its event type.
            kwargs["queryset"] = SubEventType.objects.select_related("event_type")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="type", ordering="sub_event_type__name")
    def event_and_sub_type(self, obj: Incident) -> SafeString:
        return format_html('<span title="{}">{}</span>', obj.event_type.name, obj.sub_event_type.name)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.lstrip("#").isdigit():
            return queryset.filter(pk=int(term.lstrip("#"))), False
        return search_incidents(queryset, term, places=True), False

    # --- Permissions ---

    def has_change_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return services.incident_can_edit(incident=obj, user=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        if obj is not None and not obj.is_deletable:
            return False
        return super().has_delete_permission(request, obj)

    def has_submit_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.SUBMIT_PERMISSION)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset.deletable())

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                IncidentAdmin.delete_unpublished,
                "delete_selected",
                "Delete selected drafts and incidents in review",
            )
        return actions

    def delete_unpublished(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Django's bulk delete, restricted to incidents that were never public."""
        refused = queryset.exclude(status__in=[Status.DRAFT, Status.IN_REVIEW]).count()
        if refused:
            self.message_user(
                request,
                f"{refused} published or retracted incident(s) were left out: they cannot be deleted, only retracted.",
                messages.WARNING,
            )
        deletable = queryset.deletable()
        if not deletable.exists():
            return None
        return delete_selected(self, request, deletable)

    def save_related(self, request: HttpRequest, form: forms.Form, formsets: list, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Checked once the claims and source links are saved too: they decide which sources are cited.
        mentions = services.incident_unconfirmed_mentions(incident=form.instance)
        if mentions:
            self.message_user(
                request,
                "This public text names a confidential source. "
                + " ".join(str(m) for m in mentions)
                + " Reword it; the incident cannot be submitted for review or published until it is reworded "
                "or a reviewer confirms that the wording is deliberate.",
                messages.WARNING,
            )

    # --- Workflow actions ---

    def _run(self, request: HttpRequest, queryset: QuerySet, done: str, step: Any) -> None:
        succeeded, failures = 0, []
        for incident in queryset.order_by("pk"):
            try:
                step(incident)
            except (services.WorkflowError, PermissionDenied) as error:
                failures.append(f"{incident}: {_message(error)}")
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{succeeded} incident(s) {done}.", messages.SUCCESS)
        for failure in failures:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(permissions=["submit"], description="Submit selected incidents for review")
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            "submitted for review",
            lambda incident: services.incident_submit(incident=incident, user=request.user),
        )

    @admin.action(permissions=["submit"], description="Return selected incidents to draft")
    def return_to_draft(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            "returned to draft",
            lambda incident: services.incident_return_to_draft(incident=incident, user=request.user),
        )

    @admin.action(permissions=["publish"], description="Publish selected incidents")
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            "published",
            lambda incident: services.incident_publish(incident=incident, user=request.user),
        )

    @admin.action(permissions=["publish"], description="Retract selected incidents, with a public notice…")
    def retract(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = RetractionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            notice = form.cleaned_data["notice"]
            self._run(
                request,
                queryset,
                "retracted",
                lambda incident: services.incident_retract(incident=incident, user=request.user, notice=notice),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Retract incidents",
            "opts": self.opts,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/incidents/incident/retract.html", context)

    @admin.action(permissions=["change"], description="Accept the reconciliation proposal as the estimate")
    def accept_proposal(self, request: HttpRequest, queryset: QuerySet) -> None:
        def accept(incident: Incident) -> None:
            services.require_incident_edit(incident=incident, user=request.user)
            services.incident_accept_proposal(incident=incident, user=request.user)

        self._run(request, queryset, "now use the archive's proposal as their estimate", accept)

    # --- Reconciliation ---

    @admin.display(description="the archive's proposal")
    def reconciliation(self, obj: Incident) -> SafeString:
        if obj.pk is None:
            return SafeString("")
        estimate_url = reverse("admin:incidents_incident_estimate", args=[obj.pk])
        return SafeString(
            render_to_string(
                "admin/incidents/incident/_proposal.html",
                {"proposal": services.incident_proposal(incident=obj), "estimate_url": estimate_url},
            )
        )

    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/estimate/",
                self.admin_site.admin_view(self.estimate_view),
                name="incidents_incident_estimate",
            ),
            path(
                "<path:object_id>/workflow/<slug:step>/",
                self.admin_site.admin_view(self.workflow_view),
                name="incidents_incident_workflow",
            ),
            *super().get_urls(),
        ]

    # --- Workflow buttons on the change form ---

    def view_on_site(self, obj: Incident) -> str | None:
        # Drafts and incidents in review have no public page to view.
        return obj.get_absolute_url() if obj.status in (Status.PUBLISHED, Status.RETRACTED) else None

    def workflow_steps(self, request: HttpRequest, incident: Incident) -> list[dict[str, Any]]:
        """The workflow steps this person can take on this incident now, as change-form buttons."""
        can_submit, can_publish = self.has_submit_permission(request), self.has_publish_permission(request)
        offered = {
            Status.DRAFT: [("submit", "Submit for review", can_submit)],
            Status.IN_REVIEW: [("publish", "Publish", can_publish), ("return-to-draft", "Return to draft", can_submit)],
            Status.PUBLISHED: [("retract", "Retract…", can_publish)],
        }.get(incident.status, [])
        if (
            can_publish
            and incident.status in (Status.DRAFT, Status.IN_REVIEW)
            and services.incident_unconfirmed_mentions(incident=incident)
        ):
            offered.append(("confirm-wording", "Confirm the wording naming a confidential source", True))
        return [
            {
                "label": label,
                "url": reverse("admin:incidents_incident_workflow", args=[incident.pk, step]),
                "confirm": step == "retract",
            }
            for step, label, allowed in offered
            if allowed
        ]

    def render_change_form(
        self, request: HttpRequest, context: dict, add: bool = False, change: bool = False, form_url: str = "", obj=None
    ) -> HttpResponse:
        context["workflow_steps"] = self.workflow_steps(request, obj) if obj is not None else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponse:
        incident = self.get_object(request, object_id)
        if incident is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        steps = {
            "submit": (services.incident_submit, "submitted for review"),
            "return-to-draft": (services.incident_return_to_draft, "returned to draft"),
            "publish": (services.incident_publish, "published"),
            "confirm-wording": (
                services.incident_confirm_confidential_wording,
                "has its wording naming a confidential source confirmed as deliberate",
            ),
        }
        change_url = reverse("admin:incidents_incident_change", args=[incident.pk])
        if step == "retract":
            return self._retract_one(request, incident, change_url)
        if step not in steps or request.method != "POST":
            return HttpResponseRedirect(change_url)
        service, done = steps[step]
        try:
            service(incident=incident, user=request.user)
        except (services.WorkflowError, PermissionDenied) as error:
            self.message_user(request, _message(error), messages.ERROR)
        else:
            self.message_user(request, f"“{incident}” {done}.", messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def _retract_one(self, request: HttpRequest, incident: Incident, change_url: str) -> HttpResponse:
        form = RetractionForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                services.incident_retract(incident=incident, user=request.user, notice=form.cleaned_data["notice"])
            except (services.WorkflowError, PermissionDenied) as error:
                self.message_user(request, _message(error), messages.ERROR)
            else:
                self.message_user(request, f"“{incident}” retracted.", messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Retract an incident",
            "opts": self.opts,
            "queryset": [incident],
            "form": form,
        }
        return TemplateResponse(request, "admin/incidents/incident/retract.html", context)

    def estimate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Accept the proposal, or override it with a rationale."""
        incident = self.get_object(request, object_id)
        if incident is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, incident):
            raise PermissionDenied
        can_change = self.has_change_permission(request, incident)
        proposal = services.incident_proposal(incident=incident)
        total = proposal.total
        form = EstimateOverrideForm(
            request.POST if "override" in request.POST else None,
            initial={"low": total.low, "best": total.best, "high": total.high},
        )
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            try:
                if "accept" in request.POST:
                    services.incident_accept_proposal(incident=incident, user=request.user)
                    self.message_user(request, "The archive's proposal is now the estimate.", messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[incident.pk]))
                if form.is_valid():
                    data = form.cleaned_data
                    services.incident_override_estimate(
                        incident=incident,
                        user=request.user,
                        low=data["low"],
                        best=data["best"],
                        high=data["high"],
                        rationale=data["rationale"],
                        contested=data["contested"],
                    )
                    self.message_user(request, "The editors' estimate is saved.", messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[incident.pk]))
            except services.WorkflowError as error:
                form.add_error(None, error)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Fatality estimate: {incident}",
            "opts": self.opts,
            "original": incident,
            "proposal": proposal,
            "form": form,
            "can_change": can_change,
        }
        return TemplateResponse(request, "admin/incidents/incident/estimate.html", context)


# --- Claims, actors, sources, taxonomy -------------------------------------------------------


@admin.register(Claim)
class ClaimAdmin(LargeTableAdmin, ArchiveModelAdmin):
    list_display = [
        "id",
        "incident",
        "kind",
        "losses",
        "quantity_text",
        "stance",
        "verification",
        "claimant",
        "source",
    ]
    list_filter = ["kind", "verification", "stance", "losses_of"]
    list_select_related = ["incident", "source", "claimant", "losses_actor"]
    autocomplete_fields = ["incident", "source", "claimant", "losses_actor"]
    search_fields = ["quantity_text", "quote"]
    search_help_text = "An incident or claim number, or words of the wording or quote."
    # Newest first by primary key: an index scan, where the model's ordering would sort every claim.
    ordering = ["-pk"]
    fieldsets = [
        (None, {"fields": ["incident", ("source", "claimant"), ("kind", "stance")]}),
        ("Whose losses", {"fields": [("losses_of", "losses_actor")]}),
        ("What was said", {"fields": [("quantity_low", "quantity_high", "quantity_text"), "quote"]}),
        ("Verification", {"fields": ["verification", "verification_note", "internal_notes"]}),
    ]

    @admin.display(description="whose losses")
    def losses(self, obj: Claim) -> str:
        return obj.losses_label

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            return queryset.filter(models.Q(pk=int(term)) | models.Q(incident_id=int(term))), False
        return super().get_search_results(request, queryset, search_term)

    def has_change_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return super().has_change_permission(request, obj) and services.incident_can_edit(
            incident=obj.incident, user=request.user
        )

    def has_delete_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        if obj is None:
            return super().has_delete_permission(request)
        return super().has_delete_permission(request, obj) and services.incident_can_edit(
            incident=obj.incident, user=request.user
        )


class ActorAliasInline(admin.TabularInline):
    model = ActorAlias
    fields = ["name", "language"]
    extra = 1


class ActorRelationInline(LoadedChoicesInline, admin.TabularInline):
    model = ActorRelation
    fk_name = "subject"
    autocomplete_fields = ["object"]
    fields = ["kind", "object", "start_date", "end_date", "note"]
    extra = 0
    verbose_name = "relation (this actor … the other actor)"
    verbose_name_plural = "relations to other actors"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("object")


@admin.register(Actor)
class ActorAdmin(LargeTableAdmin, ArchiveModelAdmin):
    list_display = ["name", "slug", "kind", "country", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name__ilike", "slug__ilike", "aliases__name__ilike"]
    search_help_text = "Part of a name, slug or alias, in any language or script."
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ActorAliasInline, ActorRelationInline]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        # Each word in the name, slug or an alias. Actors and aliases are matched separately and
        # joined by id, so that each lookup can use its trigram index (the admin's own search
        # joins the aliases first and filters the joined rows, which no index can serve).
        for word in smart_split(search_term):
            word = unescape_string_literal(word) if word[:1] in "\"'" else word
            by_actor = Actor.objects.filter(models.Q(name__ilike=word) | models.Q(slug__ilike=word)).values("pk")
            by_alias = ActorAlias.objects.filter(name__ilike=word).values("actor_id")
            queryset = queryset.filter(pk__in=by_actor.union(by_alias))
        return queryset, False

    history_related = (ActorAlias, ActorRelation)
    readonly_fields = ["version", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", ("kind", "country"), "description"]}),
        ("Editors only", {"fields": ["internal_notes"]}),
        ("Record", {"fields": [("version", "created_at", "updated_at")]}),
    ]


def confidential_badge(source: Source) -> SafeString:
    if source.confidential:
        return format_html('<strong class="archive-confidential">{}</strong>', "CONFIDENTIAL: identity withheld")
    return format_html('<span class="archive-public">{}</span>', "named")


@admin.register(Source)
class SourceAdmin(LargeTableAdmin, ArchiveModelAdmin):
    list_display = ["item_title", "identity", "kind", "outlet", "author", "published_on", "reliability", "language"]
    list_filter = ["confidential", "kind", "reliability", "language"]
    search_fields = ["outlet__ilike", "author__ilike", "title__ilike"]
    search_help_text = "Outlet, author or speaker, or title."
    date_hierarchy = "published_on"
    readonly_fields = ["version", "created_at", "updated_at"]
    fieldsets = [
        (
            "Confidentiality",
            {
                "description": "A confidential source is fully visible to editors; the public, the API and every "
                "export see only its kind (for example “Local source, identity withheld”).",
                "fields": ["confidential"],
            },
        ),
        (None, {"fields": ["kind", "outlet", "title", "author", ("published_on", "language"), "reliability"]}),
        ("Where it was published", {"fields": ["url", "archived_url"]}),
        ("Editors only", {"fields": ["internal_notes"]}),
        ("Record", {"fields": [("version", "created_at", "updated_at")]}),
    ]

    @admin.display(description="title", ordering="title")
    def item_title(self, obj: Source) -> str:
        return obj.title or f"({obj.get_kind_display()}, untitled)"

    @admin.display(description="identity", ordering="confidential")
    def identity(self, obj: Source) -> SafeString:
        return confidential_badge(obj)


class SubEventTypeInline(admin.TabularInline):
    model = SubEventType
    fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SubEventTypeInline]


@admin.register(SubEventType)
class SubEventTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "event_type", "slug"]
    list_filter = ["event_type"]
    list_select_related = ["event_type"]
    search_fields = ["name", "event_type__name"]
    prepopulated_fields = {"slug": ["name"]}
