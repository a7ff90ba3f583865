"""Conventions turned into checks: every tenant model derives from TenantModel, has a registered
viewset, and is covered by the isolation mixin."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from django.apps import apps
from django.urls import get_resolver

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
