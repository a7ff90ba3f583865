"""The public survey (clause 10.1): where platform users (public link, QR code) and the client's
people (personal link) answer, without logging in.

What a visitor can learn here is the questionnaire and the client's public name, nothing else:
no database ids (questions are keyed ``q1``, ``q2`` ...), no agency data, no counts. The token in
the link is the only way in; it names the campaign (and so the agency, whose context every read
and write then runs in). Submissions are throttled per address and link
(``EVALUATION_PUBLIC_SURVEY_RATE``), answered once per device or personal link, and a filled-in
honeypot field is accepted silently and stored nowhere.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from agency.tenancy import tenant_context
from evaluation.config import setting
from evaluation.models import EvaluationCampaign, QuestionKind, SurveyInvitation, SurveyResponse
from evaluation.models.questionnaires import TEXT_ANSWER_MAX_LENGTH
from evaluation.services.campaigns import device_key, is_open_for_answers, survey_submit

# The flood limit on submissions, per address and link: a named setting (or the environment
# variable of the same name), with this default.
PUBLIC_SURVEY_RATE_SETTING = "EVALUATION_PUBLIC_SURVEY_RATE"
PUBLIC_SURVEY_RATE_DEFAULT = "30/hour"
DEVICE_COOKIE = "survey_device"
DEVICE_COOKIE_MAX_AGE = 60 * 60 * 24 * 400
HONEYPOT_FIELD = "website"  # hidden from people; bots fill it in
LANGUAGES = ("zh-hans", "en")
TOKEN_MAX_LENGTH = 64


class PublicSurveyThrottle(SimpleRateThrottle):
    """Counts answer submissions (POST) per client address and survey link, in the cache."""

    scope = "public_survey"

    def get_rate(self) -> str:
        return setting(PUBLIC_SURVEY_RATE_SETTING, PUBLIC_SURVEY_RATE_DEFAULT)

    def get_ident(self, request) -> str:
        # X-Forwarded-For is trusted only when the proxies in front are declared (NUM_PROXIES);
        # otherwise anyone could dodge the limit by inventing one per request.
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR", "")
        return super().get_ident(request)

    def allow_request(self, request, view) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        token = hashlib.sha256(view.kwargs.get("token", "").encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{token}"}


def resolve_token(token: str) -> tuple[EvaluationCampaign | None, SurveyInvitation | None]:
    """The campaign (and personal invitation) a link's token names, across agencies: the token
    is what tells which agency the visitor is answering. Unknown tokens give (None, None)."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None, None
    related = ("campaign", "campaign__agency", "campaign__client", "campaign__template")
    invitation = SurveyInvitation.dangerously_all_agencies.select_related(*related).filter(token=token).first()
    if invitation is not None:
        campaign = invitation.campaign
    else:
        campaign = (
            EvaluationCampaign.dangerously_all_agencies.select_related("agency", "client", "template")
            .filter(public_token=token)
            .first()
        )
    if campaign is None or not campaign.agency.is_active:
        return None, None
    return campaign, invitation


def questionnaire_payload(campaign: EvaluationCampaign, invitation: SurveyInvitation | None) -> dict:
    """The questionnaire as a visitor sees it: texts in the active language, keys not ids."""
    questions = []
    for question in campaign.template.questions.order_by("position"):
        item = {"key": question.key, "kind": question.kind, "text": question.text, "required": question.required}
        if question.scale:
            item["min"], item["max"] = question.scale
        if question.choices:
            item["choices"] = [{"value": value, "label": label} for value, label in question.choice_labels()]
        if question.kind == QuestionKind.TEXT:
            item["max_length"] = TEXT_ANSWER_MAX_LENGTH
        questions.append(item)
    return {
        "survey": {
            "title": campaign.template.title,
            "intro": campaign.template.intro,
            "client": campaign.client.name,
            "closes_on": campaign.closes_on.isoformat(),
            "personal": invitation is not None,
        },
        "questions": questions,
    }


def _language(request) -> str | None:
    lang = request.GET.get("lang", "")
    return lang if lang in LANGUAGES else None


class _Language:
    """``?lang=en`` / ``?lang=zh-hans`` overrides the browser's language on the public pages."""

    def dispatch(self, request, *args, **kwargs):
        lang = _language(request)
        if lang is None:
            return super().dispatch(request, *args, **kwargs)
        with translation.override(lang):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response


def _already_answered(campaign, invitation, device: str) -> bool:
    if invitation is not None:
        return invitation.responded_at is not None
    if not device:
        return False
    return SurveyResponse.objects.filter(campaign=campaign, device_key=device_key(campaign, device)).exists()


