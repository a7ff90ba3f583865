"""One beat per installation: the production set-up cannot start a second one by scaling, and no
worker embeds one (docs/operations.md, "One beat")."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from django.conf import settings

from agency.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def compose_services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


def make_recipe(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, f"no make target {target}"
    return match.group(1)


def test_exactly_one_service_runs_the_beat_and_compose_cannot_scale_it():
    beats = {
        name: service
        for name, service in compose_services().items()
        if re.search(r"\bcelery\b.*\bbeat\b", service.get("command", ""))
    }
    assert list(beats) == ["beat"]
    # A fixed container name: `docker compose up --scale beat=2` is refused.
    assert beats["beat"].get("container_name")
    assert "replicas" not in beats["beat"].get("deploy", {})


def test_no_worker_embeds_a_beat():
    recipe = make_recipe("worker")
    assert "celery -A project worker" in recipe
    assert not re.search(r"(\s-B\b|--beat\b)", recipe)
    for service in compose_services().values():
        command = service.get("command", "")
        assert not re.search(r"celery\b.*\bworker\b.*(\s-B\b|--beat\b)", command)


def test_every_beat_entry_names_a_registered_task():
    celery_app.loader.import_default_modules()
    unknown = [
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] not in celery_app.tasks
    ]
    assert not unknown, f"beat schedule entries name no task: {unknown}"
