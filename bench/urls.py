"""The product's URLs plus the benchmark's baselines, served only by the benchmark's gunicorn."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from archive.urls import urlpatterns as product_urlpatterns
from bench import naive


def hello(request: HttpRequest) -> JsonResponse:
    """The cheapest JSON response Django can give through the same middleware stack."""
    return JsonResponse({"hello": "world"})


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/naive/", include(naive.router.urls)),
    *product_urlpatterns,
]
