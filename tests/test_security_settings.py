"""Headers, deployment settings, login lockout, two-factor and request caps (docs/security.md)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import IncidentFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production process: no DEBUG, a real secret key, a host name."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "ARCHIVE_"))}
    env.update(DJANGO_SECRET_KEY=secrets.token_urlsafe(50), DJANGO_ALLOWED_HOSTS="archive.example.org")
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


# --- Deployment check ----------------------------------------------------------------------


def test_the_deploy_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_fails_when_hsts_is_turned_off():
    # Proves the check above can fail: the same command with one protection removed.
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(SECURE_HSTS_SECONDS="0"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


def test_the_browsable_api_is_on_in_production_and_in_debug():
    code = "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    production = manage("shell", "-v", "0", "-c", code, env=production_env())
    debug = manage("shell", "-v", "0", "-c", code, env=production_env(DJANGO_DEBUG="1"))
    # JSON first: a client that names no format, or accepts anything, gets JSON.
    assert production.stdout.strip().startswith("['incidents.renderers.JSONRenderer', "), production.stderr
    assert "BrowsableAPIRenderer" in production.stdout, production.stderr
    assert debug.stdout == production.stdout, debug.stderr


# --- Headers on every HTML response ---------------------------------------------------------


def html_pages(db) -> list[str]:
    incident = IncidentFactory(published=True)
    return [
        "/",
        "/incidents/",
        incident.get_absolute_url(),
        "/actors/",
        "/methodology/",
        "/data/",
        "/api/v1/docs/",
        "/admin/login/",
    ]


def script_src(policy: str) -> str:
    return next(d for d in policy.split(";") if d.strip().startswith("script-src"))


def test_every_html_response_carries_a_nonce_based_policy_and_the_protective_headers(db):
    client = Client()
    for url in html_pages(db):
        first = client.get(url, secure=True)
        second = client.get(url, secure=True)
        assert first.status_code == 200, url
        assert first["Content-Type"].startswith("text/html")
        policy = first["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([A-Za-z0-9+/=]+)'", script_src(policy))
        assert nonce, f"{url}: no nonce in {policy}"
        assert nonce.group(1) not in second["Content-Security-Policy"], "a nonce must never repeat"
        assert "'unsafe-inline'" not in script_src(policy)
        assert "'unsafe-eval'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert "object-src 'none'" in policy
        assert first["X-Content-Type-Options"] == "nosniff"
        assert first["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert first["X-Frame-Options"] == "DENY"
        assert first["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_the_policy_allows_images_only_from_the_app_data_urls_and_the_tile_host():
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
        env=production_env(ARCHIVE_TILE_URL="https://{s}.tile.example.org/{z}/{x}/{y}.png"),
    )
    assert result.stdout.strip() == "[\"'self'\", 'data:', 'https://*.tile.example.org']", result.stderr


def test_plain_http_is_redirected_to_https_in_production(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/incidents/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/incidents/"


def test_session_and_csrf_cookies_are_secure_and_http_only(settings):
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


# --- Login lockout ------------------------------------------------------------------------


@pytest.fixture
def lockout(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    return settings


def admin_login(client: Client, username: str, password: str, **extra) -> object:
    return client.post("/admin/login/", {"username": username, "password": password}, **extra)


def test_it_locks_a_client_out_after_repeated_failed_logins(db, lockout):
    UserFactory(username="ana")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(2):
        assert admin_login(client, "ana", "wrong").status_code == 200
    assert admin_login(client, "ana", "wrong").status_code == 429
    response = admin_login(client, "ana", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="ana")
    assert attempt.ip_address == "203.0.113.9"
    assert attempt.failures_since_start >= 3


def test_the_lockout_does_not_lock_the_account_out_for_other_clients(db, lockout):
    UserFactory(username="ana")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(4):
        admin_login(attacker, "ana", "wrong")
    editor = Client(REMOTE_ADDR="198.51.100.20")
    assert admin_login(editor, "ana", PASSWORD).status_code == 302
    assert editor.session["_auth_user_id"] == str(User.objects.get(username="ana").pk)


def test_a_client_cannot_dodge_the_lockout_by_forging_x_forwarded_for(db, lockout):
    UserFactory(username="ana")
    for n in range(4):
        # No proxy configured: the header is the client's own writing and is ignored.
        response = admin_login(Client(REMOTE_ADDR="203.0.113.9"), "ana", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


def test_behind_a_proxy_the_lockout_keys_on_the_address_the_proxy_saw(db, lockout):
    lockout.REST_FRAMEWORK = {**lockout.REST_FRAMEWORK, "NUM_PROXIES": 1}
    UserFactory(username="ana")
    for n in range(4):
        # The proxy appends the address it received from; what comes before is forgeable.
        response = admin_login(
            Client(REMOTE_ADDR="127.0.0.1"), "ana", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9"
        )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    other = Client(REMOTE_ADDR="127.0.0.1")
    assert admin_login(other, "ana", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 302


# --- Two-factor for staff -----------------------------------------------------------------


@pytest.fixture
def two_factor(settings):
    settings.ARCHIVE_REQUIRE_2FA = True
    return settings


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_staff_without_a_verified_device_reach_no_admin_page(db, two_factor):
    staff = UserFactory(username="ana", is_superuser=True)
    client = Client()
    client.force_login(staff)
    for url in ["/admin/", "/admin/auth/user/", f"/admin/auth/user/{staff.pk}/change/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")


def test_a_password_alone_does_not_open_the_admin_when_two_factor_is_on(db, two_factor):
    staff = UserFactory(username="ana", is_superuser=True)
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()
    response = admin_login(client, "ana", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/auth/user/").status_code == 302


def test_staff_with_a_device_and_a_current_code_reach_the_change_views(db, two_factor):
    staff = UserFactory(username="ana", is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()
    response = client.post(
        "/admin/login/", {"username": "ana", "password": PASSWORD, "otp_token": current_code(device)}
    )
    assert response.status_code == 302, response.context["form"].errors
    assert client.get(f"/admin/auth/user/{staff.pk}/change/").status_code == 200
    device.refresh_from_db()
    assert device.last_t > -1


def test_the_add_totp_device_command_enrols_a_staff_member(db):
    staff = UserFactory(username="ana")
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("add_totp_device", user="ana", stdout=out)
    assert out.getvalue().startswith("otpauth://totp/")
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).count() == 1


def test_two_factor_is_required_by_default_in_production():
    code = "from django.conf import settings; print(settings.ARCHIVE_REQUIRE_2FA)"
    assert manage("shell", "-v", "0", "-c", code, env=production_env()).stdout.strip() == "True"
    assert manage("shell", "-v", "0", "-c", code, env=production_env(DJANGO_DEBUG="1")).stdout.strip() == "False"


# --- Request size -------------------------------------------------------------------------


def test_an_oversized_request_is_refused_with_a_clear_reason(db, settings):
    settings.ARCHIVE_MAX_REQUEST_BYTES = 10_000
    response = Client().post("/admin/login/", {"username": "ana", "password": "x" * 20_000})
    assert response.status_code == 413
    assert "Request too large" in response.content.decode()
    assert "the limit is 10000 bytes" in response.content.decode()
    assert not AccessAttempt.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_read(db, settings, editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ARCHIVE_MAX_REQUEST_BYTES = 10_000
    upload = SimpleUploadedFile("big.csv", b"a,b\n" * 10_000, content_type="text/csv")
    response = editor_client.post("/admin/", {"import_file": upload})
    assert response.status_code == 413


def test_failed_basic_credentials_on_the_api_count_towards_the_lockout(db, lockout):
    import base64

    def basic(password: str) -> str:
        return "Basic " + base64.b64encode(f"ana:{password}".encode()).decode()

    UserFactory(username="ana")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=basic("wrong")).status_code in {401, 403}
    assert AccessAttempt.objects.get(username="ana").failures_since_start == 3
    # Locked out: even the right password is refused, through the API and the admin login.
    assert client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=basic(PASSWORD)).status_code in {401, 403, 429}
    assert admin_login(client, "ana", PASSWORD).status_code == 429
