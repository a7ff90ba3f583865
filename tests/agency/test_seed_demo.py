"""The demo data: ``seed_demo`` fills every chapter app through its services, and a second run
makes nothing new."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from accounts_ops.models import ads, direction, inbox, local, pinned, profile, promotion
from accounts_ops.models.inbox import InboxMessage, InboxStatus
from accounts_ops.models.pinned import BoostTask, BoostTaskStatus, PinnedVideo
from agency.models import Agency, TenantModel
from agency.tenancy import dangerously_all_agencies
from agency.twofactor import totp_device
from clients.models import Client, ClientStatus, VideoOrigin
from demo.management.commands.seed_demo import DEMO_TOTP_KEY, DEMO_TOTP_SECRET
from evaluation.models import CampaignKind, Complaint, ComplaintStatus, EvaluationCampaign, ImprovementCycle
from extensions.models import AccountValuation, FactorSource, LiveSession, LiveSessionStatus
from extensions.rules import LIVE_TEAM_REQUIRED_ROLES
from production.models import ClipVerdict, Stage, VideoProject
from production.rules import SHOOT_MIN_ACCEPTED_CLIPS

CHAPTER_APPS = ("clients", "production", "extensions", "evaluation")
CHAPTER_6_MODULES = {module.__name__ for module in (direction, profile, pinned, inbox, local, promotion, ads)}


def seeded_models() -> list[type[TenantModel]]:
    """The tenant models of the apps the demo fills (for accounts_ops, chapter 6's)."""
    models = [
        model
        for label in CHAPTER_APPS
        for model in apps.get_app_config(label).get_models()
        if issubclass(model, TenantModel)
    ]
    models += [
        model for model in apps.get_app_config("accounts_ops").get_models() if model.__module__ in CHAPTER_6_MODULES
    ]
    return models


def counts() -> dict[str, int]:
    return {model._meta.label: model.dangerously_all_agencies.count() for model in seeded_models()}


def seed() -> str:
    out = io.StringIO()
    # The platform connections of the demo have their own test (tests/platforms/test_demo.py).
    call_command("seed_demo", stdout=out, no_color=True, no_connect=True)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_runs_twice_and_the_second_run_creates_no_rows():
    first = seed()
    after_first = counts()
    second = seed()
    assert counts() == after_first
    for app in ("production", "accounts_ops", "extensions", "evaluation"):
        assert f"  {app}: nothing new" in second
        assert f"  {app}: nothing new" not in first
    filled = {label for label, count in after_first.items() if count}
    for label in CHAPTER_APPS + ("accounts_ops",):
        assert any(name.startswith(f"{label}.") for name in filled), label
    assert "xinghe_client_approver" in second and "demo-pass-2026" in second
    # The demo's agency admins must sign in with two steps: their authenticator has the published secret.
    assert DEMO_TOTP_SECRET in second
    people = get_user_model().objects.filter(username__in=["xinghe_admin", "bright_admin", "xinghe_manager"])
    devices = {user.username: totp_device(user) for user in people}
    assert devices["xinghe_admin"].key == devices["bright_admin"].key == DEMO_TOTP_KEY
    assert devices["xinghe_manager"] is None


@pytest.mark.django_db
def test_seed_demo_makes_the_key_objects_of_each_chapter():
    seed()
    with dangerously_all_agencies():
        published = VideoProject.objects.filter(stage=Stage.PUBLISHED, video__isnull=False).select_related("video")
        assert published.count() == Agency.objects.count()  # one per agency
        for project in published:
            assert project.video.origin == VideoOrigin.PRODUCED and project.video.account_id == project.account_id
            for shoot in project.shoots.all():
                assert shoot.clips.filter(verdict=ClipVerdict.ACCEPTED).count() >= SHOOT_MIN_ACCEPTED_CLIPS
        stages = set(VideoProject.objects.values_list("stage", flat=True))
        assert {Stage.PLANNING, Stage.SCRIPTING, Stage.SHOOTING, Stage.POST_PRODUCTION, Stage.PUBLISHED} <= stages

        assert PinnedVideo.objects.filter(unpinned_on__isnull=True).exists()
        due = BoostTask.objects.filter(status=BoostTaskStatus.OPEN).select_related("agency")
        assert due.exists()
        assert all(task.due_on <= timezone.localdate(timezone=task.agency.tz) for task in due)
        statuses = set(InboxMessage.objects.values_list("status", flat=True))
        assert {InboxStatus.ANSWERED, InboxStatus.OPEN} <= statuses

        finished = LiveSession.objects.filter(status=LiveSessionStatus.ENDED, result__isnull=False)
        assert finished.exists()
        for session in finished:
            assert set(LIVE_TEAM_REQUIRED_ROLES) <= set(session.team.values_list("role", flat=True))
        assert LiveSession.objects.filter(status=LiveSessionStatus.PLANNED).exists()
        valuation = AccountValuation.objects.first()
        assert valuation is not None and valuation.factors.filter(source=FactorSource.ENTERED).exists()

        for client in Client.objects.filter(status=ClientStatus.ACTIVE).select_related("agency"):
            year = timezone.localdate(timezone=client.agency.tz).year
            campaign = EvaluationCampaign.objects.get(client=client, kind=CampaignKind.YEARLY, year=year)
            assert campaign.responses.count() >= 2, client.name
        assert {ComplaintStatus.CLOSED, ComplaintStatus.OPEN} <= set(Complaint.objects.values_list("status", flat=True))
        cycle = ImprovementCycle.objects.first()
        assert cycle is not None and cycle.actions.exists()
