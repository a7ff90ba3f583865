"""Notifications (issue 22): each kind raised by its event, once; the person's channels honoured;
e-mail and the daily digest; the bell, the list and the API show a person only their own."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agency.models import PersonPreferences
from agency.tenancy import tenant_context
from notifications.models import Notification, NotificationPreference
from notifications.rules import Kind
from notifications.services.notifications import digest_send, language_of
from notifications.services.notifications_events import raise_due
from platforms.models import Connection
from platforms.services.calls import mark_reconnect
from production.models import Stage
from tests.accounts_ops.factories import BoostTaskFactory, OpinionAlertFactory, PinnedVideoFactory
from tests.evaluation.factories import ComplaintFactory
from tests.factories import ClientFactory, MembershipFactory, PlatformAccountFactory, UserFactory
from tests.isolation import TenantAPITestCases
from tests.notifications.factories import make_notification
from tests.platforms.factories import make_connection
from tests.production.factories import (
    PublicationFactory,
    ReviewRoundFactory,
    ScriptFactory,
    VideoProjectFactory,
)

pytestmark = pytest.mark.django_db


def of(user, kind=None):
    rows = Notification.dangerously_all_agencies.filter(recipient=user)
    return rows.filter(kind=kind) if kind else rows


def with_email(*users):
    for user in users:
        user.email = f"{user.username}@example.com"
        user.save()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the outbox's tasks (e-mail, bots) as the write commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def people(world):
    """An operator of agency A, an approver of client a2, and agency B's admin, all with e-mail."""
    operator = MembershipFactory(agency=world.agency_a, role="operator", user=UserFactory(username="op_a")).user
    approver_a2 = MembershipFactory(
        agency=world.agency_a, role="client_approver", client=world.client_a2, user=UserFactory(username="appr_a2")
    ).user
    with_email(world.staff_a, world.staff_b, world.viewer_a1, world.approver_a1, operator, approver_a2)
    return {"operator": operator, "approver_a2": approver_a2}


def project_of(client, **kwargs):
    return VideoProjectFactory(account=PlatformAccountFactory(client=client), **kwargs)


# --- each kind raised by its event ---------------------------------------------------------


def test_a_submitted_script_tells_the_clients_approvers_only(world, people, commit):
    script = ScriptFactory(project=project_of(world.client_a1))
    assert not Notification.dangerously_all_agencies.exists()  # a draft waits for nobody
    with commit():
        script.status = "submitted"
        script.save()
    mine = of(world.approver_a1, Kind.APPROVAL_WAITING).get()
    assert mine.client_id == world.client_a1.pk and mine.url == script.get_absolute_url()
    for other in (world.viewer_a1, people["approver_a2"], world.staff_a, world.staff_b):
        assert not of(other).exists()
    # Saved again in the same state: still one notification, one e-mail.
    with commit():
        script.save()
    assert of(world.approver_a1).count() == 1
    assert [m.to for m in mail.outbox] == [[world.approver_a1.email]]


def test_a_cut_put_to_review_tells_the_clients_approvers(world, people, commit):
    with commit():
        review = ReviewRoundFactory(project=project_of(world.client_a1))
    assert of(world.approver_a1, Kind.APPROVAL_WAITING).get().key == f"review_round:{review.pk}"
    assert not of(people["approver_a2"]).exists()


def test_an_opinion_alert_tells_the_staff_who_handle_alerts(world, people, commit):
    with commit():
        alert = OpinionAlertFactory(account=PlatformAccountFactory(client=world.client_a1))
    assert of(world.staff_a, Kind.OPINION_ALERT).get().url == alert.get_absolute_url()
    assert of(people["operator"], Kind.OPINION_ALERT).exists()
    assert not of(world.staff_b).exists() and not of(world.approver_a1).exists()


def test_a_complaint_near_its_deadline_is_told_once(world, people, commit):
    near = ComplaintFactory(client=world.client_a1)  # its answer is due within 23 hours
    far = ComplaintFactory(
        client=world.client_a1,
        respond_by=timezone.now() + dt.timedelta(days=5),
        resolve_by=timezone.now() + dt.timedelta(days=9),
    )
    with commit(), tenant_context(world.agency_a):
        raise_due(world.agency_a)
        raise_due(world.agency_a)
    rows = of(world.staff_a, Kind.COMPLAINT_DEADLINE)
    assert [n.key.split(":")[1] for n in rows] == [str(near.pk)]
    assert rows.get().message == "complaint_answer"
    assert str(far.pk) not in {n.key.split(":")[1] for n in rows}
    assert not of(world.staff_b).exists()


