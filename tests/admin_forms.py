"""Build the POST data an editor's browser would send back from a rendered admin change form."""

from __future__ import annotations

import datetime
from typing import Any

from django.forms import BoundField, CheckboxInput
from django.test import Client


def _value(bound: BoundField) -> Any:
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def _add_form(data: dict[str, Any], form: Any) -> None:
    for name in form.fields:
        bound = form[name]
        if isinstance(bound.field.widget, CheckboxInput):
            if bound.value():
                data[bound.html_name] = "on"
            continue
        data[bound.html_name] = _value(bound)


def _add_formset(data: dict[str, Any], formset: Any) -> None:
    _add_form(data, formset.management_form)
    for form in formset.forms:
        _add_form(data, form)
        # The rows of a row (a claim's citations, django-nested-admin).
        for nested in getattr(form, "nested_formsets", []):
            _add_formset(data, nested)


def change_form_data(client: Client, url: str) -> dict[str, Any]:
    """GET the change form at ``url`` and return what submitting it unchanged would POST."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    data: dict[str, Any] = {}
    _add_form(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        _add_formset(data, inline.formset)
    return data
