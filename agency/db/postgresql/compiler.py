"""The PostgreSQL query compilers, grouping a tenant table's rows by its whole primary key.

Django groups an aggregate's rows by the primary key of each selected table alone, leaving out its
other columns, which PostgreSQL allows when they depend on the table's primary key. A tenant table's
primary key is ``(agency_id, id)`` in the database (``agency.distribution``), so the agency column
is kept in the GROUP BY beside ``id``: the grouping is the same (``id`` is unique), and PostgreSQL
sees the whole key."""

from __future__ import annotations

from django.db.backends.postgresql.compiler import (
    SQLAggregateCompiler,
    SQLDeleteCompiler,
    SQLInsertCompiler,
    SQLUpdateCompiler,
)
from django.db.backends.postgresql.compiler import SQLCompiler as PostgreSQLCompiler

from agency.distribution import AGENCY_COLUMN, is_tenant_model

__all__ = [
    "SQLAggregateCompiler",
    "SQLCompiler",
    "SQLDeleteCompiler",
    "SQLInsertCompiler",
    "SQLUpdateCompiler",
]


class SQLCompiler(PostgreSQLCompiler):
    def collapse_group_by(self, expressions, having):
        collapsed = list(super().collapse_group_by(expressions, having))
        for expression in list(collapsed):
            target = getattr(expression, "target", None)
            alias = getattr(expression, "alias", None)
            if target is None or alias is None or not target.primary_key or target.column == AGENCY_COLUMN:
                continue
            model = target.model
            if not is_tenant_model(model):
                continue
            agency = next(f for f in model._meta.concrete_fields if f.column == AGENCY_COLUMN)
            column = agency.get_col(alias)
            if column not in collapsed:
                collapsed.append(column)
        return collapsed
