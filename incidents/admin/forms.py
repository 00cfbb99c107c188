"""The forms of the editors' admin: the version a change form was opened on, and the workflow's forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from incidents import services
from incidents.models import CLOCK_TIME_PRECISIONS, ClaimKind, Incident, LossesOf, TimePrecision
from incidents.vocabulary_labels import vocabulary_label

# The hidden form field that carries the version of the record the editor started from.
VERSION_FIELD = "based_on_version"


class VersionedModelForm(forms.ModelForm):
    """A form that remembers which version of the record it was opened on.

    The check in ``clean()`` turns a stale save into a form error with the editor's input
    kept; ``services.record_save`` repeats it under a row lock for saves that race.
    """

    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial.setdefault(VERSION_FIELD, self.instance.version)
            self.fields[VERSION_FIELD].required = True

    @cached_property
    def changed_data(self) -> list[str]:
        # The version is bookkeeping: a form whose only difference is a newer version is unchanged.
        return [name for name in super().changed_data if name != VERSION_FIELD]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        expected = cleaned.get(VERSION_FIELD)
        # An untouched inline row is never saved, so it cannot overwrite anything.
        is_inline_row = self.prefix is not None and self.prefix != ""
        if self.instance.pk is None or expected is None or (is_inline_row and not self.has_changed()):
            return cleaned
        # self.instance was read at the start of this request; record_save re-checks under a lock.
        if self.instance.version != expected:
            raise services.stale_version_error(
                model=type(self.instance), expected_version=expected, current_version=self.instance.version
            )
        return cleaned


def expected_version(form: forms.Form) -> int | None:
    return form.cleaned_data.get(VERSION_FIELD) if isinstance(form, VersionedModelForm) else None


class VersionedFormSetMixin:
    """Inline rows that are deleted only as the editor saw them.

    A formset ignores the errors of the rows it deletes, so a row that someone changed after
    the form was opened would be deleted unseen; this refuses the whole save instead.
    """

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if not (self.can_delete and self._should_delete_form(form)) or form.instance.pk is None:
                continue
            expected = getattr(form, "cleaned_data", {}).get(VERSION_FIELD)
            if expected is not None and expected != form.instance.version:
                error = services.stale_version_error(
                    model=self.model, expected_version=expected, current_version=form.instance.version
                )
                raise forms.ValidationError(
                    gettext("Not deleted: “%(record)s”. %(reason)s")
                    % {"record": form.instance, "reason": error.messages[0]},
                    code="stale",
                )


class VersionedInline:
    """Inline rows that carry their own version (claims edited inside an incident)."""

    form = VersionedModelForm

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if not self.has_change_permission(request, obj):
            # Seen, not edited (a published incident): no edit to check, and a read-only
            # form-only field would be drawn as its description.
            return [
                (name, {**options, "fields": [f for f in options["fields"] if f != VERSION_FIELD]})
                for name, options in fieldsets
            ]
        if VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        return [*fieldsets, (None, {"fields": [VERSION_FIELD]})]


class IncidentForm(VersionedModelForm):
    """The incident's own fields, with the rules the database holds said in an editor's words."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        event_type, sub_type = cleaned.get("event_type"), cleaned.get("sub_event_type")
        if event_type is not None and sub_type is not None and sub_type.event_type_id != event_type.pk:
            # The database refuses the pair too; this says so beside the field.
            self.add_error(
                "sub_event_type",
                _("“%(sub_type)s” is not a sub-type of “%(type)s”.")
                % {"sub_type": vocabulary_label(sub_type.name), "type": vocabulary_label(event_type.name)},
            )
        if "time_of_day" not in self.fields or "time_precision" not in self.fields:
            return cleaned
        time, precision = cleaned.get("time_of_day"), cleaned.get("time_precision")
        if time is not None and not precision:
            # A time typed without saying how it was reported reads as the time itself.
            cleaned["time_precision"] = TimePrecision.EXACT
        elif time is not None and precision not in CLOCK_TIME_PRECISIONS:
            self.add_error(
                "time_precision",
                gettext(
                    "“%(precision)s” names a part of the day: clear the time, or choose “At” or “Around” for a "
                    "clock time."
                )
                % {"precision": TimePrecision(precision).label},
            )
        elif time is None and precision in CLOCK_TIME_PRECISIONS:
            self.add_error(
                "time_of_day",
                gettext("Give the time that was reported (“%(precision)s …”).")
                % {"precision": TimePrecision(precision).label},
            )
        return cleaned


