"""Every page in the reader's language: a crawl of every page in Chinese and in English.

The world is the demo (``seed_demo``: every chapter's rows, 星河代运营 with Chinese data), with a
row for each detail page the demo has none for, and a conformance PDF in each language. Pages come
from the URL resolver: every route outside the API and Django's admin with arguments is in
``ROUTES`` (a route added later without an entry fails ``test_every_page_route_is_crawled``), with
the arguments of a real row. Each page is fetched once per language as the agency's admin and as a
client person (a page one of them may not open is skipped for them); PDF downloads are read too.

What a reader sees (text, the title, ``placeholder``/``title``/``aria-label``/``alt`` and the
value of buttons; not what is marked as another language with ``lang``, nor machine text in
``<code>``) fails the crawl when, in a Chinese page, it is an English message of the catalogue
whose translation differs, or a run of English words that is neither user data, nor a technical
name, nor a word the Chinese translations themselves keep (T/CASME, SIM); in an English page, when
it is a Chinese translation of the catalogue, or Chinese that is neither user data nor a term the
English messages give on purpose (场控). User data is what the demo's rows hold, except English
prose: in a Chinese agency's rows that is text the product wrote (an explanation, a finding), and
it must be said in the reader's language when shown. Failures list the page and the text.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client as Browser
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pypdf import PdfReader

from agency.models import Agency, TenantModel
from agency.tenancy import tenant_context
from notifications.models import Webhook
from notifications.services.webhooks import webhook_save
from tests.accounts_ops.factories import ContentPlanFactory, DataImportFactory, OpinionAlertFactory
from tests.records.factories import ExportJobFactory, ImageRecordFactory

# The database is set up for the marked tests; the demo is made once for the module (``demo``).
pytestmark = pytest.mark.django_db

ZH_PO = Path(settings.BASE_DIR) / "agency" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
LANGUAGES = ("zh-hans", "en")

# Technical names that read the same in both languages.
ALLOWED_WORDS = {
    "api", "pdf", "url", "csv", "xlsx", "json", "svg", "png", "jpg", "jpeg", "mp4", "mov", "qr", "id", "ip",
    "poi", "dou", "kpi", "roi", "gmv", "cpm", "cpc", "ctr", "cvr", "uv", "pv", "ok", "sku", "totp", "oauth",
    "douyin", "tiktok", "kuaishou", "xiaohongshu", "bilibili", "wechat", "channels", "weibo", "http", "https",
    "gb", "t", "v", "vs", "am", "pm", "utc", "min", "h", "s", "ms", "kb", "mb", "x", "n", "fps", "hd",
    "ai", "px", "app", "pgc", "ugc", "cta", "ab", "hdr", "rgb", "h264", "hevc", "aac", "wav",
}  # fmt: skip


def catalogue() -> tuple[set[str], set[str], set[str], str]:
    """(English messages whose Chinese differs, their Chinese translations, the Latin words the
    translations keep (T/CASME, SIM, p90: the translators' choice), the English messages as one
    text (a Chinese term an English message gives on purpose, such as 场控))."""
    with ZH_PO.open("rb") as po_file:
        entries = read_po(po_file, locale="zh_Hans")
    english, chinese, kept, sources = set(), set(), set(), []
    for message in entries:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        sources.extend(ids)
        for msgid, msgstr in zip(ids, strings, strict=False):
            said = re.sub(r"%\(\w+\)[sdfr]|\{[^}]*\}", " ", msgstr or "")  # not the placeholders
            kept.update(word.lower() for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", said))
            if msgstr and msgstr != msgid and "%" not in msgid and "{" not in msgid:
                english.add(normal(msgid))
                chinese.add(normal(msgstr))
    # Words that are both a message and ordinary text of the other language are no signal.
    return english - chinese, chinese - english, kept, "\n".join(sources)


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(":：").strip()


class Visible(HTMLParser):
    """The text a reader sees, in pieces, skipping what is marked as another language."""

    # Not shown, or shown as machine text (a field's name, a value as stored) rather than words.
    HIDDEN = {"script", "style", "template", "noscript", "code", "pre", "kbd", "samp"}
    SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.pieces: list[str] = []

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        other_language = bool(attributes.get("lang")) and tag != "html" and not self._same(attributes["lang"])
        hidden = self.hidden or tag in self.HIDDEN or other_language or attributes.get("type") == "hidden"
        if not hidden:
            for name in self.SHOWN_ATTRIBUTES:
                if attributes.get(name):
                    self.pieces.append(attributes[name])
            if tag == "input" and attributes.get("type") in {"submit", "button", "reset"} and attributes.get("value"):
                self.pieces.append(attributes["value"])
        if tag not in self.VOID:
            self.stack.append((tag, hidden))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.pieces.append(data)

    def _same(self, lang: str) -> bool:
        return lang.lower().split("-")[0] == self.language.split("-")[0]


def visible_text(html: str, language: str) -> list[str]:
    parser = Visible(language)
    parser.feed(html)
    return [normal(piece) for piece in parser.pieces if normal(piece)]


def pdf_text(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [normal(line) for page in reader.pages for line in (page.extract_text() or "").splitlines() if normal(line)]


# --- the world ------------------------------------------------------------------------------------


class NoDemoRow(LookupError):
    """The demo has no row for a page (the page is listed as not crawled)."""


class Demo:
    def __init__(self):
        self.agency = Agency.objects.get(slug="xinghe")
        users = get_user_model().objects
        self.admin = users.get(username="xinghe_admin")
        self.client_person = users.get(username="xinghe_client_approver")

    def first(self, label: str, **filters):
        model = apps.get_model(label)
        manager = model.dangerously_all_agencies if issubclass(model, TenantModel) else model._default_manager
        with tenant_context(self.agency):
            row = manager.filter(**filters).order_by("pk").first()
        if row is None:
            raise NoDemoRow(f"{label} {filters}")
        return row

    def pk(self, label: str, **filters) -> dict:
        return {"pk": self.first(label, **filters).pk}


def user_data(agency: Agency) -> tuple[set[str], str]:
    """Every word and every text the demo's rows hold (what people wrote is not the catalogue's)."""
    texts: list[str] = [agency.name, *get_user_model().objects.values_list("username", flat=True)]
    with tenant_context(agency):
        for model in apps.get_models():
            if model._meta.app_label in {"admin", "sessions", "contenttypes", "auth", "axes", "otp_totp"}:
                continue
            fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
            json_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
            if not fields and not json_fields:
                continue
            manager = model.dangerously_all_agencies if issubclass(model, TenantModel) else model._base_manager
            if issubclass(model, TenantModel):
                manager = manager.filter(agency=agency)
            for row in manager.values_list(*fields, *json_fields):
                for value in row:
                    texts.extend(strings_in(value))
    # A Chinese agency's own data is Chinese, or names and codes; English prose kept in its rows
    # was written by the product (an explanation, a finding), so it is no excuse for a page.
    texts = [text for text in texts if re.search(r"[\u3400-\u9fff]", text) or not ENGLISH_PROSE.search(text)]
    blob = "\n".join(texts)
    return {word.lower() for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", blob)}, blob


# Addresses, paths, codes with digits (poi-cd-088, msg-001) and dotted or underscored names.
IDENTIFIERS = re.compile(
    r"https?://\S+"
    r"|[\w./-]*(?:\d[\w./-]*[-_./]|[-_./][\w./-]*\d)[\w./-]*"
    r"|\b[A-Za-z0-9]+(?:[._][A-Za-z0-9]+)+\b",
    re.ASCII,
)
ENGLISH_PROSE = re.compile(r"[A-Za-z]+(?:,? [A-Za-z]+){2}")  # three words in a row


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):  # the values, and keys in Chinese (an audience's cities): data
        keys = [key for key in value if isinstance(key, str) and re.search(r"[\u3400-\u9fff]", key)]
        return keys + [text for item in value.values() for text in strings_in(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in strings_in(item)]
    return []


def build_conformance_report(demo: Demo, language: str) -> int:
    from agency.conformance import Period
    from clients.models import Client
    from reports.services import conformance_report_build, conformance_report_request

    with tenant_context(demo.agency):
        membership = demo.agency.memberships.get(user=demo.admin)
        client = Client.dangerously_all_agencies.filter(agency=demo.agency).order_by("pk").first()
        report = conformance_report_request(
            actor=membership.as_actor(),
            client=client,
            period=Period.month(2026, 1),
            language=language,
            for_client=True,  # read by the staff and by the client person alike
        )
        # Its task would run once the demo's transaction commits, which it never does here.
        conformance_report_build(report_id=report.pk)
    return report.pk


def rows_the_demo_lacks(demo: Demo) -> None:
    """A row for each detail page the demo has none for, written as a Chinese agency writes."""
    account = demo.first("clients.PlatformAccount", platform="douyin")
    with tenant_context(demo.agency):
        OpinionAlertFactory(account=account)
        DataImportFactory(account=account)
        ContentPlanFactory(
            account=account,
            title="秋季火锅套餐借势“第一杯奶茶”",
            angle="把当季第一杯奶茶和秋季新套餐放在一起，请粉丝选择",
            video_project=demo.first("production.VideoProject"),
        )
        ImageRecordFactory(client=account.client, caption="门店外景")
        ExportJobFactory(agency=demo.agency, dataset="assets", format="csv", requested_by=demo.admin)
        webhook = Webhook(agency=demo.agency, name="运营群机器人", provider="wecom", kinds=["boost_due"])
        webhook_save(webhook=webhook, url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=demo-key")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory, demo_template):
    """The demo, freshly seeded (on PostgreSQL a fresh copy of the run's demo and its files,
    ``tests.demo_database``; elsewhere seeded here), with the module's own rows and reports, inside
    a transaction rolled back after the module's last test."""
    media = tmp_path_factory.mktemp("crawl-media")
    with django_db_blocker.unblock():
        if demo_template is not None:
            demo_template.fresh_copy(media_root=media)
        try:
            with override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
                if demo_template is None:
                    call_command("seed_demo", stdout=io.StringIO(), no_color=True, no_connect=True)
                world = Demo()
                world.media_root = str(media)
                world.reports = {language: build_conformance_report(world, language) for language in LANGUAGES}
                rows_the_demo_lacks(world)
                world.words, world.blob = user_data(world.agency)
                try:
                    yield world
                finally:
                    transaction.set_rollback(True)
        finally:
            if demo_template is not None:
                demo_template.done_with_copy()


