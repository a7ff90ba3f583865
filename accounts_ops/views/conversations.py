"""Staff pages of the one inbox (6.4 private messages and 7.1 comments): the list of conversations
per fan with bulk actions, a conversation with its history and the reply form (saved replies,
"reply and next"), and the agency's saved replies. Thin: forms collect, services decide. Every
page works without scripts. With them, a conversation's actions (reply, reply and next, assign, mark
handled, hide) and "next waiting" swap the conversation's part (``#conversation``, ``agency.htmx``)
instead of loading the page again: the view answers that part, with the messages of what was done,
and pushes the next conversation's address. On the list, the status tabs, the filters and the page
links swap the list's part (``#list``, the list kit's region, ``agency.lists``) and push their
address, and the bulk actions answer that part with their result, as every list of the kit does.
``accounts_ops/inbox.js`` adds keyboard shortcuts that press those same links and buttons, and
fills a saved reply without a round trip."""

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
from agency import htmx, lists
from agency.pages import ServiceActionView, form_errors_from, report_refusal
from agency.roles import ADD, CHANGE
from agency.views import TenantListView, TenantViewMixin

INBOX_PAGE_SIZE = 25
INBOX_TEMPLATE = "accounts_ops/conversations.html"  # its list part: accounts_ops/_conversations.html
LIST_QUERY = "list"  # the list's filters, carried through a conversation for "reply and next"
PART_ID = "conversation"  # the element a conversation's actions swap


def _list_url(query: str = "") -> str:
    url = reverse("accounts_ops:conversation-list")
    return f"{url}?{query}" if query else url


def _conversation_url(conversation, query: str = "") -> str:
    url = conversation.get_absolute_url()
    return f"{url}?{urlencode({LIST_QUERY: query})}" if query else url


def inbox_page(request, actor, params, *, bulk_form=None, picked=frozenset(), status=200):
    """The inbox for the query ``params``: the whole page, or, when htmx asks for the list's part
    (``#list``, the list kit's region), that part alone with the messages of what was just done.
    ``bulk_form`` and ``picked`` (ids) keep a refused bulk action's choices and ticks."""
    form = InboxFilterForm(params or None, actor=actor)
    filters = form.filters()
    page = Paginator(conversation_list(actor, filters), INBOX_PAGE_SIZE).get_page(params.get(lists.PAGE_PARAM))
    counts = counts_by_status(actor)
    tabs = [
        (value, label, counts[value], lists.query_with(params, status=value), value == filters.status)
        for value, label in ConversationStatus.choices
    ]
    part = htmx.wants_part(request, lists.REGION_ID)
    response = render(
        request,
        lists.part_template(INBOX_TEMPLATE) if part else INBOX_TEMPLATE,
        {
            "part": part,
            "title": _("Inbox"),
            "form": form,
            "page_obj": page,
            "conversations": with_previews(page.object_list, actor),
            "tabs": tabs,
            "query": lists.query_with(params),
            "result_count": page.paginator.count,
            "page_links": lists.page_links(page, params),
            "previous_url": lists.page_url(params, page.previous_page_number()) if page.has_previous() else "",
            "next_url": lists.page_url(params, page.next_page_number()) if page.has_next() else "",
            "bulk_form": bulk_form if bulk_form is not None else BulkForm(actor=actor),
            "picked": picked,
            "can_change": actor.can(CHANGE, "conversation"),
        },
        status=status,
    )
    return htmx.vary(response)


class InboxView(TenantViewMixin, View):
    """The one inbox: conversations per fan across every account the person may see."""

    resource = "conversation"

    def get(self, request):
        return inbox_page(request, self.actor, request.GET)


class InboxBulkView(TenantViewMixin, View):
    """Mark handled, assign or hide the conversations ticked on the list. Without scripts the answer
    is the list again (a redirect, with the messages); for htmx it is the list's part, rendered for
    the same query with the messages, at the list's address. A refusal keeps the choices and the
    ticks there (400, which htmx swaps in as a form's errors)."""

    resource = "conversation"
    action = CHANGE

    def post(self, request):
        query = request.POST.get(LIST_QUERY, "")
        form = BulkForm(request.POST, actor=self.actor)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return self.answer(query, refused=form)
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
            return self.answer(query, refused=form)
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
        return self.answer(query)

    def answer(self, query: str, refused: BulkForm | None = None):
        url = _list_url(query)
        if not htmx.wants_part(self.request, lists.REGION_ID):
            return redirect(url)
        picked = frozenset(int(pk) for pk in self.request.POST.getlist("conversations") if pk.isdigit())
        response = inbox_page(
            self.request,
            self.actor,
            QueryDict(query),
            bulk_form=refused,
            picked=picked if refused is not None else frozenset(),
            status=400 if refused is not None else 200,
        )
        response[htmx.REPLACE_URL] = url
        return response


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
