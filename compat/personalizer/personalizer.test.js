// Drives a running policy-recommender with Microsoft's own Azure Personalizer client
// (@azure/cognitiveservices-personalizer), as an application moving from Personalizer would:
// only the endpoint and the key change. Run by ./check (which starts the packaged service when no
// endpoint is given); the endpoints and keys come from the environment:
//   ENDPOINTS  one or more base URLs, comma-separated: calls go round them (instances sharing Kafka)
//   CLIENT_KEY sent as Ocp-Apim-Subscription-Key;  ADMIN_KEY sent as X-API-Key to create the loops
"use strict";
const { test, before } = require("node:test");
const assert = require("node:assert/strict");
const { PersonalizerClient } = require("@azure/cognitiveservices-personalizer");
const { ApiKeyCredentials, RestError } = require("@azure/ms-rest-js");

const endpoints = (process.env.ENDPOINTS || "http://127.0.0.1:8080").split(",");
const clientKey = process.env.CLIENT_KEY || "client-key";
const adminKey = process.env.ADMIN_KEY || "";
const run = process.env.RUN_ID || String(Date.now());
const WINDOW_SECONDS = 2;

function clients() {
  const credentials = new ApiKeyCredentials({ inHeader: { "Ocp-Apim-Subscription-Key": clientKey } });
  // The endpoint is the service's base URL, as it was the resource's: the client appends
  // /personalizer/v1.0 (and drops any path of its own, so every call here is the default loop's).
  return endpoints.map((e) => new PersonalizerClient(credentials, e, { noRetryPolicy: true }));
}

const LOOP = "personalizer";

/**
 * The default loop, created as an application's operator would (one admin call), unless it exists:
 * a second run against the same service reuses it (each run's event ids and readers are its own).
 */
before(async () => {
  const admin = { "Content-Type": "application/json", ...(adminKey ? { "X-API-Key": adminKey } : {}) };
  const found = await fetch(`${endpoints[0]}/policies/${LOOP}`);
  if (found.status === 404) {
    const res = await fetch(`${endpoints[0]}/policies/${LOOP}`, {
      method: "PUT",
      headers: admin,
      body: JSON.stringify({
        input: { type: "features", bits: 12 },
        actions: { type: "features", bits: 12 },
        rewardWindow: `PT${WINDOW_SECONDS}S`,
        defaultReward: 0,
        batchSize: 16,
        seed: 11,
      }),
    });
    assert.equal(res.status, 201, `creating the loop: ${await res.text()}`);
  } else {
    const config = (await found.json()).config;
    assert.equal(config.rewardWindow, `PT${WINDOW_SECONDS}S`, "the default loop exists with another reward "
      + "window: delete it (DELETE /policies/personalizer) or check a fresh service");
  }
  // Every instance serves it before the checks start (another instance hears of it through Redis).
  await until(async () => {
    for (const e of endpoints) {
      if ((await fetch(`${e}/policies/${LOOP}`)).status !== 200) return false;
    }
    return true;
  }, "the loop served by every instance");
  finishedAtStart = await finished();
});

/** A counter summed over every instance's /q/metrics (the learner of a loop may be any of them). */
async function metric(sample) {
  let sum = 0;
  for (const e of endpoints) {
    const text = await (await fetch(`${e}/q/metrics`)).text();
    for (const line of text.split("\n")) {
      if (line.startsWith(sample + " ")) sum += Number(line.slice(sample.length + 1).split(" ")[0]);
    }
  }
  return sum;
}

async function until(condition, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

const FINISHED = ['policyrec_decisions_joined_total{outcome="rewarded"}',
  'policyrec_decisions_joined_total{outcome="default"}', "policyrec_decisions_never_activated_total"];
let finishedAtStart = 0;
let ranked = 0;

async function finished() {
  let sum = 0;
  for (const sample of FINISHED) sum += await metric(sample);
  return sum;
}

/** A Rank, counted, so that a check can wait until every decision made so far has been settled. */
async function rank(client, request) {
  const r = await client.rank(request);
  ranked++;
  return r;
}

/** Waits until every decision of this run has been learned from or dropped: counters then move only for a check's own. */
async function settled() {
  await until(async () => (await finished()) >= finishedAtStart + ranked, `all ${ranked} decisions settled`);
}

async function counterReaches(sample, target) {
  await until(async () => (await metric(sample)) >= target, `${sample} >= ${target}`);
}

const ARTICLES = [
  { id: "politics", features: [{ topic: "politics", length: 800 }, { editorial: { tone: "serious" } }] },
  { id: "sports", features: [{ topic: "sports", length: 300 }] },
  { id: "tech", features: [{ topic: "tech", length: 1200 }, { tags: ["ai", "chips"] }] },
  { id: "food", features: [{ topic: "food", length: 500 }] },
];

test("rank with context and action features answers Personalizer's shape", async () => {
  const [client] = clients();
  const r = await rank(client, {
    contextFeatures: [{ user: { country: "DE", device: "mobile" } }, { time: { hour: 14, weekend: false } }],
    actions: ARTICLES,
  });
  assert.equal(r._response.status, 201);
  assert.equal(r.ranking.length, ARTICLES.length);
  assert.equal(r.ranking[0].id, r.rewardActionId, "the drawn action comes first");
  assert.deepEqual([...r.ranking.map((a) => a.id)].sort(), ARTICLES.map((a) => a.id).sort());
  const total = r.ranking.reduce((s, a) => s + a.probability, 0);
  assert.ok(Math.abs(total - 1) < 1e-6, `probabilities sum to ${total}`);
  assert.ok(typeof r.eventId === "string" && r.eventId.length > 0, "an event id is generated");
  await client.events.reward(r.eventId, { value: 1 });
});

test("the loop's settings read in Personalizer's names", async () => {
  const res = await fetch(`${endpoints[0]}/personalizer/v1.0/configurations/service`,
    { headers: { "Ocp-Apim-Subscription-Key": clientKey } });
  assert.equal(res.status, 200);
  const config = await res.json();
  assert.equal(config.rewardWaitTime, `PT${WINDOW_SECONDS}S`);
  assert.equal(config.rewardAggregation, "earliest");
});

test("excluded actions are never drawn and rank last at probability 0", async () => {
  const all = clients();
  for (let i = 0; i < 40; i++) {
    const r = await rank(all[i % all.length], { contextFeatures: [{ i }], actions: ARTICLES,
      excludedActions: ["sports", "tech"] });
    assert.ok(r.rewardActionId !== "sports" && r.rewardActionId !== "tech", `drew ${r.rewardActionId}`);
    assert.deepEqual(r.ranking.slice(2).map((a) => a.probability), [0, 0]);
  }
});

test("an event id is the caller's; ranking it twice is a 400 the client reads", async () => {
  const [client] = clients();
  const r = await rank(client, { actions: ARTICLES, eventId: `page-view-${run}` });
  assert.equal(r.eventId, `page-view-${run}`);
  await assert.rejects(client.rank({ actions: ARTICLES, eventId: `page-view-${run}` }), (e) => {
    assert.ok(e instanceof RestError || e.statusCode, "a RestError");
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, "BadRequest");
    assert.match(e.message, /ranked already/);
    return true;
  });
  await assert.rejects(client.rank({ actions: [{ id: "x", features: [{ a: [[1]] }] }] }), (e) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.body.error.target, "actions[0].features[0].a[0]");
    return true;
  });
});

