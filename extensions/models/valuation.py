"""Clause 8.3, account valuation (账号价值评估): adverse events recorded per account, and dated
valuations that state their method, every factor (value, source, weight, effect) and the value
range, reproducible from the inputs they store. The method itself is ``extensions.selectors.valuation``."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agency.constraints import on_field
from clients.models import SAME_CLIENT_AS_ACCOUNT, Platform, PlatformAccount
from extensions.models.common import ClientOwned, money_field


class AdverseEventKind(models.TextChoices):
    VIOLATION = "violation", _("Rule violation")
    BAN = "ban", _("Ban or suspension")
    TRAFFIC_LIMIT = "traffic_limit", _("Traffic limit")
    NEGATIVE_PRESS = "negative_press", _("Negative press")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    SEVERE = "severe", _("Severe")


class AdverseEvent(ClientOwned):
    """Clause 8.3 e): an adverse event of a platform account (a violation, a ban, a traffic limit,
    negative press), with its date and severity; it lowers the account's valuation."""

    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="adverse_events", verbose_name=_("platform account")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AdverseEventKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    occurred_on = models.DateField(_("occurred on"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    description = models.TextField(_("what happened"))

    same_client_as = (SAME_CLIENT_AS_ACCOUNT,)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("adverse event")
        verbose_name_plural = _("adverse events")
        constraints = [
            on_field(
                "resolved_on",
                models.CheckConstraint(
                    condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("occurred_on")),
                    name="adverse_event_resolved_after_occurred",
                    violation_error_code="adverse_event_resolved_after_occurred",
                    violation_error_message=_("An event cannot be resolved before it occurred."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "occurred_on"], name="adverse_agency_account_date")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()} ({self.get_severity_display()})"

    def clean(self) -> None:
        super().clean()
        if self.occurred_on and self.occurred_on > timezone.localdate():
            raise ValidationError({"occurred_on": _("An adverse event cannot be recorded for a future date.")})
        if self.occurred_on and self.resolved_on and self.resolved_on < self.occurred_on:
            raise ValidationError({"resolved_on": _("An event cannot be resolved before it occurred.")})


class AccountValuation(ClientOwned):
    """Clause 8.3: a dated valuation of a platform account, with the method and version used,
    the inputs it was computed from (``inputs``: enough to compute it again), the value range
    and the explanation of each step."""

    account = models.ForeignKey(
        PlatformAccount, on_delete=models.PROTECT, related_name="valuations", verbose_name=_("platform account")
    )
    valued_on = models.DateField(_("valued on"))
    window_start = models.DateField(_("metrics from"))
    window_end = models.DateField(_("metrics until"))
    method = models.CharField(_("method"), max_length=40, editable=False)
    inputs = models.JSONField(_("inputs"), editable=False)
    value_low = money_field(_("value from (yuan)"), editable=False)
    value_point = money_field(_("central value (yuan)"), editable=False)
    value_high = money_field(_("value up to (yuan)"), editable=False)
    steps = models.JSONField(_("explanation"), default=list, editable=False)
    recomputed_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("recomputed from"),
    )
    notes = models.TextField(_("notes"), blank=True)

    same_client_as = (SAME_CLIENT_AS_ACCOUNT,)

    class Meta:
        ordering = ["-valued_on", "-id"]
        verbose_name = _("account valuation")
        verbose_name_plural = _("account valuations")
        constraints = [
            on_field(
                "window_end",
                models.CheckConstraint(
                    condition=Q(window_end__gte=F("window_start")),
                    name="valuation_window_ordered",
                    violation_error_code="valuation_window_ordered",
                    violation_error_message=_("The period cannot end before it starts."),
                ),
            ),
            on_field(
                "value_point",
                models.CheckConstraint(
                    condition=Q(value_low__lte=F("value_point")) & Q(value_point__lte=F("value_high")),
                    name="valuation_range_ordered",
                    violation_error_code="valuation_range_ordered",
                    violation_error_message=_("The value must lie between the low and the high estimate."),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "account", "valued_on"], name="valuation_agency_account_date")]

    name_related = ("account",)

    def __str__(self) -> str:
        return f"{self.account} · {self.valued_on}"

    def get_absolute_url(self) -> str:
        return reverse("extensions:valuation-detail", args=[self.pk])


class StylePositioning(models.TextChoices):
    """Clause 8.3 d): how clearly the account's style is positioned."""

    DISTINCT = "distinct", _("Distinct: a recognisable, consistent style in demand")
    CLEAR = "clear", _("Clear: a consistent style like many others")
    UNCLEAR = "unclear", _("Unclear: no consistent style yet")


class ValuationFactorKind(models.TextChoices):
    """The factors clause 8.3 lists, a) to f)."""

    PLATFORM = "platform", _("a) Platform")
    DAILY_ACTIVE_FANS = "daily_active_fans", _("b) Average daily active fans")
    STICKINESS = "stickiness", _("c) User stickiness")
    STYLE = "style", _("d) Style positioning")
    ADVERSE_EVENTS = "adverse_events", _("e) Adverse events")
    OTHER = "other", _("f) Other factors")


class FactorSource(models.TextChoices):
    COMPUTED = "computed", _("Computed from metrics")
    ENTERED = "entered", _("Entered")
    RECORDS = "records", _("From recorded events")
    ACCOUNT = "account", _("From the account")


class ValuationFactor(ClientOwned):
    """Clause 8.3: one factor of a valuation: its value, where the value came from, its weight in
    the method and its effect on the value."""

    valuation = models.ForeignKey(
        AccountValuation, on_delete=models.CASCADE, related_name="factors", verbose_name=_("valuation")
    )
    factor = models.CharField(_("factor"), max_length=30, choices=ValuationFactorKind.choices)
    value = models.CharField(_("value"), max_length=200)
    value_number = models.DecimalField(_("value (number)"), max_digits=20, decimal_places=6, null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=FactorSource.choices)
    source_detail = models.TextField(_("where it came from"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=4)
    effect = models.DecimalField(
        _("effect"),
        max_digits=10,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("The share by which the factor moves the value (+0.05 = +5%); empty for the base factors."),
    )
    effect_text = models.CharField(_("effect (explained)"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    same_client_as = ("valuation",)

    class Meta:
        ordering = ["valuation", "position", "id"]
        verbose_name = _("valuation factor")
        verbose_name_plural = _("valuation factors")
        constraints = [
            on_field(
                "factor",
                models.UniqueConstraint(
                    fields=["valuation", "factor"],
                    name="valuation_factor_once",
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "valuation"], name="factor_agency_valuation")]

    def __str__(self) -> str:
        return f"{self.get_factor_display()}: {self.value_display}"

    @property
    def effect_display(self) -> str:
        """How the factor moved the value, in the reader's language (stored in the source language)."""
        return said_in_language(self.effect_text, EFFECT_TEXTS)

    @property
    def source_detail_display(self) -> str:
        """Where the factor came from, in the reader's language (its own notes as written)."""
        if self.factor == ValuationFactorKind.ADVERSE_EVENTS:
            events = [said_in_language(part, DETAIL_TEXTS) for part in self.source_detail.split("; ")]
            return "; ".join(events)
        return said_in_language(self.source_detail, DETAIL_TEXTS)

    @property
    def value_display(self) -> str:
        """The value in words: the platform's and the style's names rather than their codes."""
        labels = {
            ValuationFactorKind.PLATFORM: dict(Platform.choices),
            ValuationFactorKind.STYLE: dict(StylePositioning.choices),
        }.get(self.factor)
        if labels:
            return str(labels.get(self.value, self.value))
        return said_in_language(self.value, VALUE_TEXTS)


def _choice_label(choices):
    return lambda code: str(dict(choices.choices).get(code, code))


# The words of a factor's stored explanation (written in the source language by
# ``extensions.selectors.valuation``, where its figures are computed) and how each reads in the
# active language: (the stored shape, the words, how to show each figure).
EFFECT_TEXTS = [
    (
        re.compile(r"^score (?P<score>\S+) × weight (?P<weight>\S+) → (?P<effect>\S+)$"),
        _("score %(score)s × weight %(weight)s → %(effect)s"),
        {},
    ),
    (
        re.compile(r"^base × ¥(?P<coefficient>\S+) per active fan$"),
        _("base value × ¥%(coefficient)s per active fan"),
        {},
    ),
    (
        re.compile(r"^base = (?P<fans>\S+) × ¥(?P<coefficient>\S+) = ¥(?P<base>\S+)$"),
        _("base value = %(fans)s × ¥%(coefficient)s = ¥%(base)s"),
        {},
    ),
]
DETAIL_TEXTS = [
    (
        re.compile(r"^#(?P<id>\d+) (?P<day>\S+) (?P<kind>\w+) \((?P<severity>\w+)\)$"),
        _("#%(id)s %(day)s %(kind)s (%(severity)s)"),
        {"kind": _choice_label(AdverseEventKind), "severity": _choice_label(Severity)},
    ),
    (re.compile(r"^none since (?P<day>\S+)$"), _("none since %(day)s"), {}),
    (
        re.compile(r"^@(?P<handle>\S+) · ¥(?P<coefficient>\S+) / active fan$"),
        _("@%(handle)s · ¥%(coefficient)s per active fan"),
        {},
    ),
]
VALUE_TEXTS = [
    (
        re.compile(r"^engagement (?P<engagement>\S+), returning (?P<returning>\S+)$"),
        _("engagement rate %(engagement)s, returning viewers %(returning)s"),
        {},
    ),
]


def said_in_language(text: str, shapes) -> str:
    """``text`` in the active language when it has one of ``shapes``; otherwise as written."""
    for pattern, words, shown in shapes:
        match = pattern.match(text or "")
        if match:
            figures = {name: shown.get(name, str)(value) for name, value in match.groupdict().items()}
            return str(words) % figures
    return text
