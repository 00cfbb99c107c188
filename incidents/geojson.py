"""GeoJSON (RFC 7946) output for incidents: positions are [longitude, latitude]."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from rest_framework.renderers import BaseRenderer
from rest_framework.utils.encoders import JSONEncoder

_GEOMETRY_FIELDS = ("latitude", "longitude")
# What a feature needs of an item whichever fields its properties show (``fields=``).
GEOJSON_FIELDS = ("id", *_GEOMETRY_FIELDS)


def feature(item: dict[str, Any], shown: Collection[str] | None = None) -> dict[str, Any]:
    """An incident as a Feature; its properties are the item's fields but the coordinates, or
    those of ``shown`` (the fields asked for)."""
    latitude, longitude = item.get("latitude"), item.get("longitude")
    geometry = None
    if latitude is not None and longitude is not None:
        geometry = {"type": "Point", "coordinates": [longitude, latitude]}
    properties = {
        key: value for key, value in item.items() if key not in _GEOMETRY_FIELDS and (shown is None or key in shown)
    }
    return {"type": "Feature", "id": item["id"], "geometry": geometry, "properties": properties}


def feature_collection(
    items: list[dict[str, Any]], next_url: str | None = None, shown: Collection[str] | None = None, **members: Any
) -> dict[str, Any]:
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": [feature(item, shown) for item in items]}
    # Foreign members (RFC 7946 section 6.1): the list's count, and a link so clients can page.
    collection.update(members)
    collection["links"] = [{"rel": "next", "href": next_url}] if next_url else []
    return collection


class GeoJSONRenderer(BaseRenderer):
    media_type = "application/geo+json"
    format = "geojson"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None) -> bytes:
        response = (renderer_context or {}).get("response")
        if data is None:
            return b""
        # The fields the view was asked for (``fields=``), once it has read them.
        view = (renderer_context or {}).get("view")
        shown = getattr(view, "__dict__", {}).get("requested_fields")
        if (response is not None and response.status_code >= 400) or not isinstance(data, dict):
            body = data  # errors and OPTIONS metadata stay plain JSON
        elif isinstance(data.get("results"), list):
            counts = {name: data[name] for name in ("count", "count_is_estimate") if name in data}
            body = feature_collection(data["results"], data.get("next"), shown, **counts)
        elif "id" in data and "latitude" in data:
            body = feature(data, shown)
        else:
            body = data
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), cls=JSONEncoder).encode()
