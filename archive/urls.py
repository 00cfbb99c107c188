from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from incidents.views import acled, health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    # The language switcher. Exempt from CSRF: it only sets the reader's preference cookie, and
    # public pages carry no CSRF token (they stay cacheable and set no cookie of their own).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("api/v1/", include("incidents.api_urls")),
    # ACLED's read API, for clients given ACLED_API_HOST=<site>/api/acled.
    re_path(r"^api/acled/acled/read/?$", acled.AcledDataView.as_view(), name="acled-read"),
    re_path(r"^api/acled/deleted/read/?$", acled.AcledDeletedView.as_view(), name="acled-deleted-read"),
    path("basemap/", include("incidents.views.basemap")),
    path("", include("incidents.urls")),
]

handler400 = "archive.errors.bad_request"
handler403 = "archive.errors.permission_denied"
handler404 = "archive.errors.not_found"
handler500 = "archive.errors.server_error"
