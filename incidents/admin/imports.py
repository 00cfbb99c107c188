"""The admin's import page for incidents: preview first, every bad row listed, all or nothing.

django-import-export provides the two steps (upload → dry run and preview → confirm); this
mixin adds the archive's rules: a size limit with a clear message, files read within bounds
and refused with a message naming what is wrong where (incidents.spreadsheet), the error list
by row and column, a short preview of big files, formula-safe export, and a confirm step that
refuses to report success when the real run found a problem the preview did not.

The preview of an incidents file also shows what the import will find and create
(incidents.imports.matching): each actor and source the file names, matched (to which record,
how) or new (with its kind), the rows that look like incidents already in the archive, and
how ACLED's figures become claims. An editor may map an actor name the archive does not know
to an existing actor; the confirm keeps the mapping as an alias of that actor, in the same
transaction as the import, so that the next file matches it by alias.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, QueryDict
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from import_export.admin import ImportExportMixin
from import_export.forms import ImportForm
from import_export.tmp_storages import TempFolderStorage

from incidents import spreadsheet
from incidents.imports.resources import IMPORT_RESOURCES, PREVIEW_ROWS, IncidentResource, row_errors
from incidents.models import Actor, ActorAlias, IncidentActor


def import_max_bytes() -> int:
    return getattr(settings, "ARCHIVE_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


class SizeLimitedImportForm(ImportForm):
    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        limit = import_max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "This file is %(size)s; an import through the admin takes at most %(limit)s. "
                    "Split it into smaller files, or ask an administrator to run the import_incidents command."
                )
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        return upload


def without_blank_values(query: QueryDict) -> QueryDict:
    kept = QueryDict(mutable=True)
    for key, values in query.lists():
        if filled := [value for value in values if value.strip()]:
            kept.setlist(key, filled)
    return kept


class ActorMappingForm(forms.Form):
    """For each actor name of the file that the archive does not know: an existing actor it names.

    Submitted with the confirm form (fields ``map-<n>-name`` and ``map-<n>-actor``); a name left
    unmapped is created as a new actor, as the preview says.
    """

    prefix = "map"

    def __init__(self, *args: Any, names: list[str] | None = None, admin_site: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = args[0] if args else kwargs.get("data")
        if names is None:  # bound to a confirm: the names it posted, map-0-name, map-1-name, ...
            names = []
            while f"map-{len(names)}-name" in data:
                names.append(data[f"map-{len(names)}-name"])
        widget = AutocompleteSelect(IncidentActor._meta.get_field("actor"), admin_site)
        self.rows = []
        for n, name in enumerate(names):
            self.fields[f"{n}-name"] = forms.CharField(max_length=200, initial=name, widget=forms.HiddenInput)
            self.fields[f"{n}-actor"] = forms.ModelChoiceField(
                Actor.objects.all(), required=False, widget=widget, label=_("Existing actor for “%s”") % name
            )
            self.rows.append((name, self[f"{n}-name"], self[f"{n}-actor"]))

    def mappings(self) -> list[tuple[str, Actor]]:
        """(name in the file, the actor the editor chose) for each name mapped."""
        chosen = []
        for n in range(len(self.rows)):
            name = self.cleaned_data.get(f"{n}-name", "").strip()
            actor = self.cleaned_data.get(f"{n}-actor")
            if name and actor is not None:
                chosen.append((name, actor))
        return chosen


class UploadStorage(TempFolderStorage):
    """The upload, kept and read back as bytes whatever its format: the formats decode text
    themselves, so that a file that is not UTF-8 gets a message naming the byte."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**kwargs, "encoding": None, "read_mode": "rb"})


