"""The research API, mounted at /api/v1/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from incidents.views import api

router = DefaultRouter()
router.register("incidents", api.IncidentViewSet, basename="api-incident")
router.register("actors", api.ActorViewSet, basename="api-actor")
router.register("sources", api.SourceViewSet, basename="api-source")
router.register("claims", api.ClaimViewSet, basename="api-claim")
router.register("persons", api.PersonViewSet, basename="api-person")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, which the nonce-based CSP allows.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
]
