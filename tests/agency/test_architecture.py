"""Conventions turned into checks: every tenant model derives from TenantModel, has a registered
viewset, and is covered by the isolation mixin."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

from django.apps import apps
from django.urls import get_resolver

import project.urls  # noqa: F401  (imports every app's api module: their viewsets are on the router)
import tests
from agency.api.routers import registered_viewsets
from agency.api.viewsets import TenantViewSet
from agency.models import TenantModel
from tests.isolation import TenantAPITestCases

TENANT_APPS = ("clients", "production", "accounts_ops", "extensions", "records", "evaluation")


def served_viewsets():
    """The router's viewsets once the URLconf is read: the apps register theirs as it imports them
    (this file may be the first an xdist worker runs)."""
    assert get_resolver().url_patterns
    return registered_viewsets()


def tenant_app_models():
    for label in TENANT_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model._meta.abstract and not model._meta.auto_created:
                yield model


def tenant_models():
    """Every concrete tenant model of the project, the tenant core's included."""
    return [m for m in apps.get_models() if issubclass(m, TenantModel) and not m._meta.abstract]


def served_tenant_models():
    """The tenant models the API serves: all but those that declare ``api_exposed = False`` (rows
    holding secrets, such as a platform connection's tokens)."""
    return [m for m in tenant_models() if getattr(m, "api_exposed", True)]


def covered_models() -> set[type]:
    root = Path(tests.__file__).parent
    for module in pkgutil.walk_packages([str(root)], prefix="tests."):
        if module.name.rsplit(".", 1)[-1].startswith("test_"):
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return {case.model for case in subclasses(TenantAPITestCases) if case.model is not None}


def test_every_model_of_the_chapter_apps_is_a_tenant_model():
    offenders = [m._meta.label for m in tenant_app_models() if not issubclass(m, TenantModel)]
    assert not offenders, f"These models must derive from agency.models.TenantModel: {offenders}"


def test_every_tenant_model_has_a_registered_viewset():
    served = {viewset.model for viewset in served_viewsets()}
    missing = [m._meta.label for m in served_tenant_models() if m not in served]
    assert not missing, f"No API viewset is registered for: {missing}"


def test_a_model_the_api_never_serves_has_no_viewset():
    hidden = {m for m in tenant_models() if not getattr(m, "api_exposed", True)}
    offenders = [v.__name__ for v in served_viewsets() if v.model in hidden]
    assert not offenders, f"These viewsets serve models declared api_exposed = False: {offenders}"


def test_every_registered_viewset_is_a_tenant_viewset():
    offenders = [v.__name__ for v in served_viewsets() if not issubclass(v, TenantViewSet)]
    assert not offenders, f"Viewsets must derive from agency.api.viewsets.TenantViewSet: {offenders}"


def test_every_tenant_model_is_covered_by_the_isolation_mixin():
    covered = covered_models()
    missing = [m._meta.label for m in served_tenant_models() if m not in covered]
    assert not missing, f"Add a TenantAPITestCases test for: {missing}"


def test_a_viewset_cannot_override_get_queryset():
    try:
        type("Sneaky", (TenantViewSet,), {"get_queryset": lambda self: None})
    except TypeError as exc:
        assert "scope_queryset" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("overriding get_queryset was allowed")


def test_every_tenant_index_starts_with_agency():
    offenders = []
    for model in tenant_models():
        for index in model._meta.indexes:
            if index.name in getattr(model, "cross_agency_indexes", {}):
                continue  # a lookup that crosses agencies on purpose, with its reason on the model
            if index.fields[0] != "agency":
                offenders.append(f"{model._meta.label}.{index.name}")
    assert not offenders, f"Composite indexes serving tenant queries must start with agency: {offenders}"


def test_the_tenant_core_has_no_model_relation_to_an_app_above_it():
    """The core imports no app (import-linter's ``core`` contract), and no string reference may
    dodge that: no field of a model of the core (its many-to-many tables included) points at a
    model of another app of this project. Apps above point down at the core, never the reverse."""
    root = Path(tests.__file__).resolve().parent.parent
    ours = {
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().is_relative_to(root) and ".venv" not in Path(config.path).parts
    }
    core = apps.get_app_config("agency")
    assert {"agency", "clients", "reports"} <= ours
    offenders = [
        f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
        for model in core.get_models(include_auto_created=True)
        for field in model._meta.get_fields()
        if field.is_relation
        and not field.auto_created
        and field.related_model is not None
        and field.related_model._meta.app_label in ours - {core.label}
    ]
    assert not offenders, f"The tenant core relates to apps above it: {offenders}"


# --- "the child's client is its parent's client", said once --------------------------------------
#
# A new row whose model names its parents in ``same_client_as`` takes its client from them
# (``TenantModel.take_client_from_parents``, before validation and saving). A service or model that
# builds such a row with ``client=parent.client`` / ``client_id=parent.client_id`` beside
# ``<relation>=parent`` for one of those parents restates the rule by hand. Rows made for
# ``bulk_create`` are exempt: it saves without ``save()``, so the function that bulk-creates sets
# their client itself. A model's own methods never set ``self.client`` / ``self.client_id``.

ROOT = Path(__file__).resolve().parents[2]


def _models_by_name() -> dict[str, list[type]]:
    found: dict[str, list[type]] = {}
    for model in tenant_models():
        found.setdefault(model.__name__, []).append(model)
    return found


def _taking_models() -> dict[str, dict[str, set[str]]]:
    """Model name -> the relations it takes its client from (for each model of that name)."""
    taking = {}
    for name, models in _models_by_name().items():
        relations = set()
        for model in models:
            field = next((f for f in model._meta.concrete_fields if f.name == "client"), None)
            if field is None or field.null:
                continue  # an optional client is not taken from a parent
            for entry in model.same_client_as:
                relations.add(getattr(entry, "relation", entry))
        if relations:
            taking[name] = relations
    return taking