class IncidentImportExportMixin(ImportExportMixin):
    """Import incidents (archive or ACLED format) and claims; export incidents in the archive format."""

    resource_classes = IMPORT_RESOURCES
    # History (pghistory) records every imported row with the user; a LogEntry per row on top
    # would double the time of a large import.
    skip_admin_log = True
    import_form_class = SizeLimitedImportForm
    tmp_storage_class = UploadStorage
    import_template_name = "admin/incidents/import.html"
    # Both formats neutralise spreadsheet formulas on export (incidents.spreadsheet).
    formats = spreadsheet.FORMATS
    import_formats = spreadsheet.FORMATS
    export_formats = spreadsheet.FORMATS

    def get_export_resource_classes(self, request: HttpRequest) -> list[type]:
        return [IncidentResource]

    def export_action(self, request: HttpRequest) -> HttpResponse:
        # The export form carries the list's query string. A parameter without a value (the list's
        # filters can write event_type__id__exact=) means no filter; any other value the list's
        # filters refuse is the client's error, not the server's.
        request.GET = without_blank_values(request.GET)
        try:
            return super().export_action(request)
        except IncorrectLookupParameters as error:
            return HttpResponseBadRequest(
                _(
                    "The export's filters are not valid (%(error)s). "
                    "Go back to the list, choose the filters again, and export."
                )
                % {"error": error},
                content_type="text/plain; charset=utf-8",
            )

    def get_export_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_export_queryset(request)
            .select_related("event_type", "sub_event_type")
            .prefetch_related("incident_actors__actor", "incident_sources__source")
        )

    def write_to_tmp_storage(self, import_file: Any, input_format: Any) -> Any:
        """As django-import-export does, but joining the upload's chunks once: adding them one by
        one copies the file again for each chunk."""
        storage = self.get_tmp_storage_class()(**self.get_tmp_storage_class_kwargs())
        storage.save(b"".join(import_file.chunks()))
        return storage

    def add_data_read_fail_error_to_form(self, form: forms.Form, error: Exception) -> None:
        if isinstance(error, spreadsheet.RefusedFileError):
            form.add_error("import_file", str(error))
        else:
            super().add_data_read_fail_error_to_form(form, error)

    def get_import_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_import_context_data(**kwargs)
        context["preview_rows"] = PREVIEW_ROWS
        context["max_megabytes"] = import_max_bytes() / 1024 / 1024
        return context

    def import_action(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        response = super().import_action(request, **kwargs)
        if isinstance(response, TemplateResponse) and response.context_data.get("result") is not None:
            result = response.context_data["result"]
            response.context_data["problems"] = row_errors(result)
            response.context_data["preview"] = result.valid_rows()[:PREVIEW_ROWS]
            response.context_data["new_count"] = result.totals.get("new", 0)
            response.context_data["update_count"] = result.totals.get("update", 0)
            response.context_data["unchanged_count"] = result.totals.get("skip", 0)
            response.context_data["row_count"] = sum(result.totals.get(k, 0) for k in ("new", "update", "skip"))
            preview = getattr(result, "archive_preview", None)
            if preview is not None and not response.context_data["problems"]:
                response.context_data["import_preview"] = preview
                if request.user.has_perm("incidents.add_actoralias"):
                    response.context_data["actor_mapping"] = ActorMappingForm(
                        names=[actor["name"] for actor in preview.unknown_actors], admin_site=self.admin_site
                    )
        return response

    def process_import(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """The import, and the editor's mapping of unknown names to actors (kept as aliases), all or nothing."""
        mapping = ActorMappingForm(request.POST, admin_site=self.admin_site)
        if not mapping.is_valid():
            return HttpResponseBadRequest(
                _("The actors chosen for the file's names are not valid: %(errors)s")
                % {"errors": "; ".join(str(e) for errors in mapping.errors.values() for e in errors)},
                content_type="text/plain; charset=utf-8",
            )
        chosen = mapping.mappings()
        if chosen and not request.user.has_perm("incidents.add_actoralias"):
            return HttpResponseBadRequest(
                _("Mapping a name to an actor adds an alias, which you may not add."),
                content_type="text/plain; charset=utf-8",
            )
        with transaction.atomic():
            for name, actor in chosen:
                # The name as the file spells it becomes the actor's alias: the import below, and every
                # later one, matches it by alias (incidents.imports.matching).
                ActorAlias.objects.get_or_create(actor=actor, name=name)
            response = super().process_import(request, **kwargs)
            if not isinstance(response, HttpResponseRedirect):
                transaction.set_rollback(True)  # the import was refused: no aliases either
        if chosen and isinstance(response, HttpResponseRedirect):
            messages.info(
                request,
                _("Kept as aliases, so that the next import matches them: %(aliases)s.")
                % {"aliases": "; ".join(f"“{name}” → {actor.name}" for name, actor in chosen)},
            )
        return response

    def process_result(self, result: Any, request: HttpRequest) -> HttpResponse:
        problems = row_errors(result)
        if problems:
            # The data changed between preview and confirm; the import was rolled back.
            context = self.admin_site.each_context(request)
            context.update(
                {
                    "title": _("Import"),
                    "opts": self.model._meta,
                    "result": result,
                    "problems": problems,
                    "rolled_back": True,
                }
            )
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)

    def add_success_message(self, result: Any, request: HttpRequest) -> None:
        messages.success(
            request,
            _(
                "Import finished: %(new)d new incidents (drafts), %(updated)d existing incidents updated "
                "(drafts in place, published ones as corrections to review), %(unchanged)d rows unchanged."
            )
            % {
                "new": result.totals.get("new", 0),
                "updated": result.totals.get("update", 0),
                "unchanged": result.totals.get("skip", 0),
            },
        )
