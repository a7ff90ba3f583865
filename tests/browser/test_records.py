"""Chapter 9 in the browser: a list exported as it is filtered, and the file downloaded; made in
the web process on the embedded default, and by a real Celery worker with PostgreSQL and Redis."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from agency.tenancy import tenant_context
from records.models import Asset
from tests.browser.conftest import SCREENSHOT_DIR, both, contains, form_with
from tests.records.factories import AssetFactory

pytestmark = pytest.mark.browser


def test_a_filtered_record_list_exports_and_downloads(browser, demo, shot):
    export_and_download(browser, demo, shot)


@pytest.mark.services
def test_an_export_made_by_a_worker_shows_its_progress_and_downloads(real_worker, browser, demo, shot):
    export_and_download(browser, demo, shot)


def export_and_download(browser, demo, shot) -> None:
    with tenant_context(demo):
        AssetFactory(agency=demo, identifier="CAM-0101", name="Sony FX3 摄像机", kind="camera")
        AssetFactory(agency=demo, identifier="CAM-0102", name="Sony A7S3 摄像机", kind="camera")
        AssetFactory(agency=demo, identifier="LGT-0201", name="爱图仕 LS 300d 补光灯", kind="light")
    manager = browser.signed_in("xinghe_manager")

    manager.get_by_role("link", name=both("Assets")).first.click()
    expect(manager.get_by_role("cell", name="LGT-0201")).to_be_visible()
    filters = form_with(manager, "Filter")
    filters.get_by_label(contains(Asset._meta.get_field("identifier").verbose_name)).fill("CAM")
    filters.get_by_role("button", name=both("Filter")).click()
    expect(manager.get_by_role("cell", name="LGT-0201")).to_have_count(0)
    expect(manager.get_by_role("cell", name="CAM-0101")).to_be_visible()
    shot(manager, "assets-filtered")

    manager.get_by_role("button", name="CSV", exact=True).click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text(contains("Export"))
    # A task makes the file: at once when tasks run in the web process, else in a worker while
    # the page shows the progress and refreshes itself until the download appears.
    download_link = manager.get_by_role("link", name=both("Download"))
    expect(download_link).to_be_visible(timeout=90_000)
    shot(manager, "export-ready")
    with manager.expect_download() as waiting:
        download_link.click()
    download = waiting.value
    assert download.suggested_filename.endswith(".csv")
    saved = SCREENSHOT_DIR / f"{browser.shots.prefix}-{download.suggested_filename}"
    download.save_as(saved)

    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    cells = {cell for row in rows for cell in row}
    assert {"CAM-0101", "CAM-0102", "Sony FX3 摄像机"} <= cells
    assert "LGT-0201" not in cells
