/* The top bar's switches (language, agency) come back to the page they were used on, which each
   names in its "next" field as the page was loaded. Where htmx has swapped a part of the page and
   pushed its address since (a list's filter, tab or page), the address is the current one, read
   when the form is sent. Without scripts nothing is swapped and the field is right as it is. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.closest || !form.closest(".topbar")) return;
    var next = form.querySelector("input[name=next]");
    if (next) next.value = window.location.pathname + window.location.search;
  });
})();

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
