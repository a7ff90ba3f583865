/* The side navigation on a phone: folded behind the "Menu" button of the top bar, so a page starts
   with its content. Without scripts the navigation simply stays open above the content. */
(function () {
  "use strict";
  var button = document.querySelector(".nav-toggle");
  var nav = document.getElementById("side-nav");
  if (!button || !nav) return;
  document.documentElement.classList.add("nav-folds");
  button.hidden = false;

  function set(open) {
    nav.classList.toggle("open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    set(open);
    if (open) {
      var first = nav.querySelector("a");
      if (first) first.focus();
    }
  });
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
})();
