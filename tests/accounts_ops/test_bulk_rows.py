"""The rows of the bulk endpoints, declared once (``accounts_ops.api.imports_rows``): what the OpenAPI schema
states of a row's values is what the server refuses, value by value; a request whose values break
it is refused naming each, with what the service finds in its rows besides; a clean request is
stored."""

from __future__ import annotations

import datetime as dt
import re

import jsonschema
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts_ops.api.imports_rows import (
    AccountMetricRowSerializer,
    AudienceSnapshotRowSerializer,
    CommentRowSerializer,
    HotTopicRowSerializer,
    VideoMetricRowSerializer,
)
from accounts_ops.api.imports_schema import check_rows
from accounts_ops.models import AccountDailyMetric, VideoDailyMetric
from tests.factories import PlatformAccountFactory, VideoFactory

ROWS = {
    "AccountMetricRowRequest": AccountMetricRowSerializer,
    "VideoMetricRowRequest": VideoMetricRowSerializer,
    "CommentRowRequest": CommentRowSerializer,
    "HotTopicRowRequest": HotTopicRowSerializer,
    "AudienceSnapshotRowRequest": AudienceSnapshotRowSerializer,
}

# RFC 3339's date-time, written out here (the schema's ``format``), independently of the check's.
RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", re.ASCII)
formats = jsonschema.FormatChecker(formats=())


@formats.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    return (
        not isinstance(value, str)
        or bool(re.fullmatch(r"\d{4}-\d\d-\d\d", value, re.ASCII))
        and bool(dt.date.fromisoformat(value))
    )


@formats.checks("date-time", raises=ValueError)
def _is_moment(value) -> bool:
    if not isinstance(value, str):
        return True
    return bool(RFC3339.fullmatch(value)) and bool(dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00")))


# Values of every JSON type and of the text forms the rows read, hostile ones among them.
PROBES = [
    0,
    1,
    -1,
    7,
    2**31,
    2**63,
    10**16,
    0.0,
    0.5,
    1.0,
    1.5,
    -0.5,
    1e300,
    True,
    False,
    "",
    " ",
    "0",
    "12",
    "1,234",
    "1.2万",
    "abc",
    "@shop",
    "local-1",
    " local-1",
    "id\x00-1",
    "id\x1b-1",
    "id\x85",
    "\u3000",
    "a\u00a0b",
    "x" * 101,
    "x" * 129,
    "评" * 2001,
    "2026-01-05",
    "2026/01/05",
    "20260105",
    "2026-02-30",
    "2026-01-05T20:00:00+08:00",
    "2026-01-05T20:00:00Z",
    "2026-01-05 20:00:00",
    "2026-01-05T20:00:00",
    "35.2%",
    "100%",
    "101%",
    "0.5",
    "douyin",
    "抖音",
    "Douyin",
    "https://example.com/a",
    "http://",
    "ftp://example.com",
    [],
    [1],
    [{"item": "male", "value": 48}],
    [{"item": "", "value": 48}],
    [{"item": "male"}],
    {},
    {"male": 0.48, "female": 0.52},
    {"male": "48%"},
    {"male": -1},
]


def property_schema(openapi, component: str, name: str) -> dict:
    """A row field's schema as JSON Schema (OpenAPI 3.0's ``nullable`` as JSON Schema says it)."""
    schema = dict(openapi["components"]["schemas"][component]["properties"][name])
    if "$ref" in str(schema):
        ref = schema.pop("allOf")[0]["$ref"].rsplit("/", 1)[1]
        schema.update(openapi["components"]["schemas"][ref])
    return schema


@pytest.mark.parametrize("component", list(ROWS))
def test_the_schema_and_the_check_agree_on_every_value(openapi, component):
    """For every field of every kind of row and every probe value: the schema takes the value if
    and only if the server's check of it does (``null`` is a value left out, taken by both when
    the field may be left out)."""
    row = ROWS[component]
    disagreements = []
    for name in row().fields:
        validator = jsonschema.Draft4Validator(property_schema(openapi, component, name), format_checker=formats)
        for value in PROBES:
            stated = validator.is_valid(value)
            checked = not check_rows(row, [{name: value}])
            if stated != checked:
                disagreements.append(f"{name}={value!r}: schema {stated}, check {checked}")
    assert not disagreements, "\n".join(disagreements)


def test_a_row_component_states_its_fields_and_takes_other_keys(openapi):
    schema = openapi["components"]["schemas"]["AccountMetricRowRequest"]
    assert schema["additionalProperties"] is True  # the platform's names (``new_play``), ignored ones
    assert schema["required"] == ["date"]
    figures = schema["allOf"][0]["anyOf"]
    assert [group["required"] for group in figures] == [[name] for name in AccountDailyMetric.COUNTS]
    body = openapi["components"]["schemas"]["AccountMetricsBulkRequest"]
    assert body["properties"]["rows"]["maxItems"] == 10_000
    naming = body["anyOf"][1]["properties"]["rows"]["items"]["anyOf"]
    assert [group["required"] for group in naming] == [["account"], ["handle"]]


def yesterday(world) -> str:
    return (timezone.localdate(timezone=world.agency_a.tz) - dt.timedelta(days=1)).isoformat()


def test_values_of_the_wrong_type_are_named_with_the_services_problems(world, api):
    """One answer names every problem of every row: the values the schema refuses (a count
    written as text, a date in another form) and what the service finds (an unknown account)."""
    account = PlatformAccountFactory(client=world.client_a1)
    day = yesterday(world)
    rows = [
        {"account": account.pk, "date": day, "new_play": "12"},
        {"account": 999_999, "date": "2026-01-02", "new_play": 5},
        {"account": account.pk, "date": "2026/01/03", "new_play": 5},
        {"account": account.pk, "date": "2026-01-04", "new_play": -5},
    ]
    response = api(world.staff_a).post(reverse("accountdailymetric-bulk"), {"rows": rows}, format="json")
    assert response.status_code == 400, response.content
    fields = response.json()["error"]["fields"]
    assert fields["rows[0].plays"] == ["give a whole number"]
    assert fields["rows[1].account"] == ["account 999999 does not exist in this agency"]
    assert fields["rows[2].date"] == ["give a date as YYYY-MM-DD"]
    assert fields["rows[3].plays"] == ["-5 is negative; counts cannot be"]  # the service's words
    assert not AccountDailyMetric.dangerously_all_agencies.exists()


def test_a_field_the_service_does_not_read_is_still_held_to_its_schema(world, api):
    """A video named by id needs no account; an account given all the same must still be an id."""
    video = VideoFactory(account=PlatformAccountFactory(client=world.client_a1))
    row = {"video": video.pk, "account": 0, "date": yesterday(world), "play": 5}
    response = api(world.staff_a).post(reverse("videodailymetric-bulk"), {"rows": [row]}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["rows[0].video"]  # (an account names its video)
    row["account"] = video.account_id
    response = api(world.staff_a).post(reverse("videodailymetric-bulk"), {"rows": [row]}, format="json")
    assert response.status_code == 201, response.content
    assert VideoDailyMetric.dangerously_all_agencies.get().plays == 5


def test_a_clean_request_in_the_platforms_names_is_stored(world, api):
    account = PlatformAccountFactory(client=world.client_a1, handle="shop")
    rows = [
        {"handle": "@shop", "date": yesterday(world), "new_play": 10, "total_fans": 300},
        {"account": account.pk, "date": "2026-01-02", "plays": 4, "unknown": "ignored"},
    ]
    response = api(world.staff_a).post(reverse("accountdailymetric-bulk"), {"rows": rows}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2
