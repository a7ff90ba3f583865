"""Uploads: what a file is, decided from its bytes, and whether the product accepts it.

Every upload the product takes goes through here, so one set of rules holds for all of them:

- **Size.** Each kind of upload has a limit; the ``UPLOAD_MAX_BYTES`` setting (a dict keyed by
  kind) overrides any of them. An empty file is refused; so is one byte over the limit.
- **Type from the bytes.** The name and the browser's Content-Type header decide nothing. Each kind
  is read by the decoder that will use it, held to the formats the kind allows: pictures by Pillow
  (``formats=``), videos and subtitles by FFmpeg with a ``format_whitelist`` (``production.media``),
  Office files by ``zipfile`` within an unpacked-size budget. A file that only starts like an
  allowed one is refused when it is read.
- **Clear refusals.** A refused file is named with what its bytes are (``what_it_is``): "clip.mp4
  is not a video: it is an HLS playlist", not "invalid data".
- **Pictures are re-encoded.** A picture is decoded whole (a truncated or forged file is refused),
  bounded in pixels before decoding (a decompression bomb is refused), turned upright and stored
  as fresh pixels: no EXIF (GPS position, camera serial), XMP, text chunks or profiles survive.
- **Our names.** What is stored is named by us (random, with the extension of the format found),
  never by the uploader; the original name is kept in the row where it is shown.
"""

from __future__ import annotations

import io
import uuid
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

# Limits of the kinds that have no clause of their own (the clause-bound ones sit beside their
# clause: accounts_ops.images, records.images, production.rules, accounts_ops.files).
DOCUMENT_MAX_BYTES = 20 * MIB  # evidence files (4.1 requirements, 5.3 post-production steps)
# The most pixels a photo-like picture may have (about 8660 x 5770): a larger one is refused before
# it is decoded. Evidence pictures, 5.3 covers and 9 l) image records share it.
PICTURE_MAX_PIXELS = 50_000_000
ZIP_MAX_UNPACKED_BYTES = 200 * MIB  # an Office file may unpack to this much in all; more is a bomb
ZIP_MAX_MEMBERS = 5_000

PICTURE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
PICTURE_FORMATS_TEXT = "JPEG, PNG, WebP"
OFFICE_PARTS = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml", "pptx": "ppt/presentation.xml"}
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def upload_limit(kind: str, default: int) -> int:
    """The size limit of ``kind`` in bytes: the ``UPLOAD_MAX_BYTES`` setting's, else ``default``."""
    return int(getattr(settings, "UPLOAD_MAX_BYTES", {}).get(kind, default))


def size_text(size: int) -> str:
    if size >= GIB:
        return f"{size / GIB:.1f} GiB"
    if size >= MIB:
        return f"{size / MIB:.1f} MiB"
    if size >= KIB:
        return f"{size / KIB:.1f} KiB"
    return f"{size} B"


def display_name(upload) -> str:
    return (getattr(upload, "name", "") or "").rsplit("/", 1)[-1] or _("the file")


def refuse(field: str, message: str):
    raise ValidationError({field: message})


# --- what the bytes are -------------------------------------------------------------------------


def _starts(head: bytes, *prefixes: bytes) -> bool:
    return any(head.startswith(prefix) for prefix in prefixes)


