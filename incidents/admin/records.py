"""The admins of the records incidents cite: claims, actors, sources, and the event taxonomy."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incidents import services
from incidents.admin.base import ArchiveModelAdmin, LargeTableAdmin
from incidents.admin.disclosure import DisclosureAdminMixin
from incidents.admin.forms import VERSION_FIELD, ClaimForm, VersionedFormSetMixin, VersionedInline
from incidents.admin.widgets import LoadedChoicesFormSet, LoadedChoicesInline, confidential_badge, source_label
from incidents.models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Citation,
    Claim,
    Person,
    PersonAffiliation,
    PersonAlias,
    Source,
    SubEventType,
)


class ClaimCitationFormSet(VersionedFormSetMixin, LoadedChoicesFormSet):
    pass


class ClaimCitationInline(VersionedInline, LoadedChoicesInline, admin.TabularInline):
    model = Citation
    formset = ClaimCitationFormSet
    autocomplete_fields = ["source", "speaker"]
    fields = ["source", "quote", "language", "translation", "published_on", "speaker", VERSION_FIELD]
    extra = 0
    verbose_name = _("report carrying the claim")
    verbose_name_plural = _("reports carrying the claim (citations)")
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 36, "dir": "auto"})},
        models.CharField: {"widget": forms.TextInput(attrs={"size": 5})},
    }

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("source", "speaker")

    def _claim_editable(self, request: HttpRequest, obj: Claim | None) -> bool:
        return obj is None or services.incident_can_edit(incident=obj.incident, user=request.user)

    def has_add_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        return super().has_add_permission(request, obj) and self._claim_editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        return super().has_change_permission(request, obj) and self._claim_editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        return super().has_delete_permission(request, obj) and self._claim_editable(request, obj)


class ClaimAdmin(LargeTableAdmin, ArchiveModelAdmin):
    form = ClaimForm
    list_display = [
        "id",
        "incident",
        "kind",
        "losses",
        "quantity_text",
        "stance",
        "verification",
        "claimant",
        "speaker",
    ]
    list_filter = ["kind", "verification", "stance", "losses_of"]
    list_select_related = ["incident", "claimant", "speaker", "losses_actor"]
    autocomplete_fields = ["incident", "claimant", "speaker", "losses_actor", "responsible_actor"]
    search_fields = ["quantity_text", "citations__quote"]
    search_help_text = _("An incident or claim number, or words of the wording or of a quotation.")
    # Newest first by primary key: an index scan, where the model's ordering would sort every claim.
    ordering = ["-pk"]
    inlines = [ClaimCitationInline]
    history_related = (Citation,)
    fieldsets = [
        (None, {"fields": ["incident", ("claimant", "speaker"), ("kind", "stance")]}),
        (_("Whose losses"), {"fields": [("losses_of", "losses_actor"), "losses_note"]}),
        (_("What was said"), {"fields": [("quantity_low", "quantity_high", "quantity_text"), "part_of"]}),
        (_("Responsibility"), {"fields": [("responsible_actor", "attribution")]}),
        (_("Territory or position"), {"fields": [("movement", "place")]}),
        (_("Verification"), {"fields": ["verification", "verification_note", "internal_notes"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The incident decides every permission of the page and of its citations.
        return super().get_queryset(request).select_related("incident")

    def get_form(self, request: HttpRequest, obj: Claim | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        # The incident submitted is checked against who submits it (ClaimForm.clean_incident).
        return type(form.__name__, (form,), {"user": request.user})

    def save_model(self, request: HttpRequest, obj: Claim, form: forms.Form, change: bool) -> None:
        # The form said so already; this holds for any form, and locks the incident until the
        # save is committed, so that it is not published meanwhile.
        services.require_attached_edit(incident_ids={obj.incident_id}, user=request.user)
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "part_of":
            # Another claim of the same incident (the database holds it too).
            object_id = request.resolver_match.kwargs.get("object_id", "") if request.resolver_match else ""
            siblings = Claim.objects.filter(incident__claims__pk=object_id) if object_id.isdigit() else None
            kwargs["queryset"] = siblings.exclude(pk=object_id) if siblings is not None else Claim.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("whose losses"))
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
    verbose_name = _("relation (this actor … the other actor)")
    verbose_name_plural = _("relations to other actors")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("object")


class ActorAdmin(LargeTableAdmin, ArchiveModelAdmin):
    list_display = ["name", "slug", "kind", "country", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name__ilike", "slug__ilike", "aliases__name__ilike"]
    search_help_text = _("Part of a name, slug or alias, in any language or script.")
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
        (_("Editors only"), {"fields": ["internal_notes"]}),
        (_("Record"), {"fields": [("version", "created_at", "updated_at")]}),
    ]


class SourceAdmin(DisclosureAdminMixin, LargeTableAdmin, ArchiveModelAdmin):
    list_display = ["item_title", "identity", "kind", "outlet", "author", "published_on", "reliability", "language"]
    list_filter = [
        "confidential",
        ("disclosure_requested_at", admin.EmptyFieldListFilter),
        "kind",
        "reliability",
        "language",
    ]
    search_fields = ["outlet__ilike", "author__ilike", "title__ilike"]
    search_help_text = _("Outlet, author or speaker, or title.")
    date_hierarchy = "published_on"
    readonly_fields = ["version", "created_at", "updated_at"]
    fieldsets = [
        (
            _("Confidentiality"),
            {
                "description": _(
                    "A confidential source is fully visible to editors; the public, the API and every "
                    "export see only its kind (for example “Local source, identity withheld”). Unticking it "
                    "asks: a reviewer who did not ask makes the source public."
                ),
                "fields": ["confidential", "disclosure_request"],
            },
        ),
        (None, {"fields": ["kind", "outlet", "title", "author", ("published_on", "language"), "reliability"]}),
        (_("Where it was published"), {"fields": ["url", "archived_url"]}),
        (_("Editors only"), {"fields": ["internal_notes"]}),
        (_("Record"), {"fields": [("version", "created_at", "updated_at")]}),
    ]

    def autocomplete_label(self, obj: Source) -> str:
        return source_label(obj)

    @admin.display(description=_("title"), ordering="title")
    def item_title(self, obj: Source) -> str:
        return obj.title or gettext("(%(kind)s, untitled)") % {"kind": obj.get_kind_display()}

    @admin.display(description=_("identity"), ordering="confidential")
    def identity(self, obj: Source) -> SafeString:
        return confidential_badge(obj)


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    fields = ["name", "language"]
    extra = 1
    verbose_name = _("other spelling or name")
    verbose_name_plural = _("other spellings and names (transliterations, other scripts)")


class PersonAffiliationInline(LoadedChoicesInline, admin.TabularInline):
    model = PersonAffiliation
    autocomplete_fields = ["actor"]
    fields = ["actor", "role", "start_date", "end_date"]
    extra = 0
    verbose_name_plural = _("affiliations (the actor the person speaks for, over dates)")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("actor")


class PersonAdmin(DisclosureAdminMixin, LargeTableAdmin, ArchiveModelAdmin):
    list_display = ["name", "identity", "description", "slug", "updated_at"]
    list_filter = ["confidential", ("disclosure_requested_at", admin.EmptyFieldListFilter)]
    search_fields = ["name__ilike", "slug__ilike", "aliases__name__ilike"]
    search_help_text = _("Part of a name, slug or other spelling, in any language or script.")
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PersonAliasInline, PersonAffiliationInline]
    history_related = (PersonAlias, PersonAffiliation)
    readonly_fields = ["version", "created_at", "updated_at"]
    fieldsets = [
        (
            _("Confidentiality"),
            {
                "description": _(
                    "A confidential person is fully visible to editors; the public, the API and every "
                    "export never see who they are, only that someone whose identity is withheld spoke. Unticking "
                    "it asks: a reviewer who did not ask makes the person public."
                ),
                "fields": ["confidential", "disclosure_request"],
            },
        ),
        (None, {"fields": ["name", "slug", "description"]}),
        (_("Editors only"), {"fields": ["internal_notes"]}),
        (_("Record"), {"fields": [("version", "created_at", "updated_at")]}),
    ]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        # As the actors': each word in the name, slug or another spelling, each through its trigram index.
        for word in smart_split(search_term):
            word = unescape_string_literal(word) if word[:1] in "\"'" else word
            by_person = Person.objects.filter(models.Q(name__ilike=word) | models.Q(slug__ilike=word)).values("pk")
            by_alias = PersonAlias.objects.filter(name__ilike=word).values("person_id")
            queryset = queryset.filter(pk__in=by_person.union(by_alias))
        return queryset, False

    def autocomplete_label(self, obj: Person) -> str:
        parts = [obj.name, obj.description.strip()[:80]]
        label = " — ".join(part for part in parts if part)
        return f"{label} · {gettext('CONFIDENTIAL')}" if obj.confidential else label

    @admin.display(description=_("identity"), ordering="confidential")
    def identity(self, obj: Person) -> SafeString:
        return confidential_badge(obj)


class SubEventTypeInline(admin.TabularInline):
    model = SubEventType
    fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0


class EventTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SubEventTypeInline]


class SubEventTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "event_type", "slug"]
    list_filter = ["event_type"]
    list_select_related = ["event_type"]
    search_fields = ["name", "event_type__name"]
    prepopulated_fields = {"slug": ["name"]}
