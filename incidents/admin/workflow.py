"""The workflow and the estimate in the incidents' admin.

Changelist actions and change-form buttons that call the workflow services, the view that
takes one step on one incident, and the view that accepts or overrides the archive's proposal.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import SafeString

from incidents import services
from incidents.admin.forms import EstimateOverrideForm, RetractionForm
from incidents.models import Incident, Status


class WorkflowAdminMixin:
    """For the incidents' admin: the workflow steps and the estimate."""

    actions = [
        "submit_for_review",
        "return_to_draft",
        "publish",
        "retract",
        "accept_proposal",
    ]

    def has_submit_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.SUBMIT_PERMISSION)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    # --- Workflow actions ---

    def _run(self, request: HttpRequest, queryset: QuerySet, done: str, step: Any) -> None:
        succeeded, failures = 0, []
        for incident in queryset.order_by("pk"):
            try:
                step(incident)
            except (services.WorkflowError, PermissionDenied) as error:
                failures.append(f"{incident}: {services.refusal_message(error)}")
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{succeeded} incident(s) {done}.", messages.SUCCESS)
        for failure in failures:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(permissions=["submit"], description="Submit selected incidents for review")
    def submit_for_review(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            "submitted for review",
            lambda incident: services.incident_submit(incident=incident, user=request.user),
        )

    @admin.action(permissions=["submit"], description="Return selected incidents to draft")
    def return_to_draft(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            "returned to draft",
            lambda incident: services.incident_return_to_draft(incident=incident, user=request.user),
        )

    @admin.action(permissions=["publish"], description="Publish selected incidents")
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            "published",
            lambda incident: services.incident_publish(incident=incident, user=request.user),
        )

    @admin.action(permissions=["publish"], description="Retract selected incidents, with a public notice…")
    def retract(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = RetractionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            notice = form.cleaned_data["notice"]
            self._run(
                request,
                queryset,
                "retracted",
                lambda incident: services.incident_retract(incident=incident, user=request.user, notice=notice),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Retract incidents",
            "opts": self.opts,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/incidents/incident/retract.html", context)

    @admin.action(permissions=["change"], description="Accept the reconciliation proposal as the estimate")
    def accept_proposal(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            "now use the archive's proposal as their estimate",
            lambda incident: services.incident_accept_proposal(incident=incident, user=request.user),
        )

    # --- Reconciliation ---

    @admin.display(description="the archive's proposal")
    def reconciliation(self, obj: Incident) -> SafeString:
        if obj.pk is None:
            return SafeString("")
        estimate_url = reverse("admin:incidents_incident_estimate", args=[obj.pk])
        return SafeString(
            render_to_string(
                "admin/incidents/incident/_proposal.html",
                {"proposal": services.incident_proposal(incident=obj), "estimate_url": estimate_url},
            )
        )

    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/estimate/",
                self.admin_site.admin_view(self.estimate_view),
                name="incidents_incident_estimate",
            ),
            path(
                "<path:object_id>/workflow/<slug:step>/",
                self.admin_site.admin_view(self.workflow_view),
                name="incidents_incident_workflow",
            ),
            *super().get_urls(),
        ]

    # --- Workflow buttons on the change form ---
    def workflow_steps(self, request: HttpRequest, incident: Incident) -> list[dict[str, Any]]:
        """The workflow steps this person can take on this incident now, as change-form buttons."""
        can_submit, can_publish = self.has_submit_permission(request), self.has_publish_permission(request)
        offered = {
            Status.DRAFT: [("submit", "Submit for review", can_submit)],
            Status.IN_REVIEW: [("publish", "Publish", can_publish), ("return-to-draft", "Return to draft", can_submit)],
            Status.PUBLISHED: [("retract", "Retract…", can_publish)],
        }.get(incident.status, [])
        if (
            can_publish
            and incident.status in (Status.DRAFT, Status.IN_REVIEW)
            and services.incident_unconfirmed_mentions(incident=incident)
        ):
            offered.append(("confirm-wording", "Confirm the wording naming a confidential source", True))
        return [
            {
                "label": label,
                "url": reverse("admin:incidents_incident_workflow", args=[incident.pk, step]),
                "confirm": step == "retract",
            }
            for step, label, allowed in offered
            if allowed
        ]

    def render_change_form(
        self, request: HttpRequest, context: dict, add: bool = False, change: bool = False, form_url: str = "", obj=None
    ) -> HttpResponse:
        context["workflow_steps"] = self.workflow_steps(request, obj) if obj is not None else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponse:
        incident = self.get_object(request, object_id)
        if incident is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        steps = {
            "submit": (services.incident_submit, "submitted for review"),
            "return-to-draft": (services.incident_return_to_draft, "returned to draft"),
            "publish": (services.incident_publish, "published"),
            "confirm-wording": (
                services.incident_confirm_confidential_wording,
                "has its wording naming a confidential source confirmed as deliberate",
            ),
        }
        change_url = reverse("admin:incidents_incident_change", args=[incident.pk])
        if step == "retract":
            return self._retract_one(request, incident, change_url)
        if step not in steps or request.method != "POST":
            return HttpResponseRedirect(change_url)
        service, done = steps[step]
        try:
            service(incident=incident, user=request.user)
        except (services.WorkflowError, PermissionDenied) as error:
            self.message_user(request, services.refusal_message(error), messages.ERROR)
        else:
            self.message_user(request, f"“{incident}” {done}.", messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def _retract_one(self, request: HttpRequest, incident: Incident, change_url: str) -> HttpResponse:
        form = RetractionForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                services.incident_retract(incident=incident, user=request.user, notice=form.cleaned_data["notice"])
            except (services.WorkflowError, PermissionDenied) as error:
                self.message_user(request, services.refusal_message(error), messages.ERROR)
            else:
                self.message_user(request, f"“{incident}” retracted.", messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Retract an incident",
            "opts": self.opts,
            "queryset": [incident],
            "form": form,
        }
        return TemplateResponse(request, "admin/incidents/incident/retract.html", context)

    def estimate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Accept the proposal, or override it with a rationale."""
        incident = self.get_object(request, object_id)
        if incident is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, incident):
            raise PermissionDenied
        can_change = self.has_change_permission(request, incident)
        proposal = services.incident_proposal(incident=incident)
        total = proposal.total
        form = EstimateOverrideForm(
            request.POST if "override" in request.POST else None,
            initial={"low": total.low, "best": total.best, "high": total.high},
        )
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            try:
                if "accept" in request.POST:
                    services.incident_accept_proposal(incident=incident, user=request.user)
                    self.message_user(request, "The archive's proposal is now the estimate.", messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[incident.pk]))
                if form.is_valid():
                    data = form.cleaned_data
                    services.incident_override_estimate(
                        incident=incident,
                        user=request.user,
                        low=data["low"],
                        best=data["best"],
                        high=data["high"],
                        rationale=data["rationale"],
                        contested=data["contested"],
                    )
                    self.message_user(request, "The editors' estimate is saved.", messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[incident.pk]))
            except services.WorkflowError as error:
                form.add_error(None, error)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Fatality estimate: {incident}",
            "opts": self.opts,
            "original": incident,
            "proposal": proposal,
            "form": form,
            "can_change": can_change,
        }
        return TemplateResponse(request, "admin/incidents/incident/estimate.html", context)
