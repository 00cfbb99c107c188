"""The usual way: the incident list written as the DRF documentation teaches it.

Nested ``ModelSerializer``s, a ``ReadOnlyModelViewSet`` over the published incidents,
page-number pagination, and no query tuning. It serves the same payload as
``/api/v1/incidents/`` and is the baseline the product's API must beat by 2x.
It is mounted only by the benchmark's URLconf, never by the product.
"""

from __future__ import annotations

from rest_framework import pagination, routers, serializers, viewsets

from incidents.models import Actor, Incident, IncidentActor


class ActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["id", "name", "slug", "kind"]


class IncidentActorSerializer(serializers.ModelSerializer):
    actor = ActorSerializer(read_only=True)

    class Meta:
        model = IncidentActor
        fields = ["actor", "side", "role"]


class IncidentSerializer(serializers.ModelSerializer):
    event_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sub_event_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    actors = IncidentActorSerializer(source="incident_actors", many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
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
            "event_type",
            "sub_event_type",
            "fatalities_low",
            "fatalities_best",
            "fatalities_high",
            "contested",
            "grading",
            "tags",
            "actors",
            "updated_at",
        ]


class PageOfFifty(pagination.PageNumberPagination):
    page_size = 50


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Incident.objects.published()
    serializer_class = IncidentSerializer
    pagination_class = PageOfFifty


router = routers.SimpleRouter()
router.register("incidents", IncidentViewSet, basename="naive-incident")
