"""GeoJSON (RFC 7946) output for incidents: positions are [longitude, latitude]."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.renderers import BaseRenderer
from rest_framework.utils.encoders import JSONEncoder

_GEOMETRY_FIELDS = ("latitude", "longitude")


def feature(item: dict[str, Any]) -> dict[str, Any]:
    latitude, longitude = item.get("latitude"), item.get("longitude")
    geometry = None
    if latitude is not None and longitude is not None:
        geometry = {"type": "Point", "coordinates": [longitude, latitude]}
    properties = {key: value for key, value in item.items() if key not in _GEOMETRY_FIELDS}
    return {"type": "Feature", "id": item["id"], "geometry": geometry, "properties": properties}


def feature_collection(items: list[dict[str, Any]], next_url: str | None = None) -> dict[str, Any]:
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": [feature(item) for item in items]}
    # A foreign member (RFC 7946 section 6.1) so clients can page through a collection.
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
        if (response is not None and response.status_code >= 400) or not isinstance(data, dict):
            body = data  # errors and OPTIONS metadata stay plain JSON
        elif isinstance(data.get("results"), list):
            body = feature_collection(data["results"], data.get("next"))
        elif "id" in data and "latitude" in data:
            body = feature(data)
        else:
            body = data
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), cls=JSONEncoder).encode()
