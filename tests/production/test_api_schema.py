"""The schema says what the production API answers: download links are paths on this server
(not absolute URIs), and a download is the file in its own media type."""

from __future__ import annotations

import yaml
from django.core.management import call_command


def test_download_links_and_downloads_are_described_as_answered(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    components = schema["components"]["schemas"]
    assert components["Clip"]["properties"]["file_url"].get("format") != "uri"
    assert components["PostProductionStep"]["properties"]["evidence_url"].get("nullable") is True
    download = schema["paths"]["/api/v1/clips/{id}/download/"]["get"]["responses"]["200"]["content"]
    assert list(download) == ["*/*"]