def test_a_boost_due_is_told_to_the_operators(world, people, commit):
    pinned = PinnedVideoFactory(account=PlatformAccountFactory(client=world.client_a1))
    BoostTaskFactory(pinned_video=pinned, due_on=timezone.localdate() + dt.timedelta(days=3))  # not due yet
    due = BoostTaskFactory(pinned_video=pinned, due_on=timezone.localdate())
    with commit(), tenant_context(world.agency_a):
        raise_due(world.agency_a)
    assert [n.key for n in of(people["operator"], Kind.BOOST_DUE)] == [f"boost:{due.pk}"]
    # Boosts are not e-mailed by default: in the app only.
    assert not [m for m in mail.outbox if people["operator"].email in m.to]


def test_a_connection_that_needs_reconnecting_is_told_once(world, people, commit):
    connection = make_connection(world.agency_a, world.client_a1)
    with commit(), tenant_context(world.agency_a):
        mark_reconnect(connection, "The authorisation was withdrawn.")
        raise_due(world.agency_a)  # the hourly sweep finds it told already
    assert of(world.staff_a, Kind.CONNECTION_RECONNECT).count() == 1
    # Changed in bulk (no save, no signal): the hourly sweep tells it.
    other = make_connection(world.agency_a, world.client_a2)
    with commit(), tenant_context(world.agency_a):
        Connection.objects.filter(pk=other.pk).update(status="reconnect")
        raise_due(world.agency_a)
    assert of(world.staff_a, Kind.CONNECTION_RECONNECT).count() == 2


def test_a_refused_publication_is_told_to_its_producer(world, people, commit):
    with commit():
        PublicationFactory(
            project=project_of(world.client_a1, stage=Stage.PUBLISHING),
            status="refused",
            problem="Music not licensed",
            producer=people["operator"],
        )
    notification = of(people["operator"], Kind.PUBLICATION_REFUSED).get()
    assert "Music not licensed" in notification.params["reason"]
    assert not of(world.staff_a).exists()


# --- the person's channels, e-mail and the digest -------------------------------------------


def test_each_person_chooses_the_channels_of_each_kind(world, people, commit):
    with tenant_context(world.agency_a):
        NotificationPreference.objects.create(user=world.staff_a, channels={Kind.OPINION_ALERT: ["in_app"]})
        NotificationPreference.objects.create(user=people["operator"], channels={Kind.OPINION_ALERT: []})
    with commit():
        OpinionAlertFactory(account=PlatformAccountFactory(client=world.client_a1))
    assert of(world.staff_a, Kind.OPINION_ALERT).get().in_app
    assert not of(people["operator"]).exists()  # turned off entirely
    assert mail.outbox == []  # in the app only


def test_the_preferences_page_saves_the_choice(world, people, client):
    client.force_login(people["operator"])
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    response = client.post(reverse("notifications:preferences"), {"boost_due__email": "on", "digest": "on"})
    assert response.status_code == 302
    prefs = NotificationPreference.dangerously_all_agencies.get(user=people["operator"])
    assert prefs.digest and prefs.channels_of(Kind.BOOST_DUE) == ("email",)
    assert prefs.channels_of(Kind.OPINION_ALERT) == ()


def test_the_email_links_to_the_row_in_the_persons_language(world, people, commit):
    PersonPreferences.objects.create(user=world.staff_a, language="en")
    world.agency_a.language = "zh-hans"
    world.agency_a.save()
    assert language_of(world.staff_a, world.agency_a) == "en"
    assert language_of(people["operator"], world.agency_a) == "zh-hans"  # chose nothing: the agency's
    with commit():
        alert = OpinionAlertFactory(account=PlatformAccountFactory(client=world.client_a1))
    message = next(m for m in mail.outbox if world.staff_a.email in m.to)
    assert of(world.staff_a).get().emailed_at is not None
    assert message.body.startswith("Opinion alert on ") and message.body.endswith(alert.get_absolute_url())
    assert message.body.split()[-1].startswith("http")


