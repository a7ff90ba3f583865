"""``GET /api/v1/search/?q=``: the search of the top bar (``search.selectors.search``) for the API.
Not a tenant model's viewset: it reads many models, each through ``visible_to`` of the actor the
request acts as (``X-Agency`` with several agencies), staff and client people alike."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.api.viewsets import two_step_check
from agency.selectors import agency_choice, cached_actor
from agency.tenancy import activate, tenant_boundary
from search.selectors import KINDS, MAX_QUERY_CHARS, MAX_RESULTS_PER_KIND, RESULTS_PER_KIND, search


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The kind of row (the group's kind).")
    id = serializers.IntegerField(help_text="The row's id in its own endpoint.")
    title = serializers.CharField(help_text="What the row is called, or the part of its text found.")
    detail = serializers.CharField(help_text="A line about the row (client, account, date...).")
    url = serializers.CharField(
        allow_null=True, help_text="The page that shows the row to this person; null when none does."
    )


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[kind.key for kind in KINDS])
    label = serializers.CharField(help_text="The kind's name, in the request's language.")
    count = serializers.IntegerField(help_text="How many rows of this kind match (all, not only those listed).")
    results = SearchHitSerializer(many=True, help_text="The first rows, newest (or alphabetical) first.")


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The query as searched (whitespace collapsed, cut to its limit).")
    total = serializers.IntegerField(help_text="The rows found over every kind.")
    groups = SearchGroupSerializer(many=True, help_text="One per kind with rows found; kinds with none are left out.")


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text=(
            "Words to find (each must appear in the row), by any part of a word: 成都火锅 finds 网红成都火锅店. "
            f"Cut to {MAX_QUERY_CHARS} characters; blank finds nothing."
        ),
    )
    kind = serializers.ChoiceField(
        choices=[kind.key for kind in KINDS], required=False, allow_blank=True, help_text="Only this kind (blank: all)."
    )
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_RESULTS_PER_KIND, default=RESULTS_PER_KIND
    )


class SearchView(APIView):
    """Clients, platform accounts, videos, video projects, comments, private messages, influencers and
    the records with text (assets, inspections, usage, images) that hold every word of ``q``, among
    the rows the person may see: the agency's, and for client people only their client's; a kind
    the person's role may not view is never searched."""

    permission_classes = [IsAuthenticated]
    actor = None

    def dispatch(self, request, *args, **kwargs):
        with tenant_boundary():
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request):
        super().perform_authentication(request)
        if request.user.is_authenticated:
            two_step_check(request)
            self.actor = cached_actor(request.user, *agency_choice(request))
            if self.actor is not None:
                activate(self.actor, channel="api", user_id=request.user.pk)

    def check_permissions(self, request):
        super().check_permissions(request)
        if self.actor is None:
            raise PermissionDenied("Choose an agency: send the X-Agency header with the slug of one of your agencies.")

    @extend_schema(
        operation_id="search",
        parameters=[SearchQuerySerializer],
        responses={200: SearchResultsSerializer},
        tags=["search"],
    )
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = search(
            self.actor,
            params.validated_data.get("q", ""),
            kind=params.validated_data.get("kind"),
            limit=params.validated_data["limit"],
        )
        data = {"query": found.query, "total": found.total, "groups": found.groups}
        return Response(SearchResultsSerializer(data).data)
