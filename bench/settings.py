"""Settings for the benchmark's gunicorn and its in-process tasks.

The product's production settings, plus the benchmark's own URLconf (which adds a
hello-world view and a plain DRF implementation as baselines), no API throttling (the
load generator is one client hammering the API on purpose), and plain HTTP on loopback
(no TLS in front, so no redirect to https).
"""

from archive.settings import *  # noqa: F403
from archive.settings import REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}

# Measure the work itself, not a cache: every request computes its page (facet counts
# included) as a cold cache would.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
