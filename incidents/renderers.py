"""The API's JSON renderer: DRF's JSONRenderer, encoding with orjson.

Encoding a page of 50 incidents with the standard library took a tenth of the page's time,
much of it in Python calls to format each date. orjson formats dates and times in C the way
DRF's encoder does (ISO 8601, UTC written as Z) and calls DRF's encoder for anything else it
does not know (lazy translations, decimals); what it cannot encode at all (an integer beyond
64 bits) goes to DRF's renderer. Two differences, neither reachable from our data: a NaN
float, which DRF refuses with an error, is written as null, and a UTC offset with seconds
(historic local mean time) is rounded to the minute.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default


class JSONRenderer(renderers.JSONRenderer):
    def places_fragments(self, accepted_media_type: str | None) -> bool:
        """Whether this response is written by orjson, which places an ``orjson.Fragment`` (JSON
        text made elsewhere) as it is; pretty-printed JSON (``; indent=2``) is written by DRF."""
        return self.get_indent(accepted_media_type or "", {}) is None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)  # pretty-printed on request
        try:
            body = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does, so the output stays a strict subset of JavaScript.
        return body.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
