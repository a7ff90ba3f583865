"""Date pickers keep their value in every language: the browser's date input only takes ISO
values, so a localised one (``2026/12/16`` in Chinese) would show an empty field and the form
would come back without its date. And the error pages speak the person's language."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.utils import translation

from agency.forms import DateInput, DateTimeInput


class Sample(forms.Form):
    day = forms.DateField(widget=DateInput())
    moment = forms.DateTimeField(widget=DateTimeInput())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pickers_render_iso_values_in_every_language(language):
    with translation.override(language):
        html = str(Sample(initial={"day": dt.date(2026, 12, 16), "moment": dt.datetime(2026, 12, 16, 19, 30)}))
    assert 'type="date"' in html and 'value="2026-12-16"' in html
    assert 'type="datetime-local"' in html and 'value="2026-12-16T19:30"' in html


def test_pickers_read_back_what_they_render_in_chinese():
    with translation.override("zh-hans"):
        form = Sample(data={"day": "2026-12-16", "moment": "2026-12-16T19:30"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(2026, 12, 16)


def project_form_classes():
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)) or "/.venv/" in config.path:
            continue
        for name in ("forms",):
            try:
                module = importlib.import_module(f"{config.name}.{name}")
            except ModuleNotFoundError:
                continue
            modules = [module]
            if hasattr(module, "__path__"):
                modules += [
                    importlib.import_module(m.name)
                    for m in pkgutil.iter_modules(module.__path__, module.__name__ + ".")
                ]
            for each in modules:
                for _name, cls in inspect.getmembers(each, inspect.isclass):
                    if issubclass(cls, forms.BaseForm) and cls.__module__ == each.__name__:
                        yield cls


def test_every_date_picker_of_the_project_is_the_iso_one():
    wrong, checked = [], 0
    for cls in project_form_classes():
        for field_name, field in cls.base_fields.items():
            widget = field.widget
            kind = widget.attrs.get("type") or getattr(widget, "input_type", "")
            if (kind == "date" and not isinstance(widget, DateInput)) or (
                kind == "datetime-local" and not isinstance(widget, DateTimeInput)
            ):
                wrong.append(f"{cls.__module__}.{cls.__name__}.{field_name}")
            checked += 1
    assert checked > 100  # the project's forms were found
    assert not wrong, "use agency.forms.DateInput / DateTimeInput: " + ", ".join(wrong)


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "页面不存在"), ("en", "Page not found")])
def test_a_missing_page_answers_in_the_persons_language(client, language, text):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert text in response.content.decode()


def test_list_filters_and_sorting_speak_chinese(world):
    from django.test import Client as Browser
    from django.urls import reverse

    browser = Browser(HTTP_ACCEPT_LANGUAGE="zh-hans")
    browser.force_login(world.staff_a)
    page = browser.get(reverse("records:asset-list")).content.decode()
    assert re.search(r'href="\?sort=identifier"[^>]*>资产编号</a>', page)  # a column's header sorts it
    assert re.search(r'href="\?sort=purchase_date"[^>]*>购置日期</a>', page)  # others by their label
    assert "purchase_date</a>" not in page
    assert " contains" not in page and "checked out" not in page  # filter words translated
