"""The PostgreSQL schema editor, which makes tenant tables ready to be distributed by agency.

For a tenant table (``agency.distribution.is_tenant_model``) a migration's operations make:

- its primary key ``(agency_id, id)`` (``CREATE TABLE``, or a primary key made again), with a plain
  index on ``id``;
- a foreign key to another tenant table ``(agency_id, x_id) → parent (agency_id, id)``;

and a later operation finds those constraints again by the field's one column (``AlterField``,
``RemoveField``), as it would find the one-column forms. Django's model state is unchanged (``id``
is the primary key, a foreign key is one column): ``makemigrations`` writes what it always wrote.
Unique constraints keep the model's columns here; ``agency.distribution.make_ready`` puts
``agency_id`` first in them after ``migrate``.
"""

from __future__ import annotations

from django.db.backends.ddl_references import Columns
from django.db.backends.postgresql import schema

from agency.distribution import AGENCY_COLUMN, id_index_name, is_tenant_model


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    def create_model(self, model):
        super().create_model(model)
        if is_tenant_model(model) and model._meta.pk.column != AGENCY_COLUMN:
            for name in self._constraint_names(model, primary_key=True):
                self.execute(self._delete_primary_key_sql(model, name))
            self.execute(self._create_primary_key_sql(model, model._meta.pk))

    def _create_primary_key_sql(self, model, field):
        statement = super()._create_primary_key_sql(model, field)
        if is_tenant_model(model) and field.column != AGENCY_COLUMN:
            table = model._meta.db_table
            statement.parts["columns"] = Columns(table, [AGENCY_COLUMN, field.column], self.quote_name)
            if field.column == "id":
                index = self.quote_name(id_index_name(table))
                self.deferred_sql.append(f"CREATE INDEX IF NOT EXISTS {index} ON {self.quote_name(table)} (id)")
        return statement

    def _tenant_to_tenant(self, model, field) -> bool:
        target = field.target_field
        return (
            is_tenant_model(model)
            and is_tenant_model(target.model)
            and AGENCY_COLUMN not in (field.column, target.column)
        )

    def _to_tenant_from_elsewhere(self, model, field) -> bool:
        return not is_tenant_model(model) and is_tenant_model(field.target_field.model)

    def _create_fk_sql(self, model, field, suffix):
        if self._to_tenant_from_elsewhere(model, field):
            # A reference or local table cannot point at a distributed one: no constraint is made
            # (tests/agency/test_distribution_ready.py refuses such a model field; 0001's
            # Membership.client, since gone from the models, is the one in the migrations).
            return None
        statement = super()._create_fk_sql(model, field, suffix)
        if self._tenant_to_tenant(model, field):
            table, to_table = model._meta.db_table, field.target_field.model._meta.db_table
            statement.parts["column"] = Columns(table, [AGENCY_COLUMN, field.column], self.quote_name)
            statement.parts["to_column"] = Columns(
                to_table, [AGENCY_COLUMN, field.target_field.column], self.quote_name
            )
        return statement

    def execute(self, sql, params=()):
        if sql is None:  # a foreign key not made (``_create_fk_sql``)
            return None
        return super().execute(sql, params)

    def add_field(self, model, field):
        # A foreign key between tenant tables is made after the column (``_create_fk_sql``), not
        # inline, where PostgreSQL's syntax has room for one column only.
        if (
            field.remote_field
            and field.db_constraint
            and (self._tenant_to_tenant(model, field) or self._to_tenant_from_elsewhere(model, field))
        ):
            inline, self.sql_create_column_inline_fk = self.sql_create_column_inline_fk, None
            try:
                return super().add_field(model, field)
            finally:
                self.sql_create_column_inline_fk = inline
        return super().add_field(model, field)

    def _constraint_names(self, model, column_names=None, unique=None, primary_key=None, foreign_key=None, **kwargs):
        names = super()._constraint_names(
            model, column_names, unique=unique, primary_key=primary_key, foreign_key=foreign_key, **kwargs
        )
        if (
            not names
            and column_names
            and (unique or foreign_key)
            and AGENCY_COLUMN not in column_names
            and is_tenant_model(model)
        ):
            # The key as the distributable schema has it: the same columns after agency_id.
            names = super()._constraint_names(
                model,
                [AGENCY_COLUMN, *column_names],
                unique=unique,
                primary_key=primary_key,
                foreign_key=foreign_key,
                **kwargs,
            )
        return names
