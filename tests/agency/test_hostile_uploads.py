"""A corpus of hostile files, made here in code, sent to every upload the API takes.

Each (upload × hostile file) must be refused with a 4xx whose message names the problem, and leave
nothing behind: no row, no changed row, no file in storage. Uploads are spooled to temporary files
(as large uploads are), so a playlist keeps its ``.m3u8`` name on disk, as it would in production.
Then every stored file is served with a Content-Disposition and ``nosniff``.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as PageClient
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts_ops.models import DataImport, ProfileChange
from agency.tenancy import dangerously_all_agencies
from clients.models import ClientRequirement, RequirementStatus
from production.models import Clip, Cut, PostProductionStep, PostStepKind, Stage
from production.rules import CLIP_MAX_UPLOAD_BYTES
from records.models import ImageRecord
from tests.factories import ClientRequirementFactory, PlatformAccountFactory
from tests.production import media_samples
from tests.production.factories import PostProductionStepFactory, ShootFactory, project_for

SRT = media_samples.SRT.encode()
CSV = b"date,plays,followers_total\n2026-01-05,10,100\n"


# --- the corpus ------------------------------------------------------------------------------------


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(out, "PNG")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(side: int = 60_000) -> bytes:
    """A valid PNG header claiming ``side`` × ``side`` pixels (3.6 billion), with a few bytes of data."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\x00" + b"\x00" * 3 * side)  # one row; a decoder would allocate them all
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def a_zip(members: dict[str, bytes], *, deflate: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


ZIP_BUDGET = 1024 * 1024  # the unpacked-size budget the corpus runs under (UPLOAD_ZIP_MAX_UNPACKED_BYTES)


def zip_bomb() -> bytes:
    """An XLSX-shaped ZIP of a few KiB that would unpack to four times the budget."""
    return a_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"0" * (4 * ZIP_BUDGET),
        }
    )


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
    b'onload="alert(document.cookie)"><script>fetch("/api/v1/clients/")</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.domain)</script></body></html>"
GIF_JS_POLYGLOT = b"GIF89a/*\x0a\x00\x0a\x00\x00\x00\x00;*/=1;alert(document.domain);//" + b"\x00" * 32


def hls(video_path: Path) -> bytes:
    """A playlist naming a video already on this server: FFmpeg, if let, would read that file."""
    return (
        f"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:1.0,\n{video_path}\n#EXT-X-ENDLIST\n"
    ).encode()


def ffconcat(video_path: Path) -> bytes:
    return f"ffconcat version 1.0\nfile {video_path}\n".encode()


@dataclass(frozen=True)
class Hostile:
    """A hostile file for one upload: ``make(upload, samples)`` → (name, bytes); ``says(upload)``
    → a fragment the refusal must contain."""

    name: str
    make: Callable
    says: Callable


def _picture_kind(upload) -> bool:
    return upload.kind in ("picture", "document")


HOSTILE = [
    Hostile(
        "wrong_magic",
        # A picture where a video, subtitles or a table is due; a video where a picture or document is.
        lambda u, s: (u.filename, s.video_bytes if _picture_kind(u) else png()),
        lambda u: "MP4/MOV video" if _picture_kind(u) else "PNG image",
    ),
    Hostile(
        "text_as_binary",
        lambda u, s: (u.filename, b"just some words, no file format\n" * 3),
        # Text is what a CSV is: a table refuses it for the columns it lacks.
        lambda u: "plain text" if u.kind != "table" else "lacks the column(s) date",
    ),
    Hostile("hls_playlist", lambda u, s: (f"{u.stem}.m3u8", hls(s.video_path)), lambda u: "HLS playlist"),
    Hostile("ffconcat_list", lambda u, s: (u.filename, ffconcat(s.video_path)), lambda u: "FFmpeg concat list"),
    Hostile(
        "image_bomb",
        lambda u, s: (u.filename, png_bomb()),
        lambda u: "claims more pixels" if _picture_kind(u) else "PNG image",
    ),
    Hostile("zero_bytes", lambda u, s: (u.filename, b""), lambda u: "empty"),
    Hostile("one_byte_over", lambda u, s: (u.filename, u.valid(s)), lambda u: "the limit is"),
    Hostile("svg_with_script", lambda u, s: (f"{u.stem}.png", SVG), lambda u: "SVG drawing"),
    Hostile("html_page", lambda u, s: (u.filename, HTML), lambda u: "HTML page"),
    Hostile(
        "zip_bomb",
        lambda u, s: (f"{u.stem}.xlsx", zip_bomb()),
        lambda u: "ZIP bomb" if u.kind in ("table", "document") else "ZIP archive",
    ),
    Hostile(
        "zip_not_office",
        lambda u, s: (f"{u.stem}.xlsx", a_zip({"[Content_Types].xml": b"<Types/>", "index.html": HTML})),
        lambda u: "ZIP archive",
    ),
    Hostile("gif_js_polyglot", lambda u, s: (u.filename, GIF_JS_POLYGLOT), lambda u: "GIF image"),
]


