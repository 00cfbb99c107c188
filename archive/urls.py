from django.contrib import admin
from django.urls import include, path

from incidents.views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", include("incidents.api_urls")),
    path("", include("incidents.urls")),
]

handler404 = "archive.errors.not_found"
