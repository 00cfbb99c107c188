"""The reader's language, from the switcher's cookie or else the browser's Accept-Language."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils.cache import patch_vary_headers


class ReaderLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, telling caches that the cookie chooses the language too.

    Without a URL prefix the same address serves every language: Django's middleware adds
    ``Vary: Accept-Language``, but a reader who picked a language in the switcher carries it
    in the ``django_language`` cookie, so a shared cache must key on the cookie as well.
    """

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        response = super().process_response(request, response)
        patch_vary_headers(response, ("Cookie",))
        return response
