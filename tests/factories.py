"""Factories for the test suite. Tenant rows are made with their agency set explicitly."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from agency import tokens, twofactor
from agency.models import Agency, IntegrationWrite, Membership
from clients.models import Client, ClientRequirement, PlatformAccount, Video
from reports.models import ConformanceReport, ConformanceSnapshot


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    password = factory.PostGenerationMethodCall("set_password", "test-pass-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = "agency_admin"


class TenantFactory(factory.django.DjangoModelFactory):
    """Tenant rows: ``agency`` defaults to the client's (or the account's) agency."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.save()
        return obj


class ClientFactory(TenantFactory):
    class Meta:
        model = Client

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Client {n}")
    kind = "retail"
    services = factory.LazyFunction(lambda: ["video_production", "basic_operations"])


class PlatformAccountFactory(TenantFactory):
    class Meta:
        model = PlatformAccount

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    platform = "douyin"
    handle = factory.Sequence(lambda n: f"handle{n}")
    followers = 1000


class VideoFactory(TenantFactory):
    class Meta:
        model = Video

    account = factory.SubFactory(PlatformAccountFactory)
    client = factory.SelfAttribute("account.client")
    agency = factory.SelfAttribute("account.agency")
    platform_item_id = factory.Sequence(lambda n: f"item{n}")
    title = factory.Sequence(lambda n: f"Video {n}")
    published_at = factory.LazyFunction(timezone.now)


class ClientRequirementFactory(TenantFactory):
    class Meta:
        model = ClientRequirement

    client = factory.SubFactory(ClientFactory)
    agency = factory.SelfAttribute("client.agency")
    title = factory.Sequence(lambda n: f"Requirement {n}")
    text = "Please post every Friday."
    raised_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))


def _client_row(agency, client):
    return client if client.agency_id == agency.pk else ClientFactory(agency=agency)


# One way to make "a row of this model for this agency and client"; each app adds its models.
ROW_MAKERS = {
    Client: _client_row,
    PlatformAccount: lambda agency, client: PlatformAccountFactory(client=client),
    Video: lambda agency, client: VideoFactory(account=PlatformAccountFactory(client=client)),
    ClientRequirement: lambda agency, client: ClientRequirementFactory(client=client),
}


def make_row(model, *, agency, client):
    """A row of ``model`` in ``agency`` for ``client`` (for ``Client`` itself: that client)."""
    return ROW_MAKERS[model](agency, client)


def _snapshot(agency, client):
    existing = ConformanceSnapshot.dangerously_all_agencies.filter(client=client).count()
    return ConformanceSnapshot.objects.create(
        agency=agency,
        client=client,
        period_start=dt.date(2020 + existing, 1, 1),
        period_end=dt.date(2020 + existing, 1, 31),
        results=[],
        met=0,
        not_met=0,
    )


def _report(agency, client):
    return ConformanceReport.objects.create(
        agency=agency, client=client, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 1, 31)
    )


ROW_MAKERS.update({ConformanceSnapshot: _snapshot, ConformanceReport: _report})


def api_token_key(user, name: str = "test") -> str:
    """The key of a new personal API token of ``user`` (``agency.tokens``), for
    ``Authorization: Token <key>``: the one way tests make tokens. The token endpoint gives one only
    after the code step, so a person who must sign in with two steps gets a confirmed authenticator."""
    if twofactor.two_step_required(user) and twofactor.totp_device(user) is None:
        TOTPDevice.objects.create(user=user, name=twofactor.DEVICE_NAME, confirmed=True)
    return tokens.issue_personal(user=user, name=name)[1]


def _integration_write(agency, client):
    return IntegrationWrite.objects.create(
        agency=agency,
        integration_ref=0,
        integration_prefix="svi_test",
        integration_name="Nightly sync",
        method="POST",
        path="/",
        status=201,
    )


ROW_MAKERS[IntegrationWrite] = _integration_write
