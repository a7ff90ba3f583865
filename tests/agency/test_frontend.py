"""Front-end code that is not ours comes from the npm registry at install time, pinned, and is
never committed: package.json pins exact versions, package-lock.json fetches only from the
registry, and the folder ``make install`` copies the libraries into is git-ignored."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
REGISTRY = "https://registry.npmjs.org/"
VENDOR = "agency/static/vendor"


def test_package_json_pins_exact_versions():
    package = json.loads((ROOT / "package.json").read_text())
    for name, version in {**package.get("dependencies", {}), **package.get("devDependencies", {})}.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned to an exact version, not {version!r}"


def test_the_lockfile_matches_package_json_and_fetches_only_from_the_registry():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    for path, entry in lock["packages"].items():
        if not path:
            continue
        assert entry.get("integrity", "").startswith("sha512-"), f"{path} has no integrity hash"
        resolved = entry.get("resolved")
        assert resolved is None or resolved.startswith(REGISTRY), f"{path} comes from {resolved}"
        name = path.split("node_modules/")[-1]
        if name in package["dependencies"]:
            assert entry["version"] == package["dependencies"][name]


def test_the_vendor_folder_is_ignored_and_nothing_of_it_is_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", f"{VENDOR}/chart.umd.min.js"], cwd=ROOT, capture_output=True)
    assert ignored.returncode == 0, f"{VENDOR}/ must be git-ignored"
    tracked = subprocess.run(["git", "ls-files", VENDOR, "node_modules"], cwd=ROOT, capture_output=True, text=True)
    assert tracked.stdout.strip() == ""


def test_make_install_copies_what_the_pages_load():
    template = (ROOT / "templates" / "agency" / "_chart_scripts.html").read_text()
    loaded = re.findall(r"static '(vendor/[^']+)'", template)
    assert loaded == ["vendor/chart.umd.min.js"]
    install = subprocess.run(["make", "-n", "-B", "install"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "npm ci" in install.stdout  # installs exactly what package-lock.json pins
    for path in loaded:
        assert f"node_modules/chart.js/dist/chart.umd.min.js {VENDOR}/{path.removeprefix('vendor/')}" in install.stdout
    # The library names its source map; collectstatic's manifest storage needs the map beside it.
    assert f"node_modules/chart.js/dist/chart.umd.min.js.map {VENDOR}/" in install.stdout


def test_htmx_is_installed_and_loaded_by_both_layouts_without_eval():
    package = json.loads((ROOT / "package.json").read_text())
    assert "htmx.org" in package["dependencies"]
    include = (ROOT / "templates" / "agency" / "_htmx.html").read_text()
    assert re.findall(r"static '(vendor/[^']+)'", include) == ["vendor/htmx.min.js"]
    install = subprocess.run(["make", "-n", "-B", "install"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert f"node_modules/htmx.org/dist/htmx.min.js {VENDOR}/htmx.min.js" in install.stdout
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", include).group(1))
    # No eval (hx-on, js: values), no style element injected, no script run from a swapped part, and
    # no copy of a page kept in the browser's storage (a shared computer keeps no one's inbox).
    assert config["allowEval"] is False and config["includeIndicatorStyles"] is False
    assert config["allowScriptTags"] is False and config["historyCacheSize"] == 0
    for layout in ("base.html", "client_area/base.html"):
        assert '{% include "agency/_htmx.html" %}' in (ROOT / "templates" / layout).read_text(), layout
