"""Staff pages over a whole chapter: chapter 6's landing dashboard and one account's operations page,
and chapter 7's landing page. Thin: forms collect, services decide."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.views import View

from accounts_ops.forms.inbox import TryMessageForm
from accounts_ops.models.inbox import AutoReplySettings
from accounts_ops.models.profile import ProfileField
from accounts_ops.rules import PINNED_SLOTS_MAX, PINNED_SLOTS_MIN
from accounts_ops.selectors.audience import latest_persona_reports, persona_charts
from accounts_ops.selectors.metrics import account_figures
from accounts_ops.selectors.overview import (
    account_operations,
    advanced_operations_dashboard,
    basic_operations_dashboard,
)
from accounts_ops.views.metrics import metrics_context
from agency import panels
from agency.conformance import CHECKS
from agency.roles import ADD
from agency.standard import CHAPTERS, CLAUSES
from agency.views import TenantViewMixin
from clients.models import Client, PlatformAccount


class DashboardView(TenantViewMixin, View):
    """Chapter 6: what needs doing today (boosts due, accounts without pinned videos, profile
    changes to decide, messages waiting, first-response times, campaigns), and the clauses."""

    resource = "pinned_video"

    def get(self, request):
        clauses = [
            {"clause": clause, "implemented": clause.id in CHECKS} for clause in CLAUSES if clause.chapter == "6"
        ]
        context = basic_operations_dashboard(self.actor)
        context.update(
            chapter_title=CHAPTERS["6"],
            clauses=clauses,
            title=CHAPTERS["6"],
            pin_min=PINNED_SLOTS_MIN,
            pin_max=PINNED_SLOTS_MAX,
        )
        return render(request, "accounts_ops/index.html", context)


class AccountOperationsView(TenantViewMixin, View):
    """One account's basic operations: direction, profile and history, pins and boosts, reply
    rules and recent messages, campaigns."""

    resource = "platform_account"

    def get(self, request, pk):
        account = get_object_or_404(PlatformAccount.objects.visible_to(self.actor).select_related("client"), pk=pk)
        context = account_operations(self.actor, account)
        settings = AutoReplySettings.objects.filter(account=account).first()
        profile = context["profile"]
        context.update(
            account=account,
            settings=settings,
            profile_rows=[(label, profile[value]) for value, label in ProfileField.choices],
            pin_min=PINNED_SLOTS_MIN,
            pin_max=PINNED_SLOTS_MAX,
            can_pin_more=len(context["pins"]) < PINNED_SLOTS_MAX,
            title=str(account),
            can=_permissions(self.actor),
            try_form=TryMessageForm(actor=self.actor, initial={"account": account.pk}),
        )
        context.update(metrics_context(request, self.actor, account=account))
        context.update(panels.context_for(panels.ACCOUNT, self.actor, account))
        return render(request, "accounts_ops/account.html", context)


def _permissions(actor) -> dict[str, bool]:
    return {
        "direction": actor.can(ADD, "account_direction"),
        "profile": actor.can(ADD, "profile_change"),
        "pin": actor.can(ADD, "pinned_video"),
        "boost": actor.can(ADD, "boost"),
        "rules": actor.can(ADD, "auto_reply"),
        "campaign": actor.can(ADD, "ad_campaign"),
        "promotion": actor.can(ADD, "promotion"),
    }


class AdvancedDashboardView(TenantViewMixin, View):
    """Chapter 7: comments waiting (negative first), open opinion alerts, hot topics and upcoming
    plans, persona reports and IP personas, the latest imports, and the clauses."""

    resource = "comment"

    def get(self, request):
        context = advanced_operations_dashboard(self.actor)
        context.update(
            chapter_title=CHAPTERS["7"],
            title=CHAPTERS["7"],
            clauses=[{"clause": c, "implemented": c.id in CHECKS} for c in CLAUSES if c.chapter == "7"],
            can_import=self.actor.can(ADD, "data_import"),
        )
        return render(request, "accounts_ops/advanced.html", context)


# --- what the clients' pages show of chapter 7 (registered in clients.figures by accounts_ops.hooks) ---


def client_page_figures(request, actor, client: Client, accounts: list[PlatformAccount]) -> dict:
    """The client's figures over time (its accounts together) and each account's key figures with
    their trend, from the platform's daily metrics: the client page and the client area's dashboard
    bring the chapters together."""
    figures = account_figures(actor, [a.pk for a in accounts])
    return {
        **metrics_context(request, actor, client=client),
        "account_rows": [(a, figures[a.pk]) for a in accounts],
    }


def client_audience(actor, accounts: list[PlatformAccount]) -> dict:
    """The audience persona (7.3) of the client's largest account with a report: its latest report
    and the gender, age and city charts of it."""
    reports = latest_persona_reports(actor, [a.pk for a in accounts])
    report = next((reports[a.pk] for a in sorted(accounts, key=lambda a: -a.followers) if a.pk in reports), None)
    if report is None:
        return {"persona": None, "persona_charts": []}
    language = get_language() or "zh-hans"
    return {
        "persona": report,
        "persona_summary": report.summary_zh if language.startswith("zh") else report.summary_en,
        "persona_charts": [
            (f"persona-{index}", chart)
            for index, chart in enumerate(persona_charts(report, language, dimensions=("gender", "age", "cities")))
        ],
    }
