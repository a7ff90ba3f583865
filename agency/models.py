"""The tenant core: Agency (the tenant), Membership (a person's role in one agency), and the
base every tenant row derives from (``TenantModel``), whose default manager fails closed."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, sql
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agency.adjustable import REGISTRY, AdjustableValue
from agency.constraints import on_field
from agency.constraints import validate_constraints as validate_constraints_on_fields
from agency.db.routers import CROSSING, crossing_configured
from agency.roles import CLIENT_ROLES, Role
from agency.tenancy import (
    ALL_AGENCIES_MARK,
    Actor,
    TenantContextMissing,
    TenantMismatch,
    all_agencies_active,
    current_actor,
    current_agency,
    dangerously_all_agencies,
    tenant_context,
)


def validate_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Agency(models.Model):
    """The operator (运营方): the tenant. Everything the product stores belongs to one agency."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone])
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    settings = models.JSONField(
        _("settings"), default=dict, blank=True, help_text=_("The agency's values for the standard's adjustable rules.")
    )
    require_two_step_for_staff = models.BooleanField(
        _("two-step sign-in required for all staff"),
        default=False,
        help_text=_("Agency admins always sign in with two steps; on, every staff person of the agency does too."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self) -> dt.date:
        """The agency's date now: its days, deadlines and years are in its own time zone, not UTC."""
        return timezone.localdate(timezone=self.tz)

    def now(self) -> dt.datetime:
        """This moment on the agency's clock (in its time zone)."""
        return timezone.localtime(timezone=self.tz)

    def setting(self, value: AdjustableValue):
        return self.settings.get(value.key, value.default)

    def clean(self) -> None:
        errors = {}
        for key, raw in (self.settings or {}).items():
            if key not in REGISTRY:
                errors[key] = f"Unknown setting {key!r}."
                continue
            try:
                REGISTRY[key].validate(raw)
            except ValidationError as exc:
                errors[key] = exc.messages
        if errors:
            raise ValidationError({"settings": [f"{k}: {v}" for k, v in errors.items()]})


_client_model: type[models.Model] | None = None


def register_client_model(model: type[models.Model]) -> None:
    """Called by the app that defines the agencies' clients (``clients``, at ready()): the core
    confines a client person to the id of one of its rows and asks it no more than that."""
    global _client_model
    _client_model = model


def client_model() -> type[models.Model]:
    if _client_model is None:
        raise LookupError("No app registered the client model (agency.models.register_client_model).")
    return _client_model


class Membership(models.Model):
    """A person's role in one agency. Client people also name the one client they belong to.

    The client is kept as its id (``client_id``), the scope row-level security and every tenant
    queryset confine a client person to: the core knows no app above it, not even by a foreign
    key. The app of the clients owns the rest: it registers its model (``register_client_model``)
    and deletes a client's people with the client; ``clean`` refuses a client of another agency.
    The database keeps no foreign key from here to the client table: memberships are a reference
    table once the database is distributed by agency, which cannot point at a tenant table
    (``agency.distribution``, migration 0013)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    client_id = models.BigIntegerField(
        _("client"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Only for client people: the client whose data they see."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            on_field(
                "user",
                models.UniqueConstraint(
                    fields=["user", "agency"],
                    name="membership_one_per_agency",
                ),
            ),
            on_field(
                "client_id",
                models.CheckConstraint(
                    condition=(
                        Q(role__in=sorted(CLIENT_ROLES), client_id__isnull=False)
                        | (~Q(role__in=sorted(CLIENT_ROLES)) & Q(client_id__isnull=True))
                    ),
                    name="membership_client_iff_client_role",
                    violation_error_code="membership_client_iff_client_role",
                    violation_error_message=_("Client people are linked to one client, and staff to none."),
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.get_role_display()})"

    @property
    def is_client_person(self) -> bool:
        return self.role in CLIENT_ROLES

    @property
    def client(self):
        """The client row of a client person (None for staff), read like a foreign key would be."""
        if self.client_id is None:
            return None
        cached = self.__dict__.get("_client")
        if cached is None or cached.pk != self.client_id:
            cached = client_model()._base_manager.filter(pk=self.client_id).first()
            self.__dict__["_client"] = cached
        return cached

    @client.setter
    def client(self, value) -> None:
        self.client_id = value.pk if value is not None else None
        self.__dict__["_client"] = value

    def clean(self) -> None:
        if self.role in CLIENT_ROLES and not self.client_id:
            raise ValidationError({"client_id": _("Client people must be linked to one client.")})
        if self.role not in CLIENT_ROLES and self.client_id:
            raise ValidationError({"client_id": _("Only client people are linked to a client.")})
        if self.client_id and self.agency_id:
            with within_agency(self.agency_id):
                known = client_model().objects.filter(pk=self.client_id).exists()
            if not known:
                raise ValidationError({"client_id": _("The client belongs to another agency.")})

    def validate_constraints(self, exclude=None) -> None:
        validate_constraints_on_fields(self, exclude=exclude)

    def as_actor(self) -> Actor:
        return Actor(user=self.user, agency=self.agency, membership=self)


class PersonPreferences(models.Model):
    """What a person chose for themselves, in every agency they work in: the language of the pages
    (blank: not chosen, the browser's language or Simplified Chinese applies). Saved by the language
    switch, applied on each of their requests by ``agency.middleware.PersonLanguageMiddleware``."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person's preferences")
        verbose_name_plural = _("people's preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'})"


def within_agency(agency_id: int):
    """Reads inside agency ``agency_id`` alone, on the application's own connection and in its open
    transaction, as its staff see it (no client person's limit): how a row's checks find its
    parents, where the escape hatch would read other agencies' rows (and, on the crossing role's
    own connection, would not see the rows this transaction has just written)."""
    agency = current_agency()
    if agency is None or agency.pk != agency_id:
        agency = Agency.objects.get(pk=agency_id)
    return tenant_context(agency)


class TenantQuery(sql.Query):
    """A query that knows whether it was made with no agency in context (building one is
    harmless, as libraries build querysets at import time; running one raises, unless it is a
    ``.none()`` that reads nothing), or through the named escape hatch (its SQL then carries
    ``ALL_AGENCIES_MARK``)."""

    tenant_pending = False
    all_agencies = False

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        _refuse_if_pending(self)
        compiler = super().get_compiler(using, connection, elide_empty)
        if self.all_agencies:
            as_sql = compiler.as_sql

            def marked_as_sql(*args, **kwargs):
                sql_text, params = as_sql(*args, **kwargs)
                return (ALL_AGENCIES_MARK + sql_text if sql_text else sql_text), params

            compiler.as_sql = marked_as_sql
        return compiler


def _refuse_if_pending(query) -> None:
    if getattr(query, "tenant_pending", False) and not all_agencies_active() and not query.is_empty():
        raise TenantContextMissing(
            f"{query.model.__name__} queried with no agency in context. Use tenant_context(agency), "
            "or the named escape hatch dangerously_all_agencies for platform work."
        )


class TenantQuerySet(models.QuerySet):
    def visible_to(self, actor: Actor) -> TenantQuerySet:
        """The rows ``actor`` may see: its agency's, and for client people only its client's."""
        qs = self.filter(agency_id=actor.agency.pk)
        qs.query.tenant_pending = False
        if actor.is_client_person:
            path = self.model.tenant_client_path
            if path is None:
                return qs.none()
            qs = qs.filter(**{path: actor.client_id})
        return qs

    # Updates and deletes swap the query's class, so they check (and honour the escape hatch)
    # before they run.
    def _guarded(self, method, *args, **kwargs):
        _refuse_if_pending(self.query)
        if getattr(self.query, "all_agencies", False):
            with dangerously_all_agencies():
                return method(*args, **kwargs)
        return method(*args, **kwargs)

    def update(self, **kwargs):
        return self._guarded(super().update, **kwargs)

    def _update(self, values):
        return self._guarded(super()._update, values)

    def delete(self):
        return self._guarded(super().delete)

    def _raw_delete(self, using):
        return self._guarded(super()._raw_delete, using)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Fails closed: inside ``tenant_context(agency)`` every query is limited to that agency; with
    no agency in context a query raises when it runs, instead of returning every agency's rows."""

    def get_queryset(self) -> TenantQuerySet:
        qs = self._queryset_class(model=self.model, query=TenantQuery(self.model), using=self._db, hints=self._hints)
        if all_agencies_active():
            return qs
        agency = current_agency()
        if agency is None:
            qs.query.tenant_pending = True
            return qs
        return qs.filter(agency_id=agency.pk)


class AllAgenciesManager(models.Manager.from_queryset(TenantQuerySet)):
    """The escape hatch: every agency's rows, read as the crossing role (the one role row-level
    security lets past every agency). For the platform admin, migrations, fan-out jobs and look-ups
    that find a row's agency (webhooks, public links); never for a check inside one agency."""

    def get_queryset(self) -> TenantQuerySet:
        query = TenantQuery(self.model)
        query.all_agencies = True
        # On the crossing role's own connection when it has one (agency.db.routers); otherwise on
        # default, whose backend runs the marked statement as the crossing role.
        using = self._db or (CROSSING if crossing_configured() else None)
        return self._queryset_class(model=self.model, query=query, using=using, hints=self._hints)


@dataclass(frozen=True)
class SameClient:
    """One parent relation whose client a row must share (``TenantModel.same_client_as``), when
    the error says more than "The <parent> belongs to another client." or names another field."""

    relation: str
    message: str | None = None
    error_on: str | None = None  # the field the error is put on (default: the relation)


class TenantModel(models.Model):
    """Base of every row that belongs to an agency: the agency on the row itself, timestamps, and
    who created and last changed it.

    ``tenant_client_path`` is the lookup from this model to its client's id (``"client_id"`` by
    default; ``"pk"`` for the client itself; ``None`` for agency-internal rows no client person sees).

    ``same_client_as`` names the parent relations whose client this row (which carries ``client``)
    must share, as relation names or ``SameClient`` entries; ``clean`` checks them, and a new row
    given no client takes its parent's (``take_client_from_parents``).
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects = TenantManager()
    dangerously_all_agencies = AllAgenciesManager()

    tenant_client_path: str | None = "client_id"
    same_client_as: tuple[str | SameClient, ...] = ()
    # The relations a row's name (``__str__``) reads: rows listed by their names (the choices of a
    # form or a list's filter, the records named in the audit trail) are read with them, in the
    # same query, not one query per row.
    name_related: tuple[str, ...] = ()
    # The columns a row's name reads, its relations' as ``"project__title"`` (with the relation
    # itself, ``"project"``): a list of rows offered by name (the choices of a form or a list's
    # filter, thousands of videos) reads only these (``agency.names.by_name``). Empty: whole rows are read.
    name_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.take_client_from_parents()
        agency = current_agency()
        if self.agency_id is None:
            if agency is None:
                raise TenantContextMissing(f"Cannot save a {type(self).__name__} with no agency in context.")
            self.agency = agency
        elif agency is not None and agency.pk != self.agency_id and not all_agencies_active():
            raise TenantMismatch(f"{type(self).__name__} of agency {self.agency_id} saved inside agency {agency.pk}.")
        actor = current_actor()
        if actor is not None:
            if self._state.adding and self.created_by_id is None:
                self.created_by = actor.user
            self.updated_by = actor.user
        with self._own_agency_context():
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with self._own_agency_context():
            return super().delete(*args, **kwargs)

    def refresh_from_db(self, *args, **kwargs):
        with self._own_agency_context():
            return super().refresh_from_db(*args, **kwargs)

    def within_own_agency(self):
        """Reads inside this row's agency alone (its checks of its parents), on the application's
        own connection: see ``within_agency``."""
        agency_id = self.agency_id or getattr(current_agency(), "pk", None)
        if agency_id is None:
            raise TenantContextMissing(f"A {type(self).__name__} with no agency has no parents to check.")
        return within_agency(agency_id)

    def _own_agency_context(self):
        """A row saved or deleted with no agency in context (the platform admin, a seed) is written
        inside its own agency, so the database's row-level security sees whose row it is."""
        if current_agency() is None and not all_agencies_active():
            return tenant_context(self.agency)
        return nullcontext()

    def take_client_from_parents(self) -> None:
        """A new row whose client is required and not given takes the client of its first parent
        named in ``same_client_as`` that has one (a session's segment, its session's): the
        services need not copy it. Run before validation and before saving."""
        if not self.same_client_as or not self._state.adding:
            return
        field = next((f for f in self._meta.concrete_fields if f.name == "client"), None)
        if field is None or field.null or getattr(self, field.attname) is not None:
            return
        for entry in self.same_client_as:
            relation = entry.relation if isinstance(entry, SameClient) else entry
            if getattr(self, self._meta.get_field(relation).attname) is None:
                continue
            parent = getattr(self, relation)
            if getattr(parent, "client_id", None) is None:
                continue
            if parent._meta.get_field("client").is_cached(parent):
                setattr(self, field.name, parent.client)  # the row as the parent holds it: no query
            else:
                setattr(self, field.attname, parent.client_id)
            return

    def full_clean(self, *args, **kwargs) -> None:
        self.take_client_from_parents()
        super().full_clean(*args, **kwargs)

    def validate_constraints(self, exclude=None) -> None:
        # Each rule's message on its field, before the database is asked (agency.constraints).
        validate_constraints_on_fields(self, exclude=exclude)

    def clean(self) -> None:
        """A foreign key may only point at a row of the same agency; the parents named in
        ``same_client_as`` belong to the row's client."""
        super().clean()
        agency_id = self.agency_id or getattr(current_agency(), "pk", None)
        errors = {}
        for field in self._meta.concrete_fields:
            if not field.is_relation or field.name == "agency":
                continue
            related_model = field.related_model
            if not (isinstance(related_model, type) and issubclass(related_model, TenantModel)):
                continue
            target_id = getattr(self, field.attname)
            if target_id is None:
                continue
            if agency_id is None:
                known = False
            else:
                with within_agency(agency_id):
                    known = related_model.objects.filter(pk=target_id).exists()
            if not known:
                errors[field.name] = _("%(model)s %(id)s does not exist in this agency.") % {
                    "model": related_model._meta.verbose_name,
                    "id": target_id,
                }
        if errors:
            raise ValidationError(errors)
        self._clean_same_client()

    def _clean_same_client(self) -> None:
        agency_id = self.agency_id or getattr(current_agency(), "pk", None)
        if not self.same_client_as or not self.client_id or agency_id is None:
            return
        errors = {}
        for entry in self.same_client_as:
            rule = entry if isinstance(entry, SameClient) else SameClient(entry)
            field = self._meta.get_field(rule.relation)
            parent_id = getattr(self, field.attname)
            if parent_id is None:
                continue
            with within_agency(agency_id):
                owner = field.related_model.objects.filter(pk=parent_id).values_list("client_id", flat=True).first()
            if owner is not None and owner != self.client_id:
                message = rule.message or _("The %(parent)s belongs to another client.") % {
                    "parent": field.verbose_name
                }
                errors.setdefault(rule.error_on or rule.relation, message)
        if errors:
            raise ValidationError(errors)


class TaskOutbox(models.Model):
    """A task to send, written in the same transaction as the write that asks for it (the
    transactional outbox). It is sent as soon as that transaction commits; if the broker cannot
    take it then, the periodic relay sends it later, so a committed write never loses its task.

    A system table, not a tenant table: the relay reads every agency's unsent rows, and a row holds
    no tenant content, only a task's name and the ids it is called with (see docs/operations.md).
    """

    task = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("agency")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # Noted by the worker that runs the task (agency.background): the relay sends again a task whose
    # worker was lost while running it.
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=255, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("task to send")
        verbose_name_plural = _("tasks to send")
        indexes = [
            # The relay's scan: unsent rows, fewest attempts first.
            models.Index(fields=["attempts", "id"], condition=Q(sent_at__isnull=True), name="outbox_unsent"),
            models.Index(fields=["sent_at"], name="outbox_sent_at"),
            # The relay's scan for tasks a lost worker held: started, not finished.
            models.Index(
                fields=["started_at"],
                condition=Q(started_at__isnull=False, finished_at__isnull=True),
                name="outbox_running",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"


class Heartbeat(models.Model):
    """The last sign of life of one background process: a Celery worker (written every
    ``agency.background.HEARTBEAT_EVERY`` by a thread of the worker's main process, with the queues
    it consumes) or the scheduler (written as beat ticks). ``GET /api/v1/health/`` reads them to
    say whether background work is running (``agency.background.health_report``).

    A system table, like ``TaskOutbox``: platform machinery, no tenant content."""

    class Role(models.TextChoices):
        WORKER = "worker", _("worker")
        SCHEDULER = "scheduler", _("scheduler")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(_("name"), max_length=255, help_text=_("The worker's node name, or the scheduler's host."))
    pid = models.PositiveIntegerField(_("process id"))
    queues = models.JSONField(_("queues"), default=list, blank=True)
    # The scheduler's entries: {name: {"task": …, "last_run_at": …, "runs": …}}.
    entries = models.JSONField(_("scheduled entries"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen at"))
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        ordering = ["role", "name"]
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")
        constraints = [models.UniqueConstraint(fields=["role", "name"], name="heartbeat_one_per_process")]

    def __str__(self) -> str:
        return f"{self.role} {self.name}"


class ApiToken(models.Model):
    """A key to the API (``agency.tokens``): a person's own (``PERSONAL``, acting as them, with their
    roles), or an agency's integration (``INTEGRATION``, acting as the integration's own account in
    that one agency, limited to its scopes). Only the SHA-256 of the key is stored, with its first
    characters (``prefix``) to recognise it; the key itself is shown once, when it is made. Every
    key expires; a revoked or expired key is refused.

    A system table like ``TaskOutbox`` (a person's tokens serve every agency they belong to): the
    integration tokens of one agency are read through ``agency.tokens`` only, always by agency."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("personal")
        INTEGRATION = "integration", _("integration")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERSONAL)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("acts as"),
        help_text=_("The person, or the integration's own account."),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
        help_text=_("Integrations only: the agency the token belongs to."),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    token_hash = models.CharField(_("SHA-256 of the key"), max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            on_field(
                "agency",
                models.CheckConstraint(
                    condition=Q(kind="personal", agency__isnull=True) | Q(kind="integration", agency__isnull=False),
                    name="api_token_agency_iff_integration",
                    violation_error_code="api_token_agency_iff_integration",
                    violation_error_message=_(
                        "An integration token belongs to an agency; a personal token belongs to its person only."
                    ),
                ),
            ),
        ]
        indexes = [models.Index(fields=["agency", "kind"], name="api_token_agency_kind")]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}".strip()


class IntegrationWrite(TenantModel):
    """One request of an integration token that wrote (POST, PUT, PATCH or DELETE answered with
    success): which token, what it asked and what it was answered. A tenant row, so the audit trail
    records each one too, under the integration's own account (even where the rows it wrote are not
    in the trail, as the platform's daily figures are not). The token is named by value (its id in
    this installation, prefix and name), not by a foreign key: the line outlives the token, and an
    agency's archive carries its writes without its keys."""

    # Not named "token_...": the audit trail redacts the values of such columns (records.audit).
    integration_ref = models.BigIntegerField(_("token id"))
    integration_prefix = models.CharField(_("token prefix"), max_length=16)
    integration_name = models.CharField(_("token name"), max_length=100, blank=True)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=255)
    status = models.PositiveSmallIntegerField(_("status"))

    tenant_client_path = None  # the agency's own record: client people see none
    api_exposed = False  # shown on the agency's integrations page

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("integration write")
        verbose_name_plural = _("integration writes")
        indexes = [models.Index(fields=["agency", "integration_ref", "created_at"], name="integration_write_token")]

    def __str__(self) -> str:
        return f"{self.integration_prefix} {self.method} {self.path} ({self.status})"