def test_the_daily_digest_is_one_email_per_person_per_day(world, people, commit):
    with tenant_context(world.agency_a):
        NotificationPreference.objects.create(user=people["operator"], channels={}, digest=True)
    with commit():
        OpinionAlertFactory(account=PlatformAccountFactory(client=world.client_a1))
        OpinionAlertFactory(account=PlatformAccountFactory(client=world.client_a2))
    mail.outbox.clear()
    with tenant_context(world.agency_a):
        assert digest_send(world.agency_a) == 1
        assert digest_send(world.agency_a) == 0  # once a day
    (digest,) = mail.outbox
    assert digest.to == [people["operator"].email]
    assert re.search(r"[(（]2( 条)?[)）]", digest.subject), digest.subject  # in the person's language
    assert digest.body.count("·") >= 2


# --- the bell, the list page, the API, and isolation ----------------------------------------


def alert_for_everyone(world):
    OpinionAlertFactory(account=PlatformAccountFactory(client=world.client_a1))
    OpinionAlertFactory(account=PlatformAccountFactory(client=world.client_b))


def test_the_bell_counts_the_unread_and_the_list_marks_them_read(world, people, client):
    alert_for_everyone(world)
    ScriptFactory(project=project_of(world.client_a1), status="submitted")
    client.force_login(world.staff_a)
    home = client.get(reverse("notifications:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'class="bell-count">1<' in home.content.decode()
    mine = of(world.staff_a).get()
    response = client.post(reverse("notifications:list"), {"notification": mine.pk, "open": "1"})
    assert response.status_code == 302 and response["Location"] == mine.url
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert 'class="bell-count"' not in client.get(reverse("notifications:list")).content.decode()
    # Another person's notification cannot be marked read through the page.
    approvers = of(world.approver_a1).get()
    assert client.post(reverse("notifications:list"), {"notification": approvers.pk}).status_code == 404
    approvers.refresh_from_db()
    assert approvers.read_at is None


def test_the_client_area_shows_the_bell_and_the_approvers_list(world, people, client):
    ScriptFactory(project=project_of(world.client_a1), status="submitted")
    ScriptFactory(project=project_of(world.client_a2), status="submitted")
    client.force_login(world.approver_a1)
    page = client.get(reverse("notifications:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="bell-count">1<' in page and "client-nav" in page
    assert page.count('name="notification"') == 1


def test_the_api_lists_only_the_persons_own_and_marks_them_read(world, people, api):
    alert_for_everyone(world)
    ScriptFactory(project=project_of(world.client_a1), status="submitted")
    url = reverse("notification-list")
    staff = api(world.staff_a).get(url).json()["results"]
    assert [row["id"] for row in staff] == [of(world.staff_a).get().pk]
    assert staff[0]["kind"] == "opinion_alert" and staff[0]["is_read"] is False and staff[0]["text"]
    approver = api(world.approver_a1).get(url).json()["results"]
    assert [row["id"] for row in approver] == [of(world.approver_a1).get().pk]
    assert api(world.viewer_a1).get(url).json()["results"] == []
    # Someone else's: 404 to read or mark, nothing changed.
    others = of(world.approver_a1).get()
    assert api(world.staff_a).get(reverse("notification-detail", args=[others.pk])).status_code == 404
    assert api(world.staff_a).post(reverse("notification-read", args=[others.pk])).status_code == 404
    theirs_b = of(world.staff_b).get()
    assert api(world.staff_a).post(reverse("notification-read", args=[theirs_b.pk])).status_code == 404
    others.refresh_from_db()
    assert others.read_at is None
    # Their own: marked, then "read-all" marks the rest.
    response = api(world.approver_a1).post(reverse("notification-read", args=[others.pk]))
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert api(world.staff_a).post(reverse("notification-read-all")).json() == {"marked": 1}
    assert api(world.staff_a).get(url, {"read": "false"}).json()["results"] == []
    assert of(world.staff_b).get().read_at is None


class TestNotificationAPI(TenantAPITestCases):
    """The shared isolation proofs; every row is addressed to the agency's admin (staff_a in A),
    so a client person sees none (they are the recipients of their own only)."""

    basename = "notification"
    model = Notification
    client_scoped = False

    def make(self, agency, client):
        return make_notification(agency, client)


def test_isolation_rows_for_another_client_never_reach_a_client_person(world, api):
    stranger = ClientFactory(agency=world.agency_a)
    with tenant_context(world.agency_a):
        Notification.objects.create(
            recipient=world.approver_a1, client=stranger, kind="approval_waiting", key="x", message="script_waiting"
        )
    # Even addressed to them, a row of another client stays out of a client person's reach.
    assert api(world.approver_a1).get(reverse("notification-list")).json()["results"] == []