@method_decorator(never_cache, name="dispatch")
class PublicSurveyView(_Language, View):
    """The mobile-first survey page behind a public or personal link."""

    template_name = "evaluation/public/survey.html"

    def dispatch(self, request, *args, **kwargs):
        self.campaign, self.invitation = resolve_token(kwargs["token"])
        if self.campaign is None:
            return self.unavailable(_("This survey does not exist. Check the link you were given."), status=404)
        with tenant_context(self.campaign.agency):
            return super().dispatch(request, *args, **kwargs)

    def unavailable(self, message: str, status: int):
        return render(self.request, "evaluation/public/message.html", {"message": message}, status=status)

    def device(self) -> str:
        return self.request.COOKIES.get(DEVICE_COOKIE, "")[:TOKEN_MAX_LENGTH]

    def gate(self):
        """The page to show instead of the form, if any."""
        if not is_open_for_answers(self.campaign):
            return self.unavailable(_("This survey is not open for answers."), status=410)
        if _already_answered(self.campaign, self.invitation, self.device()):
            return redirect(self.thanks_url(already=True))
        return None

    def thanks_url(self, already: bool = False) -> str:
        url = reverse("evaluation:public-survey-thanks", args=[self.kwargs["token"]])
        return url + ("?already=1" if already else "")

    def get(self, request, token):
        blocked = self.gate()
        if blocked is not None:
            return blocked
        response = self.render_form({}, {})
        if not self.device() and self.invitation is None:
            response.set_cookie(
                DEVICE_COOKIE,
                secrets.token_urlsafe(16),
                max_age=DEVICE_COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
            )
        return response

    def post(self, request, token):
        if not PublicSurveyThrottle().allow_request(request, self):
            return self.unavailable(_("Too many answers from this connection. Please try again later."), status=429)
        blocked = self.gate()
        if blocked is not None:
            return blocked
        if request.POST.get(HONEYPOT_FIELD):
            return redirect(self.thanks_url())  # a bot: thank it, store nothing
        questions = list(self.campaign.template.questions.order_by("position"))
        answers = {
            q.key: (request.POST.getlist(q.key) if q.kind == QuestionKind.MULTIPLE else request.POST.get(q.key, ""))
            for q in questions
        }
        device = self.device() or _fallback_device(request)
        try:
            survey_submit(campaign=self.campaign, answers=answers, invitation=self.invitation, device=device)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"survey": exc.messages}
            if "survey" in errors and len(errors) == 1:
                return self.unavailable(errors["survey"][0], status=400)
            return self.render_form(answers, errors, status=400)
        return redirect(self.thanks_url())

    def render_form(self, answers: dict, errors: dict, status: int = 200):
        lang = translation.get_language()
        questions = []
        for question in self.campaign.template.questions.order_by("position"):
            given = answers.get(question.key, [] if question.kind == QuestionKind.MULTIPLE else "")
            scale = list(range(question.scale[0], question.scale[1] + 1)) if question.scale else []
            questions.append(
                {
                    "question": question,
                    "scale": [str(v) for v in scale],
                    "given": given if isinstance(given, list) else str(given),
                    "errors": errors.get(question.key, []),
                }
            )
        context = {
            "campaign": self.campaign,
            "client_name": self.campaign.client.name,
            "template": self.campaign.template,
            "questions": questions,
            "form_errors": errors.get("answers", []) + errors.get("device", []),
            "honeypot": HONEYPOT_FIELD,
            "text_max": TEXT_ANSWER_MAX_LENGTH,
            "lang": lang,
            "action": self.request.get_full_path(),
        }
        return render(self.request, self.template_name, context, status=status)


def _fallback_device(request) -> str:
    """When a browser sends no device cookie: its address and browser, as a weaker stand-in."""
    return (
        "fallback:"
        + hashlib.sha256(
            f"{request.META.get('REMOTE_ADDR', '')}|{request.META.get('HTTP_USER_AGENT', '')}".encode()
        ).hexdigest()
    )


class PublicSurveyThanksView(_Language, View):
    def get(self, request, token):
        campaign, _invitation = resolve_token(token)
        if campaign is None:
            raise Http404
        message = (
            _("You have already answered this survey. Thank you!")
            if request.GET.get("already")
            else _("Thank you! Your answers were received.")
        )
        return render(request, "evaluation/public/message.html", {"message": message, "thanks": True})


# --- the same survey as JSON, for mini-programs and embedded pages ----------------------------


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This survey is not open for answers."
    default_code = "gone"


class PublicAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(help_text='{"q1": 9, "q2": 4, "q6": ["content"], "q7": "..."}')
    device = serializers.CharField(
        required=False, allow_blank=True, max_length=TOKEN_MAX_LENGTH, help_text="A stable id of the answering device."
    )
    website = serializers.CharField(required=False, allow_blank=True, help_text="Leave empty.")


class PublicSurveyAPIView(_Language, APIView):
    """The public survey as JSON: GET the questionnaire, POST the answers. No login."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicSurveyThrottle]

    def _campaign(self, token):
        campaign, invitation = resolve_token(token)
        if campaign is None:
            raise exceptions.NotFound("This survey does not exist.")
        return campaign, invitation

    @extend_schema(responses=OpenApiTypes.OBJECT, auth=[])
    def get(self, request, token):
        campaign, invitation = self._campaign(token)
        with tenant_context(campaign.agency):
            if not is_open_for_answers(campaign):
                raise Gone()
            return Response(questionnaire_payload(campaign, invitation))

    @extend_schema(request=PublicAnswersSerializer, responses={201: OpenApiTypes.OBJECT}, auth=[])
    def post(self, request, token):
        campaign, invitation = self._campaign(token)
        body = PublicAnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        received = Response({"status": "received"}, status=status.HTTP_201_CREATED)
        with tenant_context(campaign.agency):
            if not is_open_for_answers(campaign):
                raise Gone()
            if body.validated_data.get(HONEYPOT_FIELD):
                return received
            survey_submit(
                campaign=campaign,
                answers=body.validated_data["answers"],
                invitation=invitation,
                device=body.validated_data.get("device") or _fallback_device(request),
            )
        return received