test("deferred events: activated ones are learned from, one never activated is not", async () => {
  const all = clients();
  await settled();
  const activated = await metric('policyrec_activations_total{outcome="activated"}');
  const never = await metric("policyrec_decisions_never_activated_total");
  const rewarded = await metric('policyrec_decisions_joined_total{outcome="rewarded"}');
  const defaulted = await metric('policyrec_decisions_joined_total{outcome="default"}');
  // Activated, then rewarded (through another instance when there are two).
  const a = await rank(all[0], { contextFeatures: [{ u: 1 }], actions: ARTICLES, deferActivation: true });
  await all[1 % all.length].events.activate(a.eventId);
  await all[1 % all.length].events.reward(a.eventId, { value: 1 });
  // Activated, never rewarded: the loop's default reward when its window closes.
  const b = await rank(all[0], { contextFeatures: [{ u: 2 }], actions: ARTICLES, deferActivation: true });
  await all[0].events.activate(b.eventId);
  // Rewarded but never activated: never learned from.
  const c = await rank(all[0], { contextFeatures: [{ u: 3 }], actions: ARTICLES, deferActivation: true });
  await all[0].events.reward(c.eventId, { value: 1 });
  await counterReaches('policyrec_activations_total{outcome="activated"}', activated + 2);
  await counterReaches('policyrec_decisions_joined_total{outcome="rewarded"}', rewarded + 1);
  await counterReaches('policyrec_decisions_joined_total{outcome="default"}', defaulted + 1);
  await counterReaches("policyrec_decisions_never_activated_total", never + 1);
  assert.equal(await metric('policyrec_decisions_joined_total{outcome="rewarded"}'), rewarded + 1,
    "the reward of the event never activated was not learned from");
  assert.equal(await metric('policyrec_decisions_joined_total{outcome="default"}'), defaulted + 1);
  assert.equal(await metric("policyrec_decisions_never_activated_total"), never + 1);
});

test("a reward after the window is counted late, not learned", async () => {
  const [client] = clients();
  await settled();
  const defaulted = await metric('policyrec_decisions_joined_total{outcome="default"}');
  const late = await metric('policyrec_feedback_rejected_total{reason="late"}');
  const r = await rank(client, { contextFeatures: [{ u: 1 }], actions: ARTICLES });
  // The window closing shows as the default reward applied to it.
  await counterReaches('policyrec_decisions_joined_total{outcome="default"}', defaulted + 1);
  await client.events.reward(r.eventId, { value: 1 });
  await counterReaches('policyrec_feedback_rejected_total{reason="late"}', late + 1);
});

test("learns which article each reader wants, keeping more than one in use", async () => {
  const all = clients();
  const wants = { alice: "politics", bob: "sports", carol: "tech", dave: "food" };
  const readers = Object.keys(wants);
  const rounds = Number(process.env.LEARN_ROUNDS || 3000);
  const window = [];
  const hits = [];
  for (let i = 0; i < rounds; i++) {
    const reader = readers[i % readers.length];
    const client = all[i % all.length];
    const r = await rank(client, { contextFeatures: [{ reader: { name: `${reader}-${run}` } }], actions: ARTICLES });
    const hit = r.rewardActionId === wants[reader];
    await client.events.reward(r.eventId, { value: hit ? 1 : 0 });
    hits.push(hit ? 1 : 0);
    if (i >= rounds - 400) window.push(r.rewardActionId);
  }
  const rate = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const first = rate(hits.slice(0, 400));
  const last = rate(hits.slice(-400));
  const inUse = new Set(window).size;
  console.log(`hit rate: first 400 ${first.toFixed(3)}, last 400 ${last.toFixed(3)} (chance 0.25); ` +
    `${inUse} articles drawn in the last 400`);
  assert.ok(last >= 0.6, `the hit rate rose well above chance (last 400: ${last})`);
  assert.ok(last > first + 0.2, `and above where it started (${first} -> ${last})`);
  assert.ok(inUse >= 2, `more than one article stays in use (${inUse})`);
});
