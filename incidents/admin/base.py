"""The common editors' admin: saves with optimistic locking, history, settings for large tables."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext

from incidents import services
from incidents.admin.forms import VERSION_FIELD, VersionedModelForm, expected_version
from incidents.admin.history import HistoryAdminMixin
from incidents.admin.paginator import EstimatedCountPaginator
from incidents.admin.widgets import (
    LabelledAutocompleteJsonView,
    LoadedChoiceAutocompleteSelect,
    autocomplete_formfield,
    country_formfield,
)


def delete_checked(*, instance: models.Model, expected_version: int | None) -> None:
    """Delete ``instance`` only if nobody saved it since ``expected_version`` was read.

    As ``services.record_save``: the row is locked first, so a save that lands meanwhile is
    either seen here or waits for this deletion.
    """
    model = type(instance)
    with transaction.atomic():
        current = model._default_manager.select_for_update().filter(pk=instance.pk).values_list("version", flat=True)
        current_version = current.first()
        if current_version is not None and expected_version is not None and current_version != expected_version:
            raise services.stale_version_error(
                model=model, expected_version=expected_version, current_version=current_version
            )
        instance.delete()


def shown_version(data: Any, name: str) -> int | None:
    """The version a page was opened on, as a request carries it (None if it does not)."""
    value = str(data.get(name, "")).strip()
    return int(value) if value.isdigit() else None


class ArchiveModelAdmin(HistoryAdminMixin, admin.ModelAdmin):
    """Saves through ``services.record_save`` (optimistic locking) and shows pghistory history.

    Deletions are checked alike: the delete page carries the version it was opened on (the
    change form's Delete link passes the version the editor was looking at), and a record
    saved by someone else since is not deleted.
    """

    form = VersionedModelForm
    delete_confirmation_template = "admin/incidents/delete_confirmation.html"

    class Media:
        css = {"all": ["incidents/admin.css"]}
        js = ["incidents/admin.js"]

    def autocomplete_label(self, obj: models.Model) -> str:
        """How this model's records read in autocomplete pickers (``str()`` unless an admin says better)."""
        return str(obj)

    def get_urls(self) -> list:
        opts = self.opts
        return [
            path(
                "autocomplete/",
                self.admin_site.admin_view(LabelledAutocompleteJsonView.as_view(admin_site=self.admin_site)),
                name=f"{opts.app_label}_{opts.model_name}_autocomplete",
            ),
            *super().get_urls(),
        ]

    def formfield_for_foreignkey(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = LoadedChoiceAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        autocomplete_formfield(db_field, self.admin_site, formfield)
        return formfield

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "country" and isinstance(db_field, models.CharField) and db_field.max_length == 2:
            # Stored as the ISO code, chosen by name: "ML" is Mali, and a typo is not a country.
            return country_formfield(db_field)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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
        # By primary key: django-nested-admin deletes a copy of the row it reads again.
        deleted = {f.instance.pk: expected_version(f) for f in formset.deleted_forms}
        for obj in formset.deleted_objects:
            delete_checked(instance=obj, expected_version=deleted.get(obj.pk))
        for obj in instances:
            services.record_save(instance=obj, expected_version=versions.get(id(obj)))
        formset.save_m2m()

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        if not hasattr(self.model, "version"):
            return super().delete_view(request, object_id, extra_context)
        if request.method == "POST":
            shown = request._archive_delete_version = shown_version(request.POST, VERSION_FIELD)
        else:
            shown = shown_version(request.GET, "version")
        try:
            return super().delete_view(request, object_id, {**(extra_context or {}), "based_on_version": shown})
        except services.ConcurrentEditError as error:
            # The deletion and its log entry were rolled back; the change form shows what is saved now.
            self.message_user(
                request, gettext("Nothing was deleted. %(reason)s") % {"reason": error.messages[0]}, messages.ERROR
            )
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id])
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        if not hasattr(obj, "version"):
            super().delete_model(request, obj)
            return
        shown = getattr(request, "_archive_delete_version", None)
        if shown is None:
            # A confirmation that does not say what it confirms deletes nothing.
            raise services.ConcurrentEditError(
                gettext("The page did not say which version of this %(name)s you saw: open the delete page again.")
                % {"name": obj._meta.verbose_name},
                code="no_version",
            )
        delete_checked(instance=obj, expected_version=shown)

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
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: models.Model | None = None,
    ) -> HttpResponse:
        if obj is not None and obj.pk is not None and context["adminform"].form.errors:
            # The refused input was written onto obj; the page's headings name the record as saved.
            saved = self.get_object(request, str(obj.pk))
            if saved is not None:
                context.update(original=saved, subtitle=str(saved))
        return super().render_change_form(request, context, add, change, form_url, obj)


class LargeTableAdmin:
    """Changelist settings for tables of millions of rows: no exact COUNT(*), no facet counts."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
