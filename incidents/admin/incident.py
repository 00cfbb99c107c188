"""The incidents' admin: the changelist on a large table, the change form and its inlines."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from incidents import services
from incidents.admin.base import ArchiveModelAdmin, LargeTableAdmin
from incidents.admin.forms import VersionedInline
from incidents.admin.imports import IncidentImportExportMixin
from incidents.admin.queries import CountryListFilter, IncidentAdminQuerySet
from incidents.admin.widgets import LoadedChoicesInline, confidential_badge
from incidents.admin.workflow import WorkflowAdminMixin
from incidents.models import Claim, Incident, IncidentActor, IncidentSource, Status, SubEventType
from incidents.search import search_incidents


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


class IncidentAdmin(WorkflowAdminMixin, IncidentImportExportMixin, LargeTableAdmin, ArchiveModelAdmin):
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
        *services.ESTIMATE_FIELDS,
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

    def view_on_site(self, obj: Incident) -> str | None:
        # Drafts and incidents in review have no public page to view.
        return obj.get_absolute_url() if obj.status in (Status.PUBLISHED, Status.RETRACTED) else None
