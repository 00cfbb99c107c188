"""Widgets of the editors' admin: autocomplete pickers that need no query of their own and that
label each choice well enough to tell two alike apart, and badges."""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

import pycountry
from django import forms
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.forms.utils import flatatt
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from nested_admin.formsets import NestedInlineFormSet

from incidents.countries import EXTRA_COUNTRIES, country_name
from incidents.models import Source


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Django's autocomplete answers, each choice labelled by its admin's ``autocomplete_label``.

    Django labels a choice with ``str()``: two statements by the same group would read alike.
    """

    def serialize_result(self, obj: models.Model, to_field_name: str) -> dict[str, str]:
        label = getattr(self.model_admin, "autocomplete_label", str)
        return {"id": str(getattr(obj, to_field_name)), "text": label(obj)}


def remote_admin(field: models.Field, admin_site: Any) -> Any:
    return admin_site._registry.get(field.remote_field.model)


class LoadedChoiceAutocompleteSelect(AutocompleteSelect):
    """An autocomplete picker that labels its current choice from an object already loaded.

    Django's picker looks its selected object up again, one query per picker; an incident
    with thirty claims has ninety of them. Inline rows are read with their related objects
    (``select_related``), so the formset hands each picker its object and no query runs.
    The choices come from the labelled answers of the related model's admin, when it has them.
    """

    loaded: models.Model | None = None

    def get_url(self) -> str:
        opts = self.field.remote_field.model._meta
        try:
            return reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_autocomplete")
        except NoReverseMatch:
            return super().get_url()

    def optgroups(self, name: str, value: list, attr: dict | None = None) -> list:
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        loaded = self.loaded is not None and selected == {str(self.loaded.pk)}
        if selected and not loaded:
            return super().optgroups(name, value, attr)
        # Nothing chosen (most pickers of a new row), or the choice already in memory: no query.
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        if loaded:
            label = self.choices.field.label_from_instance(self.loaded)
            options.append(self.create_option(name, self.loaded.pk, label, True, len(options)))
        return [(None, options, 0)]


def autocomplete_formfield(db_field: models.Field, admin_site: Any, formfield: forms.Field | None) -> None:
    """Label ``formfield``'s choices as the related model's admin labels its autocomplete answers."""
    related = remote_admin(db_field, admin_site)
    if formfield is not None and hasattr(related, "autocomplete_label"):
        formfield.label_from_instance = related.autocomplete_label


class LoadedChoicesFormSetMixin:
    @cached_property
    def empty_form(self) -> forms.Form:
        # The admin's templates and django-nested-admin ask for the template row again and again, and
        # Django builds it anew each time (copying every field): with a formset of citations under
        # each claim, most of the forms built for a change form were these copies.
        return super().empty_form

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is None:
            return form
        for name, formfield in form.fields.items():
            picker = getattr(formfield.widget, "widget", formfield.widget)
            if isinstance(picker, LoadedChoiceAutocompleteSelect):
                db_field = form.instance._meta.get_field(name)
                # Only what the inline's queryset selected: anything else would cost a query per row.
                if db_field.is_cached(form.instance):
                    picker.loaded = db_field.get_cached_value(form.instance)
        return form


class LoadedChoicesFormSet(LoadedChoicesFormSetMixin, BaseInlineFormSet):
    pass


class NestedLoadedChoicesFormSet(LoadedChoicesFormSetMixin, NestedInlineFormSet):
    """The nested inlines' formset, which saves only the rows an editor changed or deleted.

    django-nested-admin reads each row of a saved formset back twice, changed or not; an
    incident's claims and citations are dozens of rows.
    """

    def save_existing_objects(self, initial_forms: list | None = None, commit: bool = True) -> list:
        touched = [f for f in initial_forms or [] if f.has_changed() or self._should_delete_form(f)]
        return super().save_existing_objects(touched, commit)


class LoadedChoicesInline:
    """Inline rows whose autocomplete pickers need no query of their own."""

    formset = LoadedChoicesFormSet

    def formfield_for_foreignkey(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = LoadedChoiceAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        autocomplete_formfield(db_field, self.admin_site, formfield)
        return formfield


def confidential_badge(record: Any) -> SafeString:
    """Whether a source or a person is named to the public."""
    if record.confidential:
        return format_html('<strong class="archive-confidential">{}</strong>', _("CONFIDENTIAL: identity withheld"))
    return format_html('<span class="archive-public">{}</span>', _("named"))


def source_label(source: Source) -> str:
    """A source as editors pick it, "outlet — title — date", so that two statements of one group
    (or two wire stories of one agency) read differently; its number tells apart the rest."""
    kind = source.get_kind_display()
    when = date_format(source.published_on, "DATE_FORMAT") if source.published_on else _("undated")
    parts = [source.outlet or source.author or kind, source.title or (source.author if source.outlet else "") or kind]
    label = f"{' — '.join(dict.fromkeys(parts))} — {when} (#{source.pk})"
    return f"{label} · {_('CONFIDENTIAL')}" if source.confidential else label


class QuickSelect(forms.Select):
    """A select written out in Python rather than through a template for each option.

    A claim row has seven of them, and its sub-count picker lists every other claim of the
    incident: through templates, an incident with dozens of claims spent most of its change
    form's time rendering options one by one.
    """

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for _, group, _ in widget["optgroups"]
                for option in group
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


# The admin's own select2 (the one its autocomplete pickers use), then the archive's script.
SELECT2_MEDIA = forms.Media(
    js=[
        "admin/js/vendor/jquery/jquery.js",
        "admin/js/vendor/select2/select2.full.js",
        "admin/js/jquery.init.js",
        "incidents/admin.js",
    ],
    css={"screen": ["admin/css/vendor/select2/select2.css", "admin/css/autocomplete.css"]},
)


def _sort_key(label: str) -> str:
    # "Égypte" sorts with the E's: accents aside, then case aside.
    return "".join(c for c in unicodedata.normalize("NFKD", label) if not unicodedata.combining(c)).casefold()


@functools.cache
def country_choices_in(language: str) -> tuple[tuple[str, str], ...]:
    """ISO 3166-1 countries as ``(code, "Name (CODE)")`` in ``language`` (``incidents.countries``), by name."""
    codes = [country.alpha_2 for country in pycountry.countries] + list(EXTRA_COUNTRIES)
    labelled = [(code, f"{country_name(code, language)} ({code})") for code in codes]
    return tuple(sorted(labelled, key=lambda choice: _sort_key(choice[1])))


def country_choices() -> list[tuple[str, str]]:
    return list(country_choices_in(get_language() or "en"))


class SearchableSelect(forms.Select):
    """A select the admin's select2 makes searchable by typing (a plain select without script)."""

    def __init__(self, attrs: dict | None = None, choices: Any = ()) -> None:
        super().__init__({"class": "archive-searchable", "data-placeholder": "—", **(attrs or {})}, choices)

    @property
    def media(self) -> forms.Media:
        return SELECT2_MEDIA


def country_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field:
    """A country stored as its ISO 3166-1 alpha-2 code, chosen by its name."""
    choices: Any = country_choices if not db_field.blank else (lambda: [("", "—"), *country_choices()])
    return forms.ChoiceField(
        choices=choices,
        required=not db_field.blank,
        label=db_field.verbose_name.capitalize() if db_field.verbose_name else _("Country"),
        help_text=_("Type part of the name or the two-letter code."),
        widget=SearchableSelect(),
    )


class SubTypeSelect(QuickSelect):
    """A sub-type select whose options say their type, so that a script shows only the sub-types
    of the type chosen in the same form (the server checks the pair all the same)."""

    def __init__(self, *, parent_field: str, own_field: str, parent_attribute: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parent_attribute = parent_attribute
        self.attrs.update({"data-follows": parent_field, "data-field": own_field})

    @property
    def media(self) -> forms.Media:
        return forms.Media(js=["incidents/admin.js"])

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}{}>{}</option>',
            (
                (
                    option["value"],
                    format_html(' data-parent="{}"', getattr(option["value"].instance, self.parent_attribute))
                    if hasattr(option["value"], "instance")
                    else "",
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for _group_name, group, _index in widget["optgroups"]
                for option in group
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)
