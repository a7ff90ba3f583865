"""The writes of the mixed workload (``bench/load.py --modes mixed``): every second, into the
seeded agency whose dashboards are read, what a working agency writes: an ingest of today's
figures for some of its accounts (``account_metrics_ingest``, as the bulk API and the platforms'
syncs do), a sync's video figures (``video_metrics_ingest``), a reply to a private message
(``inbox_reply``) and the handling of a waiting comment (``comment_mark_handled``). Each write is
its own transaction, through the services, so it empties the answers it makes stale as in real
use.

    DATABASE_URL=... .venv/bin/python bench/mixed.py --agency scale-0001 --seconds 60 [--json out]

Runs until ``--seconds`` have passed or it is stopped (SIGTERM), then prints (and writes) how many
writes of each kind it made and how long they took."""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

ACCOUNTS_PER_INGEST = 20
VIDEOS_PER_SYNC = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agency", default="scale-0001")
    parser.add_argument("--seconds", type=float, default=3600)
    parser.add_argument("--json", default="")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import transaction

    from accounts_ops.models import CommentStatus, InboxMessage, InboxStatus, VideoComment
    from accounts_ops.services.comments import comment_mark_handled
    from accounts_ops.services.inbox import inbox_reply
    from accounts_ops.services.metrics import account_metrics_ingest, video_metrics_ingest
    from agency.models import Agency, Membership
    from agency.roles import Role
    from agency.tenancy import tenant_context
    from clients.models import PlatformAccount, Video

    agency = Agency.objects.get(slug=args.agency)
    actor = Membership.objects.select_related("agency", "user").get(agency=agency, role=Role.AGENCY_ADMIN).as_actor()
    rng = random.Random(5)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    done = {"ingest": 0, "video sync": 0, "reply": 0, "comment handled": 0, "errors": 0}
    spent = dict.fromkeys(done, 0.0)
    with tenant_context(agency, actor):
        accounts = list(PlatformAccount.objects.filter(agency=agency).values_list("pk", flat=True))
        videos = list(Video.objects.filter(agency=agency).values_list("pk", flat=True)[:2000])
        messages = list(
            InboxMessage.objects.filter(agency=agency, status=InboxStatus.OPEN).values_list("pk", flat=True)[:500]
        )
        comments = list(
            VideoComment.objects.filter(agency=agency, status=CommentStatus.WAITING, is_from_account=False).values_list(
                "pk", flat=True
            )[:500]
        )

        def ingest():
            today = agency.today().isoformat()
            rows = [
                {"account": pk, "date": today, "plays": rng.randint(0, 50_000), "likes": rng.randint(0, 2000)}
                for pk in rng.sample(accounts, min(ACCOUNTS_PER_INGEST, len(accounts)))
            ]
            account_metrics_ingest(actor=None, rows=rows)

        def sync():
            today = agency.today().isoformat()
            rows = [
                {"video": pk, "date": today, "plays": rng.randint(0, 9000)}
                for pk in rng.sample(videos, min(VIDEOS_PER_SYNC, len(videos)))
            ]
            if rows:
                video_metrics_ingest(actor=None, rows=rows)

        def reply():
            if messages:
                message = InboxMessage.objects.get(pk=messages.pop())
                inbox_reply(actor=actor, message=message, text="谢谢关注，已为您登记。")

        def handle_comment():
            if comments:
                comment = VideoComment.objects.get(pk=comments.pop())
                comment_mark_handled(actor=actor, comment=comment, note="已处理")

        started = time.monotonic()
        tick = started
        while not stopping and time.monotonic() - started < args.seconds:
            for name, write in (
                ("ingest", ingest),
                ("video sync", sync),
                ("reply", reply),
                ("comment handled", handle_comment),
            ):
                began = time.perf_counter()
                try:
                    with transaction.atomic():
                        write()
                    done[name] += 1
                except Exception as exc:  # a write refused by a rule still counts as an attempt
                    done["errors"] += 1
                    print(f"mixed: {name} failed: {exc}", file=sys.stderr)
                spent[name] += time.perf_counter() - began
            tick += 1.0
            time.sleep(max(0.0, tick - time.monotonic()))
    result = {
        "writes": done,
        "mean_ms": {name: spent[name] * 1000 / done[name] for name in done if done[name] and name != "errors"},
    }
    print("mixed writes: " + json.dumps(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
