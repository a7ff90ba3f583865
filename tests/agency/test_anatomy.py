"""Every app has the same anatomy, split by the same topics in every layer (docs/architecture.md).

Each app declares its topics once, on its AppConfig (``topics``: name → the clause or part of the
service it serves). A layer that grew past one module is a package whose modules are those topics,
plus ``common`` (what several topics share) and ``overview`` (a page or read over all of them); a
topic too large for one module continues in ``<topic>_<part>``. No package of a layer re-exports its
modules: callers import from the topic module. No module passes ``MAX_LINES``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
APPS = ["clients", "production", "accounts_ops", "extensions", "records", "evaluation", "platforms"]
REQUIRED = ("models", "services", "selectors", "api", "views", "admin", "apps", "urls")
LAYERS = ("models", "services", "selectors", "api", "views", "forms", "conformance")
SHARED = {"common", "overview"}
# Packages whose __init__ does more than describe: Django finds models through models/__init__, the
# API's routes are registered in api/__init__, and the clause checks are discovered through conformance.
INIT_MAY_IMPORT = {"models", "api", "conformance"}
MAX_LINES = 800
PRODUCT = [
    "agency",
    "project",
    "reports",
    "portability",
    "demo",
    *APPS,
]


def layer_path(app: str, layer: str) -> Path | None:
    package, module = ROOT / app / layer, ROOT / app / f"{layer}.py"
    return package if package.is_dir() else module if module.exists() else None


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_the_anatomy(app):
    missing = [layer for layer in REQUIRED if layer_path(app, layer) is None]
    assert not missing, f"{app} lacks {missing}"


@pytest.mark.parametrize("app", APPS)
def test_every_app_declares_its_topics_with_their_clause(app):
    topics = apps.get_app_config(app).topics
    assert topics and all(isinstance(name, str) and name.isidentifier() for name in topics)
    assert all(str(serves).strip() for serves in topics.values())


@pytest.mark.parametrize("app", APPS)
def test_each_layer_package_is_split_by_the_apps_topics(app):
    topics = set(apps.get_app_config(app).topics)
    strays = []
    for layer in LAYERS:
        path = layer_path(app, layer)
        if path is None or path.is_file():
            continue
        for module in sorted(path.glob("*.py")):
            name = module.stem
            if name == "__init__" or name in SHARED | topics:
                continue
            if any(name.startswith(f"{topic}_") for topic in topics):
                continue
            strays.append(f"{app}/{layer}/{module.name}")
    assert not strays, f"modules named after no topic of their app: {strays}"


@pytest.mark.parametrize("app", APPS)
def test_no_layer_package_re_exports_its_modules(app):
    found = []
    for layer in set(LAYERS) - INIT_MAY_IMPORT:
        path = layer_path(app, layer)
        if path is None or path.is_file():
            continue
        tree = ast.parse((path / "__init__.py").read_text())
        found += [
            f"{app}/{layer}/__init__.py:{n.lineno}" for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))
        ]
    assert not found, f"re-export modules: {found}"


def test_no_module_passes_the_size_ceiling():
    large = []
    for package in PRODUCT:
        for module in (ROOT / package).rglob("*.py"):
            if "migrations" in module.parts:
                continue
            lines = len(module.read_text().splitlines())
            if lines > MAX_LINES:
                large.append(f"{module.relative_to(ROOT)} ({lines})")
    assert not large, f"modules over {MAX_LINES} lines: {large}"


def test_the_architecture_document_names_every_apps_topics():
    text = (ROOT / "docs" / "architecture.md").read_text()
    missing = [
        f"{app}: {topic}" for app in APPS for topic in apps.get_app_config(app).topics if f"`{topic}`" not in text
    ]
    assert not missing, f"docs/architecture.md does not name: {missing}"


# A service takes its fields as typed keyword parameters (an update's default to
# ``agency.services.UNCHANGED``), never as ``**values`` checked against a tuple of names: its
# signature is what callers, the API kit (``fields_taken``, ``refuse_fields_not_taken``) and
# readers see. Module-level functions whose name starts with ``_`` are the module's own; a
# signal receiver (first parameter ``sender``) takes ``**kwargs`` because Django's signals pass them.
VARIADIC_ALLOWED = {
    # collects the parameters a typed service was given: its keywords are that service's
    "agency/services.py:given",
    # calls the connector method named by ``method`` with that method's own arguments
    "platforms/services/calls.py:call",
}


def service_modules() -> list[Path]:
    found = []
    for app in sorted(path.parent for path in ROOT.glob("*/apps.py")):
        package, module = app / "services", app / "services.py"
        found += sorted(package.rglob("*.py")) if package.is_dir() else [module] if module.exists() else []
    return found


def test_the_service_modules_are_found():
    found = {str(module.relative_to(ROOT)) for module in service_modules()}
    assert {"agency/services.py", "production/services/projects.py", "accounts_ops/services/ads.py"} <= found


def test_no_public_service_takes_variadic_keywords():
    variadic, allowed_seen = [], set()
    for module in service_modules():
        for node in ast.parse(module.read_text()).body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.args.kwarg is None:
                continue
            positional = node.args.posonlyargs + node.args.args
            if node.name.startswith("_") or (positional and positional[0].arg == "sender"):
                continue
            where = f"{module.relative_to(ROOT)}:{node.name}"
            if where in VARIADIC_ALLOWED:
                allowed_seen.add(where)
                continue
            variadic.append(f"{where} (**{node.args.kwarg.arg}, line {node.lineno})")
    assert not variadic, f"services taking ** keyword arguments instead of typed parameters: {variadic}"
    assert allowed_seen == VARIADIC_ALLOWED, f"stale allowances: {VARIADIC_ALLOWED - allowed_seen}"
