"""Today's work on the staff home page: what each role is shown, and nothing of other agencies."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agency.models import Membership
from agency.tenancy import tenant_context
from agency.today import SECTIONS, sections_for
from clients.models import AccountStatus, Client, ClientRequirement, ClientStatus, PlatformAccount, RequirementStatus
from clients.selectors import agency_overview, headline_counts
from production.models.common import ProbeState
from production.today import clips_being_read
from tests.factories import (
    AgencyFactory,
    ClientRequirementFactory,
    MembershipFactory,
    PlatformAccountFactory,
    UserFactory,
)
from tests.production.factories import ClipFactory, ShootFactory, VideoProjectFactory


def actor_of(user):
    return Membership.objects.get(user=user).as_actor()


def titles(actor):
    with tenant_context(actor.agency, actor):
        return {section.title: section for section in sections_for(actor)}


def test_every_app_section_is_registered():
    assert {spec.func.__module__ for spec in SECTIONS} >= {"clients.today", "production.today", "accounts_ops.today"}


def test_requirements_waiting_and_due_show_with_counts_and_overdue(world):
    ClientRequirementFactory(client=world.client_a1, title="Decide me")
    ClientRequirementFactory(client=world.client_b, title="Other agency")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ClientRequirementFactory(
        client=world.client_a2,
        title="Late",
        status=RequirementStatus.ACCEPTED,
        due_date=yesterday,
        decided_at=timezone.now(),
    )
    sections = titles(actor_of(world.staff_a))
    waiting = sections["Client requirements to decide (4.1)"]
    assert waiting.count == 1 and waiting.rows[0].text.endswith("Decide me")
    due = sections["Accepted requirements due within a week"]
    assert due.count == 1 and due.rows[0].overdue


def test_nothing_waiting_means_no_section(world):
    assert titles(actor_of(world.staff_a)) == {}


def test_sections_follow_the_role_table(world):
    ClientRequirementFactory(client=world.client_a1)
    live = MembershipFactory(agency=world.agency_a, role="live_team", user=UserFactory()).user
    assert "Client requirements to decide (4.1)" in titles(actor_of(live))  # live team may read requirements


def test_home_page_shows_todays_work(world):
    ClientRequirementFactory(client=world.client_a1, title="Friday posts")
    browser = Browser(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(world.staff_a)
    page = browser.get(reverse("home")).content.decode()
    assert "Today's work" in page and "Friday posts" in page


def test_the_home_pages_headline_counts_are_the_overviews_in_one_query(world):
    ClientRequirementFactory(client=world.client_a1)
    ClientRequirementFactory(
        client=world.client_a2,
        status=RequirementStatus.ACCEPTED,
        decided_at=timezone.now(),
        due_date=timezone.localdate(),
    )
    ClientRequirementFactory(client=world.client_b)  # another agency's
    PlatformAccountFactory(client=world.client_a1, followers=120)
    PlatformAccountFactory(client=world.client_a2, followers=5, status=AccountStatus.PAUSED)
    actor = actor_of(world.staff_a)
    with tenant_context(world.agency_a, actor), transaction.atomic():
        expected = counted_one_by_one(actor)
        overview = agency_overview(actor)
        with CaptureQueriesContext(connection) as queries:
            counts = headline_counts(actor)
    assert counts == expected == {name: overview[name] for name in ("clients", "accounts", "requirements")}
    assert counts["accounts"] == {"total": 2, "active": 1, "followers": 125}
    assert counts["requirements"] == {"open": 1, "accepted": 1}
    assert len(queries) == 1


def counted_one_by_one(actor) -> dict:
    """The headline counts, one ``aggregate`` per model (what ``headline_counts`` does in one query)."""
    active_client, active_account = Q(status=ClientStatus.ACTIVE), Q(status=AccountStatus.ACTIVE)
    return {
        "clients": Client.objects.visible_to(actor).aggregate(
            total=Count("id"), active=Count("id", filter=active_client)
        ),
        "accounts": PlatformAccount.objects.visible_to(actor).aggregate(
            total=Count("id"), active=Count("id", filter=active_account), followers=Sum("followers")
        ),
        "requirements": ClientRequirement.objects.visible_to(actor).aggregate(
            open=Count("id", filter=Q(status=RequirementStatus.OPEN)),
            accepted=Count("id", filter=Q(status=RequirementStatus.ACCEPTED)),
        ),
    }


def test_the_headline_counts_of_an_agency_with_nothing_yet_are_zeros(world):
    actor = actor_of(MembershipFactory(agency=AgencyFactory(), role="agency_admin", user=UserFactory()).user)
    with tenant_context(actor.agency, actor):
        counts = headline_counts(actor)
        assert counts == counted_one_by_one(actor)
    assert counts["clients"] == {"total": 0, "active": 0} and counts["accounts"]["followers"] is None


def test_clips_being_read_are_named_and_lead_to_their_shoot_in_one_query(world):
    shoot = ShootFactory(project=VideoProjectFactory(account=PlatformAccountFactory(client=world.client_a1)))
    ClipFactory(shoot=shoot, label="Opening shot", probe_state=ProbeState.PENDING)
    ClipFactory(shoot=shoot, label="", original_name="b-roll.mp4", probe_state=ProbeState.PROBING)
    ClipFactory(shoot=shoot, label="Read already", probe_state=ProbeState.DONE)
    actor = actor_of(world.staff_a)
    with tenant_context(world.agency_a, actor), transaction.atomic(), CaptureQueriesContext(connection) as queries:
        section = clips_being_read(actor, world.agency_a.today())
    assert section.count == 2 and [row.text for row in section.rows] == ["Opening shot", "b-roll.mp4"]
    assert {row.url for row in section.rows} == {shoot.get_absolute_url()}
    assert [row.note for row in section.rows] == [ProbeState.PENDING.label, ProbeState.PROBING.label]
    assert len(queries) == 1


def test_every_chapter_contributes_its_work():
    modules = {spec.func.__module__ for spec in SECTIONS}
    assert modules >= {"extensions.today", "records.today", "evaluation.today"}


def test_comments_alerts_live_sessions_inspections_and_complaints_show_to_who_does_them(world):
    from extensions.models import LiveSessionStatus
    from tests.accounts_ops.factories import OpinionAlertFactory, VideoCommentFactory
    from tests.evaluation.factories import ComplaintFactory
    from tests.extensions.factories import LiveSessionFactory
    from tests.factories import PlatformAccountFactory
    from tests.records.factories import DailyInspectionFactory

    account = PlatformAccountFactory(client=world.client_a1, handle="today-main")
    other_agency = PlatformAccountFactory(client=world.client_b, handle="b-account")
    tz = world.agency_a.tz
    now = timezone.now()
    today = timezone.localdate(timezone=tz)
    VideoCommentFactory(account=account, text="Too salty", sentiment="negative")
    VideoCommentFactory(account=other_agency, text="Other agency's")
    OpinionAlertFactory(account=account)
    noon = dt.datetime.combine(today, dt.time(12, 0), tzinfo=tz)
    LiveSessionFactory(account=account, theme="Tonight's hotpot live", planned_start=noon)
    LiveSessionFactory(account=account, theme="Cancelled one", planned_start=noon, status=LiveSessionStatus.CANCELLED)
    LiveSessionFactory(account=account, theme="Next week", planned_start=noon + dt.timedelta(days=7))
    DailyInspectionFactory(account=account, inspection_date=today - dt.timedelta(days=2))
    DailyInspectionFactory(account=account, inspection_date=today + dt.timedelta(days=1))
    ComplaintFactory(client=world.client_a1, subject="Late video", resolve_by=now + dt.timedelta(hours=5))
    ComplaintFactory(
        client=world.client_a1,
        subject="Far away",
        respond_by=now + dt.timedelta(days=5),
        first_response_at=now,
        resolve_by=now + dt.timedelta(days=9),
    )
    ComplaintFactory(client=world.client_b, subject="Other agency late", resolve_by=now + dt.timedelta(hours=1))

    sections = titles(actor_of(world.staff_a))
    comments = sections["Comments waiting to be handled (7.1)"]
    assert comments.count == 1 and "Too salty" in comments.rows[0].text
    assert sections["Open opinion alerts (7.1)"].count == 1
    live = sections["Live sessions today (8.1)"]
    assert live.count == 1 and "Tonight's hotpot live" in live.rows[0].text and live.rows[0].url
    inspections = sections["Daily inspections not done (9 h)"]
    assert inspections.count == 1 and inspections.rows[0].overdue
    complaints = sections["Complaints near their deadline (10.1)"]
    assert complaints.count == 1 and "Late video" in complaints.rows[0].text and not complaints.rows[0].overdue

    # By role: a producer reads these but does none of this work; the live team runs live sessions.
    producer = MembershipFactory(agency=world.agency_a, role="producer", user=UserFactory()).user
    assert not {
        "Live sessions today (8.1)",
        "Comments waiting to be handled (7.1)",
        "Daily inspections not done (9 h)",
    } & set(titles(actor_of(producer)))
    live_team = MembershipFactory(agency=world.agency_a, role="live_team", user=UserFactory()).user
    assert "Live sessions today (8.1)" in titles(actor_of(live_team))
    # Another agency sees only its own.
    theirs = titles(actor_of(world.staff_b))
    assert {"Comments waiting to be handled (7.1)", "Complaints near their deadline (10.1)"} <= set(theirs)
    assert not {"Open opinion alerts (7.1)", "Live sessions today (8.1)", "Daily inspections not done (9 h)"} & set(
        theirs
    )
    assert "Other agency's" in theirs["Comments waiting to be handled (7.1)"].rows[0].text
    assert theirs["Complaints near their deadline (10.1)"].rows[0].text.endswith("Other agency late")


def test_a_session_still_live_past_midnight_stays_in_todays_work(world):
    from extensions.models import LiveSessionStatus
    from tests.extensions.factories import LiveSessionFactory
    from tests.factories import PlatformAccountFactory

    tz = world.agency_a.tz
    yesterday_evening = dt.datetime.combine(timezone.localdate(timezone=tz), dt.time(22, 0), tzinfo=tz) - dt.timedelta(
        days=1
    )
    account = PlatformAccountFactory(client=world.client_a1)
    LiveSessionFactory(
        account=account, theme="Still on air", planned_start=yesterday_evening, status=LiveSessionStatus.LIVE
    )
    LiveSessionFactory(account=account, theme="Yesterday, never started", planned_start=yesterday_evening)
    live = titles(actor_of(world.staff_a))["Live sessions today (8.1)"]
    assert live.count == 1 and "Still on air" in live.rows[0].text


def test_messages_and_comments_waiting_lead_to_the_one_inbox(world):
    from tests.accounts_ops.factories import ConversationFactory, VideoCommentFactory
    from tests.factories import PlatformAccountFactory

    account = PlatformAccountFactory(client=world.client_a1, handle="today-inbox")
    conversation = ConversationFactory(account=account, fan_uid="fan-today")
    VideoCommentFactory(account=account, author_uid="fan-today", text="Open on Sunday?")

    sections = titles(actor_of(world.staff_a))
    inbox = reverse("accounts_ops:conversation-list")
    messages = sections["Private messages waiting for a reply (6.4)"]
    comments = sections["Comments waiting to be handled (7.1)"]
    assert messages.url == inbox and comments.url == inbox  # not the old message and comment lists
    assert [row.url for row in messages.rows] == [conversation.get_absolute_url()]
    assert [row.url for row in comments.rows] == [conversation.get_absolute_url()]

    b = Browser(HTTP_ACCEPT_LANGUAGE="en")
    b.force_login(world.staff_a)
    page = b.get(reverse("home")).content.decode()
    assert f'href="{inbox}"' in page
    assert reverse("accounts_ops:inbox-list") not in page.split('<main id="content"', 1)[1]
    assert reverse("accounts_ops:comment-list") not in page.split('<main id="content"', 1)[1]
