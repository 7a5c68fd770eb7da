// The instructor's page: draws the state the server pushes (server-sent events on
// /instructor/stream). Every piece of learner-supplied text goes in with textContent,
// never as markup. No library, nothing loaded from outside this server.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  // A diagnosis code that may wrap only after its underscores (<wbr>), never mid-word.
  function breakable(code, cls) {
    const span = el("span", null, cls);
    code.split("_").forEach((part, i, parts) => {
      span.appendChild(document.createTextNode(part + (i < parts.length - 1 ? "_" : "")));
      if (i < parts.length - 1) span.appendChild(document.createElement("wbr"));
    });
    return span;
  }

  function clock(epochSeconds) {
    return new Date(epochSeconds * 1000).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"});
  }

  function minutes(m) {
    return m < 1 ? "under a minute" : (Math.round(m) + " min");
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // ---------------------------------------------------------------- large type

  function setLarge(on) {
    document.documentElement.classList.toggle("large", on);
    $("large-type").setAttribute("aria-pressed", on ? "true" : "false");
    try { localStorage.setItem("workshop-large", on ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  // ---------------------------------------------------------------- lists

  function fillList(list, items, emptyText) {
    list.replaceChildren();
    if (!items.length) { list.appendChild(el("li", emptyText, "empty")); return; }
    for (const item of items) list.appendChild(item);
  }

  function renderStuck(state) {
    const items = state.stuck.map((s) => {
      const li = el("li");
      li.dataset.exercise = s.exercise;
      li.appendChild(el("span", plural(s.learners, "learner", "learners"), "count"));
      li.appendChild(document.createTextNode(" stuck on " + s.exercise));
      if (s.diagnoses.length) {
        const parts = s.diagnoses.slice(0, 3).map(([code, n]) => n + " " + code);
        li.appendChild(document.createTextNode(": " + parts.join(", ")));
      }
      return li;
    });
    fillList($("stuck"), items, "Nobody is stuck.");
  }

  function renderLongest(state) {
    const items = state.longest.map((r) => {
      const li = el("li");
      li.appendChild(el("strong", r.name));
      li.appendChild(document.createTextNode(" on " + r.exercise + " for " + minutes(r.minutes) + ", " +
        plural(r.attempts, "attempt", "attempts") + (r.diagnosis ? " (" + r.diagnosis + ")" : "")));
      return li;
    });
    fillList($("longest"), items, "Nobody is stuck.");
  }

  function renderHints(state) {
    const body = $("hints").tBodies[0];
    body.replaceChildren();
    if (!state.hints.length) {
      const tr = el("tr");
      const td = el("td", "No hint asked yet.", "empty");
      td.colSpan = 4;
      tr.appendChild(td);
      body.appendChild(tr);
      return;
    }
    for (const h of state.hints) {
      const tr = el("tr");
      tr.appendChild(el("th", h.exercise)).scope = "row";
      tr.appendChild(el("td", h.hints));
      tr.appendChild(el("td", h.solutions));
      tr.appendChild(el("td", h.learners));
      body.appendChild(tr);
    }
  }

  function renderPasses(state) {
    const items = state.passes.map((p) => {
      const li = el("li");
      const t = el("time", clock(p.at));
      t.dateTime = new Date(p.at * 1000).toISOString();
      li.appendChild(t);
      li.appendChild(el("strong", p.name));
      li.appendChild(document.createTextNode(" passed " + p.exercise));
      return li;
    });
    fillList($("passes"), items, "No pass yet.");
  }

  // ---------------------------------------------------------------- grid

  let headerKey = "";
  const rows = new Map();

  function cellKey(cell) {
    if (!cell) return "";
    return [cell.status, cell.attempts, cell.diagnosis, cell.hint_level, cell.solution].join("|");
  }

  function drawCell(td, cell) {
    td.replaceChildren();
    td.className = cell ? cell.status : "";
    td.dataset.status = cell ? cell.status : "not-started";
    if (!cell) return;
    if (cell.status === "passed") {
      td.appendChild(el("span", "\u2713", ""));
      td.appendChild(el("span", " passed", "sr"));
    } else if (cell.status === "trying") {
      td.appendChild(el("span", cell.attempts + "\u00d7", "att"));
      td.appendChild(el("span", " attempts", "sr"));
      if (cell.diagnosis) td.appendChild(breakable(cell.diagnosis, "diag"));
    }
    const marks = [];
    if (cell.hint_level) marks.push("H" + cell.hint_level);
    if (cell.solution) marks.push("S");
    if (marks.length) td.appendChild(el("span", " " + marks.join(" "), "hint"));
  }

  function renderGrid(state) {
    const table = $("grid");
    const key = state.exercises.join(",");
    if (key !== headerKey) {
      const tr = el("tr");
      tr.appendChild(el("th", "Participant")).scope = "col";
      for (const ex of state.exercises) tr.appendChild(el("th", ex)).scope = "col";
      table.tHead.replaceChildren(tr);
      for (const row of rows.values()) row.tr.remove();
      rows.clear();
      headerKey = key;
    }
    const body = table.tBodies[0];
    const seen = new Set();
    let position = 0;
    for (const p of state.participants) {
      seen.add(p.id);
      let row = rows.get(p.id);
      if (!row) {
        const tr = el("tr");
        tr.dataset.participant = String(p.id);
        const th = el("th", p.name);
        th.scope = "row";
        th.title = p.name;
        tr.appendChild(th);
        const cells = state.exercises.map((ex) => {
          const td = el("td");
          td.dataset.exercise = ex;
          td.dataset.status = "not-started";
          td.dataset.key = "";
          tr.appendChild(td);
          return td;
        });
        row = {tr: tr, th: th, cells: cells};
        rows.set(p.id, row);
      }
      if (row.th.textContent !== p.name) { row.th.textContent = p.name; row.th.title = p.name; }
      if (body.children[position] !== row.tr) body.insertBefore(row.tr, body.children[position] || null);
      position += 1;  // join order; a row already in place is not touched (no relayout)
      const cellsOf = state.grid[String(p.id)] || {};
      state.exercises.forEach((ex, i) => {
        const cell = cellsOf[ex];
        const k = cellKey(cell);
        if (row.cells[i].dataset.key !== k) {
          drawCell(row.cells[i], cell);
          row.cells[i].dataset.key = k;
        }
      });
    }
    for (const [id, row] of rows) {
      if (!seen.has(id)) { row.tr.remove(); rows.delete(id); }
    }
  }

  // ---------------------------------------------------------------- state

  function render(state) {
    const started = performance.now();
    const t = state.totals;
    $("summary").textContent = plural(t.participants, "participant", "participants") + "; " +
      t.trying + " tried and not passed yet; " + plural(t.passed, "pass", "passes") + ". Updated " +
      clock(state.now) + ".";
    renderStuck(state);
    renderLongest(state);
    renderGrid(state);
    renderHints(state);
    renderPasses(state);
    document.body.dataset.version = String(state.version);
    document.body.dataset.renderMs = (performance.now() - started).toFixed(1);  // for the load test
  }

  function setConnection(text, cls) {
    const node = $("connection");
    if (node.textContent !== text) node.textContent = text;
    node.className = cls;
  }

  function connect() {
    const source = new EventSource("/instructor/stream");
    source.onopen = () => setConnection("Live", "live");
    source.onmessage = (msg) => {
      try { render(JSON.parse(msg.data)); } catch (e) { setConnection("Could not read an update: " + e, "lost"); }
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        setConnection("Disconnected: reload the page (or open the instructor URL again).", "lost");
      } else {
        setConnection("Reconnecting\u2026 (is the server running?)", "lost");
      }
    };
  }

  document.addEventListener("DOMContentLoaded", () => {
    let large = false;
    try { large = localStorage.getItem("workshop-large") === "1"; } catch (e) { /* private mode */ }
    if (new URLSearchParams(location.search).get("large") === "1") large = true;
    setLarge(large);
    $("large-type").addEventListener("click", () => setLarge(!document.documentElement.classList.contains("large")));
    connect();
  });
})();
