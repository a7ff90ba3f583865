"""Writes of clause 6.2, profile changes (avatar, banner, bio, nickname). Each validates before it
writes and raises ValidationError naming the field."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts_ops.images import clean_profile_image
from accounts_ops.models.profile import (
    IMAGE_PROFILE_FIELDS,
    OPEN_PROFILE_STATUSES,
    ProfileChange,
    ProfileChangeStatus,
    ProfileField,
)
from accounts_ops.services.common import _ensure_own_client, _not_after_today
from agency.tenancy import Actor
from clients.models import PlatformAccount


def _current_profile_value(account: PlatformAccount, part: str) -> ProfileChange | None:
    return (
        ProfileChange.objects.filter(account=account, field=part, status=ProfileChangeStatus.APPLIED)
        .order_by("-applied_on", "-id")
        .first()
    )


def _attach_image(change: ProfileChange, upload, *, field_name: str) -> None:
    cleaned = clean_profile_image(upload, field=field_name)
    change.after_image.save(cleaned.name, cleaned, save=False)


def _save_with_file(change: ProfileChange) -> ProfileChange:
    """Save the row; if it cannot be saved, remove the file just stored (no file without a row)."""
    try:
        with transaction.atomic():
            change.save()
    except Exception:
        if change.after_image:
            change.after_image.storage.delete(change.after_image.name)
        raise
    return change


def _profile_change(
    *,
    actor: Actor,
    account: PlatformAccount,
    part: str,
    after_text: str,
    after_image,
    reason: str,
    requested_by_name: str,
) -> ProfileChange:
    if part not in ProfileField.values:
        raise ValidationError({"field": _("Choose avatar, banner, bio or nickname.")})
    if part in IMAGE_PROFILE_FIELDS and after_image is None:
        raise ValidationError({"after_image": _("Upload the new image.")})
    current = _current_profile_value(account, part)
    change = ProfileChange(
        agency=actor.agency,
        account=account,
        field=part,
        after_text="" if part in IMAGE_PROFILE_FIELDS else (after_text or "").strip(),
        reason=(reason or "").strip(),
        requested_by=actor.user,
        requested_by_name=(requested_by_name or "").strip(),
        requested_at=timezone.now(),
    )
    if current is not None:
        change.before_text = current.after_text
        change.before_image.name = current.after_image.name or ""
    elif part == ProfileField.NICKNAME:
        change.before_text = account.nickname
    change.full_clean(exclude=["after_image", "before_image"])
    return change


@transaction.atomic
def profile_change_request(
    *,
    actor: Actor,
    account: PlatformAccount,
    field: str,
    after_text: str = "",
    after_image=None,
    reason: str = "",
    requested_by_name: str = "",
) -> ProfileChange:
    """Ask for a change of one part of the account's profile (6.2); the value before is taken from
    the current profile. One open request per part at a time."""
    _ensure_own_client(actor, account.client_id)
    waiting = ProfileChange.objects.filter(account=account, field=field, status__in=OPEN_PROFILE_STATUSES).first()
    if waiting is not None:
        raise ValidationError(
            {
                "field": _("A change of the %(part)s is already open (#%(id)d); decide or apply it first.")
                % {"part": waiting.get_field_display(), "id": waiting.pk}
            }
        )
    change = _profile_change(
        actor=actor,
        account=account,
        part=field,
        after_text=after_text,
        after_image=after_image,
        reason=reason,
        requested_by_name=requested_by_name,
    )
    if after_image is not None:
        _attach_image(change, after_image, field_name="after_image")
    return _save_with_file(change)


@transaction.atomic
def profile_record_baseline(
    *,
    actor: Actor,
    account: PlatformAccount,
    field: str,
    applied_on: dt.date,
    after_text: str = "",
    after_image=None,
) -> ProfileChange:
    """Record a part of the profile as the agency found it on the platform (6.2), so that the
    current profile is complete before any change is asked for."""
    _not_after_today(actor.agency, applied_on, "applied_on")
    if ProfileChange.objects.filter(account=account, field=field).exists():
        raise ValidationError({"field": _("This part already has a recorded history; request a change instead.")})
    change = _profile_change(
        actor=actor,
        account=account,
        part=field,
        after_text=after_text,
        after_image=after_image,
        reason=_("Recorded as found on the platform."),
        requested_by_name="",
    )
    change.is_baseline = True
    change.status = ProfileChangeStatus.APPLIED
    change.decided_by = change.applied_by = actor.user
    change.decided_at = timezone.now()
    change.applied_on = applied_on
    if after_image is not None:
        _attach_image(change, after_image, field_name="after_image")
    return _save_with_file(change)


def _locked_change(change: ProfileChange) -> ProfileChange:
    return ProfileChange.objects.select_for_update().get(pk=change.pk)


@transaction.atomic
def profile_change_decide(*, actor: Actor, change: ProfileChange, approve: bool, note: str = "") -> ProfileChange:
    """Approve or reject a requested profile change (6.2). A rejection says why."""
    change = _locked_change(change)
    _ensure_own_client(actor, change.client_id)
    if change.status != ProfileChangeStatus.REQUESTED:
        raise ValidationError(
            {"status": _("This change was already decided (%(status)s).") % {"status": change.get_status_display()}}
        )
    if not approve and not (note or "").strip():
        raise ValidationError({"note": _("Say why the change is rejected.")})
    change.status = ProfileChangeStatus.APPROVED if approve else ProfileChangeStatus.REJECTED
    change.decided_by = actor.user
    change.decided_at = timezone.now()
    change.decision_note = (note or "").strip()
    change.save()
    return change


@transaction.atomic
def profile_change_apply(*, actor: Actor, change: ProfileChange, applied_on: dt.date) -> ProfileChange:
    """Record that an approved change was made on the platform on ``applied_on`` (6.2)."""
    change = _locked_change(change)
    if change.status != ProfileChangeStatus.APPROVED:
        raise ValidationError(
            {
                "status": _("Only an approved change can be applied; this one is %(status)s.")
                % {"status": change.get_status_display()}
            }
        )
    _not_after_today(actor.agency, applied_on, "applied_on")
    if applied_on < timezone.localtime(change.requested_at, actor.agency.tz).date():
        raise ValidationError({"applied_on": _("A change cannot be applied before it was asked for.")})
    change.status = ProfileChangeStatus.APPLIED
    change.applied_on = applied_on
    change.applied_by = actor.user
    change.save()
    if change.field == ProfileField.NICKNAME:
        PlatformAccount.objects.filter(pk=change.account_id).update(
            nickname=change.after_text[:100], updated_at=timezone.now()
        )
    return change
