from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageSizeChecked:
    """``page_size``, when sent, is a whole number from 1 to ``max_page_size``: anything else is a
    400 naming it, not the default page size in silence (a number above the largest is cut to it)."""

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param) if self.page_size_query_param else None
        if raw is None:
            return self.page_size
        try:
            return pagination._positive_int(raw, strict=True, cutoff=self.max_page_size)
        except ValueError:
            raise ValidationError(
                {self.page_size_query_param: [_("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}]}
            ) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:  # (a size above the largest is cut to it, not refused)
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters


class PageNumberPagination(PageSizeChecked, pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class CursorPagination(PageSizeChecked, pagination.CursorPagination):
    """For long lists (videos, metrics, messages): constant cost at any depth."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "-id"
