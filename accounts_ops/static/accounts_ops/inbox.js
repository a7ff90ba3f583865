/* The one inbox, with a keyboard: j/k move between conversations, o opens, x ticks, r writes the
   reply, Ctrl+Enter replies and goes to the next, e marks handled, u goes back to the list, ? shows
   the shortcuts. Choosing a saved reply fills the text at once. Without scripts every one of these
   is a link, a button or a form of the page; the keys press those same links and buttons, so where
   htmx swaps the conversation (its actions and "next waiting") the keys swap it too. The page's
   parts may be swapped: everything is looked up when a key is pressed, never kept. */
(function () {
  "use strict";
  var cards = Array.prototype.slice.call(document.querySelectorAll(".inbox-card"));
  var current = -1;

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function focusCard(index) {
    if (!cards.length) return;
    current = Math.max(0, Math.min(cards.length - 1, index));
    cards.forEach(function (card, i) { card.classList.toggle("focused", i === current); });
    var link = cards[current].querySelector(".inbox-open");
    if (link) link.focus();
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link) link.click();  // a link htmx swaps is swapped, any other followed
  }

  function submitBulk(action) {
    var form = document.getElementById("inbox-bulk");
    if (!form || current < 0) return;
    var select = form.querySelector("select[name=action]");
    if (!select) return;
    var picks = form.querySelectorAll("input[name=conversations]");
    Array.prototype.forEach.call(picks, function (box) { box.checked = false; });
    var box = cards[current].querySelector("input[name=conversations]");
    if (!box) return;
    box.checked = true;
    select.value = action;
    form.requestSubmit ? form.requestSubmit(form.querySelector("button[name=apply]")) : form.submit();
  }

  // A conversation swapped in after an action starts as a page loaded does: nothing focused, so
  // the keys are shortcuts again (htmx would otherwise focus the new reply box in place of the
  // old). A reply refused (400) keeps its focus, to be corrected.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "conversation" && event.detail.xhr.status === 200 && document.activeElement) {
      document.activeElement.blur();
    }
  });

  function hideSavedUse() {
    var use = document.getElementById("saved-use");
    if (use) use.hidden = true;
  }
  hideSavedUse();
  document.addEventListener("htmx:afterSettle", hideSavedUse);

  document.addEventListener("change", function (event) {
    var saved = event.target;
    if (saved.id !== "saved") return;
    var text = document.getElementById(saved.getAttribute("data-fills"));
    var option = saved.options[saved.selectedIndex];
    var filled = option && option.getAttribute("data-text");
    if (text && filled) {
      text.value = filled;
      text.focus();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.target.id === "id_text" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      var next = document.getElementById("reply-next");
      if (next) next.click();
      return;
    }
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (typing(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    switch (event.key) {
      case "j":
        if (cards.length) focusCard(current + 1); else follow("inbox-next");
        break;
      case "k":
        if (cards.length) focusCard(current - 1); else follow("inbox-up");
        break;
      case "o":
        if (current >= 0) cards[current].querySelector(".inbox-open").click();
        break;
      case "x":
        if (current >= 0) {
          var box = cards[current].querySelector("input[name=conversations]");
          if (box) box.checked = !box.checked;
        }
        break;
      case "r":
        var reply = document.getElementById("id_text");
        if (reply) { event.preventDefault(); reply.focus(); }
        break;
      case "e":
        var handled = document.getElementById("handled-form");
        if (handled) handled.requestSubmit(); else submitBulk("handled");  // requestSubmit: htmx sees it
        break;
      case "u":
        follow("inbox-up");
        break;
      case "?":
        var help = document.getElementById("inbox-shortcuts");
        if (help) help.open = !help.open;
        break;
      default:
        return;
    }
  });
})();
