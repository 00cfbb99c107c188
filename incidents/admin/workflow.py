"""The workflow and the estimate in the incidents' admin.

The changelist actions, the change-form buttons and the view that takes one step on one
incident are made from ``services.TRANSITIONS``: a step is described once, in the services,
and each service checks its own permission. The estimate view accepts the archive's proposal
or overrides it with a rationale. Reviewers merge a duplicate into another incident
(``merging.incident_merge``) from the list or from the duplicate's change form.
"""

from __future__ import annotations

from collections.abc import Callable
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
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from incidents import merging, services
from incidents.admin.forms import EstimateOverrideForm, MergeForm, RetractionForm
from incidents.admin.widgets import LoadedChoiceAutocompleteSelect
from incidents.models import Incident, IncidentRelation, Status

WorkflowAction = Callable[[Any, HttpRequest, QuerySet], HttpResponse | None]


def workflow_action(row: services.Transition) -> WorkflowAction:
    """The changelist action that takes ``row``'s step on the selected incidents."""

    def take(modeladmin: WorkflowAdminMixin, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return modeladmin.take_on_selection(request, queryset, row)

    take.__name__ = row.action
    # get_actions offers the action to the people the row permits.
    take.transition = row
    return admin.action(description=row.action_label)(take)


class WorkflowAdminMixin:
    """For the incidents' admin: the workflow's actions, buttons and view, and the estimate."""

    actions = [
        *(workflow_action(row) for row in services.TRANSITIONS if row.action),
        "accept_proposal",
        "merge_duplicates",
    ]

    def get_actions(self, request: HttpRequest) -> dict:
        return {
            name: action
            for name, action in super().get_actions(request).items()
            if not hasattr(action[0], "transition") or action[0].transition.permits(request.user)
        }

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.PUBLISH_PERMISSION)

    # --- Workflow actions ---

    def _run(self, request: HttpRequest, queryset: QuerySet, done: str, step: Callable[[Incident], Any]) -> None:
        succeeded, failures = 0, []
        for incident in queryset.order_by("pk"):
            try:
                step(incident)
            except (services.WorkflowError, PermissionDenied) as error:
                failures.append(
                    gettext("%(incident)s: %(refusal)s")
                    % {"incident": incident, "refusal": services.refusal_message(error)}
                )
            else:
                succeeded += 1
        if succeeded:
            # The same English either way ("incident(s)"); other languages have their plural forms.
            message = ngettext("%(count)d incident(s) %(done)s.", "%(count)d incident(s) %(done)s.", succeeded)
            self.message_user(request, message % {"count": succeeded, "done": done}, messages.SUCCESS)
        for failure in failures:
            self.message_user(request, failure, messages.ERROR)

    def take_on_selection(
        self, request: HttpRequest, queryset: QuerySet, row: services.Transition
    ) -> HttpResponse | None:
        """Take ``row``'s step on each selected incident; a step that asks for a notice asks first."""
        extra = {}
        if row.notice:
            form = RetractionForm(request.POST if "apply" in request.POST else None)
            if not (form.is_bound and form.is_valid()):
                return self._notice_page(request, row, form, queryset, action=row.action)
            extra["notice"] = form.cleaned_data["notice"]
        self._run(
            request, queryset, row.done, lambda incident: row.service(incident=incident, user=request.user, **extra)
        )
        return None

    def _notice_page(
        self,
        request: HttpRequest,
        row: services.Transition,
        form: RetractionForm,
        queryset: QuerySet | list[Incident],
        action: str = "",
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": (gettext("%(step)s incidents") if action else gettext("%(step)s an incident"))
            % {"step": row.label},
            "opts": self.opts,
            "queryset": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME if action else "",
        }
        return TemplateResponse(request, f"admin/incidents/incident/{row.step}.html", context)

    @admin.action(permissions=["change"], description=_("Accept the reconciliation proposal as the estimate"))
    def accept_proposal(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._run(
            request,
            queryset,
            gettext("now use the archive's proposal as their estimate"),
            lambda incident: services.incident_accept_proposal(incident=incident, user=request.user),
        )

    # --- Merging a duplicate ---

    @admin.action(permissions=["merge"], description=_("Merge the selected duplicates into another incident…"))
    def merge_duplicates(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        duplicates = list(queryset.order_by("pk"))
        form = self._merge_form(request, request.POST if "apply" in request.POST else None, duplicates)
        if not (form.is_bound and form.is_valid()):
            return self._merge_page(request, form, duplicates, action="merge_duplicates")
        self._merge(request, duplicates, form.cleaned_data["into"], form.cleaned_data["reason"])
        return None

    def merge_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Merge one duplicate, from its change form's button."""
        incident = self.get_object(request, object_id)
        if incident is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_merge_permission(request):
            raise PermissionDenied
        form = self._merge_form(request, request.POST if request.method == "POST" else None, [incident])
        if not (form.is_bound and form.is_valid()):
            return self._merge_page(request, form, [incident])
        into = form.cleaned_data["into"]
        if self._merge(request, [incident], into, form.cleaned_data["reason"]):
            return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[into.pk]))
        return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[incident.pk]))

    def _merge_form(self, request: HttpRequest, data: Any, duplicates: list[Incident]) -> MergeForm:
        form = MergeForm(data, duplicates=duplicates)
        # Picked like a linked incident: by words of its title or place, or by its number.
        into = form.fields["into"]
        into.widget = LoadedChoiceAutocompleteSelect(IncidentRelation._meta.get_field("object"), self.admin_site)
        into.widget.choices = into.choices
        into.label_from_instance = self.autocomplete_label
        return form

    def _merge_page(
        self, request: HttpRequest, form: MergeForm, duplicates: list[Incident], action: str = ""
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge duplicates")
            if action
            else gettext("Merge %(incident)s into another incident") % {"incident": duplicates[0]},
            "opts": self.opts,
            "queryset": duplicates,
            "form": form,
            "media": self.media + form.media,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME if action else "",
        }
        return TemplateResponse(request, "admin/incidents/incident/merge.html", context)

    def _merge(self, request: HttpRequest, duplicates: list[Incident], into: Incident, reason: str) -> int:
        merged = 0
        for duplicate in duplicates:
            try:
                merging.incident_merge(duplicate=duplicate, into=into, user=request.user, reason=reason)
            except (services.WorkflowError, PermissionDenied) as error:
                self.message_user(
                    request,
                    gettext("%(incident)s: %(refusal)s")
                    % {"incident": duplicate, "refusal": services.refusal_message(error)},
                    messages.ERROR,
                )
            else:
                merged += 1
        if merged:
            message = ngettext(
                "%(count)d incident(s) merged into “%(into)s”.", "%(count)d incident(s) merged into “%(into)s”.", merged
            )
            self.message_user(request, message % {"count": merged, "into": into}, messages.SUCCESS)
        return merged

    # --- Reconciliation ---

    @admin.display(description=_("the archive's proposal"))
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
                "<path:object_id>/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="incidents_incident_merge",
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
        return [
            {
                # A step that asks for a notice is a link to its form, not a button that takes it.
                "label": gettext("%(step)s…") % {"step": row.label} if row.notice else row.label,
                "url": reverse("admin:incidents_incident_workflow", args=[incident.pk, row.step]),
                "confirm": row.notice,
            }
            for row in services.incident_transitions(incident=incident, user=request.user)
        ]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Incident | None = None,
    ) -> HttpResponse:
        context["workflow_steps"] = self.workflow_steps(request, obj) if obj is not None else []
        mergeable = obj is not None and obj.pk is not None and obj.merged_into_id is None and not obj.is_revision
        if mergeable and obj.status != Status.RETRACTED and self.has_merge_permission(request):
            context["merge_url"] = reverse("admin:incidents_incident_merge", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponse:
        incident = self.get_object(request, object_id)
        if incident is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        change_url = reverse("admin:incidents_incident_change", args=[incident.pk])
        try:
            row = services.transition(step)
        except KeyError:
            return HttpResponseRedirect(change_url)
        extra = {}
        if row.notice:
            form = RetractionForm(request.POST if request.method == "POST" else None)
            if not (form.is_bound and form.is_valid()):
                return self._notice_page(request, row, form, [incident])
            extra["notice"] = form.cleaned_data["notice"]
        elif request.method != "POST":
            return HttpResponseRedirect(change_url)
        try:
            row.service(incident=incident, user=request.user, **extra)
        except (services.WorkflowError, PermissionDenied) as error:
            self.message_user(request, services.refusal_message(error), messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("“%(incident)s” %(done)s.") % {"incident": incident, "done": row.done},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(change_url)

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
            initial={
                **services.proposal_estimate(proposal),
                **{"low": total.low, "best": total.best, "high": total.high, "high_open": total.high_open},
            },
        )
        if request.method == "POST":
            if not can_change:
                raise PermissionDenied
            try:
                if "accept" in request.POST:
                    services.incident_accept_proposal(incident=incident, user=request.user)
                    self.message_user(request, gettext("The archive's proposal is now the estimate."), messages.SUCCESS)
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
                        high_open=data["high_open"],
                        parts=form.parts(),
                    )
                    self.message_user(request, gettext("The editors' estimate is saved."), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[incident.pk]))
            except services.WorkflowError as error:
                form.add_error(None, error)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Fatality estimate: %(incident)s") % {"incident": incident},
            "opts": self.opts,
            "original": incident,
            "proposal": proposal,
            "form": form,
            "can_change": can_change,
            "refusal": services.incident_edit_refusal(incident=incident, user=request.user),
        }
        return TemplateResponse(request, "admin/incidents/incident/estimate.html", context)