@pytest.fixture(autouse=True)
def _world_media(_media_root, settings, demo):
    settings.MEDIA_ROOT = demo.media_root


# --- the pages ------------------------------------------------------------------------------------

ACTION = None  # a route that only takes a POST (a step of a workflow): no page of its own


def conformance_report(demo, language):
    return {"pk": demo.reports[language]}


# Every page route by name, with the arguments of a demo row (a callable of (demo, language)), or
# ACTION. Routes without arguments need no entry.
ROUTES = {
    "login-code": ACTION,
    "two-factor": ACTION,
    "logout": ACTION,
    "sessions-person": ACTION,
    "set_language": ACTION,
    "favicon": ACTION,
    "conformance-client": lambda d, lang: d.pk("clients.Client"),
    "conformance-report-download": conformance_report,
    "clients:client-detail": lambda d, lang: d.pk("clients.Client"),
    "clients:client-update": lambda d, lang: d.pk("clients.Client"),
    "clients:account-update": lambda d, lang: d.pk("clients.PlatformAccount"),
    "clients:requirement-detail": lambda d, lang: d.pk("clients.ClientRequirement"),
    "clients:requirement-evidence": lambda d, lang: d.pk("clients.ClientRequirement"),
    "clients:requirement-action": ACTION,
    "production:project-detail": lambda d, lang: d.pk("production.VideoProject"),
    "production:project-update": lambda d, lang: d.pk("production.VideoProject"),
    "production:shoot-create": lambda d, lang: d.pk("production.VideoProject"),
    "production:project-action": ACTION,
    "production:publication-action": ACTION,
    "production:script-detail": lambda d, lang: d.pk("production.Script"),
    "production:script-action": ACTION,
    "production:shoot-detail": lambda d, lang: d.pk("production.Shoot"),
    "production:shoot-probing": ACTION,  # JSON for the page's script
    "production:cut-probing": ACTION,  # JSON for the page's script
    "production:clip-delete": ACTION,
    "production:step-update": lambda d, lang: d.pk("production.PostProductionStep"),
    "production:review-detail": lambda d, lang: d.pk("production.ReviewRound"),
    "production:review-action": ACTION,
    "production:media-file": ACTION,  # a video or image file
    "accounts_ops:account": lambda d, lang: d.pk("clients.PlatformAccount"),
    "accounts_ops:profile-detail": lambda d, lang: d.pk("accounts_ops.ProfileChange"),
    "accounts_ops:profile-image": ACTION,  # an image file
    "accounts_ops:pin-plan": lambda d, lang: d.pk("accounts_ops.PinnedVideo"),
    "accounts_ops:pin-unpin": ACTION,
    "accounts_ops:rule-update": lambda d, lang: d.pk("accounts_ops.ReplyRule"),
    "accounts_ops:settings": lambda d, lang: {"account": d.first("clients.PlatformAccount").pk},
    "accounts_ops:inbox-detail": lambda d, lang: d.pk("accounts_ops.InboxMessage"),
    "accounts_ops:deal-update": lambda d, lang: d.pk("accounts_ops.GroupBuyDeal"),
    "accounts_ops:poi-update": lambda d, lang: d.pk("accounts_ops.PoiLink"),
    "accounts_ops:promotion-complete": lambda d, lang: d.pk("accounts_ops.PromotionTask"),
    "accounts_ops:campaign-detail": lambda d, lang: d.pk("accounts_ops.AdCampaign"),
    "accounts_ops:comment-detail": lambda d, lang: d.pk("accounts_ops.VideoComment"),
    "accounts_ops:alert-detail": lambda d, lang: d.pk("accounts_ops.OpinionAlert"),
    "accounts_ops:conversation-detail": lambda d, lang: d.pk("accounts_ops.Conversation"),
    "accounts_ops:saved-reply-update": lambda d, lang: d.pk("accounts_ops.SavedReply"),
    "accounts_ops:plan-detail": lambda d, lang: d.pk("accounts_ops.ContentPlan"),
    "accounts_ops:persona-detail": lambda d, lang: d.pk("accounts_ops.AudiencePersonaReport"),
    "accounts_ops:import-detail": lambda d, lang: d.pk("accounts_ops.DataImport"),
    "accounts_ops:metrics-account": ACTION,  # chart JSON
    "accounts_ops:metrics-client": ACTION,  # chart JSON
    "accounts_ops:metrics-agency": ACTION,  # chart JSON
    "extensions:live-detail": lambda d, lang: d.pk("extensions.LiveSession"),
    "extensions:live-update": lambda d, lang: d.pk("extensions.LiveSession"),
    "extensions:live-action": ACTION,
    "extensions:live-remove": ACTION,
    "extensions:influencer-detail": lambda d, lang: d.pk("extensions.Influencer"),
    "extensions:influencer-update": lambda d, lang: d.pk("extensions.Influencer"),
    "extensions:campaign-detail": lambda d, lang: d.pk("extensions.StoreVisitCampaign"),
    "extensions:campaign-update": lambda d, lang: d.pk("extensions.StoreVisitCampaign"),
    "extensions:campaign-book": lambda d, lang: d.pk("extensions.StoreVisitCampaign"),
    "extensions:booking-action": ACTION,
    "extensions:valuation-detail": lambda d, lang: d.pk("extensions.AccountValuation"),
    "extensions:valuation-recompute": ACTION,
    "extensions:client-valuation": lambda d, lang: d.pk("extensions.AccountValuation"),
    "records:asset-detail": lambda d, lang: d.pk("records.Asset"),
    "records:asset-update": lambda d, lang: d.pk("records.Asset"),
    "records:asset-action": ACTION,
    "records:inspection-detail": lambda d, lang: d.pk("records.DailyInspection"),
    "records:inspection-action": ACTION,
    "records:statistics-detail": lambda d, lang: d.pk("records.StatisticsReport"),
    "records:statistics-file": lambda d, lang: {**d.pk("records.StatisticsReport"), "fmt": "pdf"},
    "records:assessment-detail": lambda d, lang: d.pk("records.WorkAssessmentReport"),
    "records:assessment-file": lambda d, lang: {**d.pk("records.WorkAssessmentReport"), "fmt": "pdf"},
    "records:image-detail": lambda d, lang: d.pk("records.ImageRecord"),
    "records:image-file": ACTION,  # an image file
    "records:export-detail": lambda d, lang: d.pk("records.ExportJob"),
    "records:export-download": ACTION,  # the rows people asked for, as CSV/XLSX
    "records:void": ACTION,
    "evaluation:campaign-detail": lambda d, lang: d.pk("evaluation.EvaluationCampaign"),
    "evaluation:campaign-qr": ACTION,  # an image
    "evaluation:campaign-step": ACTION,
    "evaluation:questionnaire-detail": lambda d, lang: d.pk("evaluation.QuestionnaireTemplate"),
    "evaluation:questionnaire-step": ACTION,
    "evaluation:question-remove": ACTION,
    "evaluation:complaint-detail": lambda d, lang: d.pk("evaluation.Complaint"),
    "evaluation:complaint-step": ACTION,
    "evaluation:guarantee-update": lambda d, lang: d.pk("evaluation.ServiceGuarantee"),
    "evaluation:cycle-detail": lambda d, lang: d.pk("evaluation.ImprovementCycle"),
    "evaluation:cycle-step": ACTION,
    "evaluation:action-step": ACTION,
    "evaluation:public-survey": lambda d, lang: {"token": d.first("evaluation.EvaluationCampaign").public_token},
    "evaluation:public-survey-thanks": lambda d, lang: {"token": d.first("evaluation.EvaluationCampaign").public_token},
    "evaluation:public-survey-api": ACTION,  # JSON
    "platforms:connect": lambda d, lang: d.pk("clients.PlatformAccount", platform="douyin"),
    "platforms:send-link": ACTION,
    "platforms:disconnect": ACTION,
    "platforms:sync": ACTION,
    "platforms:callback": ACTION,  # the platform's redirect after authorising
    "platforms:link": ACTION,  # a one-time link sent to the account's owner
    "notifications:webhook-change": lambda d, lang: d.pk("notifications.Webhook"),
}


