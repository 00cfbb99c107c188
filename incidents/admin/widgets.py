"""Widgets of the editors' admin: autocomplete pickers that need no query of their own, badges."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString

from incidents.models import Source


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


def confidential_badge(source: Source) -> SafeString:
    if source.confidential:
        return format_html('<strong class="archive-confidential">{}</strong>', "CONFIDENTIAL: identity withheld")
    return format_html('<span class="archive-public">{}</span>', "named")
