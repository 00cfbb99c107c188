"""The second export baseline: django-import-export's ModelResource, set up as its
documentation shows, exporting the same incident columns as ``/export/incidents.csv``."""

from __future__ import annotations

from import_export import resources

from incidents.models import Incident


class IncidentResource(resources.ModelResource):
    class Meta:
        model = Incident
        fields = (
            "id",
            "title",
            "start_date",
            "end_date",
            "date_precision",
            "country",
            "admin1",
            "admin2",
            "location",
            "latitude",
            "longitude",
            "geo_precision",
            "event_type__name",
            "sub_event_type__name",
            "fatalities_low",
            "fatalities_best",
            "fatalities_high",
            "contested",
            "grading",
            "tags",
            "summary",
            "created_at",
            "updated_at",
        )
