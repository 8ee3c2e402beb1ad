// Category search-as-you-type for the partner service form (progressive enhancement).
// Without JavaScript the grouped checkbox list works on its own; with it, a search box
// queries /api/v1/taxonomy/terms and ticks the chosen term's checkbox in that list.
(function () {
  "use strict";
  var picker = document.querySelector(".term-picker[data-terms-url]");
  if (!picker || !window.fetch) { return; }
  var url = picker.getAttribute("data-terms-url");
  var lang = document.documentElement.getAttribute("lang") || "en";
  var label = document.createElement("label");
  label.setAttribute("for", "term-search");
  label.textContent = lang === "es" ? "Buscar categoría" : "Search categories";
  var input = document.createElement("input");
  input.id = "term-search";
  input.type = "search";
  input.autocomplete = "off";
  var results = document.createElement("ul");
  results.className = "term-results";
  results.setAttribute("aria-live", "polite");
  var legend = picker.querySelector("legend");
  legend.parentNode.insertBefore(results, legend.nextSibling);
  legend.parentNode.insertBefore(input, legend.nextSibling);
  legend.parentNode.insertBefore(label, legend.nextSibling);

  function checkbox(id) {
    return picker.querySelector('input[name="categories"][value="' + CSS.escape(id) + '"]');
  }

  function show(terms) {
    results.textContent = "";
    terms.forEach(function (term) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.textContent = term.label + " (" + term.group + ")";
      button.addEventListener("click", function () {
        var box = checkbox(term.id);
        if (box) {
          box.checked = true;
          var group = box.closest("details");
          if (group) { group.open = true; }
        }
        button.textContent = "✓ " + term.label;
      });
      item.appendChild(button);
      results.appendChild(item);
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { show([]); return; }
    timer = setTimeout(function () {
      fetch(url + "?lang=" + encodeURIComponent(lang) + "&q=" + encodeURIComponent(q),
            { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { terms: [] }; })
        .then(function (data) { show(data.terms || []); })
        .catch(function () { show([]); });
    }, 200);
  });
})();
