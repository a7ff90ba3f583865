"""Forms of the file import page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts_ops.forms.common import ServiceForm
from accounts_ops.models.imports import DataImport


class DataImportForm(ServiceForm):
    model = DataImport
    field_names = ("kind", "account", "file")
    file = forms.FileField(label=_("File"), help_text=_("CSV or XLSX; UTF-8 or GBK."))
