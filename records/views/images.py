"""Pages of clause 9 l): image records and their files."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from django.views import View

from agency.pages import ServiceActionView, base_template
from agency.views import TenantDetailView, TenantViewMixin
from records import filters, forms
from records.models.images import ImageRecord
from records.services.images import image_record_create
from records.views.common import RecordListView, trail_of


class ImageListView(RecordListView):
    model = ImageRecord
    resource = "image_record"
    filterset_class = filters.ImageRecordFilterSet
    dataset = "image_records"
    title = gettext_lazy("Image records (9 l)")
    template_name = "records/image_list.html"
    select = ("client",)
    ordering_fields = ("taken_on",)
    create_url_name = "records:image-create"


class ImageCreateView(ServiceActionView):
    resource = "image_record"
    form_class = forms.ImageRecordForm
    title = gettext_lazy("Add a photo (9 l)")

    def perform(self, data):
        return image_record_create(actor=self.actor, upload=data.pop("image"), **data)


class ImageDetailView(TenantDetailView):
    model = ImageRecord
    resource = "image_record"
    template_name = "records/image_detail.html"
    allow_both = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(base_template=base_template(self.actor), trail=trail_of(self.actor, self.object))
        return context


class ImageFileView(TenantViewMixin, View):
    """The stored picture or its thumbnail, for those who may see the record (never a public URL)."""

    resource = "image_record"
    allow_both = True

    def get(self, request, pk, which):
        record = get_object_or_404(ImageRecord.objects.visible_to(self.actor), pk=pk)
        if which not in ("image", "thumbnail"):
            raise Http404
        stored = getattr(record, which)
        return FileResponse(stored.open("rb"), filename=stored.name.rsplit("/", 1)[-1])
