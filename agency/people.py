"""Who may be named in a person field of a row (an assignee, an owner, a custodian).

One rule for every such field, applied twice: the pickers of forms and API bodies offer only the
people it allows (``person_choices``), and the services refuse anyone else (``check_person_field``).
The rule: the agency's active staff, or people of the row's own client whose
role may act on the resource (``agency.roles.PERMISSIONS``: change or fulfil). A person of another
client, of another agency, or whose membership is inactive is refused, naming the field.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When
from django.forms import ModelChoiceField
from django.utils.translation import gettext as _

from agency.api.filters import scoped_choices
from agency.models import Agency, Membership
from agency.names import by_name, name_columns, named_rows
from agency.roles import CHANGE, CLIENT_ROLES, FULFIL, STAFF_ROLES, role_can


def person_may_be_named(*, agency: Agency, client_id: int | None, user, resource: str) -> bool:
    membership = Membership.objects.filter(agency=agency, user=user, is_active=True).first()
    if membership is None:
        return False
    if membership.role in STAFF_ROLES:
        return True
    return (
        client_id is not None
        and membership.client_id == client_id
        and any(role_can(membership.role, resource, action) for action in (CHANGE, FULFIL))
    )


def check_person_field(*, agency: Agency, client_id: int | None, user, field: str, resource: str) -> None:
    """Raise a ValidationError on ``field`` unless ``user`` (None is allowed: nobody named) may be
    named on a row of ``client_id`` for ``resource``."""
    if user is None:
        return
    if not person_may_be_named(agency=agency, client_id=client_id, user=user, resource=resource):
        raise ValidationError(
            {
                field: _(
                    "%(person)s cannot be named here: choose one of the agency's staff or, where their role "
                    "allows, a person of this row's own client."
                )
                % {"person": user.get_username()}
            }
        )


def people_who_may_be_named(*, agency: Agency, client_id: int | None = None, resource: str | None = None):
    """The people ``person_may_be_named`` allows, as a queryset: the agency's active staff, and,
    for a row of ``client_id``, that client's people whose role may change or fulfil ``resource``."""
    allowed = Q(role__in=list(STAFF_ROLES))
    client_roles = [
        role for role in CLIENT_ROLES if resource and any(role_can(role, resource, a) for a in (CHANGE, FULFIL))
    ]
    if client_id is not None and client_roles:
        allowed |= Q(client_id=client_id, role__in=client_roles)
    members = Membership.objects.filter(allowed, agency=agency, is_active=True).values("user_id")
    return get_user_model().objects.filter(pk__in=members).order_by("username")


def current_person_first(people, actor):
    """``people`` with ``actor``'s own person first (the one a person picks most often), then by
    username."""
    first = Case(When(pk=actor.user.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
    return people.order_by(first, "username")


def person_label(user) -> str:
    """A person as a picker names them: their full name, else their username."""
    return user.get_full_name().strip() or user.get_username()


def person_choices(actor, *, client_id: int | None = None, resource: str | None = None, current=()):
    """What a picker of a person field offers ``actor``: the people who may be named on the row,
    never another client's people or another agency's, the actor first; a client person is offered
    only themself, where allowed. ``current`` (the row's present values) stays choosable, so that
    saving a row unchanged is never refused for a person named before."""
    people = people_who_may_be_named(agency=actor.agency, client_id=client_id, resource=resource)
    if actor.is_client_person:
        people = people.filter(pk=actor.user.pk)
    kept = [pk for pk in current if pk is not None]
    if kept:
        people = get_user_model().objects.filter(Q(pk__in=people.values("pk")) | Q(pk__in=kept))
    return current_person_first(people, actor)


def name_people(field) -> None:
    """Make a person picker show people by name (``person_label``) instead of their username."""
    if getattr(field, "queryset", None) is not None and field.queryset.model is get_user_model():
        field.label_from_instance = person_label


class _ByNameMixin:
    """A choice iterator that reads the rows it offers with only the columns of their names, as
    bare rows where their names read no relation (``agency.names.named_rows``)."""

    def __init__(self, field):
        super().__init__(field)
        self.queryset = by_name(self.queryset)

    def __iter__(self):
        if self.field.to_field_name is not None or name_columns(self.queryset) is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)  # before any query: a widget may read only the first
        for row in named_rows(self.queryset):
            yield self.choice(row)


_BY_NAME_ITERATORS: dict[type, type] = {}


def name_choices(field) -> None:
    """Make a picker among rows cheap to show: people by name (``name_people``), other rows read
    with only the columns their names need (``agency.names.by_name``; the same labels, values and
    HTML). A field that names its rows another way (its own ``label_from_instance``) reads whole
    rows, as the label may read any column. The chosen row is still read whole when the form is
    sent (the field's queryset is unchanged)."""
    name_people(field)
    if not isinstance(field, ModelChoiceField):
        return
    if "label_from_instance" in vars(field) or type(field).label_from_instance is not (
        ModelChoiceField.label_from_instance
    ):
        return
    base = field.iterator
    if issubclass(base, _ByNameMixin):
        return
    if base not in _BY_NAME_ITERATORS:
        _BY_NAME_ITERATORS[base] = type(f"ByName{base.__name__}", (_ByNameMixin, base), {})
    field.iterator = _BY_NAME_ITERATORS[base]
    field.widget.choices = field.choices


def choices_for(model, actor, *, client_id: int | None = None, resource: str | None = None, current=()):
    """The choices of a writable relation in a form or an API body: person fields follow
    ``person_choices``; other rows are those the actor may see (``scoped_choices``)."""
    if model is get_user_model():
        return person_choices(actor, client_id=client_id, resource=resource, current=current)
    return scoped_choices(model, actor)