def sniff(head: bytes) -> str:
    """A short code for what ``head`` (the first few KiB of a file) is. Used to name a refused
    file and to pick the checker of a kind that allows several formats; acceptance itself is the
    decoder's."""
    if not head:
        return "empty"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if _starts(head, b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if _starts(head, b"BM") and len(head) > 14 and head[6:10] == b"\x00\x00\x00\x00":
        return "bmp"
    if _starts(head, b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if _starts(head, b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if _starts(head, b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07"):
        return "archive"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "matroska"
    if head[:1] == b"\x47" and len(head) > 188 and head[188:189] == b"\x47":
        return "mpegts"
    if _starts(head, b"ID3", b"fLaC", b"OggS") or (head[:4] == b"RIFF" and head[8:12] == b"WAVE"):
        return "audio"
    if _starts(head, b"\x7fELF", b"MZ", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe"):
        return "program"
    text = _as_text(head)
    if text is None:
        return "unknown"
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith("#extm3u"):
        return "hls"
    if start.startswith("ffconcat"):
        return "ffconcat"
    if start.startswith("<") and "<svg" in start[:2048]:  # after an XML prolog or a comment
        return "svg"
    if start.startswith(("<!doctype html", "<html", "<script", "<head", "<body")):
        return "html"
    if start.startswith("<?xml") or start.startswith("<"):
        return "xml"
    return "text"


def _as_text(head: bytes) -> str | None:
    if b"\x00" in head:
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                return head[: exc.start].decode(encoding, "replace")
    return None


def what_it_is(code: str) -> str:
    """``sniff``'s code in words, for a message ("… it is %s")."""
    names = {
        "empty": _("an empty file"),
        "png": _("a PNG image"),
        "jpeg": _("a JPEG image"),
        "gif": _("a GIF image"),
        "webp": _("a WebP image"),
        "bmp": _("a BMP image"),
        "tiff": _("a TIFF image"),
        "pdf": _("a PDF document"),
        "zip": _("a ZIP archive"),
        "ole": _("an old Office file (.doc, .xls or .ppt)"),
        "archive": _("a compressed archive"),
        "mp4": _("an MP4/MOV video"),
        "matroska": _("a Matroska/WebM video"),
        "mpegts": _("an MPEG transport stream"),
        "audio": _("an audio file"),
        "program": _("a program"),
        "hls": _("an HLS playlist (a list of other files, not a video)"),
        "ffconcat": _("an FFmpeg concat list (a list of other files, not a video)"),
        "svg": _("an SVG drawing (which can carry scripts)"),
        "html": _("an HTML page"),
        "xml": _("an XML or markup file"),
        "text": _("plain text"),
        "unknown": _("data in no format this product accepts"),
    }
    return names.get(code, names["unknown"])


def head_of(source, size: int = 4096) -> bytes:
    """The first ``size`` bytes of a path or file object (rewound before and after)."""
    if isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
        with open(source, "rb") as handle:
            return handle.read(size)
    source.seek(0)
    try:
        return source.read(size)
    finally:
        source.seek(0)


# --- size -----------------------------------------------------------------------------------------


def check_size(upload, *, field: str, kind: str, default_limit: int) -> int:
    """Refuse a missing or empty upload, or one over the kind's limit; return the limit."""
    if upload is None:
        refuse(field, _("No file was uploaded."))
    limit = upload_limit(kind, default_limit)
    size = getattr(upload, "size", None)
    if size is not None:
        _check_size_value(size, limit, field=field, name=display_name(upload))
    return limit


def _check_size_value(size: int, limit: int, *, field: str, name: str) -> None:
    if size == 0:
        refuse(field, _("%(name)s is empty.") % {"name": name})
    if size > limit:
        said, allowed = size_text(size), size_text(limit)
        if said == allowed:  # one byte over shows as the same rounded figure
            said, allowed = f"{size:,} B", f"{limit:,} B"
        message = _("%(name)s is %(size)s; the limit is %(limit)s.")
        refuse(field, message % {"name": name, "size": said, "limit": allowed})


def read_upload(upload, *, field: str, kind: str, default_limit: int) -> bytes:
    """The bytes of ``upload``, after the size checks (never more than the limit plus one byte
    is read, whatever the upload says its size is)."""
    limit = check_size(upload, field=field, kind=kind, default_limit=default_limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    _check_size_value(len(data), limit, field=field, name=display_name(upload))
    return data


# --- pictures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanPicture:
    picture: Image.Image  # upright, decoded
    content: bytes  # re-encoded, pixels only
    extension: str
    width: int
    height: int

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=f"{uuid.uuid4().hex}.{self.extension}")


def clean_picture(upload, *, field: str, kind: str, max_bytes: int, max_pixels: int, quality: int = 88) -> CleanPicture:
    """A JPEG, PNG or WebP picture from ``upload``, re-encoded without metadata, or a
    ValidationError on ``field`` naming what is wrong."""
    data = read_upload(upload, field=field, kind=kind, default_limit=max_bytes)
    return clean_picture_bytes(data, field=field, name=display_name(upload), max_pixels=max_pixels, quality=quality)


def clean_picture_bytes(data: bytes, *, field: str, name: str, max_pixels: int, quality: int = 88) -> CleanPicture:
    def not_a_picture(code: str):
        refuse(
            field,
            _("%(name)s is not a picture this product accepts (%(allowed)s): it is %(what)s.")
            % {"name": name, "allowed": PICTURE_FORMATS_TEXT, "what": what_it_is(code)},
        )

    code = sniff(data[:4096])
    if code not in ("jpeg", "png", "webp"):
        not_a_picture(code)
    too_many = _("%(name)s is %(width)dx%(height)d pixels, more than the %(max)s allowed.")
    try:
        with warnings.catch_warnings():
            # Pillow warns (then fails) past its own bomb threshold: both are refusals here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(PICTURE_FORMATS)) as probe:
                # A phone's multi-picture JPEG (MPO) is read as its first picture, a JPEG.
                fmt = "JPEG" if probe.format == "MPO" else probe.format
                width, height = probe.size
                if width * height > max_pixels:
                    refuse(
                        field,
                        too_many % {"name": name, "max": f"{max_pixels:,}", "width": width, "height": height},
                    )
                probe.verify()
            with Image.open(io.BytesIO(data), formats=[fmt]) as picture:
                picture.load()
                upright = ImageOps.exif_transpose(picture)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        refuse(field, _("%(name)s claims more pixels than can be decoded safely.") % {"name": name})
    except UnidentifiedImageError:
        not_a_picture(code)
    except (OSError, SyntaxError, ValueError, EOFError):
        refuse(field, _("%(name)s is damaged: its picture cannot be read to the end.") % {"name": name})
    extension = PICTURE_FORMATS[fmt]
    return CleanPicture(upright, encode_picture(upright, fmt, quality), extension, upright.width, upright.height)


def encode_picture(picture: Image.Image, fmt: str, quality: int = 88) -> bytes:
    """Pixels only: a fresh image carries no EXIF, XMP, ICC profile or text chunk over."""
    if picture.mode not in ("RGB", "RGBA", "L"):
        picture = picture.convert("RGBA" if picture.mode in ("P", "PA", "LA") else "RGB")
    if fmt == "JPEG" and picture.mode == "RGBA":
        picture = picture.convert("RGB")
    clean = Image.new(picture.mode, picture.size)
    clean.paste(picture)
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=quality, optimize=True)
    elif fmt == "PNG":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=quality)
    return out.getvalue()


# --- ZIP-based Office files -----------------------------------------------------------------------


def zip_unpacked_limit() -> int:
    return int(getattr(settings, "UPLOAD_ZIP_MAX_UNPACKED_BYTES", ZIP_MAX_UNPACKED_BYTES))


def check_office_zip(data: bytes, *, field: str, name: str) -> str:
    """The Office format (xlsx, docx, pptx) of a ZIP file, checked without unpacking it: a
    readable archive, few enough members, within the unpacked-size budget (else a ZIP bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        refuse(field, _("%(name)s is a damaged ZIP file.") % {"name": name})
    if len(members) > ZIP_MAX_MEMBERS:
        refuse(
            field,
            _("%(name)s holds %(count)d files; at most %(max)d.")
            % {"name": name, "count": len(members), "max": ZIP_MAX_MEMBERS},
        )
    unpacked = sum(member.file_size for member in members)
    limit = zip_unpacked_limit()
    if unpacked > limit:
        refuse(
            field,
            _("%(name)s would unpack to %(size)s, more than the %(limit)s allowed (a ZIP bomb).")
            % {"name": name, "size": size_text(unpacked), "limit": size_text(limit)},
        )
    names = {member.filename for member in members}
    if "[Content_Types].xml" in names:
        for fmt, part in OFFICE_PARTS.items():
            if part in names:
                return fmt
    refuse(
        field,
        _("%(name)s is a ZIP archive but not an Excel, Word or PowerPoint file (.xlsx, .docx, .pptx).")
        % {"name": name},
    )


# --- evidence documents ---------------------------------------------------------------------------

DOCUMENT_FORMATS_TEXT = "PDF, JPEG, PNG, WebP, XLSX, DOCX, PPTX"


def clean_document(upload, *, field: str, kind: str = "document") -> ContentFile:
    """An evidence file: a PDF, a picture (re-encoded) or an Office file, under a name of ours.
    Anything else (a page, a drawing, a program, a playlist, text) is refused naming what it is."""
    data = read_upload(upload, field=field, kind=kind, default_limit=DOCUMENT_MAX_BYTES)
    name = display_name(upload)
    code = sniff(data[:4096])
    if code in ("jpeg", "png", "webp"):
        return clean_picture_bytes(data, field=field, name=name, max_pixels=PICTURE_MAX_PIXELS).as_file()
    if code == "pdf":
        if b"%%EOF" not in data[-2048:]:
            refuse(field, _("%(name)s is a damaged PDF document (it has no end).") % {"name": name})
        return ContentFile(data, name=f"{uuid.uuid4().hex}.pdf")
    if code == "zip":
        fmt = check_office_zip(data, field=field, name=name)
        return ContentFile(data, name=f"{uuid.uuid4().hex}.{fmt}")
    refuse(
        field,
        _("%(name)s is not an evidence file this product accepts (%(allowed)s): it is %(what)s.")
        % {"name": name, "allowed": DOCUMENT_FORMATS_TEXT, "what": what_it_is(code)},
    )


def save_with_files(instance, *file_fields: str) -> None:
    """Save ``instance`` with the new files of its ``file_fields``; if the save fails after they
    were written to storage, remove them again: no file without its row."""
    pending = [getattr(instance, name) for name in file_fields]
    pending = [stored for stored in pending if stored and not stored._committed]
    try:
        with transaction.atomic():
            instance.save()
    except Exception:
        for stored in pending:
            if stored._committed and stored.name:
                stored.storage.delete(stored.name)
        raise
