"""The schema says what the production API answers: download links are paths on this server
(not absolute URIs), and a download is the file in its own media type."""

from __future__ import annotations


def test_download_links_and_downloads_are_described_as_answered(openapi):
    components = openapi["components"]["schemas"]
    assert components["Clip"]["properties"]["file_url"].get("format") != "uri"
    assert components["PostProductionStep"]["properties"]["evidence_url"].get("nullable") is True
    download = openapi["paths"]["/api/v1/clips/{id}/download/"]["get"]["responses"]["200"]["content"]
    assert list(download) == ["*/*"]
