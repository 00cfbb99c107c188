"""Settings for the benchmark's gunicorn and its in-process tasks.

The product's settings, plus the benchmark's own URLconf (which adds a hello-world view
and a plain DRF implementation as baselines) and no API throttling, since the load
generator is one client hammering the API on purpose.
"""

from archive.settings import *  # noqa: F403
from archive.settings import REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}

# Measure the work itself, not a cache: every request computes its page (facet counts
# included) as a cold cache would.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
