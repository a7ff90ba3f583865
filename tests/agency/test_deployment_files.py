"""The production set-up starts from one built image and supervises its processes
(docs/operations.md, "The image" and "Supervision"): web, worker and beat share an image that
docker-compose.yml builds once from the Dockerfile; a container installs nothing when it starts;
each of the three restarts and has a health check; the image is built in stages from pinned bases
and runs as an unprivileged user. Read from the files alone: no database, no Docker."""

from __future__ import annotations

import gc
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
# What a container must never do when it starts: install or fetch.
INSTALLS = re.compile(r"\b(apt-get|apt|pip3?|npm|npx|make install|uv)\b|-m pip\b")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def services() -> dict:
    return compose()["services"]


def command_text(service: dict) -> str:
    command = service.get("command", "")
    return command if isinstance(command, str) else shlex.join(command)


def healthcheck_text(service: dict) -> str:
    test = service.get("healthcheck", {}).get("test", "")
    return test if isinstance(test, str) else " ".join(test)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, comments dropped and continued lines joined."""
    lines = [
        line
        for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), " ".join(arguments.split())))
    return instructions


def stages() -> list[list[tuple[str, str]]]:
    """The instructions of each stage, in order (what precedes the first FROM is left out)."""
    result: list[list[tuple[str, str]]] = []
    for keyword, arguments in dockerfile_instructions():
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, arguments))
    return result


def base_images() -> list[str]:
    """Each stage's base image that is not an earlier stage, the ARGs' defaults filled in."""
    defaults = {}
    for keyword, arguments in dockerfile_instructions():
        if keyword == "FROM":
            break
        if keyword == "ARG" and "=" in arguments:
            name, _, value = arguments.partition("=")
            defaults[name.strip()] = value.strip().strip("\"'")
    images, names = [], set()
    for stage in stages():
        words = stage[0][1].split()
        image = re.sub(r"\$\{?(\w+)\}?", lambda m: defaults.get(m.group(1), m.group(0)), words[0])
        if image not in names:
            images.append(image)
        if len(words) == 3 and words[1].upper() == "AS":
            names.add(words[2])
    return images


# --- docker-compose.yml ----------------------------------------------------------------------


def test_web_worker_and_beat_run_one_image_that_compose_builds():
    app = services()
    builds = {name: app[name].get("build") for name in APP_SERVICES}
    images = {name: app[name].get("image") for name in APP_SERVICES}
    assert all(builds.values()), f"each of {APP_SERVICES} is built from the Dockerfile: {builds}"
    assert len({repr(build) for build in builds.values()}) == 1, f"one build for the three: {builds}"
    # One image name: Compose builds it once and the three start from it.
    assert len(set(images.values())) == 1 and None not in images.values(), images
    context = builds["web"] if isinstance(builds["web"], str) else builds["web"].get("context", ".")
    assert (ROOT / context / "Dockerfile").is_file()


def test_no_container_installs_anything_when_it_starts():
    for name, service in services().items():
        command = command_text(service)
        assert not INSTALLS.search(command), f"{name} installs at start: {command!r}"
        entrypoint = service.get("entrypoint", "")
        entrypoint = entrypoint if isinstance(entrypoint, str) else shlex.join(entrypoint)
        assert not INSTALLS.search(entrypoint), f"{name} installs at start: {entrypoint!r}"


def test_the_checkout_is_not_mounted_over_the_image():
    # A bind mount of the working tree (or a venv volume) would hide the image's installed code,
    # compiled translations and collected static files.
    for name in APP_SERVICES:
        for volume in services()[name].get("volumes", []):
            if isinstance(volume, dict):
                volume = f"{volume.get('source', '')}:{volume['target']}"
            source, _, target = volume.partition(":")
            assert not source.startswith((".", "/")), f"{name} mounts {volume!r} over the image"
            assert not target.startswith("/app"), f"{name} mounts {volume!r} over the image's code"


def test_each_process_restarts_and_has_a_health_check():
    for name in APP_SERVICES:
        service = services()[name]
        assert service.get("restart") in {"always", "unless-stopped", "on-failure"}, f"{name} is not restarted"
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no health check"
        assert check.get("interval") and check.get("retries"), f"{name}'s check has no interval or retries"


def test_the_web_check_asks_for_this_node_only_not_the_workers():
    check = healthcheck_text(services()["web"])
    assert "/api/v1/health/node/" in check
    # The full report needs a worker, and the worker waits for a healthy web service.
    assert not re.search(r"/api/v1/health/(?!node/)", check)
    assert "curl" not in check and "wget" not in check  # neither is in the slim image


def test_worker_and_beat_are_checked_by_the_health_command():
    app = services()
    assert re.search(r"manage\.py health --only worker\b", healthcheck_text(app["worker"]))
    assert re.search(r"manage\.py health --only scheduler\b", healthcheck_text(app["beat"]))
    for name in ("worker", "beat"):
        assert app[name]["depends_on"]["web"]["condition"] == "service_healthy"


def test_the_worker_has_time_for_a_warm_shutdown():
    worker = services()["worker"]
    assert worker.get("stop_signal", "SIGTERM") == "SIGTERM"  # Celery's warm shutdown
    grace = worker.get("stop_grace_period", "10s")
    seconds = sum(int(n) * {"s": 1, "m": 60, "h": 3600}[unit] for n, unit in re.findall(r"(\d+)([smh])", grace))
    assert seconds >= 60, f"the worker is killed {grace} after it is asked to stop"


def test_one_beat_with_its_schedule_in_a_volume():
    app = services()
    beats = [name for name, service in app.items() if re.search(r"\bcelery\b.*\bbeat\b", command_text(service))]
    assert beats == ["beat"]
    assert app["beat"].get("container_name"), "a fixed name: Compose refuses --scale beat=2"
    assert "replicas" not in app["beat"].get("deploy", {})
    for service in app.values():
        assert not re.search(r"celery\b.*\bworker\b.*(\s-B\b|--beat\b)", command_text(service))
    schedule = re.search(r"(?:--schedule[ =]|-s )(\S+)", command_text(app["beat"]))
    assert schedule, "beat keeps its schedule file in a volume, not in the image's read-only code"
    mounted = [volume.split(":")[1] for volume in app["beat"].get("volumes", []) if isinstance(volume, str)]
    assert any(schedule.group(1).startswith(target.rstrip("/") + "/") for target in mounted), mounted


def test_compose_still_requires_a_secret_key_and_creates_the_application_role():
    app = services()
    for name in APP_SERVICES:
        environment = app[name]["environment"]
        assert environment["DJANGO_SECRET_KEY"].startswith("${DJANGO_SECRET_KEY:?")
        assert environment["DATABASE_URL"].split("//")[1].split(":")[0] == "agency_app"
        assert environment["MIGRATION_DATABASE_URL"].split("//")[1].split(":")[0] != "agency_app"
        # Cross-agency work on its own connection, as the crossing role (agency.db.routers).
        assert environment["CROSSING_DATABASE_URL"].split("//")[1].split(":")[0] == "agency_crossing"
    assert "./agency/db/init:/docker-entrypoint-initdb.d:ro" in app["postgres"]["volumes"]
    init = (ROOT / "agency/db/init/01-application-role.sql").read_text()
    assert "CREATE ROLE agency_crossing LOGIN" in init and "GRANT agency_crossing" not in init


# --- Dockerfile ------------------------------------------------------------------------------


def test_the_image_is_built_in_stages_from_pinned_bases():
    assert len(stages()) >= 3, "assets, wheels and runtime stages"
    for image in base_images():
        assert "$" not in image, f"{image}: give the ARG a default"
        name, _, tag = image.split("@")[0].rpartition(":")
        assert name and tag != "latest", f"{image} names no version"
        exact = "@sha256:" in image or re.fullmatch(r"\d+\.\d+\.\d+\S*", tag)
        assert exact, f"{image} is not pinned to an exact version"
    for keyword, arguments in dockerfile_instructions():
        if keyword in {"FROM", "ARG"}:
            assert not re.search(r":latest\b", arguments), arguments


def test_the_runtime_runs_as_an_unprivileged_user():
    runtime = stages()[-1]
    users = [arguments for keyword, arguments in runtime if keyword == "USER"]
    assert users, "the runtime stage sets a USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}, f"the processes run as {users[-1]}"


def test_static_files_and_translations_are_made_at_build_time():
    runtime_runs = " ".join(arguments for keyword, arguments in stages()[-1] if keyword == "RUN")
    assert "manage.py collectstatic --noinput" in runtime_runs
    assert "manage.py compile_translations" in runtime_runs
    assert "migrate" not in runtime_runs  # needs the database: it runs when the web service starts


def test_the_charts_library_comes_from_the_assets_stage():
    npm_runs = [arguments for stage in stages()[:-1] for keyword, arguments in stage if keyword == "RUN"]
    assert any("npm ci" in run and "--ignore-scripts" in run for run in npm_runs)
    assert any("chart.umd.min.js" in run and "chart.umd.min.js.map" in run for run in npm_runs)
    assert any("node_modules/htmx.org/dist/htmx.min.js vendor/" in run for run in npm_runs)
    copies = [arguments for keyword, arguments in stages()[-1] if keyword == "COPY" and "--from=" in arguments]
    assert any(copy.rstrip("/").endswith("agency/static/vendor") for copy in copies), copies


def test_the_runtime_has_no_build_tools_and_installs_only_the_built_wheels():
    runtime = " ".join(arguments for keyword, arguments in stages()[-1] if keyword == "RUN")
    assert not re.search(r"\b(apt-get|npm|gcc|build-essential)\b", runtime)
    assert re.search(r"pip install\b.*--no-index\b", runtime), "the runtime installs the wheels, nothing from an index"
    assert any("pip wheel" in run for stage in stages()[:-1] for keyword, run in stage if keyword == "RUN")


def test_the_build_context_leaves_out_local_state_and_secrets():
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for path in (".venv", "node_modules", ".git", ".env", ".dev-secret", "media", "staticfiles", "test-artifacts"):
        assert path in ignored, f"{path} is sent to the build"
    assert "db.sqlite3*" in ignored or "db.sqlite3" in ignored
    assert any("__pycache__" in line for line in ignored)


def test_every_web_server_start_uses_the_settings_that_freeze_what_a_worker_loaded():
    """gunicorn reads project/gunicorn.py wherever it serves the application: the image's default
    command, Compose's web service, ``make serve`` and the load benchmark."""
    image_command = next(arguments for instruction, arguments in dockerfile_instructions() if instruction == "CMD")
    benchmark = (ROOT / "bench" / "load.py").read_text(encoding="utf-8")
    for where, text in (
        ("Dockerfile CMD", image_command),
        ("compose web", command_text(services()["web"])),
        ("bench/load.py", benchmark),
        ("make serve", (ROOT / "Makefile").read_text(encoding="utf-8").split("\nserve:")[1].split("\n\n")[0]),
    ):
        assert "python:project.gunicorn" in text, where


def test_a_settled_worker_keeps_what_it_loaded_out_of_garbage_collection():
    """``project.gunicorn.settle`` (gunicorn's post_worker_init): the application's objects are
    frozen, so that a full collection walks only what requests made."""
    from project.gunicorn import post_worker_init

    class Worker:
        class log:
            lines = []

            @classmethod
            def info(cls, message, *args):
                cls.lines.append(message % args)

    gc.collect()
    unfrozen = len(gc.get_objects())  # the test process froze what it loaded (tests/conftest.py)
    post_worker_init(Worker)
    frozen = gc.get_freeze_count()  # (a frozen object that has since been freed no longer counts)
    line = re.fullmatch(r"Objects loaded at start kept out of garbage collection: ([\d,]+)", Worker.log.lines[0])
    logged = int(line[1].replace(",", ""))
    assert min(frozen, logged) > 100_000  # Django, DRF and the project: about 270,000 objects
    assert len(gc.get_objects()) < min(unfrozen, frozen / 10)  # what a full collection still walks
