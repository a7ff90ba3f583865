"""What a bulk row's fields state of its values, applied twice: the check of a request's rows
against it (``check_rows``, which ``accounts_ops.api.imports_rows.BulkRequestSerializer`` reads a
request with), and the OpenAPI schema of the rows and the bulk requests (``BulkRowSchema``,
``BulkRequestSchema``).

The check goes column by column over the rows that share their keys (the rows of one request do),
asking each field (``accounts_ops.api.imports_fields.RowField``) whether its column is plainly
clean at once, and only where it is not, value by value: a request of 10,000 rows is checked in
milliseconds (``BENCHMARKS.md``).

The schema extensions register when this module is imported, and ``imports_rows`` imports it (for
``check_rows``): wherever the serializers they describe are loaded, so are they."""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING

from drf_spectacular.extensions import OpenApiSerializerExtension

from accounts_ops.api.imports_fields import NONE, RowField, RowText
from accounts_ops.platform_fields import spelling_key
from accounts_ops.services.common import ROWS_KEY, RowProblem

if TYPE_CHECKING:
    from accounts_ops.api.imports_rows import BulkRowSerializer

# --- the check of the JSON types --------------------------------------------------------------

_PLANS: dict[tuple[type, tuple], list[tuple[str, str, RowField]]] = {}
PLANS_KEPT = 512


def _plan(row: type[BulkRowSerializer], keys: tuple) -> list[tuple[str, str, RowField]]:
    """(key as given, our name, field) for each key of ``keys`` that is a field of ``row``."""
    plan = _PLANS.get((row, keys))
    if plan is None:
        fields = _row_fields(row)
        aliases = row.aliases()
        plan = []
        for key in keys:
            ours = key if key in fields else aliases.get(key) or aliases.get(spelling_key(key))
            if ours in fields:
                plan.append((key, ours, fields[ours]))
        if len(_PLANS) >= PLANS_KEPT:  # key sets are the client's: keep a bounded number
            _PLANS.clear()
        _PLANS[(row, keys)] = plan
    return plan


_FIELDS: dict[type, dict[str, RowField]] = {}


def _row_fields(row: type[BulkRowSerializer]) -> dict[str, RowField]:
    if row not in _FIELDS:
        _FIELDS[row] = {name: field for name, field in row().fields.items() if isinstance(field, RowField)}
    return _FIELDS[row]


def check_rows(row: type[BulkRowSerializer], rows: list) -> list[RowProblem]:
    """What is wrong with the values of ``rows`` as their fields' schema states them
    (``RowField.problem``), column by column over the rows that share their keys; ``null`` is a
    value left out. A row that is not an object is the service's to name."""
    groups: dict[tuple, list[int]] = {}
    for index, raw in enumerate(rows):
        if type(raw) is dict:
            groups.setdefault(tuple(raw), []).append(index)
    problems: list[RowProblem] = []
    for keys, indices in groups.items():
        group = rows if len(indices) == len(rows) else [rows[index] for index in indices]
        for key, ours, field in _plan(row, keys):
            column = list(map(itemgetter(key), group))
            if field.column_clean(column):
                continue  # the common case: a column plainly clean, at once
            try:  # each value once (a date, a share repeats down a column); by type: 1, 1.0 and True differ
                distinct = set(zip(map(type, column), column, strict=True))
                said = {given: field.problem(given[1]) for given in distinct if given[0] is not NONE}
            except TypeError:  # an object or a list (a portrait's dimension): one by one
                said = None
            if said is not None and not any(said.values()):
                continue
            name = row.reported_as.get(ours, ours)
            for index, value in zip(indices, column, strict=True):
                if value is not None:
                    problem = said[(type(value), value)] if said is not None else field.problem(value)
                    if problem is not None:
                        problems.append(RowProblem(index, name, problem))
    problems.sort(key=lambda problem: problem.index)
    return problems


# --- the schema -------------------------------------------------------------------------------


def _given(prop: dict) -> dict:
    """A field's schema for a value given: not ``null`` (a value left out), and for text not
    empty (which names nothing)."""
    given = {key: value for key, value in prop.items() if key not in ("nullable", "description", "title")}
    if given.get("type") == "string" and "enum" not in given:
        given["minLength"] = max(1, given.get("minLength", 0))
    return given


def _one_of(properties: dict, groups) -> dict:
    """At least one whole group of the fields ``groups`` given."""
    return {
        "anyOf": [
            {"required": list(group), "properties": {name: _given(properties[name]) for name in group}}
            for group in groups
        ]
    }


def row_schema(auto_schema, row: type[BulkRowSerializer], direction) -> dict:
    """The schema of ``row`` (``BulkRowSchema``)."""
    schema = auto_schema._map_serializer(row(), direction, bypass_extensions=True)
    properties = schema["properties"]
    for name, field in _row_fields(row).items():
        if isinstance(field, RowText):
            prop = {"type": "string", "maxLength": field.max_length}
            if field.pattern is not None:
                prop["pattern"] = field.pattern
            if field.allow_null:
                prop["nullable"] = True
            if properties[name].get("description"):
                prop["description"] = properties[name]["description"]
            properties[name] = prop
    schema["additionalProperties"] = True
    if row.figures:
        schema["allOf"] = [_one_of(properties, [(name,) for name in row.figures])]
    return schema


class BulkRowSchema(OpenApiSerializerExtension):
    """A row's schema: its fields as the check reads them (``RowField.problem``: an id's or a
    link's pattern, a free text's), at least one of its ``figures`` given, and keys besides its
    fields taken (the platform's names; others are ignored). Which fields name its account, video
    or platform is the request's (``BulkRequestSchema``)."""

    target_class = "accounts_ops.api.imports_rows.BulkRowSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        row = self.target if isinstance(self.target, type) else type(self.target)
        return row_schema(auto_schema, row, direction)


BODY_TYPES = {"account": "integer", "platform": "string"}


class BulkRequestSchema(OpenApiSerializerExtension):
    """A bulk request: each row names its account (or video, or platform) by a whole group of its
    ``one_of``, unless the body gives the account (or platform) of rows that name none; then a
    row naming its video by item id needs no account."""

    target_class = "accounts_ops.api.imports_rows.BulkRequestSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        serializer = self.target if isinstance(self.target, type) else type(self.target)
        row = serializer._declared_fields[ROWS_KEY].row
        if not row.one_of:
            return schema
        row_properties = row_schema(auto_schema, row, direction)["properties"]
        body_field = "platform" if "platform" in serializer._declared_fields else "account"
        # (given, not null: OpenAPI 3.0's schema is not nullable unless it says so)
        body_given = {"required": [body_field], "properties": {body_field: {"type": BODY_TYPES[body_field]}}}
        with_body = tuple({tuple(name for name in group if name != body_field) for group in row.one_of})
        if all(with_body):
            body_given["properties"][ROWS_KEY] = {"items": _one_of(row_properties, sorted(with_body))}
        schema["anyOf"] = [body_given, {"properties": {ROWS_KEY: {"items": _one_of(row_properties, row.one_of)}}}]
        return schema
