// Ctrl+K (⌘K on a Mac) puts the cursor in the top bar's search box, wherever the page is.
document.addEventListener("keydown", function (event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || (event.key || "").toLowerCase() !== "k") {
    return;
  }
  var box = document.getElementById("search-q");
  if (!box) {
    return;
  }
  event.preventDefault();
  box.focus();
  box.select();
});
