"""File imports of platform data: CSV (UTF-8, UTF-8 with BOM, GBK) and XLSX as creator-centre
exports give them, run by a task. The file as a whole must be readable; then accepted rows are
committed and rejected rows listed with their row number and field."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from accounts_ops.files import IMPORT_MAX_BYTES_DEFAULT
from accounts_ops.models import AccountDailyMetric, DataImport, HotTopic, ImportStatus, VideoComment
from accounts_ops.services.imports import data_import_request, data_import_run
from agency.models import Membership
from agency.tenancy import tenant_context
from tests.factories import PlatformAccountFactory, VideoFactory

UPLOAD = "dataimport-upload"


def yesterday(agency) -> dt.date:
    return timezone.localdate(timezone=agency.tz) - dt.timedelta(days=1)


def export_csv(agency, days=3, start_offset=0) -> str:
    """A creator-centre export of one account: Chinese titles, one row per day."""
    end = yesterday(agency)
    lines = ["日期,粉丝总数,新增粉丝,播放量,点赞,评论,分享,主页访问"]
    for n in range(days):
        day = end - dt.timedelta(days=n + start_offset)
        lines.append(f"{day:%Y/%m/%d},{12000 + n},{30 + n},{1500 + n},80,6,3,210")
    return "\r\n".join(lines) + "\r\n"


def run_import(world, account, data: bytes, kind="account_metrics", name="export.csv") -> DataImport:
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor=actor):
        job = data_import_request(actor=actor, kind=kind, file=SimpleUploadedFile(name, data), account=account)
        data_import_run(import_id=job.pk)
    return DataImport.dangerously_all_agencies.get(pk=job.pk)


@pytest.fixture
def account(world):
    return PlatformAccountFactory(client=world.client_a1)


def test_a_gbk_export_is_read(world, account):
    job = run_import(world, account, export_csv(world.agency_a).encode("gbk"))
    assert (job.status, job.encoding, job.rows_accepted, job.rows_rejected) == (ImportStatus.DONE, "gbk", 3, 0)
    metric = AccountDailyMetric.dangerously_all_agencies.get(account=account, date=yesterday(world.agency_a))
    assert (metric.followers_total, metric.plays, metric.profile_visits) == (12000, 1500, 210)


def test_a_utf8_export_with_bom_is_read(world, account):
    job = run_import(world, account, export_csv(world.agency_a).encode("utf-8-sig"))
    assert (job.status, job.encoding, job.rows_accepted) == (ImportStatus.DONE, "utf-8", 3)


def test_an_xlsx_export_is_read(world, account):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["日期", "播放量", "点赞"])
    sheet.append([dt.datetime.combine(yesterday(world.agency_a), dt.time()), 1800, 90])
    sheet.append([yesterday(world.agency_a) - dt.timedelta(days=1), 1700.0, 85])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = run_import(world, account, buffer.getvalue(), name="export.xlsx")
    assert (job.status, job.file_format, job.rows_accepted) == (ImportStatus.DONE, "xlsx", 2)
    assert (
        AccountDailyMetric.dangerously_all_agencies.get(account=account, date=yesterday(world.agency_a)).plays == 1800
    )


def test_importing_the_same_file_twice_changes_nothing(world, account):
    data = export_csv(world.agency_a).encode("gbk")
    run_import(world, account, data)
    before = list(AccountDailyMetric.dangerously_all_agencies.order_by("date").values("date", "plays", "updated_at"))
    again = run_import(world, account, data)
    assert again.rows_accepted == 3
    assert list(AccountDailyMetric.dangerously_all_agencies.order_by("date").values("date", "plays", "updated_at")) == (
        before
    )


def test_accepted_rows_are_committed_and_rejected_rows_listed(world, account):
    text = export_csv(world.agency_a, days=2)
    future = timezone.localdate(timezone=world.agency_a.tz) + dt.timedelta(days=2)
    text += f"{future:%Y-%m-%d},1,1,1,1,1,1,1\r\n"  # row 4: a date in the future
    text += "2026-01-03,12000,-3,5,5,5,5,5\r\n"  # row 5: a negative count
    text += "not a date,1,1,1,1,1,1,1\r\n"  # row 6
    job = run_import(world, account, text.encode("utf-8"))
    assert (job.status, job.rows_total, job.rows_accepted, job.rows_rejected) == (ImportStatus.DONE, 5, 2, 3)
    assert [(e["row"], e["field"]) for e in job.row_errors] == [
        (4, "date"),
        (5, "followers_gained"),
        (6, "date"),
    ]
    assert AccountDailyMetric.dangerously_all_agencies.filter(account=account).count() == 2


def test_a_file_with_wrong_headers_is_refused_on_upload_naming_them(world, account):
    with pytest.raises(ValidationError) as error:
        run_import(world, account, b"name,colour\nfoo,red\n")
    message = error.value.message_dict["file"][0]
    assert "date" in message and "name, colour" in message
    assert not DataImport.dangerously_all_agencies.exists()
    assert not AccountDailyMetric.dangerously_all_agencies.exists()


def test_a_file_without_the_account_column_needs_an_account(world):
    with pytest.raises(ValidationError) as error:
        run_import(world, None, export_csv(world.agency_a).encode())
    assert "account / handle" in error.value.message_dict["file"][0]


def test_rows_may_name_their_account_by_handle(world):
    account = PlatformAccountFactory(client=world.client_a1, handle="laojie")
    day = yesterday(world.agency_a)
    job = run_import(world, None, f"抖音号,日期,播放量\n@laojie,{day},99\nnobody,{day},5\n".encode())
    assert (job.rows_accepted, job.rows_rejected) == (1, 1)
    assert job.row_errors[0]["field"] == "handle"
    assert AccountDailyMetric.dangerously_all_agencies.get(account=account).plays == 99


def test_a_file_that_is_not_text_or_an_old_xls_is_refused_on_upload(world, account):
    with pytest.raises(ValidationError) as binary:
        run_import(world, account, bytes(range(256)) * 4)
    assert "not a CSV or XLSX file" in binary.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as old:
        run_import(world, account, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, name="old.xls")
    assert ".xls" in old.value.message_dict["file"][0]
    assert not DataImport.dangerously_all_agencies.exists()


def test_a_file_stored_before_the_upload_check_is_still_judged_by_the_import(world, account):
    job = run_import(world, account, export_csv(world.agency_a).encode())
    job.file.save("old.dat", ContentFile(b"\x89PNG\r\n\x1a\n" + bytes(200)), save=False)
    DataImport.dangerously_all_agencies.filter(pk=job.pk).update(file=job.file.name, status=ImportStatus.QUEUED)
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor=actor):
        data_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "PNG image" in job.error


def test_a_header_without_rows_is_refused(world, account):
    job = run_import(world, account, "日期,播放量\n".encode())
    assert job.status == ImportStatus.FAILED and "no rows" in job.error


def test_an_empty_file_is_refused_on_upload(world, api, account):
    response = api(world.staff_a).post(
        reverse(UPLOAD),
        {"kind": "account_metrics", "account": account.pk, "file": SimpleUploadedFile("empty.csv", b"")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    assert not DataImport.dangerously_all_agencies.exists()


def test_a_file_over_the_size_limit_is_refused_naming_the_field(world, api, account, settings):
    settings.UPLOAD_MAX_BYTES = {"import": 1024}
    big = export_csv(world.agency_a).encode() + b"#" * 2048
    response = api(world.staff_a).post(
        reverse(UPLOAD),
        {"kind": "account_metrics", "account": account.pk, "file": SimpleUploadedFile("big.csv", big)},
        format="multipart",
    )
    assert response.status_code == 400
    assert "the limit is" in response.json()["error"]["fields"]["file"][0]
    assert not DataImport.dangerously_all_agencies.exists()
    assert IMPORT_MAX_BYTES_DEFAULT >= 1024 * 1024  # the default allows a real export


def test_upload_through_the_api_runs_the_import_task(world, api, account, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.staff_a).post(
            reverse(UPLOAD),
            {
                "kind": "account_metrics",
                "account": account.pk,
                "file": SimpleUploadedFile("export.csv", export_csv(world.agency_a).encode("gbk")),
            },
            format="multipart",
        )
    assert response.status_code == 202, response.content
    job = api(world.staff_a).get(reverse("dataimport-detail", args=[response.json()["id"]])).json()
    assert (job["status"], job["progress"], job["rows_accepted"]) == ("done", 100, 3)


def test_another_agencys_account_cannot_be_named_on_upload(world, api):
    theirs = PlatformAccountFactory(client=world.client_b)
    response = api(world.staff_a).post(
        reverse(UPLOAD),
        {"kind": "account_metrics", "account": theirs.pk, "file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")},
        format="multipart",
    )
    assert response.status_code == 400 and "account" in response.json()["error"]["fields"]


def test_a_comments_file_is_imported_once(world, account):
    video = VideoFactory(account=account, platform_item_id="7300001")
    posted = timezone.localtime(timezone.now() - dt.timedelta(hours=2), world.agency_a.tz)
    text = (
        "作品id,评论id,用户昵称,评论内容,评论时间,点赞数\n"
        f"7300001,c-1,小王,毛肚很新鲜，下次还来,{posted:%Y-%m-%d %H:%M:%S},3\n"
        f"7300001,c-2,小李,请问周末要排队吗,{posted:%Y-%m-%d %H:%M:%S},0\n"
        f"9999999,c-3,小张,哪个视频,{posted:%Y-%m-%d %H:%M:%S},0\n"
    )
    first = run_import(world, account, text.encode("gbk"), kind="comments")
    second = run_import(world, account, text.encode("gbk"), kind="comments")
    assert (first.rows_accepted, first.rows_rejected, second.rows_accepted) == (2, 1, 2)
    assert first.row_errors[0]["row"] == 4 and first.row_errors[0]["field"] == "video"
    assert VideoComment.dangerously_all_agencies.filter(video=video).count() == 2


def test_a_hot_list_file_is_imported(world):
    text = "平台,话题,热度,排名\n抖音,秋天的第一杯奶茶,5200000,1\n快手,国庆去哪玩,3100000,2\n"
    job = run_import(world, None, text.encode("utf-8-sig"), kind="hot_topics")
    assert (job.status, job.rows_accepted) == (ImportStatus.DONE, 2)
    assert set(HotTopic.dangerously_all_agencies.values_list("platform", "title")) == {
        ("douyin", "秋天的第一杯奶茶"),
        ("kuaishou", "国庆去哪玩"),
    }


# --- bulk requests answered at once (Prefer: respond-async), stored by the ingest queue ------------


def bulk_rows(account, days=5, plays=1000):
    end = yesterday(account.agency)
    return [
        {
            "account": account.pk,
            "date": (end - dt.timedelta(days=n)).isoformat(),
            "total_fans": 900 + n,
            "new_play": plays,
        }
        for n in range(days)
    ]


def post_later(client, name, body):
    return client.post(reverse(name), body, format="json", HTTP_PREFER="respond-async")


def test_a_bulk_request_answered_at_once_is_stored_by_the_ingest_queue(
    world, api, account, django_capture_on_commit_callbacks
):
    client = api(world.staff_a)
    rows = bulk_rows(account)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_later(client, "accountdailymetric-bulk", {"rows": rows})
    assert response.status_code == 202, response.content
    assert response["Preference-Applied"] == "respond-async"
    accepted = response.json()
    assert response["Location"].endswith(reverse("dataimport-detail", args=[accepted["id"]]))
    assert (accepted["kind"], accepted["file_format"], accepted["rows_total"]) == ("account_metrics", "json", 5)
    job = client.get(response["Location"]).json()
    assert (job["status"], job["rows_accepted"], job["rows_created"], job["rows_updated"]) == ("done", 5, 5, 0)
    stored = AccountDailyMetric.dangerously_all_agencies.filter(account=account)
    assert sorted(stored.values_list("followers_total", flat=True)) == [900, 901, 902, 903, 904]
    kept = DataImport.dangerously_all_agencies.get(pk=accepted["id"])
    assert json.loads(kept.file.read()) == {"rows": rows}  # the body as sent

    # The same rows again change nothing; one corrected row is an update.
    rows[2]["new_play"] = 7
    with django_capture_on_commit_callbacks(execute=True):
        again = post_later(client, "accountdailymetric-bulk", {"rows": rows})
    job = client.get(again["Location"]).json()
    assert (job["rows_accepted"], job["rows_created"], job["rows_updated"]) == (5, 0, 1)
    assert stored.get(date=rows[2]["date"]).plays == 7

    # The staff's page of the import says what it was and what it did.
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(world.staff_a)
    page = browser.get(reverse("accounts_ops:import-detail", args=[again.json()["id"]]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "bulk API request" in text and "0 new, 1 changed" in text
    listing = browser.get(reverse("accounts_ops:import-list")).content.decode()
    assert listing.count("bulk API request") == 2 and "<td>0</td>" in listing  # none rejected


def test_a_bad_row_in_a_bulk_request_answered_at_once_is_refused_and_nothing_is_kept(world, api, account):
    rows = bulk_rows(account)
    rows[3]["new_play"] = -4
    response = post_later(api(world.staff_a), "accountdailymetric-bulk", {"rows": rows})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["rows[3].plays"]
    assert not DataImport.dangerously_all_agencies.exists()
    assert not AccountDailyMetric.dangerously_all_agencies.exists()


def test_video_metrics_may_be_sent_to_the_ingest_queue_too(world, api, account, django_capture_on_commit_callbacks):
    video = VideoFactory(account=account)
    day = yesterday(world.agency_a).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_later(
            api(world.staff_a), "videodailymetric-bulk", {"rows": [{"video": video.pk, "date": day, "play": 52}]}
        )
    assert response.status_code == 202, response.content
    job = DataImport.dangerously_all_agencies.get(pk=response.json()["id"])
    assert (job.kind, job.status, job.rows_created) == ("video_metrics", ImportStatus.DONE, 1)


def test_a_row_no_longer_valid_when_the_queue_stores_it_is_rejected_and_listed(world, account):
    from accounts_ops.services.imports import bulk_request_accept

    actor = Membership.objects.get(user=world.staff_a).as_actor()
    rows = [*bulk_rows(account, days=2), *bulk_rows(PlatformAccountFactory(client=world.client_a1), days=1)]
    with tenant_context(world.agency_a, actor=actor):
        job = bulk_request_accept(actor=actor, kind="account_metrics", rows=rows)
        account.delete()  # between the answer and the queue
        data_import_run(import_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows_accepted, job.rows_rejected, job.rows_created) == (ImportStatus.DONE, 1, 2, 1)
    assert [(e["row"], e["field"]) for e in job.row_errors] == [(0, "account"), (1, "account")]


@pytest.mark.parametrize(
    ("header", "later"),
    [
        ("respond-async", True),
        ("wait=10, RESPOND-ASYNC", True),
        ("respond-async; x=1", True),
        ("wait=5", False),
        ("", False),
    ],
)
def test_the_prefer_header_is_read_as_rfc_7240_writes_it(rf, header, later):
    from accounts_ops.api.common import prefers_async

    assert prefers_async(rf.post("/", HTTP_PREFER=header)) is later


def test_bulk_requests_kept_for_the_queue_are_stored_in_the_order_they_came_in(world, account):
    """Whichever task runs first, a correction sent after the rows it corrects is stored after
    them; a request that cannot be stored is marked failed and does not hold back the next."""
    from accounts_ops.services.imports import bulk_request_accept

    actor = Membership.objects.get(user=world.staff_a).as_actor()
    first = bulk_rows(account, days=3, plays=100)
    correction = bulk_rows(account, days=1, plays=555)
    with tenant_context(world.agency_a, actor=actor):
        broken = bulk_request_accept(actor=actor, kind="account_metrics", rows=bulk_rows(account, days=1))
        early = bulk_request_accept(actor=actor, kind="account_metrics", rows=first)
        late = bulk_request_accept(actor=actor, kind="account_metrics", rows=correction)
        broken.file.storage.delete(broken.file.name)  # its file is gone: it cannot be read
        data_import_run(import_id=late.pk)  # the later request's task runs first
        stored = AccountDailyMetric.objects.get(account=account, date=correction[0]["date"])
    assert stored.plays == 555
    jobs = {job.pk: job for job in DataImport.dangerously_all_agencies.all()}
    assert jobs[broken.pk].status == ImportStatus.FAILED and jobs[broken.pk].error
    assert (jobs[early.pk].status, jobs[early.pk].rows_created) == (ImportStatus.DONE, 3)
    assert (jobs[late.pk].status, jobs[late.pk].rows_updated) == (ImportStatus.DONE, 1)


def test_an_import_whose_row_cannot_be_saved_leaves_no_file_behind(world, settings):
    from django.db import IntegrityError

    from agency.uploads import save_with_files

    job = DataImport(agency=world.agency_a, kind=None, file=ContentFile(b'{"rows": []}', name="request.json"))
    with tenant_context(world.agency_a), pytest.raises(IntegrityError):
        save_with_files(job, "file")
    assert job.file.name  # it was written before the insert failed
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    ("environment", "limit"),
    [
        ({"UPLOAD_MAX_BYTES": "import=4096"}, 4096),
        ({"ACCOUNTS_OPS_IMPORT_MAX_BYTES": "2048"}, 2048),  # the earlier name still works
        ({"UPLOAD_MAX_BYTES": "import=4096", "ACCOUNTS_OPS_IMPORT_MAX_BYTES": "2048"}, 4096),
        ({}, IMPORT_MAX_BYTES_DEFAULT),
    ],
)
@pytest.mark.slow  # starts a process
def test_the_import_size_limit_is_read_from_the_environment(environment, limit):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in ("UPLOAD_MAX_BYTES", "ACCOUNTS_OPS_IMPORT_MAX_BYTES")}
    probe = "from accounts_ops.files import import_max_bytes; print(import_max_bytes())"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", probe],
        cwd=Path(__file__).resolve().parents[2],
        env={**env, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(limit)


def test_a_bulk_request_with_a_broken_content_length_is_a_clear_refusal(world, api, account):
    body = json.dumps({"rows": bulk_rows(account)})
    response = api(world.staff_a).generic(
        "POST",
        reverse("accountdailymetric-bulk"),
        body,
        content_type="application/json",
        HTTP_PREFER="respond-async",
        CONTENT_LENGTH="a lot",
    )
    assert response.status_code == 400
    assert "rows" in response.json()["error"]["fields"]
    assert not DataImport.dangerously_all_agencies.exists()


def test_an_import_cut_short_goes_on_after_its_last_step_and_counts_the_rows_its_lost_run_wrote(
    world, account, monkeypatch
):
    """A worker lost mid-import leaves the steps it committed, with their counts; the import sent
    again stores only the rest, and its counts are those of the whole file (created, not
    'unchanged', for the rows the lost run created)."""
    from accounts_ops.services import imports

    monkeypatch.setattr(imports, "IMPORT_CHUNK", 2)
    kind = imports.KINDS["account_metrics"]
    stored_steps = []

    def store_then_lose_the_worker(rows, **kwargs):
        if len(stored_steps) == 2:
            raise KeyboardInterrupt("the worker is lost")  # nothing after this step runs
        stored_steps.append(len(rows))
        return kind.store(rows, **kwargs)

    monkeypatch.setitem(imports.KINDS, "account_metrics", imports.Kind(kind.check, store_then_lose_the_worker))
    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor=actor):
        job = data_import_request(
            actor=actor,
            kind="account_metrics",
            file=SimpleUploadedFile("e.csv", export_csv(world.agency_a, days=5).encode()),
            account=account,
        )
        with pytest.raises(KeyboardInterrupt):
            data_import_run(import_id=job.pk)
    cut = DataImport.dangerously_all_agencies.get(pk=job.pk)
    assert (cut.status, cut.rows_accepted, cut.rows_created) == (ImportStatus.IMPORTING, 4, 4)

    stored_again = []
    monkeypatch.setitem(
        imports.KINDS,
        "account_metrics",
        imports.Kind(kind.check, lambda rows, **kw: stored_again.append(len(rows)) or kind.store(rows, **kw)),
    )
    with tenant_context(world.agency_a, actor=actor):
        data_import_run(import_id=job.pk)
    done = DataImport.dangerously_all_agencies.get(pk=job.pk)
    assert stored_again == [1], "only the step the lost run had not committed is stored"
    assert (done.status, done.rows_accepted, done.rows_created, done.rows_updated) == (ImportStatus.DONE, 5, 5, 0)
    assert AccountDailyMetric.dangerously_all_agencies.filter(account=account).count() == 5


def test_an_import_cut_short_whose_file_now_checks_differently_runs_again_from_the_start(world, account, monkeypatch):
    from accounts_ops.services import imports

    actor = Membership.objects.get(user=world.staff_a).as_actor()
    with tenant_context(world.agency_a, actor=actor):
        job = data_import_request(
            actor=actor,
            kind="account_metrics",
            file=SimpleUploadedFile("e.csv", export_csv(world.agency_a, days=3).encode()),
            account=account,
        )
    # As a lost run would leave it, had it counted 2 rows of a step that no longer matches the file.
    DataImport.dangerously_all_agencies.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING, rows_accepted=2, rows_created=2
    )
    monkeypatch.setattr(imports, "IMPORT_CHUNK", 3)
    with tenant_context(world.agency_a, actor=actor):
        data_import_run(import_id=job.pk)
    done = DataImport.dangerously_all_agencies.get(pk=job.pk)
    assert (done.status, done.rows_accepted, done.rows_created) == (ImportStatus.DONE, 3, 3)
