"""A rule the database keeps (a check or unique constraint) answers people before the database is
asked: a 400 / a form error on the field the rule is about, in the person's language — never
Django's "Constraint “…” is violated." (约束 “…” 是无效的) nor a database error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import models
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from rest_framework.test import APIClient

from agency.constraints import ERROR_FIELDS
from extensions.models import LiveTeamAssignment
from production.models import PostProductionStep, StepStatus
from records.models import UsageRecord
from tests.extensions.factories import LiveSessionFactory, LiveTeamAssignmentFactory
from tests.factories import PlatformAccountFactory
from tests.production.factories import PostProductionStepFactory

PROJECT_APPS = {"agency", "clients", "production", "accounts_ops", "extensions", "records", "evaluation"}
GENERIC = {"en": "Constraint", "zh-hans": "约束"}

NOT_APPLICABLE = "Say why this step does not apply to this video."
ONE_ROLE = "This person already has a role in this session's team."
USE_ENDS = "A use cannot end before it starts."


def said(message: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def api(user, language: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user=user)
    return client


def browser(user, language: str) -> Browser:
    b = Browser(HTTP_ACCEPT_LANGUAGE=language)
    b.force_login(user)
    return b


def field_errors(response) -> dict:
    """The form's errors by field, as the page shows them."""
    form = response.context["form"]
    return {name: list(errors) for name, errors in form.errors.items()}


def api_refusal(response, field: str, message: str, language: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["fields"][field] == [said(message, language)], body
    assert GENERIC[language] not in body["message"]


# --- a post-production step "not applicable" without a reason -----------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_step_not_applicable_without_a_reason_through_the_api(world, language):
    step = PostProductionStepFactory(project__account=PlatformAccountFactory(client=world.client_a1))
    response = api(world.staff_a, language).patch(
        reverse("postproductionstep-detail", args=[step.pk]),
        {"status": StepStatus.NOT_APPLICABLE, "not_applicable_reason": ""},
        format="json",
    )
    api_refusal(response, "not_applicable_reason", NOT_APPLICABLE, language)
    assert PostProductionStep.dangerously_all_agencies.get(pk=step.pk).status != StepStatus.NOT_APPLICABLE


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_step_not_applicable_without_a_reason_in_the_page(world, language):
    step = PostProductionStepFactory(project__account=PlatformAccountFactory(client=world.client_a1))
    response = browser(world.staff_a, language).post(
        reverse("production:step-update", args=[step.pk]),
        {"status": StepStatus.NOT_APPLICABLE, "not_applicable_reason": ""},
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert errors.get("not_applicable_reason") == [said(NOT_APPLICABLE, language)], errors
    assert "__all__" not in errors
    assert GENERIC[language] not in response.content.decode()
    if language == "zh-hans":
        assert said(NOT_APPLICABLE, language) != NOT_APPLICABLE  # in Chinese indeed


# --- one role per person in a live session's team -----------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_second_role_for_one_person_in_a_team_through_the_api(world, language):
    session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    held = LiveTeamAssignmentFactory(session=session, role="field_controller")
    response = api(world.staff_a, language).post(
        reverse("liveteamassignment-list"),
        {"session": session.pk, "role": "product_selector", "person": held.person_id},
        format="json",
    )
    api_refusal(response, "person", ONE_ROLE, language)
    assert LiveTeamAssignment.dangerously_all_agencies.filter(session=session).count() == 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_second_role_for_one_person_in_a_team_in_the_page(world, language):
    session = LiveSessionFactory(account=PlatformAccountFactory(client=world.client_a1))
    held = LiveTeamAssignmentFactory(session=session, role="field_controller")
    response = browser(world.staff_a, language).post(
        reverse("extensions:live-action", args=[session.pk, "team"]),
        {"team-role": "product_selector", "team-person": held.person_id},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert GENERIC[language] not in page
    with translation.override(language):
        expected = translation.gettext("%(person)s is already %(role)s in this session.") % {
            "person": held.person.get_username(),
            "role": held.get_role_display(),
        }
    assert escape(expected) in page
    assert LiveTeamAssignment.dangerously_all_agencies.filter(session=session).count() == 1


# --- a usage record that ends before it starts ---------------------------------------------------


def usage_times():
    start = timezone.now() - dt.timedelta(hours=2)
    return start, start - dt.timedelta(hours=1)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_use_ending_before_it_starts_through_the_api(world, language):
    account = PlatformAccountFactory(client=world.client_a1)
    start, end = usage_times()
    response = api(world.staff_a, language).post(
        reverse("usagerecord-list"),
        {
            "account": account.pk,
            "user": world.staff_a.pk,
            "purpose": "posting",
            "started_at": start.isoformat(),
            "ended_at": end.isoformat(),
        },
        format="json",
    )
    api_refusal(response, "ended_at", USE_ENDS, language)
    assert not UsageRecord.dangerously_all_agencies.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_use_ending_before_it_starts_in_the_page(world, language):
    account = PlatformAccountFactory(client=world.client_a1)
    start, end = usage_times()
    response = browser(world.staff_a, language).post(
        reverse("records:usage-create"),
        {
            "account": account.pk,
            "user": world.staff_a.pk,
            "purpose": "posting",
            "started_at": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
            "ended_at": timezone.localtime(end).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert errors.get("ended_at") == [said(USE_ENDS, language)], errors
    assert GENERIC[language] not in response.content.decode()
    assert not UsageRecord.dangerously_all_agencies.exists()


# --- every rule has its words ------------------------------------------------------------------


def project_constraints():
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            for constraint in model._meta.constraints:
                yield model, constraint


def test_every_check_constraint_states_its_rule_on_a_field():
    """Django's default text ("Constraint “…” is violated.") names the database's rule, not the
    person's mistake: every check constraint, and every conditional unique one (which Django also
    answers with that text), has a message of its own and the field it is reported on."""
    missing = []
    for model, constraint in project_constraints():
        conditional_unique = isinstance(constraint, models.UniqueConstraint) and constraint.condition is not None
        if not (isinstance(constraint, models.CheckConstraint) or conditional_unique):
            continue
        if model._meta.label == "agency.Heartbeat":
            continue  # machinery, written by no form or API
        message = constraint.violation_error_message
        default = constraint.default_violation_error_message
        field = ERROR_FIELDS.get(constraint.name)
        if message in (None, default) or not constraint.violation_error_code or field is None:
            missing.append(f"{model._meta.label}.{constraint.name}")
        elif field not in {f.name for f in model._meta.get_fields()}:
            missing.append(f"{model._meta.label}.{constraint.name} (no field {field})")
    assert not missing, "constraints without their own message and field: " + ", ".join(missing)
