"""Making a confidential source or person public takes two people.

Unticking "confidential" only asks (``record_request_disclosure``); a reviewer who did not ask
confirms it (``record_disclose``, unless ``settings.ARCHIVE_ALLOW_SELF_REVIEW``) or keeps the
record confidential (``record_refuse_disclosure``). Hiding a record needs nobody else. The
database holds the rule too (migration 0020): an update that unticks "confidential" is refused
unless ``record_disclose`` declared that row, so no other route (a restore, an import, a
shell) can make a record public.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from incidents.models import Person, Source
from incidents.services import PUBLISH_PERMISSION, WorkflowError, stale_version_error
from incidents.sql import set_config

# The transaction-local setting through which record_disclose tells the database which row a
# reviewer confirmed (migration 0020 refuses any other update that unticks "confidential").
DISCLOSING_SETTING = "archive.disclosing"


def _locked_record(record: Source | Person) -> Source | Person:
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


def _require_change(record: Source | Person, user: AbstractBaseUser) -> None:
    opts = record._meta
    if not user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
        raise PermissionDenied(
            gettext("You do not have permission to change this %(name)s.") % {"name": opts.verbose_name}
        )


def _require_request(record: Source | Person) -> None:
    name = record._meta.verbose_name
    if not record.confidential:
        raise WorkflowError(gettext("This %(name)s is not confidential: it is already public.") % {"name": name})
    if record.disclosure_requested_at is None:
        raise WorkflowError(gettext("Nobody has asked for this %(name)s to be made public.") % {"name": name})


def _check_version(record: Source | Person, expected_version: int | None) -> None:
    if expected_version is not None and record.version != expected_version:
        raise stale_version_error(model=type(record), expected_version=expected_version, current_version=record.version)


def record_request_disclosure(*, record: Source | Person, user: AbstractBaseUser) -> Source | Person:
    """Ask for a confidential source or person to be made public; until a reviewer other than the
    one who asked confirms (``record_disclose``), it stays confidential."""
    _require_change(record, user)
    name = record._meta.verbose_name
    with transaction.atomic():
        record = _locked_record(record)
        if not record.confidential:
            raise WorkflowError(gettext("This %(name)s is not confidential: it is already public.") % {"name": name})
        if record.disclosure_requested_at is not None:
            raise WorkflowError(
                gettext("A request to make this %(name)s public is already waiting for a reviewer.") % {"name": name}
            )
        record.disclosure_requested_by = user
        record.disclosure_requested_at = timezone.now()
        record.version = F("version") + 1
        record.save(update_fields=["disclosure_requested_by", "disclosure_requested_at", "version", "updated_at"])
        record.refresh_from_db()
    return record


def record_can_disclose(*, record: Source | Person, user: AbstractBaseUser) -> bool:
    """Whether ``user`` may confirm the pending request to make ``record`` public."""
    return (
        record.disclosure_requested_at is not None
        and user.has_perm(PUBLISH_PERMISSION)
        and user.has_perm(f"{record._meta.app_label}.change_{record._meta.model_name}")
        and (record.disclosure_requested_by_id != user.pk or settings.ARCHIVE_ALLOW_SELF_REVIEW)
    )


def record_disclose(
    *, record: Source | Person, user: AbstractBaseUser, expected_version: int | None = None
) -> Source | Person:
    """A reviewer who did not ask confirms the request: the source or person becomes public.

    ``expected_version`` is the version the reviewer saw; a record changed since is refused, so
    what becomes public is what was reviewed.
    """
    _require_change(record, user)
    name = record._meta.verbose_name
    if not user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied(gettext("Only a reviewer may make a confidential %(name)s public.") % {"name": name})
    with transaction.atomic():
        record = _locked_record(record)
        _require_request(record)
        _check_version(record, expected_version)
        if record.disclosure_requested_by_id == user.pk and not settings.ARCHIVE_ALLOW_SELF_REVIEW:
            raise WorkflowError(
                gettext("You asked for this %(name)s to be made public; another reviewer must confirm it.")
                % {"name": name}
            )
        record.confidential = False
        record.disclosure_requested_by = None
        record.disclosure_requested_at = None
        record.version = F("version") + 1
        with connection.cursor() as cursor:
            set_config(cursor, DISCLOSING_SETTING, f"{record._meta.db_table}:{record.pk}", local=True)
            record.save(
                update_fields=[
                    "confidential",
                    "disclosure_requested_by",
                    "disclosure_requested_at",
                    "version",
                    "updated_at",
                ]
            )
            set_config(cursor, DISCLOSING_SETTING, "", local=True)
        record.refresh_from_db()
    return record


def record_refuse_disclosure(
    *, record: Source | Person, user: AbstractBaseUser, expected_version: int | None = None
) -> Source | Person:
    """A reviewer (or whoever asked, withdrawing) keeps the record confidential and closes the request."""
    _require_change(record, user)
    name = record._meta.verbose_name
    with transaction.atomic():
        record = _locked_record(record)
        _require_request(record)
        _check_version(record, expected_version)
        if not user.has_perm(PUBLISH_PERMISSION) and record.disclosure_requested_by_id != user.pk:
            raise PermissionDenied(
                gettext("Only a reviewer, or whoever asked, may keep this %(name)s confidential.") % {"name": name}
            )
        record.disclosure_requested_by = None
        record.disclosure_requested_at = None
        record.version = F("version") + 1
        record.save(update_fields=["disclosure_requested_by", "disclosure_requested_at", "version", "updated_at"])
        record.refresh_from_db()
    return record
