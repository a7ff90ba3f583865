"""The Simplified Chinese catalogue is complete and covers every string marked for translation.

The catalogue (agency/locale/zh_Hans/LC_MESSAGES/django.po) is read with Babel. The marked strings
are extracted without gettext tools: Python files with Babel's extractor and the keywords
``makemessages`` gives xgettext; templates with Django's own ``templatize`` (what ``makemessages``
runs too: ``{% translate %}`` and ``{% blocktranslate %}`` become gettext calls, ``{{ var }}``
becomes ``%(var)s``). Failures name the file and line. No database is needed.

After adding or changing a marked string: ``manage.py makemessages -l zh_Hans -l en --ignore=.venv
--ignore=node_modules``, translate the new entries, ``manage.py compile_translations``.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract, extract_from_dir
from babel.messages.pofile import read_po
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation.template import templatize

BASE_DIR = Path(settings.BASE_DIR).resolve()
ZH_PO = BASE_DIR / "agency" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# The keywords makemessages passes to xgettext for Python files, in Babel's notation.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}

# (file, line, msgid or (singular, plural), context)
Marked = tuple[Path, int, "str | tuple[str, ...]", "str | None"]


def read_catalogue(path: Path = ZH_PO) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file, locale="zh_Hans", abort_invalid=True)


def project_apps() -> list[Path]:
    """The project's own apps (agency, clients, production, ...): top-level folders of the repository;
    and the project package (settings, urls, the home page), which is no app."""
    return sorted(
        {path for path in (Path(config.path).resolve() for config in apps.get_app_configs()) if path.parent == BASE_DIR}
        | {BASE_DIR / "project"}
    )


def template_files() -> list[Path]:
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    folders += [app / "templates" for app in project_apps()]
    return sorted(
        {
            path
            for folder in folders
            if folder.is_dir()
            for path in folder.rglob("*")
            if path.suffix in {".html", ".txt"}
        }
    )


def marked_in_python(folder: Path) -> Iterator[Marked]:
    for filename, lineno, message, _comments, context in extract_from_dir(
        folder, [("**.py", "python")], keywords=KEYWORDS
    ):
        yield folder / filename, lineno, message, context


def marked_in_template(path: Path) -> Iterator[Marked]:
    source = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for lineno, message, _comments, context in extract("python", io.BytesIO(source.encode()), keywords=KEYWORDS):
        yield path, lineno, message, context


def all_marked() -> list[Marked]:
    return [
        *(marked for app in project_apps() for marked in marked_in_python(app)),
        *(marked for path in template_files() for marked in marked_in_template(path)),
    ]


def missing_from(catalogue: Catalog, marked: Iterable[Marked], root: Path = BASE_DIR) -> list[str]:
    """``file:line: 'msgid'`` for every marked string the catalogue lacks."""
    problems = []
    for path, lineno, message, context in marked:
        msgid = message[0] if isinstance(message, tuple) else message
        if catalogue.get(msgid, context=context) is None:
            where = path.relative_to(root) if path.is_relative_to(root) else path
            problems.append(f"{where}:{lineno}: {msgid!r}" + (f" (context {context!r})" if context else ""))
    return problems


def untranslated(catalogue: Catalog) -> list[str]:
    """``line N: 'msgid'`` for every entry with an empty msgstr (or plural form) or a fuzzy flag."""
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            msgid = message.id[0] if isinstance(message.id, tuple) else message.id
            problems.append(f"line {message.lineno}: {msgid!r}" + (" (fuzzy)" if message.fuzzy else ""))
    return problems


def test_every_msgid_has_a_chinese_translation():
    catalogue = read_catalogue()
    problems = untranslated(catalogue)
    assert not problems, f"{ZH_PO.relative_to(BASE_DIR)}: untranslated or fuzzy:\n" + "\n".join(problems)
    assert not catalogue.fuzzy, f"{ZH_PO.relative_to(BASE_DIR)}: the header is marked fuzzy"
    assert (catalogue.num_plurals, catalogue.plural_expr) == (1, "0"), "Chinese has one plural form"


def test_translations_keep_the_placeholders():
    problems = [
        f"line {message.lineno}: {message.id!r}: {'; '.join(map(str, errors))}"
        for message, errors in read_catalogue().check()
    ]
    assert not problems, f"{ZH_PO.relative_to(BASE_DIR)}:\n" + "\n".join(problems)


def test_every_marked_string_is_in_the_catalogue():
    marked = all_marked()
    files = {path.relative_to(BASE_DIR).as_posix() for path, *_ in marked}
    assert {"clients/views.py", "templates/base.html"} <= files, "the extraction found nothing to check"
    problems = missing_from(read_catalogue(), marked)
    assert not problems, (
        "Marked for translation but missing from the zh_Hans catalogue (run makemessages, then translate):\n"
        + "\n".join(problems)
    )


def test_a_marked_string_missing_from_the_catalogue_is_reported(tmp_path):
    (tmp_path / "page.html").write_text(
        "{% load i18n %}\n"
        '<h1>{% translate "Clients" %}</h1>\n'
        "<p>{% translate 'Zebra test string' %}</p>\n"
        "{% blocktranslate with n=count %}Page {{ n }} of zebras{% endblocktranslate %}\n"
        "{% blocktranslate with n=page total=pages %}Page {{ n }} of {{ total }}{% endblocktranslate %}\n",
        encoding="utf-8",
    )
    (tmp_path / "views.py").write_text(
        "from django.utils.translation import gettext_lazy as _, ngettext, pgettext_lazy\n"
        'known = _("Clients")\n'
        'unknown = _("Zebra python string")\n'
        'in_context = pgettext_lazy("animal", "Zebra")\n'
        'plural = ngettext("%(count)d zebra", "%(count)d zebras", 2)\n',
        encoding="utf-8",
    )
    marked = [*marked_in_template(tmp_path / "page.html"), *marked_in_python(tmp_path)]

    assert missing_from(read_catalogue(), marked, root=tmp_path) == [
        "page.html:3: 'Zebra test string'",
        "page.html:4: 'Page %(n)s of zebras'",
        "views.py:3: 'Zebra python string'",
        "views.py:4: 'Zebra' (context 'animal')",
        "views.py:5: '%(count)d zebra'",
    ]


def test_an_empty_or_fuzzy_translation_is_reported():
    catalogue = Catalog(locale="zh_Hans")
    catalogue.add("Clients", "客户")
    catalogue.add("Zebra", "")
    catalogue.add("Horse", "马", flags=["fuzzy"])
    catalogue.add(("%(count)d zebra", "%(count)d zebras"), ("",))

    assert [line.split(": ", 1)[1] for line in untranslated(catalogue)] == [
        "'Zebra'",
        "'Horse' (fuzzy)",
        "'%(count)d zebra'",
    ]


def test_compile_translations_builds_a_catalogue_django_loads(settings, tmp_path):
    folder = tmp_path / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(ZH_PO, folder / "django.po")
    with (folder / "django.po").open("a", encoding="utf-8") as po_file:
        po_file.write('\nmsgid "Zebra test string"\nmsgstr "斑马测试"\n')  # only in this copy
    settings.LOCALE_PATHS = [tmp_path]
    output = io.StringIO()

    call_command("compile_translations", stdout=output)

    assert (folder / "django.mo").is_file()
    assert str(folder / "django.po") in output.getvalue()
    msgids = ["Zebra test string", "Clients"]  # not literals in a gettext call: makemessages skips them
    with translation.override("zh-hans"):
        assert [translation.gettext(msgid) for msgid in msgids] == ["斑马测试", "客户"]


def test_compile_translations_names_the_file_and_line_it_cannot_parse(settings, tmp_path):
    folder = tmp_path / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    text = ZH_PO.read_text(encoding="utf-8") + '\nmsgid "Zebra"\nmsgstr "斑马\n'  # unterminated string
    (folder / "django.po").write_text(text, encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path]

    with pytest.raises(CommandError, match=rf"django\.po, line {len(text.splitlines())}: "):
        call_command("compile_translations", stdout=io.StringIO())
    assert not (folder / "django.mo").exists()
