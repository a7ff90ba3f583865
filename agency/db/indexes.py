"""Indexes whose kind depends on the database."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db import models

AGENCY_OPCLASS = "int8_ops"  # btree_gin's GIN operator class for the bigint agency id
TRIGRAM_OPCLASS = "gin_trgm_ops"  # pg_trgm: any part of a word, Chinese included, from 3 characters


class TrigramIndex(GinIndex):
    """Search by any part of a word (issue 22, search), inside one agency.

    On PostgreSQL one GIN index over the agency (btree_gin) and the text columns (pg_trgm), so that
    ``agency_id = … AND col ILIKE '%…%'`` is answered inside the index for that agency alone; the
    extensions are enabled by ``agency/migrations/0010_search_extensions``. Elsewhere (SQLite, the
    embedded default, which searches more simply) a plain index on the same columns.

    Declared ``TrigramIndex(fields=["agency", "title", ...], name=...)``: the agency comes first, as
    every tenant index (tests/agency/test_architecture.py), and the operator classes follow from
    the fields.
    """

    def __init__(self, *, fields, name, **kwargs):
        fields = list(fields)
        if not fields or fields[0] != "agency" or len(fields) < 2:
            raise ValueError("A TrigramIndex starts with the agency, then names the text columns it searches.")
        kwargs.pop("opclasses", None)
        opclasses = [AGENCY_OPCLASS] + [TRIGRAM_OPCLASS] * (len(fields) - 1)
        super().__init__(fields=fields, name=name, opclasses=opclasses, **kwargs)

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            plain = models.Index(fields=self.fields, name=self.name)
            return plain.create_sql(model, schema_editor, using=using, **kwargs)
        return super().create_sql(model, schema_editor, using=using, **kwargs)
