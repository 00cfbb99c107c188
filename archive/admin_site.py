"""The editors' admin site: in production, staff also need a one-time code (django-otp).

It replaces ``django.contrib.admin.site`` (see ``archive.apps``), so every
``admin.register`` in the project lands here and no admin page is reachable
without a verified device when ``ARCHIVE_REQUIRE_2FA`` is on.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.models import Device


class OneDeviceLoginForm(OTPAdminAuthenticationForm):
    """Username, password and code in one step when the person has a single device.

    django-otp asks which device to check when none is chosen; with one authenticator
    that is a pointless second round trip, so the only device is taken as chosen.
    """

    def _chosen_device(self, user: AbstractBaseUser) -> Device | None:
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device"):
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                device = devices[0]
        return device


class ArchiveAdminSite(OTPAdminSite):
    site_header = "Incident archive: editors"
    site_title = "Incident archive admin"

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)

    # Read per request, so a deployment (or a test) switches two-factor with one setting.
    @property
    def login_form(self) -> type[AdminAuthenticationForm]:
        return OneDeviceLoginForm if settings.ARCHIVE_REQUIRE_2FA else AdminAuthenticationForm

    @property
    def login_template(self) -> str | None:
        return "otp/admin111/login.html" if settings.ARCHIVE_REQUIRE_2FA else None

    def has_permission(self, request: HttpRequest) -> bool:
        if settings.ARCHIVE_REQUIRE_2FA:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
