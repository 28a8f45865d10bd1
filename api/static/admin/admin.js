// persona admin page: vanilla JS, no dependencies. Every text from the server is set with
// textContent (never innerHTML), so stored memories and messages cannot inject markup.
"use strict";

const state = { key: sessionStorage.getItem("persona-admin-key") || "", tenant: "", user: "" };
const $ = (sel) => document.querySelector(sel);

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "onclick") el.addEventListener("click", v);
    else if (k === "class") el.className = v;
    else if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function say(message, isError = false) {
  const el = $("#status");
  el.textContent = message;
  el.classList.toggle("error", isError);
}

async function api(method, path, body) {
  const opts = { method, headers: { Authorization: `Bearer ${state.key}` } };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const res = await fetch(path, opts);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const msg = (data.error && data.error.message) || `${res.status} ${res.statusText}`;
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return data;
}

const enc = encodeURIComponent;
const userPath = () => `/admin/v1/tenants/${enc(state.tenant)}/users/${enc(state.user)}`;
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");
const stateBadge = (s) => h("span", { class: `state state-${s}` }, s);

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

// ---- reason dialog: every correction asks why (kept in the audit log) ----
function askReason(what, editText) {
  const dialog = $("#reason-dialog");
  $("#reason-what").textContent = what;
  $("#reason").value = "";
  const editing = editText !== undefined;
  $("#edit-text").hidden = !editing;
  $("#edit-label").hidden = !editing;
  $("#edit-text").value = editing ? editText : "";
  return new Promise((resolve) => {
    const done = (ok) => {
      dialog.close();
      resolve(ok ? { reason: $("#reason").value.trim(), text: $("#edit-text").value.trim() } : null);
    };
    $("#reason-form").onsubmit = (e) => {
      e.preventDefault();
      if ($("#reason").value.trim() && (!editing || $("#edit-text").value.trim())) done(true);
    };
    $("#reason-cancel").onclick = () => done(false);
    dialog.oncancel = () => resolve(null);
    dialog.showModal();
    (editing ? $("#edit-text") : $("#reason")).focus();
  });
}

// ---- sign in ----
async function signIn(key) {
  state.key = key;
  try {
    const me = await api("GET", "/admin/v1/me");
    sessionStorage.setItem("persona-admin-key", key);
    $("#whoami").textContent = me.scope === "global" ? `Signed in: ${me.admin} (all tenants)`
      : `Signed in: ${me.admin} (one tenant)`;
    $("#whoami").hidden = false;
    $("#sign-out").hidden = false;
    $("#sign-in").hidden = true;
    $("#app").hidden = false;
    await loadTenants();
    say("Signed in.");
  } catch (err) {
    state.key = "";
    sessionStorage.removeItem("persona-admin-key");
    say(`Sign-in failed: ${err.message}`, true);
  }
}

function signOut() {
  sessionStorage.removeItem("persona-admin-key");
  location.reload();
}

// ---- tenants, users, stats ----
async function loadTenants() {
  const { data } = await api("GET", "/admin/v1/tenants");
  const select = $("#tenant");
  select.replaceChildren(...data.map((t) =>
    h("option", { value: t.id }, `${t.name}${t.disabled ? " (disabled)" : ""} — ${t.users} users`)));
  if (data.length) {
    state.tenant = data[0].id;
    await loadUsers();
  }
}

async function loadUsers() {
  const q = $("#user-q").value.trim();
  const { data } = await api("GET", `/admin/v1/tenants/${enc(state.tenant)}/users?q=${enc(q)}`);
  fill($("#users tbody"), data.map((u) => h("tr", { class: u.id === state.user ? "selected" : "" },
    h("td", {}, h("button", { class: "link", type: "button", onclick: () => openUser(u.id) }, u.id)),
    h("td", {}, u.memories_valid), h("td", {}, u.turns), h("td", {}, when(u.last_active_at)))));
  say(data.length ? `${data.length} user(s).` : "No users match.");
}