# --- every upload the API takes ------------------------------------------------------------------


class Samples:
    def __init__(self, folder: Path):
        self.video_path = media_samples.make_video(folder / "real.mp4", width=64, height=64, seconds=1)
        self.video_bytes = self.video_path.read_bytes()


@dataclass(frozen=True)
class Upload:
    """One upload of the API: how to send a file to it, what an honest file of it looks like, and
    how to set its size limit."""

    name: str
    kind: str  # video, subtitles, picture, document, table
    filename: str
    send: Callable  # (api client, setup, SimpleUploadedFile) -> response
    limit_key: str = ""  # the kind's key in UPLOAD_MAX_BYTES

    @property
    def stem(self) -> str:
        return self.filename.rsplit(".", 1)[0]

    def valid(self, samples: Samples) -> bytes:
        return {
            "video": samples.video_bytes,
            "subtitles": SRT,
            "picture": png(),
            "document": pdf(),
            "table": CSV,
        }[self.kind]

    def set_limit(self, settings, world, size: int) -> None:
        if self.kind == "video":
            world.agency_a.settings = {**world.agency_a.settings, CLIP_MAX_UPLOAD_BYTES.key: size}
            world.agency_a.save()
        else:
            settings.UPLOAD_MAX_BYTES = {self.limit_key: size}


@dataclass
class Setup:
    shoot: object
    project: object
    steps: dict
    requirement: object
    account: object


def multipart(url_name: str, field: str, body: Callable, *, method: str = "post", args: Callable | None = None):
    """Send the file as ``field`` of a multipart body, with the fields ``body(setup)`` gives."""

    def send(api, setup: Setup, upload):
        url = reverse(url_name, args=args(setup) if args else None)
        return getattr(api, method)(url, {**body(setup), field: upload}, format="multipart")

    return send


def _base64_image(api, setup, upload):
    upload.seek(0)
    body = {
        "image": base64.b64encode(upload.read()).decode(),
        "caption": "设备入库",
        "taken_on": timezone.localdate().isoformat(),
    }
    return api.post(reverse("imagerecord-list"), body, format="json")


def nothing(setup) -> dict:
    return {}


def today(setup) -> str:
    return timezone.localdate().isoformat()


def step_of(kind):
    return {"method": "patch", "args": lambda s: [s.steps[kind].pk]}


UPLOADS = [
    Upload("clip", "video", "clip.mp4", multipart("clip-list", "file", lambda s: {"shoot": s.shoot.pk})),
    Upload("cut", "video", "cut.mp4", multipart("cut-list", "file", lambda s: {"project": s.project.pk})),
    Upload(
        "subtitles_evidence",
        "subtitles",
        "subtitles.srt",
        multipart("postproductionstep-detail", "evidence_file", nothing, **step_of(PostStepKind.SUBTITLES)),
        "subtitles",
    ),
    Upload(
        "cover_evidence",
        "picture",
        "cover.png",
        multipart("postproductionstep-detail", "evidence_file", nothing, **step_of(PostStepKind.COVER)),
        "cover",
    ),
    Upload(
        "step_evidence_document",
        "document",
        "grading-notes.pdf",
        multipart("postproductionstep-detail", "evidence_file", nothing, **step_of(PostStepKind.COLOUR_GRADING)),
        "document",
    ),
    Upload(
        "requirement_evidence",
        "document",
        "evidence.pdf",
        multipart(
            "clientrequirement-fulfil", "evidence_file", lambda s: {"note": "Done."}, args=lambda s: [s.requirement.pk]
        ),
        "document",
    ),
    Upload(
        "profile_avatar",
        "picture",
        "avatar.png",
        multipart("profilechange-list", "after_image", lambda s: {"account": s.account.pk, "field": "avatar"}),
        "profile_image",
    ),
    Upload(
        "profile_banner_as_found",
        "picture",
        "banner.png",
        multipart(
            "profilechange-baseline",
            "after_image",
            lambda s: {"account": s.account.pk, "field": "banner", "applied_on": today(s)},
        ),
        "profile_image",
    ),
    Upload(
        "metrics_import",
        "table",
        "metrics.csv",
        multipart("dataimport-upload", "file", lambda s: {"kind": "account_metrics", "account": s.account.pk}),
        "import",
    ),
    Upload(
        "image_record",
        "picture",
        "photo.png",
        multipart("imagerecord-list", "image", lambda s: {"caption": "设备", "taken_on": today(s)}),
        "photo",
    ),
    Upload("image_record_base64", "picture", "photo.png", _base64_image, "photo"),
]


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Samples:
    return Samples(tmp_path_factory.mktemp("hostile-samples"))


