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
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from nested_admin.nested import NestedModelAdminMixin, NestedStackedInline, NestedTabularInline

from incidents import services
from incidents.admin.base import ArchiveModelAdmin, LargeTableAdmin
from incidents.admin.corrections import IncidentCorrectionsMixin, correction_url
from incidents.admin.deletions import AcledDeletionsMixin
from incidents.admin.forms import (
    VERSION_FIELD,
    ClaimForm,
    IncidentForm,
    IncidentRelationForm,
    VersionedFormSetMixin,
    VersionedInline,
)
from incidents.admin.imports import IncidentImportExportMixin
from incidents.admin.queries import CountryListFilter, IncidentAdminQuerySet
from incidents.admin.widgets import (
    LoadedChoicesInline,
    NestedLoadedChoicesFormSet,
    QuickSelect,
    SubTypeSelect,
    confidential_badge,
)
from incidents.admin.workflow import WorkflowAdminMixin
from incidents.models import (
    ESTIMATE_PREFIXES,
    Citation,
    Claim,
    Correction,
    Incident,
    IncidentActor,
    IncidentRelation,
    IncidentSource,
    Status,
    SubEventType,
)
from incidents.search import search_incidents
from incidents.vocabulary_labels import vocabulary_label

ESTIMATE_BOUNDS = ("low", "best", "high")
# Fieldsets a new incident leaves out (compared by identity: their names are translated).
FATALITIES = _("Fatalities")
WORKFLOW = _("Workflow")
# How the estimates by side read on the change form, beside their prefix (models.ESTIMATE_PREFIXES).
ESTIMATE_LABELS = {
    "deaths_a": _("Deaths on side A"),
    "deaths_b": _("Deaths on side B"),
    "deaths_civilians": _("Civilian deaths"),
    "deaths_unknown": _("Deaths on no known side"),
    "injuries": _("Injured"),
}


# The incident's text in each interface language, entered by editors (the reader's language is shown
# when filled in). Only the fields the model has: they arrive with the migration that adds them.
TRANSLATION_FIELDS = [
    name
    for name in ("text_language", "title_en", "summary_en", "title_fr", "summary_fr", "title_ar", "summary_ar")
    if name in {field.name for field in Incident._meta.get_fields()}
]
TRANSLATIONS_FIELDSET = (
    _("Translations"),
    {
        "classes": ["collapse"],
        "description": _(
            "The title and summary above are in the text's language; a translation entered here is what "
            "readers of that language see instead."
        ),
        "fields": TRANSLATION_FIELDS,
    },
)


class IncidentChildInline(LoadedChoicesInline):
    """An inline that can be changed exactly when its incident can (its rows' rows too: a claim's citations)."""

    formset = NestedLoadedChoicesFormSet

    def _incident_editable(self, request: HttpRequest, obj: models.Model | None) -> bool:
        if obj is None:
            return True
        # A row of a row (a claim, for its citations) asks about its incident, once per request.
        known = request.__dict__.setdefault("_archive_incident_editable", {})
        if isinstance(obj, Incident):
            known[obj.pk] = services.incident_can_edit(incident=obj, user=request.user)
            return known[obj.pk]
        if obj.incident_id not in known:
            incident = Incident.objects.only("status").get(pk=obj.incident_id)
            known[obj.incident_id] = services.incident_can_edit(incident=incident, user=request.user)
        return known[obj.incident_id]

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._incident_editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._incident_editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._incident_editable(request, obj)

    def formfield_for_choice_field(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("widget", QuickSelect)
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # Dozens of rows per incident: only "add" is worth its place beside each picker.
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            widget = formfield.widget
            widget.can_change_related = widget.can_delete_related = widget.can_view_related = False
        return formfield


class LinkFormSet(VersionedFormSetMixin, NestedLoadedChoicesFormSet):
    """An incident's actor links, source links or relations: each deleted only as the editor saw it."""


class IncidentActorInline(IncidentChildInline, VersionedInline, NestedTabularInline):
    model = IncidentActor
    formset = LinkFormSet
    autocomplete_fields = ["actor"]
    fields = ["actor", "side", "role", "note", VERSION_FIELD]
    extra = 0
    verbose_name = _("actor in the incident")
    verbose_name_plural = _("actors in the incident (side A / side B)")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("actor")


class IncidentSourceInline(IncidentChildInline, VersionedInline, NestedTabularInline):
    model = IncidentSource
    formset = LinkFormSet
    autocomplete_fields = ["source"]
    fields = ["source", "identity", "note", VERSION_FIELD]
    readonly_fields = ["identity"]
    extra = 0
    verbose_name_plural = _("sources cited")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("source")

    @admin.display(description=_("identity"))
    def identity(self, obj: IncidentSource) -> str:
        return confidential_badge(obj.source) if obj.pk else ""


class CitationFormSet(VersionedFormSetMixin, NestedLoadedChoicesFormSet):
    def get_queryset(self) -> Any:
        # The claims were read with their citations (ClaimInline.get_queryset): one query for all.
        prefetched = getattr(self.instance, "_prefetched_objects_cache", {})
        if not self.is_bound and "citations" in prefetched:
            return list(prefetched["citations"])
        return super().get_queryset()


class CitationInline(IncidentChildInline, VersionedInline, NestedTabularInline):
    """The reports carrying a claim, under the claim: each with its words, their language and a translation."""

    model = Citation
    formset = CitationFormSet
    autocomplete_fields = ["source", "speaker"]
    fields = ["source", "quote", "language", "translation", "published_on", "speaker", VERSION_FIELD]
    extra = 0
    classes = ["archive-citations"]
    verbose_name = _("report carrying the claim")
    verbose_name_plural = _("reports carrying the claim (citations)")
    formfield_overrides = {
        # dir="auto": a quotation in Arabic reads right to left, beside its translation.
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 36, "dir": "auto"})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 5})},
    }


