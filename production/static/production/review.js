/* The review and script pages. "Use the current time" writes the player's position into the
   comment's time (mm:ss, the server keeps seconds); approving opens a dialog that says what follows
   and which comments are still open before it sends. Without scripts the time is typed and the
   approval goes through the same confirmation as a page of its own. Comments, replies and
   resolving swap the comments' part through htmx; nothing here posts them. */
(function () {
  "use strict";

  function mmss(seconds) {
    var whole = Math.floor(seconds);
    var tenths = Math.floor((seconds - whole) * 10); // never past the moment shown
    var minutes = Math.floor(whole / 60);
    var rest = whole % 60;
    var text = (minutes < 10 ? "0" : "") + minutes + ":" + (rest < 10 ? "0" : "") + rest;
    return tenths ? text + "." + tenths : text;
  }

  // The comments' part may be swapped (htmx): the buttons are shown after each swap and their
  // clicks read where they happen, never bound to one element.
  function showTimeButtons() {
    document.querySelectorAll("[data-current-time-for]").forEach(function (button) {
      button.hidden = !document.getElementById(button.getAttribute("data-player"));
    });
  }
  showTimeButtons();
  document.addEventListener("htmx:afterSettle", showTimeButtons);

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-current-time-for]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-current-time-for"));
    var player = document.getElementById(button.getAttribute("data-player"));
    if (!field || !player) return;
    player.pause();
    field.value = mmss(player.currentTime || 0);
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.focus();
  });

  // The approval's dialog: read where the click happens (a comment added swaps the dialog in again
  // with the comments still open), never bound to one element.
  function approvalButton(dialog) {
    return document.querySelector('form[data-approval-form] [data-confirm="' + dialog.id + '"]');
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var button = event.target.closest("form[data-approval-form] [data-confirm]");
    if (button) {
      var dialog = document.getElementById(button.getAttribute("data-confirm"));
      if (!button.form || !dialog || typeof dialog.showModal !== "function") return;
      if (button.form.elements.confirmed.value === "1") return;
      event.preventDefault();
      dialog.showModal();
      dialog.querySelector("[data-confirm-yes]").focus();
      return;
    }
    var yes = event.target.closest("dialog [data-confirm-yes]");
    if (yes) {
      var asked = yes.closest("dialog");
      var approve = approvalButton(asked);
      asked.close();
      if (!approve) return;
      approve.form.elements.confirmed.value = "1";
      approve.form.requestSubmit(approve);
      return;
    }
    var no = event.target.closest("dialog [data-confirm-no]");
    if (no) {
      var open = no.closest("dialog");
      open.close();
      var back = approvalButton(open);
      if (back) back.focus();
    }
  });
})();
