"""Corrections in the editors' admin.

An editor proposes a correction from a published incident's change form (a retracted one's: a
new public notice), edits the draft copy with the ordinary change form and submits it; a
reviewer reads the changes on the correction's page and approves or rejects them there. Each
step is a service of ``incidents.corrections``, which decides who may take it; the admin only
asks and shows the refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from incidents import corrections, services
from incidents.models import Correction, CorrectionStatus, Incident, Status

REASON_EXAMPLE = _("“Date corrected after the army's statement of 15 June”")
# The diff's sections, in the order a reviewer reads them.
# Marked for the catalog here; the page translates each section's name as it shows it.
SECTIONS = (
    gettext_noop("Incident"),
    gettext_noop("Claims"),
    gettext_noop("Actors"),
    gettext_noop("Sources"),
    gettext_noop("Related incidents"),
)


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 60, "dir": "auto"})


class CorrectionReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason"),
        widget=_text(),
        help_text=format_lazy(_("Shown on the public page with the correction's date, e.g. {}."), REASON_EXAMPLE),
        error_messages={
            "required": format_lazy(_("Write the public reason for the correction, e.g. {}."), REASON_EXAMPLE)
        },
    )


class NoticeCorrectionForm(forms.Form):
    notice = forms.CharField(
        label=_("New public notice"),
        widget=_text(5),
        help_text=_("Shown in place of the retracted incident, instead of the current notice."),
        error_messages={"required": _("Write the new public notice.")},
    )
    reason = CorrectionReasonForm.base_fields["reason"]


class RejectionForm(forms.Form):
    rejection_reason = forms.CharField(
        label=_("Why it is rejected"),
        widget=_text(),
        help_text=_("The correction's editor reads it; it is kept with the correction."),
        error_messages={"required": _("Say why the correction is rejected: its editor reads the reason.")},
    )


def changes_by_section(changes: list[dict]) -> list[tuple[str, list[dict]]]:
    """The entries of ``corrections.correction_changes`` grouped by section, in ``SECTIONS`` order."""
    grouped: dict[str, list[dict]] = {}
    for entry in changes:
        grouped.setdefault(entry["section"], []).append(entry)
    order = [*SECTIONS, *(section for section in grouped if section not in SECTIONS)]
    return [(section, grouped[section]) for section in order if section in grouped]


def awaiting_review(correction: Correction) -> bool:
    """Open and ready for a reviewer: a notice at once, a draft copy once it is submitted."""
    if correction.status != CorrectionStatus.OPEN:
        return False
    return correction.revision_id is None or correction.revision.status == Status.IN_REVIEW


def correction_url(correction: Correction, view: str = "change") -> str:
    return reverse(f"admin:incidents_correction_{view}", args=[correction.pk])


# --- On the incidents' admin ---------------------------------------------------------------------


class IncidentCorrectionsMixin:
    """For the incidents' admin: the "propose a correction" page, and what the change form says
    about corrections (why a public incident is read-only, which correction a draft copy is)."""

    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/correction/",
                self.admin_site.admin_view(self.propose_correction_view),
                name="incidents_incident_propose_correction",
            ),
            *super().get_urls(),
        ]

    def correction_context(self, request: HttpRequest, incident: Incident) -> dict[str, Any]:
        """The change form's correction banner: one query, on public incidents and draft copies only."""
        if incident.is_revision:
            correction = Correction.objects.select_related("incident").filter(revision=incident).first()
            if correction is None:
                return {}
            return {
                "revision_correction": correction,
                "corrected_url": reverse("admin:incidents_incident_change", args=[correction.incident_id]),
                "correction_url": correction_url(correction),
                "withdraw_url": correction_url(correction, "withdraw"),
            }
        if incident.status not in (Status.PUBLISHED, Status.RETRACTED):
            return {}
        context: dict[str, Any] = {"public_incident": True}
        open_correction = Correction.objects.open().filter(incident=incident).select_related("author").first()
        if open_correction is not None:
            context["open_correction"] = open_correction
            context["open_correction_url"] = (
                reverse("admin:incidents_incident_change", args=[open_correction.revision_id])
                if open_correction.revision_id
                else correction_url(open_correction)
            )
            context["open_correction_changes_url"] = correction_url(open_correction)
        elif request.user.has_perm(corrections.PROPOSE_PERMISSION):
            context["propose_url"] = reverse("admin:incidents_incident_propose_correction", args=[incident.pk])
        return context

    def propose_correction_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A published incident: the reason, then its draft copy. A retracted one: a new notice."""
        incident = self.get_object(request, unquote(object_id))
        if incident is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm(corrections.PROPOSE_PERMISSION):
            raise PermissionDenied
        change_url = reverse("admin:incidents_incident_change", args=[incident.pk])
        existing = Correction.objects.open().filter(incident=incident).first()
        if existing is not None:
            self.message_user(
                request, gettext("A correction to this incident is already open: continue it."), messages.INFO
            )
            return HttpResponseRedirect(correction_url(existing))
        if incident.status not in (Status.PUBLISHED, Status.RETRACTED):
            self.message_user(
                request,
                gettext("Only a published or retracted incident is corrected; this one can be edited as it is."),
                messages.INFO,
            )
            return HttpResponseRedirect(change_url)
        notice = incident.status == Status.RETRACTED
        form_class = NoticeCorrectionForm if notice else CorrectionReasonForm
        data = request.POST if request.method == "POST" else None
        form = form_class(data, initial={"notice": incident.retraction_notice} if notice else {})
        if form.is_bound and form.is_valid():
            try:
                if notice:
                    correction = corrections.correction_propose_notice(
                        incident=incident, user=request.user, **form.cleaned_data
                    )
                else:
                    correction = corrections.correction_propose(
                        incident=incident, user=request.user, reason=form.cleaned_data["reason"]
                    )
            except (services.WorkflowError, PermissionDenied) as error:
                form.add_error(None, services.refusal_message(error))
            else:
                if notice:
                    self.message_user(
                        request,
                        gettext(
                            "The new notice is proposed. A reviewer approves or rejects it here; "
                            "until then the public sees the current notice."
                        ),
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(correction_url(correction))
                self.message_user(
                    request,
                    gettext(
                        "This is the correction's draft: a copy of the published incident. Make the changes, save, "
                        "then submit it for review. The public sees the published record until a reviewer approves it."
                    ),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:incidents_incident_change", args=[correction.revision_id]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Propose a new public notice") if notice else gettext("Propose a correction"),
            "subtitle": str(incident),
            "opts": self.opts,
            "original": incident,
            "form": form,
            "notice": notice,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/incidents/incident/propose_correction.html", context)


# --- The corrections' own admin ------------------------------------------------------------------


class CorrectionStageFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "stage"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("review", _("Awaiting review")),
            ("draft", _("Draft being edited")),
            *((status, label) for status, label in CorrectionStatus.choices if status != CorrectionStatus.OPEN),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value == "review":
            return queryset.filter(review_order=0)
        if value == "draft":
            return queryset.filter(review_order=1)
        if value in CorrectionStatus.values:
            return queryset.filter(status=value)
        return queryset


class CorrectionAdmin(admin.ModelAdmin):
    """The corrections, those awaiting review first; each one's page is its changes and the decision."""

    list_display = ["correction", "incident_link", "short_reason", "stage", "author", "created_at", "decided"]
    list_display_links = ["correction"]
    list_filter = [CorrectionStageFilter]
    list_select_related = ["incident", "revision", "author", "decided_by"]
    search_fields = ["reason", "incident__title"]
    search_help_text = _("Words of the reason or of the incident's title, or an incident number.")
    list_per_page = 50

    class Media:
        css = {"all": ["incidents/admin.css"]}

    def get_urls(self) -> list:
        views = [("approve", self.approve_view), ("reject", self.reject_view), ("withdraw", self.withdraw_view)]
        return [
            *(
                path(f"<path:object_id>/{name}/", self.admin_site.admin_view(view), name=f"incidents_correction_{name}")
                for name, view in views
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Annotated before ordering: awaiting review (0), drafts (1), decided (2).
        review_order = Case(
            When(status=CorrectionStatus.OPEN, revision__isnull=True, then=Value(0)),
            When(status=CorrectionStatus.OPEN, revision__status=Status.IN_REVIEW, then=Value(0)),
            When(status=CorrectionStatus.OPEN, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return Correction.objects.annotate(review_order=review_order).order_by(*self.get_ordering(request))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return super().changelist_view(
            request, {"title": gettext("Corrections, those awaiting review first"), **(extra_context or {})}
        )

    def get_ordering(self, request: HttpRequest) -> list[str]:
        return ["review_order", "-created_at", "-id"]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            return queryset.filter(incident_id=int(term)), False
        return super().get_search_results(request, queryset, search_term)

    # Proposed from the incident's change form, never created here; kept for ever.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Correction | None = None) -> bool:
        return False

    # --- The list ---

    @admin.display(description=_("correction"), ordering="id")
    def correction(self, obj: Correction) -> str:
        return gettext("Correction %(number)s") % {"number": obj.pk}

    @admin.display(description=_("incident"), ordering="incident_id")
    def incident_link(self, obj: Correction) -> SafeString:
        url = reverse("admin:incidents_incident_change", args=[obj.incident_id])
        return format_html('<a href="{}">#{} {}</a>', url, obj.incident_id, obj.incident.title)

    @admin.display(description=_("public reason"))
    def short_reason(self, obj: Correction) -> str:
        return Truncator(obj.reason).chars(120)

    @admin.display(description=_("status"), ordering="review_order")
    def stage(self, obj: Correction) -> str:
        if obj.status != CorrectionStatus.OPEN:
            return obj.get_status_display()
        if obj.revision_id is None:
            return gettext("Awaiting review (new notice)")
        return gettext("Awaiting review") if obj.revision.status == Status.IN_REVIEW else gettext("Draft being edited")

    @admin.display(description=_("decided"), ordering="decided_at")
    def decided(self, obj: Correction) -> str:
        if obj.decided_at is None:
            return ""
        return gettext("%(who)s, %(when)s") % {
            "who": obj.decided_by or gettext("someone"),
            "when": date_format(timezone.localtime(obj.decided_at), "SHORT_DATETIME_FORMAT"),
        }

    # --- The page: the changes and the decision ---

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Correction | None:
        try:
            return (
                Correction.objects.select_related(
                    "incident", "revision", "revision__last_edited_by", "author", "decided_by"
                )
                .filter(pk=int(object_id))
                .first()
            )
        except ValueError:
            return None

    def _correction(self, request: HttpRequest, object_id: str) -> Correction | None:
        correction = self.get_object(request, unquote(object_id))
        if correction is not None and not self.has_view_or_change_permission(request, correction):
            raise PermissionDenied
        return correction

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        correction = self._correction(request, object_id)
        if correction is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST":
            return HttpResponseRedirect(request.path)
        return self._page(request, correction, RejectionForm())

    def _page(self, request: HttpRequest, correction: Correction, rejection_form: RejectionForm) -> HttpResponse:
        user = request.user
        reviewer = user.has_perm(services.PUBLISH_PERMISSION)
        incident = correction.incident
        revision = correction.revision
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Correction %(number)s to #%(incident)s")
            % {"number": correction.pk, "incident": incident.pk},
            "subtitle": str(incident),
            "opts": self.opts,
            "original": correction,
            "correction": correction,
            "incident": incident,
            "revision": revision,
            "incident_url": reverse("admin:incidents_incident_change", args=[incident.pk]),
            "public_url": incident.get_absolute_url()
            if incident.status in (Status.PUBLISHED, Status.RETRACTED)
            else "",
            "revision_url": reverse("admin:incidents_incident_change", args=[revision.pk]) if revision else "",
            "sections": changes_by_section(corrections.correction_changes(correction=correction)),
            "stage": self.stage(correction),
            "awaiting_review": awaiting_review(correction),
            "can_decide": reviewer and awaiting_review(correction),
            # A hint only: the service decides, and says so if the reviewer wrote it.
            "wrote_it": corrections.correction_wrote(correction=correction, user=user),
            "can_withdraw": corrections.correction_may_withdraw(correction=correction, user=user),
            "approve_url": correction_url(correction, "approve"),
            "reject_url": correction_url(correction, "reject"),
            "withdraw_url": correction_url(correction, "withdraw"),
            "rejection_form": rejection_form,
        }
        return TemplateResponse(request, "admin/incidents/correction/change_form.html", context)

    def _decide(
        self, request: HttpRequest, correction: Correction, decide: Callable[[], Any], done: Callable[[Any], str]
    ) -> HttpResponse:
        """Take the decision; a refusal is a message on the correction's page, never an error page."""
        try:
            result = decide()
        except (services.WorkflowError, PermissionDenied) as error:
            self.message_user(request, services.refusal_message(error), messages.ERROR)
        else:
            self.message_user(request, done(result), messages.SUCCESS)
        return HttpResponseRedirect(correction_url(correction))

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        correction = self._correction(request, object_id)
        if correction is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(correction_url(correction))
        return self._decide(
            request,
            correction,
            lambda: corrections.correction_approve(correction=correction, user=request.user),
            lambda incident: (
                gettext("Correction approved: the public record of “%(incident)s” now shows it.")
                % {"incident": incident}
            ),
        )

    def reject_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        correction = self._correction(request, object_id)
        if correction is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(correction_url(correction))
        form = RejectionForm(request.POST)
        if not form.is_valid():
            return self._page(request, correction, form)
        reason = form.cleaned_data["rejection_reason"]
        return self._decide(
            request,
            correction,
            lambda: corrections.correction_reject(correction=correction, user=request.user, reason=reason),
            lambda result: gettext(
                "Correction rejected; its editor reads the reason here. The published record is unchanged."
            ),
        )

    def withdraw_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Ask first: withdrawing deletes the correction's draft copy."""
        correction = self._correction(request, object_id)
        if correction is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if request.method == "POST":
            return self._decide(
                request,
                correction,
                lambda: corrections.correction_withdraw(correction=correction, user=request.user),
                lambda result: gettext(
                    "Correction withdrawn; its draft copy is deleted. The published record is unchanged."
                ),
            )
        if correction.status != CorrectionStatus.OPEN:
            return HttpResponseRedirect(correction_url(correction))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Withdraw correction %(number)s?") % {"number": correction.pk},
            "subtitle": str(correction.incident),
            "opts": self.opts,
            "original": correction,
            "correction": correction,
            "correction_url": correction_url(correction),
        }
        return TemplateResponse(request, "admin/incidents/correction/withdraw.html", context)
