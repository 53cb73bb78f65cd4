// fanpin page behaviour. Kept in a file (no inline scripts) so a strict Content Security Policy works.
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    const results = document.getElementById("area-pick-results");
    if (results) results.innerHTML = "";
  }
});