class ClaimForm(VersionedModelForm):
    """A claim, with the rules that tie its fields together said where the editor can act on them."""

    # The fields that only some claims need; the compact row keeps them folded unless one is used.
    OCCASIONAL = ("part_of", "responsible_actor", "attribution", "movement", "place", "verification_note")
    # Who submits the form, where it offers the incident (the claims' own admin sets it).
    user: Any = None

    def clean_incident(self) -> Incident | None:
        """The incident the form names, if its editor may change it: the one submitted, since a
        claim moved to a published incident would be public without a review."""
        incident = self.cleaned_data.get("incident")
        if incident is not None and self.user is not None:
            refusal = services.incident_edit_refusal(incident=incident, user=self.user)
            if refusal:
                raise forms.ValidationError(
                    gettext("“%(incident)s”: %(refusal)s") % {"incident": incident, "refusal": refusal},
                    code="not_editable",
                )
        return incident

    @property
    def opens_folded(self) -> bool:
        """Whether the claim's row on the incident form starts open: a new claim, or one whose
        fields or citations were refused, so that the editor sees what to fix."""
        if self.instance.pk is None or self.errors:
            return True
        return any(formset.is_bound and formset.total_error_count() for formset in self.nested_formsets_or_none)

    @property
    def nested_formsets_or_none(self) -> list:
        # django-nested-admin attaches the citations' formset to each claim form it builds.
        return getattr(self, "nested_formsets", None) or []

    @cached_property
    def compact_row(self) -> dict[str, str]:
        """The claim as saved, in the one line of its folded row: what it is about, who claims it,
        the figure, whose losses, its verification and how many reports carry it."""
        claim = self.instance
        low, high = claim.quantity_low, claim.quantity_high
        if low is None:
            figure = ""
        elif high is None:
            figure = f"{low}+"
        elif low == high:
            figure = str(low)
        else:
            figure = f"{low}–{high}"
        reports = sum(formset.initial_form_count() for formset in self.nested_formsets_or_none)
        who = claim.claimant if claim.claimant_id else claim.speaker if claim.speaker_id else None
        return {
            "kind": claim.get_kind_display(),
            "stance": claim.get_stance_display() if claim.stance else "",
            "who": str(who) if who is not None else str(_("no claimant named")),
            "figure": figure,
            "wording": claim.quantity_text,
            "group": claim.losses_label if claim.losses_of else "",
            "verification": claim.get_verification_display() if claim.verification else "",
            "reports": ngettext("%(count)d report", "%(count)d reports", reports) % {"count": reports},
        }

    @property
    def occasional_in_use(self) -> bool:
        """Whether the claim uses one of its occasional fields (or the editor got one of the folded
        fields wrong). Notes alone keep the fold closed: nearly every claim has a verification
        note, and opening each would make the claims section as tall as it was."""
        names = [name for name in self.OCCASIONAL if name in self.fields and name != "verification_note"]
        folded = [*self.OCCASIONAL, "internal_notes"]
        return any(self[name].value() not in (None, "") for name in names) or any(
            name in self.errors for name in folded
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        get = cleaned.get
        kind, losses_of = get("kind"), get("losses_of")
        if "losses_actor" in self.fields:
            if losses_of == LossesOf.ACTOR and not get("losses_actor"):
                self.add_error("losses_actor", _("Name the actor whose losses these are."))
            elif losses_of and losses_of != LossesOf.ACTOR and get("losses_actor"):
                self.add_error(
                    "losses_actor",
                    gettext("Leave empty when the losses are “%(group)s”.") % {"group": LossesOf(losses_of).label},
                )
        if losses_of == LossesOf.MIXED and "losses_note" in self.fields and not get("losses_note"):
            self.add_error("losses_note", _("Say who the several groups are, in the claim's words."))
        if get("responsible_actor") and kind and kind != ClaimKind.RESPONSIBILITY:
            self.add_error("responsible_actor", _("Only a responsibility claim names an actor held responsible."))
        if "attribution" in self.fields and bool(get("responsible_actor")) != bool(get("attribution")):
            field = "attribution" if get("responsible_actor") else "responsible_actor"
            self.add_error(
                field,
                _("Say how firmly the act is tied to the actor.")
                if field == "attribution"
                else _("Name the actor held responsible, or clear the attribution."),
            )
        if get("movement") and kind and kind != ClaimKind.TERRITORY:
            self.add_error("movement", _("Only a territory or position claim says what a force did."))
        low, high = get("quantity_low"), get("quantity_high")
        if high is not None and low is None:
            self.add_error("quantity_low", _("Give the lowest figure too (the same as the highest for one figure)."))
        elif low is not None and high is not None and low > high:
            self.add_error(
                "quantity_low",
                gettext("%(low)s is more than the highest figure (%(high)s).") % {"low": low, "high": high},
            )
        part_of = get("part_of")
        if part_of is not None and self.instance.pk is not None and part_of.pk == self.instance.pk:
            self.add_error("part_of", _("A claim cannot be a sub-count of itself."))
        return cleaned


class IncidentRelationForm(VersionedModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        other = cleaned.get("object")
        if other is not None and self.instance.subject_id is not None and other.pk == self.instance.subject_id:
            self.add_error("object", _("An incident is not related to itself."))
        return cleaned


class RetractionForm(forms.Form):
    notice = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        label=_("Notice"),
        help_text=_("Public notice shown in place of the incident, saying why it was retracted."),
    )


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Incident.objects.all(),
        label=_("Merge into"),
        help_text=_(
            "The incident that stays: it receives the duplicate's claims, citations, actors, sources and links."
        ),
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        label=_("Reason"),
        help_text=_("Public: shown on the duplicate's page after “Merged into #N:”."),
    )

    def __init__(self, *args: Any, duplicates: list[Incident] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates = duplicates or []

    def clean_into(self) -> Incident:
        into = self.cleaned_data["into"]
        if any(into.pk == duplicate.pk for duplicate in self.duplicates):
            raise forms.ValidationError(_("Choose another incident than the duplicate itself."))
        return into


# "Deaths, side A: low": a per-side figure's label, its bound named in the editor's language.
BOUND_LABEL = _("%(part)s: %(bound)s")
BOUND_NAMES = {"low": _("low"), "best": _("best"), "high": _("high")}


class EstimateOverrideForm(forms.Form):
    low = forms.IntegerField(min_value=0, required=False, label=_("Low"))
    best = forms.IntegerField(min_value=0, required=False, label=_("Best"))
    high = forms.IntegerField(min_value=0, required=False, label=_("High"))
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        label=_("Rationale"),
        help_text=_("Public explanation of why the editors depart from the archive's proposal."),
    )
    contested = forms.TypedChoiceField(
        label=_("Contested"),
        choices=[("", _("As the proposal says")), ("yes", _("Contested")), ("no", _("Not contested"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    high_open = forms.BooleanField(
        required=False, label=_("High is open-ended"), help_text=_("A claim gives only a lower figure ('51+').")
    )

    # The per-side and injury figures, each set to the proposal's until the editors change it.
    PART_LABELS = {
        "deaths_a": _("Deaths, side A"),
        "deaths_b": _("Deaths, side B"),
        "deaths_civilians": _("Civilian deaths"),
        "deaths_unknown": _("Deaths, unknown side"),
        "injuries": _("Injured"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for prefix in services.PART_PREFIXES:
            for bound in services.BOUNDS:
                self.fields[f"{prefix}_{bound}"] = forms.IntegerField(
                    min_value=0,
                    required=False,
                    label=BOUND_LABEL
                    % {"part": self.PART_LABELS.get(prefix, prefix), "bound": BOUND_NAMES.get(bound, bound)},
                )

    def parts(self) -> dict[str, services.Triple]:
        """The per-side and injury triples the editors filled in, for ``incident_override_estimate``;
        a triple left wholly blank stays the proposal's."""
        data = self.cleaned_data
        triples = {
            prefix: tuple(data.get(f"{prefix}_{bound}") for bound in services.BOUNDS)
            for prefix in services.PART_PREFIXES
        }
        return {prefix: triple for prefix, triple in triples.items() if any(v is not None for v in triple)}