def _built_model(call: ast.Call) -> str | None:
    """``Model(...)`` or ``Model.objects.create(...)``: the model's name."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "create"
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "objects"
        and isinstance(func.value.value, ast.Name)
    ):
        return func.value.value.id
    return None


def _calls(node: ast.AST, method: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method


def _bulk_rows(tree: ast.AST) -> set[int]:
    """The nodes that build rows for ``bulk_create``: inside its arguments, or, in a function that
    calls it, inside a list being gathered (``rows.append(...)``, a list or its comprehension)."""
    rows = set()
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if not any(_calls(node, "bulk_create") for node in ast.walk(function)):
            continue
        for node in ast.walk(function):
            if _calls(node, "bulk_create") or _calls(node, "append") or isinstance(node, (ast.List, ast.ListComp)):
                rows |= {id(inner) for inner in ast.walk(node)}
    return rows


def hand_copies(source: str, taking: dict[str, set[str]]) -> list[str]:
    """Where ``source`` copies a new row's client from a parent the row's model takes it from."""
    found = []
    tree = ast.parse(source)
    exempt = _bulk_rows(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in exempt:
            continue
        relations = taking.get(_built_model(node) or "")
        if not relations:
            continue
        given = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        for name, attribute in (("client", "client"), ("client_id", "client_id")):
            value = given.get(name)
            if not (isinstance(value, ast.Attribute) and value.attr == attribute):
                continue
            parent = ast.dump(value.value)
            for relation in relations:
                same = given.get(relation)
                same_id = given.get(f"{relation}_id")
                if (same is not None and ast.dump(same) == parent) or (
                    isinstance(same_id, ast.Attribute)
                    and same_id.attr in ("pk", "id")
                    and ast.dump(same_id.value) == parent
                ):
                    found.append(f"line {node.lineno}: {_built_model(node)}({name}=...{relation}...)")
    return found


def _setter(function: ast.AST) -> bool:
    return any(isinstance(d, ast.Attribute) and d.attr == "setter" for d in getattr(function, "decorator_list", ()))


def self_client_assignments(source: str) -> list[str]:
    """Where a model's method sets ``self.client`` or ``self.client_id`` (a property's setter, which
    stores what it is given, aside)."""
    tree = ast.parse(source)
    setters = {id(node) for function in ast.walk(tree) if _setter(function) for node in ast.walk(function)}
    return [
        f"line {node.lineno}"
        for node in ast.walk(tree)
        if id(node) not in setters and isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute)
        and target.attr in ("client", "client_id")
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
    ]


def layer_modules(layer: str) -> list[Path]:
    found = []
    for app in sorted(path.parent for path in ROOT.glob("*/apps.py")):
        package, module = app / layer, app / f"{layer}.py"
        found += sorted(package.rglob("*.py")) if package.is_dir() else [module] if module.exists() else []
    return found


def test_the_hand_copy_scan_sees_a_copy():
    taking = {"Script": {"project"}, "Shot": {"script"}}
    assert hand_copies("Script(agency=a, client_id=project.client_id, project=project)", taking)
    assert hand_copies("Script.objects.create(client=p.client, project_id=p.pk)", taking)
    assert hand_copies("def f():\n    return Shot(client_id=s.client_id, script=s)", taking)
    assert not hand_copies("Script(client_id=other.client_id, project=project)", taking)
    assert not hand_copies("def f():\n    X.objects.bulk_create([Shot(client_id=s.client_id, script=s)])", taking)
    assert hand_copies("def f():\n    Shot(client_id=s.client_id, script=s).save()\n    X.bulk_create([])", taking)
    assert self_client_assignments("class M:\n    def clean(self):\n        self.client_id = self.p.client_id")
    setter = "class M:\n    @client.setter\n    def client(self, v):\n        self.client_id = v.pk"
    assert not self_client_assignments(setter)


def test_no_new_row_copies_its_client_from_a_parent_it_takes_it_from():
    taking = _taking_models()
    assert {"Script", "LiveSessionResult", "PromotionTask"} <= set(taking)
    found = []
    for module in layer_modules("services") + layer_modules("models"):
        found += [f"{module.relative_to(ROOT)} {where}" for where in hand_copies(module.read_text(), taking)]
    assert not found, f"a new row's client copied by hand from a parent named in same_client_as: {found}"


def test_no_model_sets_its_own_client():
    found = []
    for module in layer_modules("models"):
        found += [f"{module.relative_to(ROOT)} {where}" for where in self_client_assignments(module.read_text())]
    assert not found, f"models setting their own client by hand (name the parent in same_client_as): {found}"


def test_an_update_service_takes_its_row_by_a_keyword_no_field_uses():
    """``ServiceViewSet`` calls ``update_service(actor=..., <service_row>=row, **body)``: a writable
    field named like the row keyword would reach the service twice (a TypeError, answered 500), as
    the improvement action's ``action`` text once did."""
    import inspect

    offenders = []
    for viewset in registered_viewsets():
        service = getattr(viewset, "update_service", None)
        if service is None:
            continue
        keywords = inspect.signature(service).parameters
        if viewset.service_row not in keywords:
            offenders.append(f"{viewset.__name__}: {service.__name__} takes no {viewset.service_row!r}")
        serializer = viewset.serializer_class()
        writable = {name for name, field in serializer.fields.items() if not field.read_only}
        if viewset.service_row in writable:
            offenders.append(f"{viewset.__name__}: the field {viewset.service_row!r} is also the row's keyword")
    assert not offenders, offenders
