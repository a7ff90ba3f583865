/* The one inbox, with a keyboard: j/k move between conversations, o opens, x ticks, r writes the
   reply, Ctrl+Enter replies and goes to the next, e marks handled, u goes back to the list, ? shows
   the shortcuts. Choosing a saved reply fills the text at once. Without scripts every one of these
   is a link, a button or a form of the page; the keys press those same links and buttons, so where
   htmx swaps a part (the conversation after its actions and "next waiting", the list after a tab, a
   filter, a page or a bulk action) the keys swap it too. The page's parts may be swapped:
   everything, the cards and the one in focus too, is looked up when a key is pressed, never kept. */
(function () {
  "use strict";
  var SWAPPED = ["conversation", "list"];  // the parts htmx swaps (agency.htmx, agency.lists)

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll(".inbox-card"));
  }

  function current(all) {
    for (var i = 0; i < all.length; i++) {
      if (all[i].classList.contains("focused")) return i;
    }
    return -1;
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function focusCard(all, index) {
    if (!all.length) return;
    var chosen = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (card, i) { card.classList.toggle("focused", i === chosen); });
    var link = all[chosen].querySelector(".inbox-open");
    if (link) link.focus();
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link) link.click();  // a link htmx swaps is swapped, any other followed
  }

  function submitBulk(card, action) {
    var form = document.getElementById("inbox-bulk");
    if (!form || !card) return;
    var select = form.querySelector("select[name=action]");
    if (!select) return;
    var picks = form.querySelectorAll("input[name=conversations]");
    Array.prototype.forEach.call(picks, function (box) { box.checked = false; });
    var box = card.querySelector("input[name=conversations]");
    if (!box) return;
    box.checked = true;
    select.value = action;
    form.requestSubmit ? form.requestSubmit(form.querySelector("button[name=apply]")) : form.submit();
  }

  // A conversation or a list swapped in starts as a page loaded does: nothing focused, so the keys
  // are shortcuts again (htmx would otherwise focus the new reply box or filter in place of the
  // old). A form refused (400) keeps its focus, to be corrected.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && SWAPPED.indexOf(target.id) >= 0 && event.detail.xhr.status === 200 && document.activeElement) {
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
    var all = cards();
    var at = current(all);
    var card = at >= 0 ? all[at] : null;
    switch (event.key) {
      case "j":
        if (all.length) focusCard(all, at + 1); else follow("inbox-next");
        break;
      case "k":
        if (all.length) focusCard(all, at - 1); else follow("inbox-up");
        break;
      case "o":
        if (card) card.querySelector(".inbox-open").click();
        break;
      case "x":
        if (card) {
          var box = card.querySelector("input[name=conversations]");
          if (box) box.checked = !box.checked;
        }
        break;
      case "r":
        var reply = document.getElementById("id_text");
        if (reply) { event.preventDefault(); reply.focus(); }
        break;
      case "e":
        var handled = document.getElementById("handled-form");
        if (handled) handled.requestSubmit(); else submitBulk(card, "handled");  // requestSubmit: htmx sees it
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
