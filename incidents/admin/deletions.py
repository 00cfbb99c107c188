"""ACLED's deletions file on the incidents' import page: upload, see what it would retract, confirm.

A reviewer's page (the file retracts published incidents, each with a public notice). The
upload is a dry run of ``imports.deletions.import_deletions``; the confirm sends the same file
back (a few columns a row, within the import size limit) and runs it for real, all or nothing.
"""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy, ngettext

from incidents import services
from incidents.admin.imports import import_max_bytes
from incidents.imports.deletions import import_deletions
from incidents.imports.engine import BulkImportError
from incidents.models import Incident


class DeletionsUploadForm(forms.Form):
    deletions_file = forms.FileField(
        label=gettext_lazy("ACLED's deletions file"),
        help_text=gettext_lazy("A CSV with the columns event_id_cnty and deleted_timestamp, as ACLED publishes it."),
    )

    def clean_deletions_file(self) -> Any:
        upload = self.cleaned_data["deletions_file"]
        if upload.size > import_max_bytes():
            raise forms.ValidationError(gettext("The file is larger than the import limit."))
        return upload


class DeletionsConfirmForm(forms.Form):
    content = forms.CharField(widget=forms.HiddenInput, strip=False)
    file_name = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_content(self) -> str:
        content = self.cleaned_data["content"]
        if len(content.encode()) > import_max_bytes():
            raise forms.ValidationError(gettext("The file is larger than the import limit."))
        return content


class AcledDeletionsMixin:
    """The incidents' admin: a page for ACLED's deletions file."""

    def get_urls(self) -> list:
        return [
            path(
                "import/acled-deletions/",
                self.admin_site.admin_view(self.acled_deletions_view),
                name="incidents_incident_acled_deletions",
            ),
            *super().get_urls(),
        ]

    def acled_deletions_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(services.PUBLISH_PERMISSION):
            raise PermissionDenied
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import ACLED's deletions"),
        }
        if request.method == "POST" and "confirm" in request.POST:
            confirm = DeletionsConfirmForm(request.POST)
            if confirm.is_valid():
                content, name = confirm.cleaned_data["content"], confirm.cleaned_data["file_name"]
                try:
                    result = import_deletions(handle=io.BytesIO(content.encode()), user=request.user, file_name=name)
                except BulkImportError as error:
                    context.update(form=DeletionsUploadForm(), problems=error.problems)
                else:
                    self.message_user(
                        request,
                        ngettext(
                            "%(count)s incident retracted with ACLED's deletion as its notice.",
                            "%(count)s incidents retracted with ACLED's deletion as their notice.",
                            len(result.retracted),
                        )
                        % {"count": len(result.retracted)},
                    )
                    return HttpResponseRedirect(reverse("admin:incidents_incident_changelist"))
            else:
                context.update(
                    form=DeletionsUploadForm(), problems=[(None, "", gettext("The file was not sent back."))]
                )
            return TemplateResponse(request, "admin/incidents/acled_deletions.html", context)
        form = DeletionsUploadForm(request.POST or None, request.FILES or None)
        context["form"] = form
        if form.is_bound and form.is_valid():
            upload = form.cleaned_data["deletions_file"]
            raw = upload.read()
            try:
                preview = import_deletions(
                    handle=io.BytesIO(raw), user=request.user, dry_run=True, file_name=upload.name
                )
            except BulkImportError as error:
                context["problems"] = error.problems
            else:
                context.update(
                    preview=preview,
                    to_retract=Incident.objects.filter(pk__in=preview.retracted).order_by("pk"),
                    confirm=DeletionsConfirmForm(
                        initial={"content": raw.decode("utf-8-sig"), "file_name": upload.name}
                    ),
                )
        return TemplateResponse(request, "admin/incidents/acled_deletions.html", context)