class ClaimFormSet(VersionedFormSetMixin, NestedLoadedChoicesFormSet):
    """The incident's claims; a claim's "part of" offers only the other claims of the same incident."""

    @cached_property
    def sibling_choices(self) -> list[tuple[Any, str]]:
        # Labelled without their related rows: on a save the claims are read again without them.
        return [(claim.pk, f"#{claim.pk} {claim_summary(claim)}") for claim in self.get_queryset()]

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        field = form.fields.get("part_of")
        if field is None:
            return
        field.queryset = Claim.objects.filter(incident_id=self.instance.pk)
        own = form.instance.pk
        field.widget.choices = [("", "—"), *((pk, label) for pk, label in self.sibling_choices if pk != own)]


def claim_summary(claim: Claim) -> str:
    return gettext("%(kind)s: %(wording)s") % {
        "kind": claim.get_kind_display(),
        "wording": claim.quantity_text or gettext("no wording"),
    }


class ClaimInline(IncidentChildInline, VersionedInline, NestedStackedInline):
    """Claims as one line each (kind, who, figure, whose losses, verification, reports), each opening in
    place onto its fields, the usual ones on two lines, the occasional ones folded, citations below."""

    model = Claim
    form = ClaimForm
    formset = ClaimFormSet
    inlines = [CitationInline]
    autocomplete_fields = ["claimant", "speaker", "losses_actor", "responsible_actor"]
    # Each saved claim folded into one line that opens in place onto its full editor and citations.
    template = "admin/incidents/claim/stacked.html"
    fieldset_template = "admin/incidents/claim/compact_fieldset.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("kind", "stance", "claimant", "speaker", "verification"),
                    ("losses_of", "losses_actor", "losses_note", "quantity_low", "quantity_high", "quantity_text"),
                ]
            },
        ),
        (
            _("Responsibility, territory, sub-count, notes"),
            {
                "classes": ["archive-occasional"],
                "fields": [
                    ("responsible_actor", "attribution", "movement", "place", "part_of"),
                    ("verification_note", "internal_notes"),
                    VERSION_FIELD,
                ],
            },
        ),
    ]
    extra = 0
    show_change_link = True
    classes = ["archive-claims"]
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 1, "cols": 40})},
        models.PositiveIntegerField: {"widget": forms.NumberInput(attrs={"class": "archive-figure"})},
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        citations = Citation.objects.select_related("source", "speaker").order_by("pk")
        return (
            super()
            .get_queryset(request)
            .select_related("claimant", "speaker", "losses_actor", "responsible_actor")
            .prefetch_related(models.Prefetch("citations", queryset=citations))
        )

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "part_of" and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            # A sub-count points at a claim already on this page: no picker popup, no "add".
            formfield.widget = QuickSelect()
        return formfield


class IncidentRelationInline(IncidentChildInline, VersionedInline, NestedTabularInline):
    model = IncidentRelation
    form = IncidentRelationForm
    formset = LinkFormSet
    fk_name = "subject"
    autocomplete_fields = ["object"]
    fields = ["kind", "object", "note", VERSION_FIELD]
    extra = 0
    verbose_name = _("link to another incident (this incident … the other)")
    verbose_name_plural = _("links to other incidents")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("object")


