// Drives the admin page in Debian's headless Chromium (playwright-core, no downloaded browser):
// sign in, find a user, open a memory's history, invalidate it, and check that the next chat's
// trace no longer uses it. Exits non-zero on the first failed expectation.
//
// env: ADMIN_URL, ADMIN_KEY, TENANT_KEY, CHROMIUM (default /usr/bin/chromium),
//      SHOTS_DIR (screenshots go there), CHAT_MESSAGE (the message sent before and after)
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import path from "node:path";

const base = process.env.ADMIN_URL;
const shots = process.env.SHOTS_DIR;
const message = process.env.CHAT_MESSAGE || "Where do I live?";
const skipChat = process.env.SKIP_CHAT === "1"; // for working on the page without a chat engine

async function chat() {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${process.env.TENANT_KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({ model: "persona/fast", user: "alice", messages: [{ role: "user", content: message }] }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.persona;
}

async function shot(page, name) {
  if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run"],
});
const external = [];
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  // nothing may load from anywhere but this server
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith("blob:") || url.startsWith("data:")) return route.continue();
    external.push(url);
    return route.abort();
  });
  const errors = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("console", (msg) => { if (msg.type() === "error") errors.push(msg.text()); });

  const before = skipChat ? { memories: [{ id: "m-berlin" }] } : await chat();
  assert.ok(before.memories.some((m) => m.id === "m-berlin"), `first chat should use m-berlin: ${JSON.stringify(before.memories)}`);

  // sign in with the keyboard only
  await page.goto(`${base}/admin`);
  await shot(page, "01-sign-in");
  await page.keyboard.type(process.env.ADMIN_KEY); // the key field has focus on load
  await page.keyboard.press("Enter");
  await page.getByText("Signed in:").waitFor();
  await page.getByLabel("Tenant").selectOption({ label: /^acme/ }).catch(async () => {
    const options = await page.locator("#tenant option").allTextContents();
    const acme = options.findIndex((o) => o.startsWith("acme"));
    await page.locator("#tenant").selectOption({ index: acme });
  });

  // find the user
  await page.getByLabel("Find user").fill("ali");
  await page.getByLabel("Find user").press("Enter");
  await page.getByRole("button", { name: "alice", exact: true }).click();
  await page.getByRole("heading", { name: "User alice" }).waitFor();
  const memories = page.locator("#memories tbody");
  await memories.getByText("Lives in Berlin").waitFor();
  assert.deepEqual(await page.locator("#memories tbody td:first-child").allTextContents(), ["Lives in Berlin", "Is vegetarian"]);
  await shot(page, "02-user");

  // the memory's history: timeline and supersede chain
  await page.getByRole("button", { name: "History of: Lives in Berlin" }).click();
  await page.locator("#memory").waitFor();
  const chain = await page.locator("#chain li").allTextContents();
  assert.equal(chain.length, 2);
  assert.match(chain[0], /Lives in Paris.*superseded/);
  assert.match(chain[1], /Lives in Berlin.*valid/);
  assert.match(await page.locator("#timeline").textContent(), /add by extractor/);
  if (!skipChat) assert.match(await page.locator("#used-in").textContent(), new RegExp(message.replace("?", "\\?")));
  await shot(page, "03-memory-history");

  // the trace of the reply that used it
  await page.locator("#used-in button").first().click();
  await page.getByRole("heading", { name: /^Trace of turn/ }).waitFor();
  assert.match(await page.locator("#trace-body").textContent(), /Lives in Berlin/);
  await shot(page, "04-trace");

  // invalidate it, giving a reason, with the keyboard
  await page.getByRole("button", { name: "Invalidate: Lives in Berlin" }).click();
  await page.getByLabel("Reason (kept in the audit log)").fill("user says they never lived in Berlin");
  await page.keyboard.press("Enter");
  await page.locator("#status", { hasText: "Memory invalidated." }).waitFor();
  assert.deepEqual(await page.locator("#memories tbody td:first-child").allTextContents(), ["Is vegetarian"]);
  await page.getByLabel("Show").selectOption("forgotten");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.locator("#memories tbody").getByText("Lives in Berlin").waitFor();
  await page.getByRole("button", { name: "History of: Lives in Berlin" }).click();
  await page.locator("#timeline", { hasText: "invalidate by admin" }).waitFor();
  assert.match(await page.locator("#timeline").textContent(), /reason: user says they never lived in Berlin/);
  await shot(page, "05-invalidated");

  // the next chat no longer uses it, and its trace shows that
  const after = skipChat ? null : await chat();
  if (after) {
  assert.ok(!after.memories.some((m) => m.id === "m-berlin"), JSON.stringify(after.memories));
  await page.getByRole("button", { name: "alice", exact: true }).click();
  const traces = page.getByRole("button", { name: `Trace of: ${message}` });
  // wait for the refreshed list (both chats) before picking the newest
  await page.waitForFunction((n) => document.querySelectorAll("#turns tbody tr").length === n, 5);
  assert.equal(await traces.count(), 2);
  await traces.first().click();
  await page.getByRole("heading", { name: `Trace of turn ${after.turn_id.slice(0, 8)}` }).waitFor();
  const shown = await page.locator("#trace-body").textContent();
  assert.ok(!shown.includes("Lives in Berlin"), shown);
  }

  // tenant statistics
  await page.locator("#stats-box summary").click();
  await page.locator("#stats", { hasText: "Reasoning share" }).waitFor();
  // three seeded replies and this test's two chats, all fast but one
  if (!skipChat) assert.match(await page.locator("#stats").textContent(), /Messages5Reasoning share20\.0%/);
  await shot(page, "06-stats");

  assert.deepEqual(errors, []);
  assert.deepEqual(external, []);
  console.log(JSON.stringify({ ok: true, before: before.memories.map((m) => m.id), after: after && after.memories.map((m) => m.id) }));
} finally {
  await browser.close();
}