@pytest.fixture
def setup(world, settings) -> Setup:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload is spooled to a named temporary file
    settings.UPLOAD_ZIP_MAX_UNPACKED_BYTES = ZIP_BUDGET
    shoot = ShootFactory(project=project_for(world.client_a1, stage=Stage.SHOOTING))
    project = project_for(world.client_a1, stage=Stage.POST_PRODUCTION)
    steps = {
        kind: PostProductionStepFactory(project=project, kind=kind, position=position)
        for position, kind in enumerate(
            (PostStepKind.SUBTITLES, PostStepKind.COVER, PostStepKind.COLOUR_GRADING), start=1
        )
    }
    requirement = ClientRequirementFactory(
        client=world.client_a1, status=RequirementStatus.ACCEPTED, due_date=timezone.localdate() + dt.timedelta(days=3)
    )
    return Setup(shoot, project, steps, requirement, PlatformAccountFactory(client=world.client_a1))


def stored_files(root) -> set[str]:
    root = Path(root)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def what_is_stored() -> dict:
    """Every row and file field an upload could have written."""
    with dangerously_all_agencies():
        return {
            "clips": Clip.objects.count(),
            "cuts": Cut.objects.count(),
            "steps": sorted(PostProductionStep.objects.values_list("evidence_file", "status")),
            "requirements": sorted(ClientRequirement.objects.values_list("evidence_file", "status")),
            "profile_changes": ProfileChange.objects.count(),
            "imports": DataImport.objects.count(),
            "images": ImageRecord.objects.count(),
        }


def error_text(response) -> str:
    return json.dumps(response.json()["error"], ensure_ascii=False)


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: h.name)
@pytest.mark.parametrize("upload", UPLOADS, ids=lambda u: u.name)
def test_a_hostile_file_is_refused_naming_the_problem_and_nothing_is_kept(
    world, api, settings, samples, setup, upload, hostile
):
    name, data = hostile.make(upload, samples)
    if hostile.name == "one_byte_over":
        upload.set_limit(settings, world, len(data) - 1)
    before, files_before = what_is_stored(), stored_files(settings.MEDIA_ROOT)
    response = upload.send(api(world.staff_a), setup, SimpleUploadedFile(name, data))
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    said = error_text(response)
    assert hostile.says(upload) in said, said
    assert what_is_stored() == before
    assert stored_files(settings.MEDIA_ROOT) == files_before


@pytest.mark.parametrize("upload", UPLOADS, ids=lambda u: u.name)
def test_an_honest_file_at_the_limit_is_accepted(world, api, settings, samples, setup, upload):
    """The other side of every refusal above: the same upload takes a real file of its kind,
    exactly at its limit, and keeps it under a name of ours."""
    data = upload.valid(samples)
    upload.set_limit(settings, world, len(data))
    response = upload.send(api(world.staff_a), setup, SimpleUploadedFile(f"../../chosen-{upload.filename}", data))
    assert response.status_code in (200, 201, 202), response.content[:500]
    new = stored_files(settings.MEDIA_ROOT)
    assert new and not any("chosen" in path or ".." in path for path in new), new


def test_a_picture_with_a_payload_appended_is_kept_as_pixels_only(world, api, setup, settings):
    """A polyglot that is a real picture (a PNG with a ZIP and a script after its end) is
    accepted as a picture, and only its pixels are kept."""
    payload = a_zip({"evil.html": HTML})
    upload = UPLOADS[[u.name for u in UPLOADS].index("image_record")]
    response = upload.send(api(world.staff_a), setup, SimpleUploadedFile("photo.png", png() + payload + HTML))
    assert response.status_code == 201, response.content
    (path,) = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file() and "images" in str(p)]
    kept = path.read_bytes()
    assert b"PK\x03\x04" not in kept and b"<script" not in kept and kept.startswith(b"\x89PNG")


# --- serving ----------------------------------------------------------------------------------------