def page_routes() -> list[tuple[str, bool]]:
    """(route name, has arguments) of every page outside the API, the admin and the media files."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}".lstrip(":") if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield prefix + str(pattern.pattern), f"{namespace}:{pattern.name}".lstrip(":")

    return [
        (name, "<" in route)
        for route, name in walk(get_resolver().url_patterns)
        if not route.startswith(("api/", "admin/", "^media"))
    ]


def urls(demo, language, skipped: set[str]) -> list[str]:
    out = []
    for name, has_arguments in page_routes():
        entry = ROUTES.get(name)
        if name in ROUTES and entry is ACTION:
            continue
        if has_arguments and entry is None:
            skipped.add(f"{name} (not in ROUTES)")
            continue
        try:
            out.append(reverse(name, kwargs=entry(demo, language)) if has_arguments else reverse(name))
        except NoDemoRow as missing:
            skipped.add(f"{name} (the demo has no {missing})")
    return out


class Findings:
    def __init__(self, demo):
        self.english, self.chinese, self.kept, self.sources = catalogue()
        self.demo = demo
        self.found: dict[str, set[str]] = defaultdict(set)
        self.pages = 0
        self.skipped: set[str] = set()
        self.documents: set[str] = set()  # the PDFs read

    def read(self, url: str, language: str, pieces: list[str]) -> None:
        self.pages += 1
        for piece in pieces:
            for problem in (self.in_chinese if language == "zh-hans" else self.in_english)(piece):
                self.found[f"{language} {url}"].add(problem)

    def in_chinese(self, text: str) -> list[str]:
        if text in self.english:
            return [f"untranslated: {text!r}"]
        problems = []
        # Addresses and identifiers (an OAuth scope such as video.list.bind) are not words.
        text = IDENTIFIERS.sub(" ", text)
        for run in re.findall(r"[A-Za-z][A-Za-z0-9'’-]*(?:[ /-]+[A-Za-z][A-Za-z0-9'’-]*)*", text):
            words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", run)]
            strange = [
                w
                for w in words
                if w not in ALLOWED_WORDS
                and w not in self.kept
                and w not in self.demo.words
                and len(w) > 1
                and not re.fullmatch(r"[a-z]\d+", w)  # a question's or a clause's code: q1, p90
            ]
            if strange and run not in self.demo.blob:
                problems.append(f"English in {text!r}: {run!r}")
        return problems

    def in_english(self, text: str) -> list[str]:
        if text in self.chinese and text not in self.demo.blob:
            return [f"Chinese message: {text!r}"]
        return [
            f"Chinese in {text!r}: {run!r}"
            for run in re.findall(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]+", text)
            if re.search(r"[\u3400-\u9fff]", run) and run not in self.demo.blob and run not in self.sources
        ]

    def report(self) -> str:
        return "\n".join(
            f"{page}\n" + "\n".join(f"    {problem}" for problem in sorted(problems))
            for page, problems in sorted(self.found.items())
        )


def crawl(demo, language: str, findings: Findings) -> None:
    pages = urls(demo, language, findings.skipped)  # the same pages for both people
    for user in (demo.admin, demo.client_person):
        browser = Browser(HTTP_ACCEPT_LANGUAGE=language)
        browser.force_login(user)
        for url in pages:
            response = browser.get(url)
            assert response.status_code < 500, (url, user.username, response.status_code)
            if response.status_code != 200:
                continue  # not this person's page (a redirect, 403 or 404)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            kind = response.get("Content-Type", "")
            if kind.startswith("text/html"):
                findings.read(url, language, visible_text(content.decode(), language))
            elif kind.startswith("application/pdf"):
                findings.documents.add(url)
                findings.read(url, language, pdf_text(content))


def test_every_page_route_is_crawled():
    missing = [name for name, has_arguments in page_routes() if has_arguments and name not in ROUTES]
    assert not missing, f"routes with arguments the crawl does not know how to open: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_reads_in_one_language(demo, language, django_db_blocker):
    findings = Findings(demo)
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            crawl(demo, language, findings)
        finally:
            transaction.set_rollback(True)
    assert findings.pages > 100, findings.pages
    # The conformance report in the page's language, and the records' reports, were read.
    assert reverse("conformance-report-download", args=[demo.reports[language]]) in findings.documents
    assert any("/records/statistics/" in url for url in findings.documents), findings.documents
    assert not findings.skipped, f"pages not crawled: {sorted(findings.skipped)}"
    assert not findings.found, f"{findings.pages} pages read; mixed language:\n{findings.report()}"
