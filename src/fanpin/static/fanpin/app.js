// fanpin page behaviour. Kept in a file (no inline scripts) so a strict Content Security Policy works.
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    const results = document.getElementById("area-pick-results");
    if (results) results.innerHTML = "";
  }
});

// Progress bars carry their width in data-percent (no inline style attributes under the CSP).
function fanpinProgressWidths(root) {
  (root || document).querySelectorAll(".progress-bar[data-percent]").forEach((bar) => {
    bar.style.width = `${bar.dataset.percent}%`;
  });
}
document.addEventListener("DOMContentLoaded", () => fanpinProgressWidths(document));
document.addEventListener("htmx:afterSettle", (event) => fanpinProgressWidths(event.target.parentNode || document));

// The area switcher is a search box whose results come by htmx: Enter must not submit it.
document.addEventListener("submit", (event) => {
  if (event.target.matches && event.target.matches("form.area-switcher")) event.preventDefault();
});
