"""Database constraints that answer people, not the database.

Every check (and conditional unique) constraint of the project states its rule as a
``violation_error_message`` in the person's language, and names the field the rule is about with
``on_field``. ``Model.full_clean()`` — which every service, ``TenantModelForm`` and
``TenantModelSerializer`` run before writing — then refuses a row that breaks it with that message
on that field (a form's field error, the API's ``fields``), before the database is asked. Django's
own text for a constraint without a message ("Constraint “…” is violated.") never reaches anyone:
``tests/agency/test_constraint_messages.py`` checks that every check constraint has its message.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import router
from django.db.models import BaseConstraint, UniqueConstraint

# Constraint name -> the field its violation is reported on. Kept beside the constraint rather
# than on it: Django clones the constraints of a model's Meta (through ``deconstruct()``), and the
# migrations and the database need not know. Constraint names are unique in a database.
ERROR_FIELDS: dict[str, str] = {}


def on_field(field: str, constraint: BaseConstraint) -> BaseConstraint:
    """``constraint``, whose violation is reported on ``field``."""
    ERROR_FIELDS[constraint.name] = field
    return constraint


def error_field(constraint: BaseConstraint, error: ValidationError) -> str:
    """Where a violation of ``constraint`` is reported: the field it names, else (Django's rule)
    the one field of a single-field unique constraint, else the whole row."""
    field = ERROR_FIELDS.get(constraint.name)
    if field:
        return field
    is_unique = isinstance(constraint, UniqueConstraint) and getattr(error, "code", None) == "unique"
    if is_unique and len(constraint.fields) == 1:
        return constraint.fields[0]
    return NON_FIELD_ERRORS


def validate_constraints(instance, exclude=None) -> None:
    """``Model.validate_constraints`` with each violation on its field (see ``on_field``)."""
    using = router.db_for_write(type(instance), instance=instance)
    errors: dict[str, list[ValidationError]] = {}
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            try:
                constraint.validate(model_class, instance, exclude=exclude, using=using)
            except ValidationError as error:
                errors.setdefault(error_field(constraint, error), []).append(error)
    if errors:
        raise ValidationError(errors)
