"""The editors' history page of a record, and restoring one of its versions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from incidents import services
from incidents.history import history_entries


def _history_url(model: type[models.Model], pk: Any) -> str:
    """The history page of a related record, when it has one in the admin."""
    if not admin.site.is_registered(model):
        return ""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[pk])


class HistoryAdminMixin:
    """The record's history from the pghistory events, with a button to restore a version."""

    # Related models whose history belongs on this record's history page.
    history_related: tuple[type[models.Model], ...] = ()
    # (parent, child) pairs: the child rows of the related parent rows, e.g. (Claim, Citation).
    history_nested: tuple[tuple[type[models.Model], type[models.Model]], ...] = ()
    history_template = "admin/incidents/record_history.html"

    def get_urls(self) -> list:
        opts = self.opts
        return [
            path(
                "<path:object_id>/history/<int:event_id>/restore/",
                self.admin_site.admin_view(require_POST(self.restore_view)),
                name=f"{opts.app_label}_{opts.model_name}_restore",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("History: %(record)s") % {"record": obj},
            "subtitle": None,
            "opts": self.opts,
            "object": obj,
            "entries": history_entries(obj, self.history_related, link=_history_url, nested=self.history_nested),
            "can_restore": self.has_change_permission(request, obj),
            "restore_url_name": f"admin:{self.opts.app_label}_{self.opts.model_name}_restore",
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.history_template, context)

    def restore_view(self, request: HttpRequest, object_id: str, event_id: int) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        event = get_object_or_404(type(obj).pgh_event_model, pgh_id=event_id, pgh_obj_id=obj.pk)
        try:
            services.history_restore(event=event, user=request.user)
        except (services.WorkflowError, PermissionDenied) as error:
            self.message_user(request, services.refusal_message(error), messages.ERROR)
        else:
            when = event.pgh_created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
            self.message_user(
                request,
                gettext("Restored “%(record)s” to the version of %(when)s.") % {"record": obj, "when": when},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )
