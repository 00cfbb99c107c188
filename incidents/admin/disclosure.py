"""Sources' and people's admins: unticking "confidential" asks, another reviewer makes it public.

The change form saves everything else and records the request (``disclosure``); the pending
request shows on the form, with "Make public" and "Keep confidential" for whoever may decide.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incidents import disclosure, services
from incidents.admin.forms import VERSION_FIELD
from incidents.models import Person, Source

DECISIONS = {
    "disclose": (disclosure.record_disclose, _("“%(record)s” is now public.")),
    "keep": (disclosure.record_refuse_disclosure, _("“%(record)s” stays confidential; the request is closed.")),
}


class DisclosureAdminMixin:
    """For the admins of models with ``confidential`` and a pending request to disclose."""

    change_form_template = "admin/incidents/disclosure_change_form.html"

    def get_readonly_fields(self, request: HttpRequest, obj: Source | Person | None = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "disclosure_request"]

    @admin.display(description=_("request to make it public"))
    def disclosure_request(self, obj: Source | Person) -> str:
        if obj.pk is None or obj.disclosure_requested_at is None:
            return gettext("None. Unticking “confidential” asks a reviewer to make it public.")
        who = obj.disclosure_requested_by or gettext("a former user")
        when = date_format(timezone.localtime(obj.disclosure_requested_at), "SHORT_DATETIME_FORMAT")
        return gettext(
            "Asked by %(who)s on %(when)s. It stays confidential until a reviewer who did not ask "
            "makes it public, or keeps it confidential."
        ) % {"who": who, "when": when}

    def save_model(self, request: HttpRequest, obj: Source | Person, form: forms.Form, change: bool) -> None:
        # Unticking only asks; everything else the form changed is saved.
        asks = change and bool(form.initial.get("confidential")) and not obj.confidential
        if asks:
            obj.confidential = True
        super().save_model(request, obj, form, change)
        if not asks:
            return
        name = obj._meta.verbose_name
        try:
            disclosure.record_request_disclosure(record=obj, user=request.user)
        except (services.WorkflowError, PermissionDenied) as error:
            self.message_user(
                request,
                gettext("It stays confidential. %(refusal)s") % {"refusal": services.refusal_message(error)},
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                gettext("A reviewer must confirm before this %(name)s is made public.") % {"name": name},
                messages.WARNING,
            )

    def get_urls(self) -> list:
        opts = self.opts
        return [
            path(
                "<path:object_id>/disclosure/<str:decision>/",
                self.admin_site.admin_view(require_POST(self.disclosure_view)),
                name=f"{opts.app_label}_{opts.model_name}_disclosure",
            ),
            *super().get_urls(),
        ]

    def disclosure_decisions(self, request: HttpRequest, obj: Source | Person) -> list[dict[str, Any]]:
        """The buttons this person may press on the pending request, if any."""
        if obj.disclosure_requested_at is None or not self.has_change_permission(request, obj):
            return []
        user = request.user
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_disclosure"
        buttons = []
        if disclosure.record_can_disclose(record=obj, user=user):
            buttons.append({"label": gettext("Make public"), "url": reverse(name, args=[obj.pk, "disclose"])})
        if user.has_perm(services.PUBLISH_PERMISSION) or obj.disclosure_requested_by_id == user.pk:
            buttons.append({"label": gettext("Keep confidential"), "url": reverse(name, args=[obj.pk, "keep"])})
        return buttons

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Source | Person | None = None,
    ) -> HttpResponse:
        if obj is not None and obj.pk is not None:
            context["disclosure_decisions"] = self.disclosure_decisions(request, obj)
            context["disclosure_version"] = obj.version
            context["version_field"] = VERSION_FIELD
        return super().render_change_form(request, context, add, change, form_url, obj)

    def disclosure_view(self, request: HttpRequest, object_id: str, decision: str) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        if decision not in DECISIONS:
            return HttpResponseRedirect(change_url)
        service, done = DECISIONS[decision]
        version = request.POST.get(VERSION_FIELD, "")
        try:
            record = service(
                record=obj, user=request.user, expected_version=int(version) if version.isdigit() else None
            )
        except (services.WorkflowError, services.ConcurrentEditError, PermissionDenied) as error:
            self.message_user(request, services.refusal_message(error), messages.ERROR)
        else:
            self.message_user(request, done % {"record": record}, messages.SUCCESS)
        return HttpResponseRedirect(change_url)
