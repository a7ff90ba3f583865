"""Compile the translation catalogues (``.po`` to ``.mo``) with Babel.

Django's own ``compilemessages`` shells out to GNU gettext's ``msgfmt``, which is missing on many
machines (Windows, macOS without Homebrew, slim containers). Babel is a pinned Python dependency, so
this command works wherever the project runs. (``makemessages`` still needs ``xgettext``, but only
translators run that; everyone who runs the site needs the ``.mo`` files, which are git-ignored.)

The catalogue's header decides the plural rule (``Plural-Forms``); the locale directory's name
(``zh_Hans``, ``en``) is passed to Babel only as the fallback for a header without one. Fuzzy and
untranslated entries are left out of the ``.mo``, as ``msgfmt`` does.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Babel reads an unterminated string (msgstr "abc) as an empty one; msgfmt rejects it, so do we.
PO_LINE = re.compile(r'(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"')


class Command(BaseCommand):
    help = "Compile every LOCALE_PATHS/*/LC_MESSAGES/django.po into django.mo with Babel (no msgfmt needed)."

    def handle(self, *args, **options):
        po_files = sorted(po for path in settings.LOCALE_PATHS for po in Path(path).glob("*/LC_MESSAGES/django.po"))
        if not po_files:
            raise CommandError(f"No */LC_MESSAGES/django.po in LOCALE_PATHS ({settings.LOCALE_PATHS}).")
        for po_path in po_files:
            catalog = read_catalog(po_path)
            mo_path = po_path.with_suffix(".mo")
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            messages = [m for m in catalog if m.id]
            done = [m for m in messages if not m.fuzzy and all(m.string if m.pluralizable else [m.string])]
            self.stdout.write(f"Compiled {po_path} -> {mo_path.name} ({len(done)}/{len(messages)} translated)")


def read_catalog(po_path: Path) -> Catalog:
    """Parse a .po file strictly; any error is a CommandError naming the file and line."""
    data = po_path.read_bytes()
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{po_path}: not UTF-8 ({exc}).") from exc
    for lineno, line in enumerate(lines, 1):
        line = line.strip()
        if line and not line.startswith("#") and not PO_LINE.fullmatch(line):
            raise CommandError(f"{po_path}, line {lineno}: expected a keyword and a quoted string, got {line!r}.")
    try:
        locale = str(Locale.parse(po_path.parent.parent.name))  # zh_Hans → zh_Hans; a bad name → None
    except (UnknownLocaleError, ValueError):
        locale = None
    try:
        return read_po(io.BytesIO(data), locale=locale, abort_invalid=True)
    except PoFileError as exc:
        problem = str(exc).rsplit(" on ", 1)[0]
        raise CommandError(f"{po_path}, line {exc.lineno + 1}: {problem}.") from exc
