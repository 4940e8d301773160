// The HTML report's controls: filter by standard, outcome, severity and tier, search, and sort. The page is
// complete without this script (every finding shown); the Content-Security-Policy admits only this text, by hash.
(function () {
  "use strict";
  var byId = function (id) { return document.getElementById(id); };
  var form = byId("controls");
  var tbody = document.querySelector("#matrix tbody");
  var list = byId("agreements");
  var rows = Array.prototype.slice.call(tbody.querySelectorAll("tr"));
  var sections = Array.prototype.slice.call(list.querySelectorAll("section.agreement"));
  var given = { rows: rows.slice(), sections: sections.slice() };
  form.hidden = false;

  function matches(card, filter) {
    var d = card.dataset;
    return (!filter.pack || d.pack === filter.pack) &&
      (!filter.status || d.status === filter.status || d.cell === filter.status) &&
      (!filter.severity || d.severity === filter.severity) &&
      (!filter.tier || d.tier === filter.tier) &&
      (!filter.q || d.text.indexOf(filter.q) !== -1);
  }

  function apply() {
    var filter = {
      pack: byId("f-pack").value, status: byId("f-status").value, severity: byId("f-severity").value,
      tier: byId("f-tier").value, q: byId("f-search").value.trim().toLowerCase()
    };
    var findings = 0, agreements = 0, visible = {};
    sections.forEach(function (section) {
      var shown = 0;
      section.querySelectorAll("article").forEach(function (card) {
        var ok = matches(card, filter);
        card.hidden = !ok;
        shown += ok ? 1 : 0;
      });
      section.querySelectorAll("h3").forEach(function (h) {
        h.hidden = Boolean(filter.pack) && h.dataset.pack !== filter.pack;
      });
      section.hidden = shown === 0;
      visible[section.dataset.id] = shown > 0;
      findings += shown;
      agreements += shown > 0 ? 1 : 0;
    });
    rows.forEach(function (row) { row.hidden = !visible[row.dataset.id]; });
    byId("f-count").textContent = findings + " findings in " + agreements + " agreements";
  }

  function order(items, how) {
    if (how === "given") { return items.slice(); }
    return items.slice().sort(function (a, b) {
      if (how === "score" && a.dataset.score !== b.dataset.score) {
        return parseFloat(b.dataset.score) - parseFloat(a.dataset.score);
      }
      return a.dataset.id < b.dataset.id ? -1 : a.dataset.id > b.dataset.id ? 1 : 0;
    });
  }

  function sort() {
    var how = byId("f-sort").value;
    order(given.rows, how).forEach(function (row) { tbody.appendChild(row); });
    order(given.sections, how).forEach(function (section) { list.appendChild(section); });
  }

  form.addEventListener("change", function (event) { if (event.target.id === "f-sort") { sort(); } apply(); });
  byId("f-search").addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
}());
