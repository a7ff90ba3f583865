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
