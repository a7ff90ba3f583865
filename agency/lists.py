"""The list kit every staff list page builds on: sorting by a header, quick filters, page numbers
and the count, all as plain links that keep the rest of the query string (pages work without
scripts).

- **Sorting.** A view declares the keys it may be sorted by (``ordering_fields``); ``?sort=key`` or
  ``?sort=-key`` picks one. Any other value is ignored and the list keeps its default order, as the
  API ignores an unknown ``ordering`` (``agency.api.openapi.LENIENT_PARAMETERS``): a sort never
  refuses, it only orders. A column's header links to its key (``columns_sort_keys``).
- **Quick filters.** One row of links per filter of the view's FilterSet that has a few fixed
  values (a status, a stage, a yes/no flag), each link the current query with that value set.
- **Pages.** Page numbers around the current one (``Paginator.get_elided_page_range``) and the
  total count of rows the filters leave.
- **Swaps.** With scripts, those links and the filter form replace only the list's part of the page
  (the element ``REGION_ID``, ``agency.htmx``) and push their URL, so the address, the back button
  and a reload all give the same list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

REGION_ID = "list"  # the element wrapping filters, table and pages; what a sort, filter or page swaps
SORT_PARAM = "sort"
PAGE_PARAM = "page"
# A filter is offered as quick links when it has at most this many values (more would be a list
# to read, not a row of links; the filter form still offers every value).
QUICK_FILTER_MAX_CHOICES = 8
# Page links on each side of the current page, and at each end, before "…".
PAGES_ON_EACH_SIDE = 2
PAGES_ON_ENDS = 1


def part_template(page_template: str) -> str:
    """The template of a list page's swapped part: the page's name with ``_`` before it."""
    folder, _slash, name = page_template.rpartition("/")
    return f"{folder}/_{name}" if folder else f"_{name}"


def sort_requested(params, allowed) -> str:
    """The sort the query asks for (``key`` or ``-key``) when ``key`` is allowed, else ""."""
    value = params.get(SORT_PARAM, "")
    return value if value and value.lstrip("-") in allowed and value.count("-") <= 1 else ""


def query_with(params, **changes) -> str:
    """The query string of ``params`` with ``changes`` applied (None removes a key); the page is
    always dropped, since a new sort or filter starts again from the first page."""
    query = params.copy()
    query.pop(PAGE_PARAM, None)
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    return query.urlencode()


def column_sort_key(name: str, allowed, explicit: dict | None = None) -> str:
    """The sort key of the column shown as ``name``: one the view names in ``explicit``; the same
    name; ``get_<key>_display`` (a choice shown by its label); or a key through the column's
    relation (``client`` sorted by ``client__name``). "" for a column that does not sort."""
    if explicit and name in explicit:
        return explicit[name]
    if name in allowed:
        return name
    if name.startswith("get_") and name.endswith("_display") and name[4:-8] in allowed:
        return name[4:-8]
    return next((key for key in allowed if key.startswith(f"{name}__")), "")


@dataclass(frozen=True)
class Header:
    """One header cell: its label and, for a sortable column, where its link goes and the order
    shown now (``ascending``, ``descending`` or ""), as ``aria-sort`` reads it."""

    label: str
    key: str = ""
    url: str = ""
    order: str = ""

    @property
    def arrow(self) -> str:
        return {"ascending": "↑", "descending": "↓"}.get(self.order, "")


def header(label, key: str, params, current: str) -> Header:
    """The header cell of ``key``: a link to sort by it ascending, or descending when it is the
    ascending sort already."""
    if not key:
        return Header(label=label)
    order = "ascending" if current == key else "descending" if current == f"-{key}" else ""
    target = f"-{key}" if order == "ascending" else key
    return Header(label=label, key=key, url="?" + query_with(params, **{SORT_PARAM: target}), order=order)


def headers(columns, allowed, params, current: str, explicit: dict | None = None) -> list[Header]:
    return [header(label, column_sort_key(name, allowed, explicit), params, current) for name, label in columns]


def sort_label(model, path: str) -> str:
    """A sort key's label: the verbose name of the field it reaches (``client__name`` → the
    client's "name"), else the key itself."""
    label = path
    try:
        for part in path.split("__"):
            field = model._meta.get_field(part)
            label = capfirst(str(getattr(field, "verbose_name", part)))
            model = field.related_model or model
    except (FieldDoesNotExist, AttributeError):
        return path
    return label


# --- quick filters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuickLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class QuickFilter:
    name: str
    label: str
    links: list[QuickLink]


def fixed_choices(field) -> list[tuple[str, str]]:
    """A filter form field's values as ``(value, label)``, when they are fixed (a choice among
    labels or a yes/no), not rows of a table; [] otherwise."""
    if isinstance(field, forms.ModelChoiceField | forms.ModelMultipleChoiceField):
        return []
    if isinstance(field, forms.NullBooleanField):
        return [("true", _("yes")), ("false", _("no"))]
    choices = getattr(field, "choices", None)
    if not choices:
        return []
    flat = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # an option group
            flat.extend((str(v), str(lbl)) for v, lbl in label)
        elif value not in ("", None):
            flat.append((str(value), str(label)))
    return flat


def quick_filters(filterset, params, names=None) -> list[QuickFilter]:
    """Rows of links for the filters ``names`` of ``filterset`` (by default each filter with a
    few fixed values): "all" and each value, the value in force marked current."""
    if filterset is None:
        return []
    rows = []
    form = filterset.form
    for name, field in form.fields.items():
        if names is not None and name not in names:
            continue
        choices = fixed_choices(field)
        if not choices or (names is None and len(choices) > QUICK_FILTER_MAX_CHOICES):
            continue
        chosen = params.get(name, "")
        links = [QuickLink(label=_("all"), url="?" + query_with(params, **{name: None}), current=not chosen)]
        links += [
            QuickLink(label=label, url="?" + query_with(params, **{name: value}), current=chosen == value)
            for value, label in choices
        ]
        rows.append(QuickFilter(name=name, label=str(field.label or capfirst(name)), links=links))
    return rows


# --- pages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: the "…" between numbers
    url: str = ""
    current: bool = False


def page_links(page_obj, params) -> list[PageLink]:
    """The page numbers to show around ``page_obj``, each a link keeping the query string."""
    if page_obj is None or page_obj.paginator.num_pages <= 1:
        return []
    links = []
    for number in page_obj.paginator.get_elided_page_range(
        page_obj.number, on_each_side=PAGES_ON_EACH_SIDE, on_ends=PAGES_ON_ENDS
    ):
        if number == page_obj.paginator.ELLIPSIS:
            links.append(PageLink(number=None))
        else:
            links.append(PageLink(number=number, url=page_url(params, number), current=number == page_obj.number))
    return links


def page_url(params, number: int) -> str:
    base = query_with(params)
    return f"?{base}&{PAGE_PARAM}={number}" if base else f"?{PAGE_PARAM}={number}"
