"""Staff pages of the one inbox (6.4 private messages and 7.1 comments): the list of conversations
per fan with bulk actions, a conversation with its history and the reply form (saved replies,
"reply and next"), and the agency's saved replies. Thin: forms collect, services decide. Every
page works without scripts. With them, a conversation's actions (reply, reply and next, assign, mark
handled, hide) and "next waiting" swap the conversation's part (``#conversation``, ``agency.htmx``)
instead of loading the page again: the view answers that part, with the messages of what was done,
and pushes the next conversation's address; ``accounts_ops/inbox.js`` adds keyboard shortcuts that
press those same links and buttons, and fills a saved reply without a round trip."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from accounts_ops.api.conversations import SavedReplyFilterSet
from accounts_ops.forms.conversations import (
    AssignForm,
    BulkForm,
    ConversationReplyForm,
    InboxFilterForm,
    SavedReplyForm,
)
from accounts_ops.models.conversations import Conversation, ConversationStatus, SavedReply
from accounts_ops.selectors.conversations import (
    Targets,
    clock_of,
    conversation_list,
    conversation_thread,
    conversations_visible,
    counts_by_status,
    next_waiting,
    with_previews,
)
from accounts_ops.services.conversations import (
    BulkAction,
    conversation_assign,
    conversation_hide,
    conversation_mark_handled,
    conversation_reply,
    conversations_bulk,
    fill_variables,
    reply_values,
    saved_reply_create,
    saved_reply_update,
)
from agency import htmx
from agency.pages import ServiceActionView, form_errors_from, report_refusal
from agency.roles import ADD, CHANGE
from agency.views import TenantListView, TenantViewMixin

INBOX_PAGE_SIZE = 25
LIST_QUERY = "list"  # the list's filters, carried through a conversation for "reply and next"
PART_ID = "conversation"  # the element a conversation's actions swap


def _list_url(query: str = "") -> str:
    url = reverse("accounts_ops:conversation-list")
    return f"{url}?{query}" if query else url


def _conversation_url(conversation, query: str = "") -> str:
    url = conversation.get_absolute_url()
    return f"{url}?{urlencode({LIST_QUERY: query})}" if query else url


class InboxView(TenantViewMixin, View):
    """The one inbox: conversations per fan across every account the person may see."""

    resource = "conversation"

    def get(self, request):
        form = InboxFilterForm(request.GET or None, actor=self.actor)
        filters = form.filters()
        page = Paginator(conversation_list(self.actor, filters), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        tabs = []
        counts = counts_by_status(self.actor)
        for value, label in ConversationStatus.choices:
            tab = query.copy()
            tab["status"] = value
            tab.pop("page", None)
            tabs.append((value, label, counts[value], tab.urlencode(), value == filters.status))
        return render(
            request,
            "accounts_ops/conversations.html",
            {
                "title": _("Inbox"),
                "form": form,
                "page_obj": page,
                "conversations": with_previews(page.object_list, self.actor),
                "tabs": tabs,
                "query": query.urlencode(),
                "bulk_form": BulkForm(actor=self.actor),
                "can_change": self.actor.can(CHANGE, "conversation"),
            },
        )


class InboxBulkView(TenantViewMixin, View):
    """Mark handled, assign or hide the conversations ticked on the list."""

    resource = "conversation"
    action = CHANGE

    def post(self, request):
        back = _list_url(request.POST.get(LIST_QUERY, ""))
        form = BulkForm(request.POST, actor=self.actor)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect(back)
        data = form.cleaned_data
        try:
            result = conversations_bulk(
                actor=self.actor,
                conversations=list(data["conversations"]),
                action=data["action"],
                assignee=data["assignee"],
                note=data["note"],
            )
        except ValidationError as exc:
            report_refusal(request, exc)
            return redirect(back)
        done = len(result.done)
        messages.success(
            request,
            ngettext("%(count)d conversation done.", "%(count)d conversations done.", done) % {"count": done},
        )
        if result.skipped:
            messages.info(
                request,
                ngettext(
                    "%(count)d had nothing waiting and was left as it was.",
                    "%(count)d had nothing waiting and were left as they were.",
                    len(result.skipped),
                )
                % {"count": len(result.skipped)},
            )
        return redirect(back)


class ConversationView(TenantViewMixin, View):
    """One fan's history across messages and comments, and what can be done in it."""

    resource = "conversation"

    def conversation(self, pk) -> Conversation:
        return get_object_or_404(conversations_visible(self.actor), pk=pk)

    def list_query(self) -> str:
        return (self.request.POST if self.request.method == "POST" else self.request.GET).get(LIST_QUERY, "")

    def swapping(self) -> bool:
        return htmx.wants_part(self.request, PART_ID)

    def done(self, conversation, query: str):
        """After an action: the conversation's part again for a swap (at its own address, which
        the browser is told when it is another conversation), else a redirect to its page."""
        url = _conversation_url(conversation, query)
        if not self.swapping():
            return redirect(url)
        response = self.page(conversation)
        response[htmx.PUSH_URL] = url
        return response

    def page(self, conversation, reply_form=None, status=200):
        thread = conversation_thread(self.actor, conversation)
        values = reply_values(conversation)
        saved = [
            (row, fill_variables(row.text, values))
            for row in SavedReply.objects.visible_to(self.actor).order_by("title")
        ]
        targets = [(item.target, self.target_label(item)) for item in reversed(thread) if self.answerable(item)]
        if reply_form is None:
            chosen = self.request.GET.get("saved", "")
            initial = next((text for row, text in saved if str(row.pk) == chosen), "")
            reply_form = ConversationReplyForm(initial={"text": initial}, targets=targets)
        query = self.list_query()
        filters = InboxFilterForm(QueryDict(query), actor=self.actor).filters()
        following = next_waiting(self.actor, conversation, filters)
        part = self.swapping()
        response = render(
            self.request,
            "accounts_ops/_conversation.html" if part else "accounts_ops/conversation.html",
            {
                "part": part,
                "title": str(conversation),
                "object": conversation,
                "clock": clock_of(conversation, Targets.of(self.actor.agency), timezone.now()),
                "thread": thread,
                "saved_replies": saved,
                "reply_form": reply_form,
                "assign_form": AssignForm(initial={"assignee": conversation.assignee_id}, actor=self.actor),
                "can_reply": self.actor.can(ADD, "conversation"),
                "can_change": self.actor.can(CHANGE, "conversation"),
                "list_query": query,
                "list_url": _list_url(query),
                "next_url": _conversation_url(following, query) if following else "",
            },
            status=status,
        )
        return htmx.vary(response)

    @staticmethod
    def answerable(item) -> bool:
        if item.kind == "message":
            return item.row.status != "closed"
        return not item.row.is_hidden

    @staticmethod
    def target_label(item) -> str:
        kind = _("Private message") if item.kind == "message" else capfirst(_("video comment"))
        return f"{kind} · {timezone.localtime(item.at):%m-%d %H:%M} · {item.row.text[:30]}"

    def get(self, request, pk):
        return self.page(self.conversation(pk))

    def post(self, request, pk):
        conversation = self.conversation(pk)
        action = request.POST.get("action", "reply")
        if action in ("reply", "reply_next"):
            return self.reply(conversation, and_next=action == "reply_next")
        if not self.actor.can(CHANGE, "conversation"):
            raise PermissionDenied(_("Your role does not allow this."))
        try:
            if action == "assign":
                form = AssignForm(request.POST, actor=self.actor)
                if not form.is_valid():
                    raise ValidationError({"assignee": form.errors.get("assignee", [_("Choose a person.")])[0]})
                conversation_assign(actor=self.actor, conversation=conversation, assignee=form.cleaned_data["assignee"])
                messages.success(request, _("Assigned."))
            elif action == BulkAction.HANDLED:
                conversation_mark_handled(
                    actor=self.actor, conversation=conversation, note=request.POST.get("note", "")
                )
                messages.success(request, _("Marked handled."))
            elif action == BulkAction.HIDE:
                conversation_hide(actor=self.actor, conversation=conversation, note=request.POST.get("note", ""))
                messages.success(request, _("Hidden; the platform is told."))
            else:
                raise ValidationError({"action": _("Unknown action.")})
        except ValidationError as exc:
            report_refusal(request, exc)
        return self.done(conversation, self.list_query())

    def reply(self, conversation, *, and_next: bool):
        if not self.actor.can(ADD, "conversation"):
            raise PermissionDenied(_("Your role does not allow this."))
        form = ConversationReplyForm(self.request.POST, targets=[(self.request.POST.get("target", ""), "")])
        if form.is_valid():
            try:
                conversation_reply(
                    actor=self.actor,
                    conversation=conversation,
                    text=form.cleaned_data["text"],
                    target=form.cleaned_data["target"],
                )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(self.request, _("Reply queued for sending."))
                query = self.list_query()
                if and_next:
                    filters = InboxFilterForm(QueryDict(query), actor=self.actor).filters()
                    following = next_waiting(self.actor, conversation, filters)
                    if following is None:
                        messages.info(self.request, _("Nothing else waits. The inbox is clear."))
                        return htmx.redirect(self.request, _list_url(query))
                    return self.done(following, query)
                return self.done(conversation, query)
        return self.page(conversation, form, status=400)


class SavedReplyListView(TenantListView):
    model = SavedReply
    resource = "saved_reply"
    filterset_class = SavedReplyFilterSet
    title = gettext_lazy("Saved replies")
    columns = (("title", gettext_lazy("Title")), ("text", gettext_lazy("Text")))
    ordering_fields = ("title",)
    create_url_name = "accounts_ops:saved-reply-create"


class SavedReplyCreateView(ServiceActionView):
    resource = "saved_reply"
    form_class = SavedReplyForm
    title = gettext_lazy("New saved reply")
    service = saved_reply_create
    success_url_name = "accounts_ops:saved-reply-list"


class SavedReplyUpdateView(ServiceActionView):
    resource = "saved_reply"
    action = CHANGE
    form_class = SavedReplyForm
    title = gettext_lazy("Edit saved reply")
    success_url_name = "accounts_ops:saved-reply-list"

    def get_object(self):
        return get_object_or_404(SavedReply.objects.visible_to(self.actor), pk=self.kwargs["pk"])

    def perform(self, data):
        return saved_reply_update(actor=self.actor, saved_reply=self.object, **data)
