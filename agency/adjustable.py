"""The standard's adjustable values: one registry of agency settings.

A value the standard leaves to the operator (a target, a period, a range) is declared once, by the
app that enforces it, next to that code and with its clause id::

    REQUIREMENT_DECISION_DAYS = adjustable(
        "requirement_decision_days", 7, clause="4.1", label=_("Days to decide a client requirement"))

and read for an agency with ``agency.setting(REQUIREMENT_DECISION_DAYS)`` (the agency's own value
from ``Agency.settings``, else the default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class AdjustableValue:
    key: str
    default: Any
    clause: str
    label: object  # a lazy translation
    minimum: float | None = None
    maximum: float | None = None
    check: Callable[[Any], None] | None = None  # further rules of a value that is not a number

    def validate(self, value: Any) -> Any:
        if type(value) is not type(self.default) and not (isinstance(self.default, float) and isinstance(value, int)):
            raise ValidationError({self.key: f"{self.key} must be a {type(self.default).__name__}, got {value!r}."})
        if self.minimum is not None and value < self.minimum:
            raise ValidationError({self.key: f"{self.key} must be at least {self.minimum}, got {value}."})
        if self.maximum is not None and value > self.maximum:
            raise ValidationError({self.key: f"{self.key} must be at most {self.maximum}, got {value}."})
        if self.check is not None:
            self.check(value)
        return value


REGISTRY: dict[str, AdjustableValue] = {}


def adjustable(
    key: str, default: Any, *, clause: str, label: str, minimum=None, maximum=None, check=None
) -> AdjustableValue:
    if key in REGISTRY:
        raise RuntimeError(f"Adjustable value {key!r} is declared twice.")
    value = AdjustableValue(key, default, clause, label, minimum, maximum, check)
    REGISTRY[key] = value
    return value
