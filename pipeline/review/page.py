"""The review page: one self-contained HTML document (no CDN, no build step), served by ``server``.

Kept as a Python string so it ships inside the package with no package-data configuration.
Spans are drawn the way displaCy's entity view draws them: a coloured mark with its label.
The server's per-session token is written into a meta tag; the script sends it with every API
call, so a page from another origin (which cannot read this page) cannot make the calls.
"""

from __future__ import annotations

import html

TOKEN_SLOT = "__REVIEW_TOKEN__"

PAGE_HTML = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="review-token" content="__REVIEW_TOKEN__">
<title>Review extractions</title>
<style>
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { display: flex; gap: 1em; align-items: center; padding: .6em 1em; background: #f3f3f3;
  border-bottom: 1px solid #ddd; }
header h1 { font-size: 1.1em; margin: 0 1em 0 0; }
main { display: flex; height: calc(100vh - 3.2em); }
#queue { list-style: none; margin: 0; padding: 0; width: 34%; overflow-y: auto; border-right: 1px solid #ddd; }
#queue li { padding: .45em .8em; border-bottom: 1px solid #eee; cursor: pointer; font-size: .9em; }
#queue li.selected { background: #e8f0fe; }
#queue li .t { font-weight: bold; font-size: .75em; text-transform: uppercase; color: #555; }
#queue li.rejected .x { text-decoration: line-through; color: #999; }
.badge { font-size: .7em; padding: .1em .4em; border-radius: .3em; background: #ddd; margin-left: .4em; }
.badge.accepted { background: #c8e6c9; } .badge.rejected { background: #ffcdd2; }
.badge.edited { background: #fff3c4; } .badge.added { background: #d1c4e9; }
#detail { flex: 1; padding: 1em 1.5em; overflow-y: auto; }
.doc { line-height: 2.5; white-space: pre-wrap; border: 1px solid #eee; padding: 1em; border-radius: .4em; }
mark.entity { padding: .25em .45em; margin: 0 .15em; line-height: 1; border-radius: .35em; }
mark.entity .label { font-size: .65em; font-weight: bold; line-height: 1; border-radius: .35em;
  vertical-align: middle; margin-left: .5rem; text-transform: uppercase; }
mark.focus { background: #feca74; box-shadow: 0 0 0 2px #e0a040; }
mark.DATE { background: #bfe1d9; } mark.ACTOR { background: #7aecec; }
table.fields td { padding: .2em .6em; border-bottom: 1px solid #f0f0f0; vertical-align: top; }
table.fields td:first-child { color: #666; }
.buttons { margin: 1em 0; display: flex; gap: .6em; }
button { padding: .4em 1em; font-size: .95em; cursor: pointer; }
kbd { font-size: .75em; border: 1px solid #bbb; border-radius: 3px; padding: 0 .3em; margin-left: .3em; }
#message { color: #b00020; min-height: 1.2em; }
#message.ok { color: #1b5e20; }
</style>
</head>
<body>
<header>
  <h1>Review extractions</h1>
  <label>Reviewer <input id="reviewer" size="12" placeholder="your name"></label>
  <label>Table <select id="table-filter"><option value="">all</option></select></label>
  <label><input type="checkbox" id="hide-reviewed"> hide reviewed</label>
  <span id="counts"></span>
</header>
<main>
  <ul id="queue" aria-label="review queue"></ul>
  <section id="detail"><p>Loading the queue…</p></section>
</main>
<script>
"use strict";
let items = [], shown = [], current = -1, editing = false;
const $ = (sel) => document.querySelector(sel);
const TOKEN = document.querySelector("meta[name='review-token']").content;
const el = (tag, attrs = {}, text) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
};
$("#reviewer").value = localStorage.getItem("reviewer") || "";
$("#reviewer").addEventListener("change", () => localStorage.setItem("reviewer", $("#reviewer").value));

function summary(item) {
  const focus = item.segments.filter((s) => s.focus).map((s) => s.text).join("");
  return (focus || item.fields.name || item.fields.text || item.id).replace(/\s+/g, " ").slice(0, 110);
}

function renderList() {
  const table = $("#table-filter").value, hide = $("#hide-reviewed").checked;
  const selectedId = current >= 0 ? shown[current] && shown[current].id : null;
  shown = items.filter((it) => (!table || it.table === table) && (!hide || it.status === "unreviewed"));
  const list = $("#queue");
  list.replaceChildren();
  shown.forEach((it, i) => {
    const li = el("li", { "data-id": it.id, "data-table": it.table, "data-status": it.status, class: it.status });
    li.append(el("span", { class: "t" }, it.table + " · " + it.certainty.toFixed(2)));
    li.append(el("span", { class: "badge " + it.status }, it.status));
    li.append(el("div", { class: "x" }, summary(it)));
    li.addEventListener("click", () => select(i));
    list.append(li);
  });
  const done = items.filter((it) => it.status !== "unreviewed").length;
  $("#counts").textContent = done + " of " + items.length + " reviewed";
  const again = shown.findIndex((it) => it.id === selectedId);
  if (again >= 0) current = again;
}

function renderDoc(item) {
  const box = el("div", { class: "doc", id: "doc" });
  let focusMark = null;
  for (const seg of item.segments) {
    let node = document.createTextNode(seg.text);
    if (seg.label) {
      const mark = el("mark", { class: "entity " + seg.label });
      mark.append(seg.text, el("span", { class: "label" }, seg.label));
      node = mark;
    }
    if (seg.focus) {
      if (!focusMark) {
        focusMark = el("mark", { class: "entity focus", "data-label": item.label });
        box.append(focusMark);
      }
      focusMark.append(node);
    } else {
      if (focusMark && !focusMark.querySelector(".label.focus-label")) {
        focusMark.append(el("span", { class: "label focus-label" }, item.label));
      }
      box.append(node);
    }
  }
  if (focusMark && !focusMark.querySelector(".label.focus-label")) {
    focusMark.append(el("span", { class: "label focus-label" }, item.label));
  }
  if (!item.segments.length) box.append(document.createTextNode("(no document text for this item)"));
  return box;
}

function select(i) {
  if (i < 0 || i >= shown.length) return;
  current = i;
  editing = false;
  document.querySelectorAll("#queue li").forEach((li, j) => li.classList.toggle("selected", j === i));
  const li = document.querySelectorAll("#queue li")[i];
  if (li) li.scrollIntoView({ block: "nearest" });
  const item = shown[i];
  const d = $("#detail");
  d.replaceChildren();
  d.setAttribute("data-id", item.id);
  d.append(el("h2", {}, item.table + " " + item.id));
  const where = item.document ? item.document + " · " : "";
  const meta = el("p", {}, where + "certainty " + item.certainty.toFixed(2) + " · ");
  meta.append(el("span", { id: "status", class: "badge " + item.status }, item.status));
  d.append(meta, renderDoc(item));
  const buttons = el("div", { class: "buttons" });
  for (const [id, text, key] of [["accept", "Accept", "a"], ["reject", "Reject", "r"], ["edit", "Edit", "e"]]) {
    const b = el("button", { id: id, type: "button" }, text);
    b.append(el("kbd", {}, key));
    b.addEventListener("click", () => (id === "edit" ? openEdit() : decide(id)));
    buttons.append(b);
  }
  d.append(buttons, el("input", { id: "comment", size: "60", placeholder: "comment (optional)" }));
  d.append(el("p", { id: "message" }));
  const t = el("table", { class: "fields" });
  for (const [k, v] of Object.entries(item.fields)) {
    const tr = el("tr");
    tr.append(el("td", {}, k), el("td", { "data-field": k }, v));
    t.append(tr);
  }
  d.append(t);
}

function openEdit() {
  const item = shown[current];
  if (!item) return;
  editing = true;
  const form = el("form", { id: "edit-form" });
  for (const f of item.editable) {
    const label = el("label", {}, f.name + " ");
    let input;
    if (f.allowed) {
      input = el("select", { name: f.name });
      if (!f.required) input.append(el("option", { value: "" }, ""));
      for (const a of f.allowed) input.append(el("option", { value: a }, a));
    } else {
      input = el("input", { name: f.name, type: f.kind === "date" ? "date" : "text", size: "50" });
    }
    input.value = item.fields[f.name] || "";
    label.append(input);
    form.append(label, el("br"));
  }
  const save = el("button", { id: "save", type: "submit" }, "Save");
  save.append(el("kbd", {}, "Enter"));
  const cancel = el("button", { id: "cancel", type: "button" }, "Cancel");
  cancel.append(el("kbd", {}, "Esc"));
  cancel.addEventListener("click", () => select(current));
  form.append(save, cancel);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const changed = {};
    for (const f of item.editable) {
      const value = form.elements[f.name].value;
      if (value !== (item.fields[f.name] || "")) changed[f.name] = value;
    }
    if (!Object.keys(changed).length) { message("nothing changed", false); return; }
    decide("edit", changed);
  });
  $("#detail .buttons").after(form);
  const first = form.querySelector("input, select");
  if (first) first.focus();
}

function message(text, ok) {
  const m = $("#message");
  if (!m) return;
  m.textContent = text;
  m.className = ok ? "ok" : "";
}

async function decide(action, fields) {
  const item = shown[current];
  if (!item) return;
  const body = { table: item.table, id: item.id, action: action, reviewer: $("#reviewer").value,
    comment: ($("#comment") && $("#comment").value) || "" };
  if (fields) body.fields = fields;
  const res = await fetch("/api/decisions", { method: "POST",
    headers: { "Content-Type": "application/json", "X-Review-Token": TOKEN }, body: JSON.stringify(body) });
  const data = await res.json();
  if (!res.ok) { message(data.error || "not recorded", false); return; }
  const idx = items.findIndex((it) => it.id === item.id && it.table === item.table);
  items[idx] = data.item;
  const at = current;
  renderList();
  select(Math.min(shown.findIndex((it) => it.id === item.id) + 1 || at, shown.length - 1));
  message("recorded " + action + " of " + item.id, true);
  document.body.setAttribute("data-last-recorded", item.id + ":" + action);
}

document.addEventListener("keydown", (ev) => {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
  if (ev.key === "Escape" && editing) { select(current); return; }
  if (typing) return;
  if (ev.key === "a") decide("accept");
  else if (ev.key === "r") decide("reject");
  else if (ev.key === "e") { ev.preventDefault(); openEdit(); }
  else if (ev.key === "j" || ev.key === "ArrowDown") select(current + 1);
  else if (ev.key === "k" || ev.key === "ArrowUp") select(current - 1);
});
$("#table-filter").addEventListener("change", () => { current = -1; renderList(); select(0); });
$("#hide-reviewed").addEventListener("change", () => { current = -1; renderList(); select(0); });

fetch("/api/queue", { headers: { "X-Review-Token": TOKEN } }).then((r) => r.json()).then((data) => {
  items = data.items;
  for (const t of [...new Set(items.map((it) => it.table))]) $("#table-filter").append(el("option", { value: t }, t));
  renderList();
  if (shown.length) select(0); else $("#detail").textContent = "Nothing to review.";
  document.body.setAttribute("data-ready", "1");
});
</script>
</body>
</html>
"""


def page_html(token: str) -> str:
    """The page with this session's token in it."""
    return PAGE_HTML.replace(TOKEN_SLOT, html.escape(token, quote=True))
