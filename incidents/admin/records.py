"""The admins of the records incidents cite: claims, actors, sources, and the event taxonomy."""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.text import smart_split, unescape_string_literal

from incidents import services
from incidents.admin.base import ArchiveModelAdmin, LargeTableAdmin
from incidents.admin.widgets import LoadedChoicesInline, confidential_badge
from incidents.models import Actor, ActorAlias, ActorRelation, Claim, Source, SubEventType


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
