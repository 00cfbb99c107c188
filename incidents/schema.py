"""The OpenAPI schema's parameters declare the bounds the IncidentFilter enforces.

drf-spectacular documents each filter's type and choices; this hook adds what the filter's
form field refuses beyond them (minimum, maximum, maxLength, pattern), read from the same
fields that validate the requests, so the schema cannot drift from them and a fuzzer driven
by the schema tries the edges.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator

from incidents.filters import IncidentFilter


def _bounds(field: Any) -> dict[str, Any]:
    bounds: dict[str, Any] = {"type": "integer"} if isinstance(field, forms.IntegerField) else {}
    if getattr(field, "min_value", None) is not None:
        bounds["minimum"] = field.min_value
    if getattr(field, "max_value", None) is not None:
        bounds["maximum"] = field.max_value
    if getattr(field, "max_length", None) is not None:
        bounds["maxLength"] = field.max_length
    for validator in field.validators:
        if isinstance(validator, RegexValidator):
            bounds["pattern"] = validator.regex.pattern
    return bounds


def parameter_bounds(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    bounds = {name: _bounds(each.field) for name, each in IncidentFilter.base_filters.items()}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query" or not bounds.get(parameter["name"]):
                    continue
                schema = parameter["schema"]
                (schema["items"] if schema.get("type") == "array" else schema).update(bounds[parameter["name"]])
    return result
