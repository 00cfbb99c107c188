"""The forms of the editors' admin: the version a change form was opened on, and the workflow's forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest
from django.utils.functional import cached_property

from incidents import services

# The hidden form field that carries the version of the record the editor started from.
VERSION_FIELD = "based_on_version"


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
