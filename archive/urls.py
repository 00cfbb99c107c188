from django.contrib import admin
from django.urls import include, path

from incidents.views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", include("incidents.api_urls")),
    path("", include("incidents.urls")),
]

handler400 = "archive.errors.bad_request"
handler403 = "archive.errors.permission_denied"
handler404 = "archive.errors.not_found"
handler500 = "archive.errors.server_error"
