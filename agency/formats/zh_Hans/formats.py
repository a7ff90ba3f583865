"""Simplified Chinese formats: Django's, with thousands grouped by three and a comma (186,000), as
Unicode CLDR writes Chinese numbers and as the charts' Intl.NumberFormat shows them; Django's own
zh_Hans formats group nothing, which makes large counts hard to read."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
