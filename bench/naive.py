"""The usual way: the incident list written as the DRF documentation teaches it.

A ``ModelSerializer`` with the same fields as ``/api/v1/incidents/`` (the actors of each
side as ``SerializerMethodField``s), a ``ReadOnlyModelViewSet`` over the published
incidents, page-number pagination with pages of 50, and no query tuning. It serves the
same payload as the product's list and is the baseline that list must beat by 2x. It is
mounted only by the benchmark's URLconf, never by the product.
"""

from __future__ import annotations

from rest_framework import pagination, routers, serializers, viewsets

from incidents.models import Incident, Side
from incidents.serializers import IncidentListSerializer


class IncidentSerializer(serializers.ModelSerializer):
    event_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sub_event_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    side_a = serializers.SerializerMethodField()
    side_b = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = IncidentListSerializer.Meta.fields

    def get_side_a(self, incident: Incident) -> list[str]:
        return [link.actor.name for link in incident.incident_actors.filter(side=Side.A)]

    def get_side_b(self, incident: Incident) -> list[str]:
        return [link.actor.name for link in incident.incident_actors.filter(side=Side.B)]


class PageOfFifty(pagination.PageNumberPagination):
    page_size = 50


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Incident.objects.published()
    serializer_class = IncidentSerializer
    pagination_class = PageOfFifty


router = routers.SimpleRouter()
router.register("incidents", IncidentViewSet, basename="naive-incident")