def _page_client(user) -> PageClient:
    client = PageClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_every_stored_upload_is_served_as_declared_with_nosniff(world, api, settings, samples, setup):
    """Every upload, once kept, is served (API and pages) with a Content-Disposition, ``nosniff``,
    a Content-Type from our stored name, and inline only when it is a picture or a video."""
    staff = api(world.staff_a)
    for upload in UPLOADS:
        response = upload.send(staff, setup, SimpleUploadedFile(upload.filename, upload.valid(samples)))
        assert response.status_code in (200, 201, 202), (upload.name, response.content[:300])
    with dangerously_all_agencies():
        clip, cut = Clip.objects.get(), Cut.objects.get()
        change = ProfileChange.objects.filter(field="avatar").get()
        image = ImageRecord.objects.first()
    steps = setup.steps
    served = {
        reverse("clip-download", args=[clip.pk]): "video/mp4",
        reverse("cut-download", args=[cut.pk]): "video/mp4",
        reverse("postproductionstep-download", args=[steps[PostStepKind.SUBTITLES].pk]): "application/octet-stream",
        reverse("postproductionstep-download", args=[steps[PostStepKind.COVER].pk]): "image/png",
        reverse("postproductionstep-download", args=[steps[PostStepKind.COLOUR_GRADING].pk]): "application/pdf",
        reverse("clientrequirement-evidence", args=[setup.requirement.pk]): "application/pdf",
        reverse("profilechange-image", args=[change.pk]) + "?side=after": "image/png",
        reverse("imagerecord-image", args=[image.pk]): "image/png",
        reverse("imagerecord-thumbnail", args=[image.pk]): "image/jpeg",
        reverse("production:media-file", args=["clip", clip.pk]): "video/mp4",
        reverse("production:media-file", args=["evidence", steps[PostStepKind.COLOUR_GRADING].pk]): "application/pdf",
        reverse("clients:requirement-evidence", args=[setup.requirement.pk]): "application/pdf",
        reverse("accounts_ops:profile-image", args=[change.pk, "after"]): "image/png",
        reverse("records:image-file", args=[image.pk, "image"]): "image/png",
    }
    pages = _page_client(world.staff_a)
    for url, content_type in served.items():
        response = (staff if url.startswith("/api/") else pages).get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Content-Type"] == content_type, (url, response["Content-Type"])
        disposition = response["Content-Disposition"]
        inline = content_type.startswith(("image/", "video/"))
        assert disposition.startswith("inline" if inline else "attachment"), (url, disposition)


def test_a_file_is_served_only_to_people_who_may_see_its_row(world, api, samples, setup):
    upload = UPLOADS[[u.name for u in UPLOADS].index("requirement_evidence")]
    assert upload.send(api(world.staff_a), setup, SimpleUploadedFile("e.pdf", pdf())).status_code == 200
    url = reverse("clientrequirement-evidence", args=[setup.requirement.pk])
    assert api(world.staff_b).get(url).status_code == 404
    assert api(world.viewer_a1).get(url).status_code == 200
    page = reverse("clients:requirement-evidence", args=[setup.requirement.pk])
    assert _page_client(world.staff_b).get(page).status_code == 404


def test_a_phones_multi_picture_jpeg_is_taken_as_its_first_picture():
    """A multi-picture JPEG (MPO, as phones and 3D cameras save) is a JPEG to people: accepted,
    re-encoded as a plain JPEG, not a server error."""
    from PIL import Image

    from agency.uploads import clean_picture_bytes

    first, second = Image.new("RGB", (40, 30), (200, 10, 10)), Image.new("RGB", (40, 30), (10, 200, 10))
    buffer = io.BytesIO()
    first.save(buffer, format="MPO", save_all=True, append_images=[second])
    clean = clean_picture_bytes(buffer.getvalue(), field="image", name="photo.jpg", max_pixels=10_000)
    assert (clean.extension, clean.width, clean.height) == ("jpg", 40, 30)
    assert Image.open(io.BytesIO(clean.content)).format == "JPEG"


def test_a_range_header_too_long_to_be_a_size_is_ignored(world):
    """A Range header with thousands of digits is no range: the whole file is served, no 500."""
    from django.test import Client as Browser

    from tests.factories import PlatformAccountFactory
    from tests.production.factories import ClipFactory, ShootFactory, VideoProjectFactory

    project = VideoProjectFactory(account=PlatformAccountFactory(client=world.client_a1))
    clip = ClipFactory(shoot=ShootFactory(project=project))
    browser = Browser()
    browser.force_login(world.staff_a)
    response = browser.get(
        reverse("production:media-file", args=["clip", clip.pk]), HTTP_RANGE="bytes=" + "9" * 4400 + "-"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("stored", "content_type", "inline"),
    [
        ("ab12.mkv", "video/x-matroska", True),
        ("ab12.mp4", "video/mp4", True),
        ("ab12.ts", "application/octet-stream", False),
        ("ab12.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
        ("ab12.pdf", "application/pdf", False),
        ("ab12.JPG", "image/jpeg", True),
        ("subtitles.srt", "application/octet-stream", False),
        ("upload", "application/octet-stream", False),
    ],
)
def test_a_stored_file_is_served_by_our_table_whatever_the_hosts_mime_types(
    rf, tmp_path, monkeypatch, stored, content_type, inline
):
    import mimetypes

    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    from agency.http import file_response

    monkeypatch.setattr(mimetypes, "guess_type", lambda *args, **kwargs: ("text/html", None))  # a hostile host
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save(stored, ContentFile(b"bytes"))

    class Stored:
        def __init__(self):
            self.name, self.storage, self.size = name, storage, 5

    response = file_response(rf.get("/"), Stored())
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("inline" if inline else "attachment")