async function loadStats() {
  const s = await api("GET", `/admin/v1/tenants/${enc(state.tenant)}/stats`);
  const pct = (x) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);
  const ms = (x) => (x === null ? "—" : `${Math.round(x)} ms`);
  const items = [
    ["Messages", s.messages], ["Reasoning share", pct(s.reasoning_share)],
    ["Compliance", pct(s.compliance.rate)],
    ...Object.entries(s.compliance.by_type).map(([k, v]) => [`  ${k}`, `${pct(v.rate)} of ${v.checks}`]),
    ["Valid memories", s.memories.by_state.valid], ["Superseded", s.memories.by_state.superseded],
    ["Forgotten", s.memories.by_state.forgotten],
    ["Latency p50 / p95", `${ms(s.latency_ms.p50)} / ${ms(s.latency_ms.p95)}`],
    ["Cost", `$${s.cost_usd}`],
  ];
  $("#stats").replaceChildren(...items.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

// ---- one user ----
async function openUser(id) {
  state.user = id;
  const u = await api("GET", userPath());
  $("#user").hidden = false;
  $("#memory").hidden = true;
  $("#trace").hidden = true;
  $("#user-title").textContent = `User ${u.id}`;
  $("#user-summary").textContent =
    `${u.memories.valid} valid, ${u.memories.superseded} superseded, ${u.memories.forgotten} forgotten ` +
    `memories · ${u.turns} turns · last active ${when(u.last_active_at)}`;
  const p = u.profile;
  $("#profile").replaceChildren(...[
    ["About", p.about_you || "—"], ["How to respond", p.response_style || "—"],
    ["Personality", p.personality], ["Ambiguity", p.ambiguity],
  ].flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  $("#constraints").replaceChildren(...(p.constraints.length ? p.constraints.map((c) => h("li", {},
    h("code", {}, c.id), " ", JSON.stringify(c.kwargs || {}), ` (${c.source || "user"}) `,
    h("button", { type: "button", class: "danger", onclick: () => removeConstraint(c),
      "aria-label": `Remove constraint ${c.id}` }, "Remove…"))) : [h("li", { class: "muted" }, "No constraints.")]));
  await Promise.all([loadMemories(), loadTurns()]);
  await loadUsers();
}

async function loadMemories() {
  const st = $("#memory-state").value;
  const q = $("#memory-q").value.trim();
  const { data } = await api("GET", `${userPath()}/memories?state=${enc(st)}&q=${enc(q)}`);
  fill($("#memories tbody"), data.map((m) => h("tr", { "data-memory": m.id },
    h("td", {}, m.text), h("td", {}, m.kind), h("td", {}, stateBadge(m.state)), h("td", {}, m.actor),
    h("td", {}, when(m.valid_from)),
    h("td", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => openMemory(m.id),
        "aria-label": `History of: ${m.text}` }, "History"),
      m.state === "valid" ? h("button", { type: "button", class: "secondary",
        onclick: () => editMemory(m), "aria-label": `Edit: ${m.text}` }, "Edit…") : null,
      m.state === "valid" ? h("button", { type: "button", class: "danger",
        onclick: () => invalidateMemory(m), "aria-label": `Invalidate: ${m.text}` }, "Invalidate…") : null))));
  if (!data.length) fill($("#memories tbody"), [h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No memories."))]);
}

async function loadTurns() {
  const { data } = await api("GET", `${userPath()}/turns?limit=100`);
  fill($("#turns tbody"), data.map((t) => h("tr", {},
    h("td", {}, when(t.created_at)), h("td", {}, t.user_message), h("td", {}, t.reply), h("td", {}, t.tier),
    h("td", {}, h("button", { type: "button", class: "secondary", onclick: () => openTrace(t.id),
      "aria-label": `Trace of: ${t.user_message}` }, "Trace")))));
}

// ---- memory history ----
async function openMemory(id) {
  const d = await api("GET", `${userPath()}/memories/${enc(id)}`);
  const used = await api("GET", `${userPath()}/traces?memory_id=${enc(id)}`);
  $("#memory").hidden = false;
  $("#memory-text").textContent = d.memory.text;
  $("#chain").replaceChildren(...d.chain.map((m) => h("li", { class: m.id === id ? "current" : "" },
    `“${m.text}” `, stateBadge(m.state), ` since ${when(m.valid_from)}`,
    m.invalid_at ? ` until ${when(m.invalid_at)}` : "")));
  $("#timeline").replaceChildren(...d.history.map((e) => h("li", {},
    h("strong", {}, e.op), ` by ${e.actor} · ${when(e.created_at)}`,
    e.reason ? ` · reason: ${e.reason}` : "",
    e.source_turn_id ? h("span", {}, " · from ", h("button", { type: "button", class: "link",
      onclick: () => openTrace(e.source_turn_id) }, `turn ${e.source_turn_id.slice(0, 8)}`)) : "",
    e.before && e.after && e.before.text !== e.after.text
      ? h("div", { class: "muted" }, `“${e.before.text}” → “${e.after.text}”`) : "")));
  if (!d.history.length) $("#timeline").replaceChildren(h("li", { class: "muted" }, "No history rows."));
  $("#used-in").replaceChildren(...(used.data.length ? used.data.map((t) => h("li", {},
    h("button", { type: "button", class: "link", onclick: () => openTrace(t.turn_id) },
      `${when(t.created_at)}: “${t.user_message}”`))) : [h("li", { class: "muted" }, "Not used in any reply.")]));
  $("#memory-title").focus();
}

// ---- trace ----
function section(title, ...content) {
  return h("section", {}, h("h3", {}, title), ...content);
}

async function openTrace(turnId) {
  const t = await api("GET", `${userPath()}/traces/${enc(turnId)}`);
  const d = t.data || {};
  const parts = [
    h("dl", {}, h("dt", {}, "Message"), h("dd", {}, t.user_message ?? ""),
      h("dt", {}, "Reply"), h("dd", {}, t.reply ?? ""),
      h("dt", {}, "Model"), h("dd", {}, `${d.model ?? ""} (${t.tier})`),
      h("dt", {}, "Tokens"), h("dd", {}, d.usage ? `${d.usage.prompt_tokens} in, ${d.usage.completion_tokens} out` : "—"),
      h("dt", {}, "Cost"), h("dd", {}, d.cost_usd != null ? `$${d.cost_usd}` : "—")),
  ];
  const mems = d.memories || [];
  parts.push(section("Memories used", mems.length ? h("table", { "aria-label": "Memories used" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Memory"), h("th", { scope: "col" }, "Kind"),
      h("th", { scope: "col" }, "Score"))),
    h("tbody", {}, mems.map((m) => h("tr", {},
      h("td", {}, h("button", { type: "button", class: "link", onclick: () => openMemory(m.id) }, m.text)),
      h("td", {}, m.kind), h("td", {}, m.score))))) : h("p", { class: "muted" }, "No memories were used.")));
  if (d.route) {
    const r = d.route;
    parts.push(section("Route", h("p", {}, `${r.tier} · score ${r.score ?? "—"} vs threshold ${r.threshold ?? "—"}` +
      (r.effort ? ` · effort ${r.effort}` : "") + (r.reason ? ` — ${r.reason}` : "")),
      h("ul", {}, (r.signals || []).map((sig) => h("li", {}, signalText(sig))))));
  }
  if (d.steering) parts.push(section("Constraints and repairs", steeringView(d.steering)));
  if (d.latency_ms) {
    parts.push(section("Latency (ms)", h("dl", {}, Object.entries(d.latency_ms).flatMap(([k, v]) =>
      [h("dt", {}, k), h("dd", {}, typeof v === "number" ? v.toFixed(1) : String(v))]))));
  }
  if (d.prompt) parts.push(section("Compiled prompt", h("pre", {}, promptText(d.prompt))));
  parts.push(h("details", {}, h("summary", {}, "Raw trace JSON"), h("pre", {}, JSON.stringify(d, null, 2))));
  $("#trace-body").replaceChildren(...parts);
  $("#trace").hidden = false;
  $("#trace-title").textContent = `Trace of turn ${turnId.slice(0, 8)}`;
  $("#trace-title").focus();
}

function promptText(p) {
  if (typeof p === "string") return p;
  if (Array.isArray(p.messages)) return p.messages.map((m) => `[${m.role}]\n${m.content}`).join("\n\n");
  if (typeof p.system === "string") return p.system;
  return JSON.stringify(p, null, 2);
}

function steeringView(s) {
  const results = s.results || [];
  const repairs = s.repairs || [];
  const list = h("ul", {}, results.map((c) => h("li", {},
    h("span", { class: c.passed ? "pass" : "fail" }, c.passed ? "pass" : "fail"), ` ${c.id}`,
    repairs.includes(c.id) ? " (after repair)" : "", c.detail ? ` — ${c.detail}` : "")));
  return h("div", {}, results.length ? list : h("p", { class: "muted" }, "No constraints were checked."),
    repairs.length ? h("p", {}, `Repairs applied: ${repairs.join(", ")}`) : null,
    s.reasked ? h("p", {}, "The model was asked again with the violations.") : null,
    (s.dropped || []).length ? h("p", {}, `Overridden by precedence: ${s.dropped.map((d) => (typeof d === "string" ? d : d.id || JSON.stringify(d))).join(", ")}`) : null);
}

function signalText(sig) {
  if (typeof sig === "string") return sig;
  if (sig && sig.name !== undefined) return `${sig.name}: ${sig.value}${sig.effect !== undefined ? ` (effect ${sig.effect})` : ""}`;
  return JSON.stringify(sig);
}

// ---- corrections ----
async function correct(what, fn) {
  try {
    await fn();
    await openUser(state.user);
    say(what);
  } catch (err) {
    say(`Failed: ${err.message}`, true);
  }
}

async function invalidateMemory(m) {
  const r = await askReason(`Invalidate “${m.text}”? It stays in history but is never used again.`);
  if (r) await correct("Memory invalidated.", () => api("POST", `${userPath()}/memories/${enc(m.id)}/invalidate`, { reason: r.reason }));
}

async function editMemory(m) {
  const r = await askReason(`Edit “${m.text}”.`, m.text);
  if (r) await correct("Memory edited.", () => api("PATCH", `${userPath()}/memories/${enc(m.id)}`, { text: r.text, reason: r.reason }));
}

async function removeConstraint(c) {
  const r = await askReason(`Remove the constraint ${c.id}?`);
  if (r) await correct("Constraint removed.", () => api("DELETE", `${userPath()}/constraints/${enc(c.cid)}?reason=${enc(r.reason)}`));
}

async function addNote(e) {
  e.preventDefault();
  const text = $("#note-text").value.trim();
  if (!text) return;
  const r = await askReason(`Add “${text}” as a ${$("#note-kind").value}?`);
  if (r) {
    await correct("Note added.", () => api("POST", `${userPath()}/memories`, { text, kind: $("#note-kind").value, reason: r.reason }));
    $("#note-text").value = "";
  }
}

async function purge() {
  const r = await askReason(`Purge user ${state.user}: delete all memories, turns and traces for good?`);
  if (r) await correct("User purged.", () => api("POST", `${userPath()}/purge`, { reason: r.reason }));
}

async function exportUser() {
  try {
    const data = await api("GET", `${userPath()}/export`);
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const a = h("a", { href: URL.createObjectURL(blob), download: `persona-${state.user}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    say("Export downloaded.");
  } catch (err) {
    say(`Export failed: ${err.message}`, true);
  }
}

// ---- wiring ----
function guard(fn) {
  return (e) => {
    if (e && e.preventDefault) e.preventDefault();
    fn(e).catch((err) => say(err.message, true));
  };
}

document.addEventListener("DOMContentLoaded", () => {
  $("#sign-in-form").addEventListener("submit", guard(() => signIn($("#admin-key").value.trim())));
  $("#sign-out").addEventListener("click", signOut);
  $("#tenant").addEventListener("change", guard(async () => {
    state.tenant = $("#tenant").value;
    state.user = "";
    $("#user").hidden = $("#memory").hidden = $("#trace").hidden = true;
    await loadUsers();
    if ($("#stats-box").open) await loadStats();
  }));
  $("#user-search").addEventListener("submit", guard(loadUsers));
  $("#stats-box").addEventListener("toggle", () => {
    if ($("#stats-box").open) loadStats().catch((err) => say(err.message, true));
  });
  $("#memory-filter").addEventListener("submit", guard(loadMemories));
  $("#note-form").addEventListener("submit", (e) => addNote(e).catch((err) => say(err.message, true)));
  $("#purge").addEventListener("click", guard(purge));
  $("#export").addEventListener("click", guard(exportUser));
  if (state.key) signIn(state.key);
  else $("#admin-key").focus();
});
