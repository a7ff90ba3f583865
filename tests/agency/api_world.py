"""One world for the cross-cutting API suites (the isolation matrix, the fuzzer): two agencies,
clients a1 and a2 of agency A and b of agency B, a person of every role, and a row of every
tenant model for a1, a2 and b, made by ``tests.factories.ROW_MAKERS``.

It is built once per test module (``module_world``) inside a transaction that is rolled back at
the end of the module; each request the suites send runs in a savepoint of its own that is
rolled back too (``rolled_back``), so the world reads the same before every request. A suite may
have the answer cache take the world as committed (``as_committed``), so that its reads are served
as production serves them.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import pkgutil
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction
from django.test.utils import override_settings

import tests
from agency import answer_cache
from agency.models import Agency, Membership, TenantModel
from agency.roles import STAFF_ROLES, Role
from agency.tenancy import Actor, dangerously_all_agencies
from tests.factories import ROW_MAKERS, AgencyFactory, ClientFactory, MembershipFactory, UserFactory

OBJECTS = ("a1", "a2", "b")  # own client's row, same agency other client's, other agency's

# Names that must never appear in an answer to someone who may not see them.
CLIENT_NAMES = {"a1": "Matrix A1 hotpot", "a2": "Matrix A2 tea", "b": "Matrix B coffee"}


def load_row_makers() -> None:
    """Every app registers its models in ROW_MAKERS from ``tests/<app>/factories.py``."""
    root = Path(tests.__file__).parent
    for module in pkgutil.iter_modules([str(root)]):
        if module.ispkg and (root / module.name / "factories.py").exists():
            importlib.import_module(f"tests.{module.name}.factories")


def tenant_models() -> list[type[TenantModel]]:
    return [m for m in apps.get_models() if issubclass(m, TenantModel) and not m._meta.abstract]


@dataclass
class Principal:
    name: str
    user: object | None = None
    membership: Membership | None = None

    @property
    def actor(self) -> Actor | None:
        return self.membership.as_actor() if self.membership else None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def agency_id(self) -> int | None:
        return self.membership.agency_id if self.membership else None

    @property
    def client_id(self) -> int | None:
        return self.membership.client_id if self.membership else None


@dataclass
class ApiWorld:
    agency_a: Agency
    agency_b: Agency
    clients: dict  # "a1" / "a2" / "b" -> Client
    principals: dict[str, Principal]
    rows: dict = field(default_factory=dict)  # model -> {"a1": row, "a2": row, "b": row}
    media_root: str = ""
    _visible: dict = field(default_factory=dict)
    picks: dict = field(default_factory=dict)  # (principal's name, model) -> pks the fuzzer may pick

    def principal(self, name: str) -> Principal:
        return self.principals[name]

    def visible_pks(self, principal: Principal, model) -> set[int]:
        """The pks of ``model`` that ``principal`` may see, as the database says now."""
        if principal.membership is None:
            return set()
        if not (isinstance(model, type) and issubclass(model, TenantModel)):
            return set()
        return set(model.dangerously_all_agencies.all().visible_to(principal.actor).values_list("pk", flat=True))

    def world_visible(self, principal: Principal, model) -> set[int]:
        """Cached ``visible_pks`` for the world as built (never changed: requests roll back)."""
        key = (principal.name, model)
        if key not in self._visible:
            self._visible[key] = self.visible_pks(principal, model)
        return self._visible[key]

    def allowed_client_ids(self, principal: Principal) -> set[int]:
        from clients.models import Client

        return self.world_visible(principal, Client)

    def foreign_client_names(self, principal: Principal) -> list[str]:
        allowed = self.allowed_client_ids(principal)
        return [CLIENT_NAMES[key] for key, client in self.clients.items() if client.pk not in allowed]


STAFF_PRINCIPALS = {
    "admin_a": Role.AGENCY_ADMIN,
    "manager_a": Role.ACCOUNT_MANAGER,
    "producer_a": Role.PRODUCER,
    "operator_a": Role.OPERATOR,
    "live_a": Role.LIVE_TEAM,
    "analyst_a": Role.ANALYST,
}
assert set(STAFF_PRINCIPALS.values()) == set(STAFF_ROLES), "a staff role is missing from the world"
PRINCIPALS = ("anonymous", *STAFF_PRINCIPALS, "viewer_a1", "approver_a1", "admin_b")


def build_world() -> ApiWorld:
    load_row_makers()
    agency_a = AgencyFactory(name="Matrix Agency A", slug="matrix-a")
    agency_b = AgencyFactory(name="Matrix Agency B", slug="matrix-b")
    clients = {
        "a1": ClientFactory(agency=agency_a, name=CLIENT_NAMES["a1"]),
        "a2": ClientFactory(agency=agency_a, name=CLIENT_NAMES["a2"]),
        "b": ClientFactory(agency=agency_b, name=CLIENT_NAMES["b"]),
    }
    principals = {"anonymous": Principal("anonymous")}

    def person(name, agency, role, client=None):
        membership = MembershipFactory(agency=agency, role=role, client=client, user=UserFactory(username=f"m_{name}"))
        principals[name] = Principal(name, membership.user, membership)

    for name, role in STAFF_PRINCIPALS.items():
        person(name, agency_a, role)
    person("viewer_a1", agency_a, Role.CLIENT_VIEWER, clients["a1"])
    person("approver_a1", agency_a, Role.CLIENT_APPROVER, clients["a1"])
    person("admin_b", agency_b, Role.AGENCY_ADMIN)
    world = ApiWorld(agency_a, agency_b, clients, principals)
    for model, make in list(ROW_MAKERS.items()):
        world.rows[model] = {
            "a1": make(agency_a, clients["a1"]),
            "a2": make(agency_a, clients["a2"]),
            "b": make(agency_b, clients["b"]),
        }
    return world


@contextmanager
def module_world(django_db_blocker, media_root, *, as_committed: bool = False):
    """Build the world once, keep it for the module, roll it back after.

    With ``as_committed`` the answer cache (``agency.answer_cache``) takes the world as committed
    once it is built (``written_as_committed``): the requests then find their answers kept, or
    keep them, as they would in production after the world's commit, instead of computing every
    one as inside a transaction that has written. The people who must sign in with two steps get
    their authenticator with the world, as a person using the API has set it up (the suite's forced
    sign-ins would otherwise make it inside each test: a write, after which that test's answers are
    all computed). The same versions are renewed again once the world is rolled back, as the
    deletion of its rows would: no answer read from it outlives it."""
    renewed: set[str] = set()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media_root)):
        try:
            with transaction.atomic():
                world = build_world()
                world.media_root = str(media_root)
                if as_committed:
                    from tests.conftest import passed_second_step

                    for principal in world.principals.values():
                        passed_second_step(principal.user)
                    renewed = written_as_committed(connection)
                try:
                    yield world
                finally:
                    transaction.set_rollback(True)
        finally:
            answer_cache._renew(renewed)


def written_as_committed(connection) -> set[str]:
    """Renew now the write versions of what the connection's open transaction has written, as its
    commit would, and take those renewals off its commit: from here on the answer cache treats the
    transaction's rows as committed (a request that writes inside it computes its answers again, as
    in production). Returns the versions renewed. Only for a transaction that is never committed,
    whose writes so far no other connection needs to see."""
    assert connection.in_atomic_block, "only inside a transaction"
    renewals = [entry[1] for entry in connection.run_on_commit if isinstance(entry[1], answer_cache.Renewal)]
    connection.run_on_commit = [e for e in connection.run_on_commit if not isinstance(e[1], answer_cache.Renewal)]
    keys = set().union(*(renewal.keys for renewal in renewals))
    answer_cache._renew(keys)
    assert not answer_cache.wrote_in_transaction(connection)
    return keys


@contextmanager
def rolled_back():
    """Run the block in a savepoint that is always rolled back."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