class IncidentRelationFromOthersInline(NestedTabularInline):
    """The links other incidents make to this one, as read from here; edited on the other incident."""

    model = IncidentRelation
    fk_name = "object"
    fields = ["other_incident", "reads_as", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = _("link from another incident")
    verbose_name_plural = _("links from other incidents (edit them on the other incident)")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("subject")

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    @admin.display(description=_("this incident"))
    def reads_as(self, obj: IncidentRelation) -> str:
        return obj.label_from(obj.object)

    @admin.display(description=_("other incident"))
    def other_incident(self, obj: IncidentRelation) -> SafeString:
        url = reverse("admin:incidents_incident_change", args=[obj.subject_id])
        return format_html('<a href="{}">{}</a>', url, obj.subject)


class CorrectionListFilter(admin.SimpleListFilter):
    """Corrections' draft copies, so reviewers find those awaiting them (a column, no extra query)."""

    title = _("corrections")
    parameter_name = "correction"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("review", _("Corrections awaiting review")),
            ("open", _("Corrections in progress")),
            ("no", _("Not corrections")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "review":
            return queryset.filter(revision_of__isnull=False, status=Status.IN_REVIEW)
        if self.value() == "open":
            return queryset.filter(revision_of__isnull=False)
        if self.value() == "no":
            return queryset.filter(revision_of__isnull=True)
        return queryset


class EstimateStaleFilter(admin.SimpleListFilter):
    title = _("estimate stale")
    parameter_name = "estimate_stale"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", _("Claims changed since the estimate")), ("no", _("Up to date"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(estimate_stale=self.value() == "yes")
        return queryset


def event_type_label(event_type: Any) -> str:
    return vocabulary_label(event_type.name)


def sub_event_type_label(sub_type: SubEventType) -> str:
    """ "Battles: Armed clash", in the editor's language."""
    return gettext("%(type)s: %(sub_type)s") % {
        "type": vocabulary_label(sub_type.event_type.name),
        "sub_type": vocabulary_label(sub_type.name),
    }


def estimate_lines() -> list:
    """The fatalities fieldset's estimate fields, as ``services.ESTIMATE_FIELDS`` lists them: the total's
    triple on a line, the other triples in one table (``IncidentAdmin.estimates_by_side``), then the rest."""
    fields = services.ESTIMATE_FIELDS
    total = tuple(
        f for f in ("fatalities_low", "fatalities_best", "fatalities_high", "fatalities_high_open") if f in fields
    )
    triples = {f"{prefix}_{bound}" for prefix in ESTIMATE_PREFIXES[1:] for bound in ESTIMATE_BOUNDS}
    rest = [f for f in fields if f not in total and f not in triples and f != "fatalities_rationale"]
    lines: list = [total]
    if triples & set(fields):
        lines.append("estimates_by_side")
    lines.append(tuple(rest))
    if "fatalities_rationale" in fields:
        lines.append("fatalities_rationale")
    return lines


class IncidentAdmin(
    NestedModelAdminMixin,
    AcledDeletionsMixin,
    IncidentCorrectionsMixin,
    WorkflowAdminMixin,
    IncidentImportExportMixin,
    LargeTableAdmin,
    ArchiveModelAdmin,
):
    form = IncidentForm
    list_display = [
        "id",
        "listed_title",
        "status",
        "start_date",
        "country",
        "event_and_sub_type",
        "grading",
        "fatalities_best",
        "contested",
        "last_edited_by",
    ]
    list_display_links = ["id", "listed_title"]
    list_filter = [
        "status",
        CorrectionListFilter,
        CountryListFilter,
        "event_type",
        "grading",
        "contested",
        EstimateStaleFilter,
    ]
    list_select_related = ["event_type", "sub_event_type", "last_edited_by"]
    # Matched through the full-text index (see get_search_results), not with ILIKE scans.
    search_fields = ["title", "location", "summary"]
    search_help_text = _(
        "Words in the title, place or summary, part of a place name, an actor's name or alias, or an incident number."
    )
    date_hierarchy = "start_date"
    inlines = [
        IncidentActorInline,
        ClaimInline,
        IncidentSourceInline,
        IncidentRelationInline,
        IncidentRelationFromOthersInline,
    ]
    history_related = (Claim, IncidentActor, IncidentSource, IncidentRelation)
    # The history page also lists the changes to the citations of the incident's claims.
    history_nested = ((Claim, Citation),)
    readonly_fields = [
        "reconciliation",
        "estimates_by_side",
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
        *([TRANSLATIONS_FIELDSET] if TRANSLATION_FIELDS else []),
        (_("When"), {"fields": [("start_date", "end_date", "date_precision"), ("time_of_day", "time_precision")]}),
        (
            _("Where"),
            {"fields": ["country", ("admin1", "admin2"), "location", ("latitude", "longitude"), "geo_precision"]},
        ),
        (_("What"), {"fields": [("event_type", "sub_event_type"), "grading"]}),
        (
            FATALITIES,
            {
                "description": _(
                    "The estimate changes only by accepting the proposal or overriding it with a rationale."
                ),
                "fields": ["reconciliation", *estimate_lines()],
            },
        ),
        (_("Editors only"), {"fields": ["internal_notes"]}),
        (
            WORKFLOW,
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

    def autocomplete_label(self, obj: Incident) -> str:
        return f"{obj} ({obj.start_date:%Y-%m-%d}, {obj.get_status_display().lower()})"

    @admin.display(description=_("title"), ordering="title")
    def listed_title(self, obj: Incident) -> SafeString:
        if obj.revision_of_id is None:
            return format_html("{}", obj.title)
        return format_html(
            '<span class="archive-correction-tag">{}</span> {}',
            _("Correction to #%(number)s") % {"number": obj.revision_of_id},
            obj.title,
        )

    @admin.display(description=_("estimates by side"))
    def estimates_by_side(self, obj: Incident) -> SafeString:
        rows = [
            (ESTIMATE_LABELS.get(prefix, prefix), [getattr(obj, f"{prefix}_{bound}") for bound in ESTIMATE_BOUNDS])
            for prefix in ESTIMATE_PREFIXES[1:]
            if f"{prefix}_best" in services.ESTIMATE_FIELDS
        ]
        return SafeString(render_to_string("admin/incidents/incident/_estimates_by_side.html", {"rows": rows}))

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Incident | None = None,
    ) -> HttpResponse:
        if obj is not None and obj.pk is not None:
            context["estimate_url"] = reverse("admin:incidents_incident_estimate", args=[obj.pk])
            context.update(self.correction_context(request, obj))
        # By keyword: django-nested-admin's override takes ``obj`` as its third argument.
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

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
            return [fs for fs in fieldsets if fs[0] is not FATALITIES and fs[0] is not WORKFLOW]
        return fieldsets

    def formfield_for_foreignkey(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "sub_event_type":
            # Each choice's label names its event type; a script shows only the chosen type's.
            kwargs["queryset"] = SubEventType.objects.select_related("event_type")
            kwargs["widget"] = SubTypeSelect(
                parent_field="event_type", own_field="sub_event_type", parent_attribute="event_type_id"
            )
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        # The taxonomy's names in the editor's language (set last: the pickers' labels would win).
        if db_field.name == "event_type" and formfield is not None:
            formfield.label_from_instance = event_type_label
        elif db_field.name == "sub_event_type" and formfield is not None:
            formfield.label_from_instance = sub_event_type_label
        return formfield

    @admin.display(description=_("type"), ordering="sub_event_type__name")
    def event_and_sub_type(self, obj: Incident) -> SafeString:
        return format_html(
            '<span title="{}">{}</span>',
            vocabulary_label(obj.event_type.name),
            vocabulary_label(obj.sub_event_type.name),
        )

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
        # A correction's draft goes by withdrawing the correction, which keeps its record.
        if obj is not None and not obj.is_deletable:
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        correction = Correction.objects.filter(revision_id=object_id if object_id.isdigit() else None).first()
        if correction is not None:
            self.message_user(
                request,
                _("A correction's draft is not deleted: withdraw the correction instead (its record is kept)."),
                messages.INFO,
            )
            return HttpResponseRedirect(correction_url(correction, "withdraw"))
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset.deletable())

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                IncidentAdmin.delete_unpublished,
                "delete_selected",
                _("Delete selected drafts and incidents in review"),
            )
        return actions

    def delete_unpublished(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Django's bulk delete, restricted to incidents that were never public."""
        refused = queryset.exclude(status__in=[Status.DRAFT, Status.IN_REVIEW]).count()
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d published or retracted incident was left out: it cannot be deleted, only retracted.",
                    "%(count)d published or retracted incidents were left out: they cannot be deleted, only retracted.",
                    refused,
                )
                % {"count": refused},
                messages.WARNING,
            )
        revisions = queryset.filter(revision_of__isnull=False).count()
        if revisions:
            self.message_user(
                request,
                ngettext(
                    "%(count)d correction draft was left out: withdraw its correction instead.",
                    "%(count)d correction drafts were left out: withdraw their corrections instead.",
                    revisions,
                )
                % {"count": revisions},
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
                _(
                    "This public text names a confidential source. %(mentions)s Reword it; the incident cannot be "
                    "submitted for review or published until it is reworded or a reviewer confirms that the "
                    "wording is deliberate."
                )
                % {"mentions": " ".join(str(m) for m in mentions)},
                messages.WARNING,
            )

    def view_on_site(self, obj: Incident) -> str | None:
        # Drafts and incidents in review have no public page to view.
        return obj.get_absolute_url() if obj.status in (Status.PUBLISHED, Status.RETRACTED) else None