# --- who wrote what -----------------------------------------------------------------------------

WRITE = re.compile(r'^\s*(?:/\*.*?\*/\s*)?(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I | re.S)


class WrittenTables:
    """Records the tables a block writes (every statement Django sends goes through here)."""

    def __init__(self):
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        match = WRITE.match(sql) if isinstance(sql, str) else None
        if match:
            self.tables.add(match.group(1))
        return execute(sql, params, many, context)


@contextmanager
def tracking_writes():
    written = WrittenTables()
    with connection.execute_wrapper(written):
        yield written


@functools.cache
def agency_models() -> tuple:
    """Every model whose rows name an agency: tenant models, many-to-many tables with an agency,
    and system tables such as the task outbox (read once: the models are all loaded)."""
    return tuple(
        m for m in apps.get_models(include_auto_created=True) if any(f.name == "agency" for f in m._meta.fields)
    )


def models_of_tables(tables: set[str]) -> list:
    """The models of ``agency_models`` stored in ``tables``."""
    return [model for model in agency_models() if model._meta.db_table in tables]


def foreign_checksum(world: ApiWorld, principal: Principal, models=None) -> dict[str, str]:
    """A hash of every row ``principal`` may not see, per model, read past every scope."""
    out = {}
    with dangerously_all_agencies():
        for model in models if models is not None else agency_models():
            manager = getattr(model, "dangerously_all_agencies", model._base_manager)
            queryset = manager.all()
            if principal.membership is not None and issubclass(model, TenantModel):
                visible = model.dangerously_all_agencies.all().visible_to(principal.actor).values("pk")
                queryset = queryset.exclude(pk__in=visible)
            elif principal.membership is not None and any(f.name == "agency" for f in model._meta.fields):
                # A system table that names the agency (the task outbox): the principal's own
                # agency's rows are its work; another agency's must stay as they are.
                queryset = queryset.exclude(agency_id=principal.membership.agency_id)
            # Every column (model_to_dict leaves out the fields that are not editable, agency among them).
            columns = [f.attname for f in model._meta.concrete_fields]
            digest = hashlib.sha256()
            for values in queryset.order_by("pk").values_list(*columns):
                digest.update(repr([str(v) for v in values]).encode())
            out[model._meta.label] = digest.hexdigest()
    return out
