// Drives the real `phoenix` JavaScript client (Socket, Channel, Presence) against the
// phx-codec example server `papercups_server`.
//
//   node interop.mjs [ws://127.0.0.1:PORT/socket] [--account-id UUID]
//
// (or PHX_SOCKET_URL / PHX_ACCOUNT_ID in the environment). Every step names itself and
// asserts; the first failure prints the step's name and exits 1. The whole run is bounded by
// a timeout, so it never hangs.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Socket, Presence } from "phoenix";
import WebSocket from "ws";

const DEFAULT_ACCOUNT_ID = "2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5";
const STEP_TIMEOUT_MS = 5000;
const RUN_TIMEOUT_MS = 60000;

function parseArgs(argv) {
  let url = process.env.PHX_SOCKET_URL || "ws://127.0.0.1:4000/socket";
  let accountId = process.env.PHX_ACCOUNT_ID || DEFAULT_ACCOUNT_ID;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--account-id") {
      accountId = argv[++i];
    } else if (argv[i].startsWith("ws://") || argv[i].startsWith("wss://")) {
      url = argv[i].replace(/\/websocket$/, "");
    } else {
      console.error(`unknown argument ${argv[i]}`);
      process.exit(2);
    }
  }
  return { url, accountId };
}

const { url, accountId } = parseArgs(process.argv.slice(2));

// --- Steps --------------------------------------------------------------------------------

let currentStep = "(starting)";
let passed = 0;
const runTimer = setTimeout(() => {
  console.error(`not ok - ${currentStep}: the whole run exceeded ${RUN_TIMEOUT_MS} ms`);
  process.exit(1);
}, RUN_TIMEOUT_MS);

async function step(name, body) {
  currentStep = name;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([body(), timeout]);
  } catch (err) {
    console.error(`not ok - ${name}: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  } finally {
    clearTimeout(timer);
  }
  passed++;
  console.log(`ok ${passed} - ${name}`);
}

process.on("uncaughtException", (err) => {
  console.error(`not ok - ${currentStep}: uncaught ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});

// --- Helpers ------------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `check()` returns something truthy (polled), with that value. */
async function until(what, check) {
  for (;;) {
    const value = check();
    if (value) return value;
    await sleep(10);
  }
}

/** Opens a phoenix Socket; resolves once connected. Records every message it receives. */
function connect(params = {}, extra = {}) {
  const socket = new Socket(url, { transport: WebSocket, params, ...extra });
  socket.received = [];
  socket.closes = [];
  socket.onMessage((msg) => socket.received.push(msg));
  socket.onClose((event) => socket.closes.push(event));
  return new Promise((resolve, reject) => {
    socket.onOpen(() => resolve(socket));
    socket.onError((err) => reject(new Error(`socket error: ${err && err.message}`)));
    socket.connect();
  });
}

/** Pushes and resolves with `{status, response}` for ok and error replies. */
function request(push) {
  return new Promise((resolve, reject) => {
    push
      .receive("ok", (response) => resolve({ status: "ok", response }))
      .receive("error", (response) => resolve({ status: "error", response }))
      .receive("timeout", () => reject(new Error("push timed out")));
  });
}

/** Records every payload of `event` on `channel`. */
function record(channel, event) {
  const seen = [];
  channel.on(event, (payload) => seen.push(payload));
  return seen;
}

const keys = (presence) => presence.list((key) => key).sort();
const bytesOf = (buffer) => Array.from(new Uint8Array(buffer));

// --- The run ------------------------------------------------------------------------------

const conversationId = randomUUID();
const customerId = randomUUID();
const agentId = 7;
const conversationTopic = `conversation:${conversationId}`;
const customerKey = `customer:${customerId}`;
const agentKey = `user:${agentId}`;

let customer, agent;
let lobby, lobbyCreated;
let customerConv, customerPresence, customerShouts, customerBinary;
let agentConv, agentPresence, agentShouts, agentBinary;

await step("customer socket connects (vsn 2.0.0, heartbeat every 100 ms)", async () => {
  customer = await connect({}, { heartbeatIntervalMs: 100 });
  assert.equal(customer.isConnected(), true);
  assert.match(customer.endPointURL(), /\/socket\/websocket\?vsn=2\.0\.0$/);
});

await step("agent socket connects with a user_id connect param", async () => {
  agent = await connect({ user_id: agentId });
  assert.equal(agent.isConnected(), true);
});

await step("heartbeats are answered with ok replies and the socket stays open", async () => {
  const replies = () =>
    customer.received.filter(
      (m) => m.topic === "phoenix" && m.event === "phx_reply" && m.payload.status === "ok",
    );
  await until("three heartbeat replies", () => replies().length >= 3);
  for (const reply of replies()) {
    assert.equal(reply.join_ref, null);
    assert.deepEqual(reply.payload.response, {});
  }
  assert.equal(customer.closes.length, 0, "the client closed its socket (missed heartbeat?)");
  assert.equal(customer.isConnected(), true);
});

await step("customer joins conversation:lobby:{customer_id}", async () => {
  lobby = customer.channel(`conversation:lobby:${customerId}`);
  lobbyCreated = record(lobby, "conversation:created");
  const reply = await request(lobby.join());
  assert.deepEqual(reply, { status: "ok", response: {} });
});

await step("customer joins the conversation with customer_id and sees itself present", async () => {
  customerConv = customer.channel(conversationTopic, { customer_id: customerId });
  customerPresence = new Presence(customerConv);
  customerShouts = record(customerConv, "shout");
  customerBinary = record(customerConv, "file");
  const reply = await request(customerConv.join());
  assert.deepEqual(reply, { status: "ok", response: {} });
  await until("presence sync", () => keys(customerPresence).length === 1);
  assert.deepEqual(keys(customerPresence), [customerKey]);
  const [meta] = customerPresence.list((key, { metas }) => metas)[0];
  assert.equal(meta.customer_id, customerId);
  assert.match(meta.online_at, /^\d+$/, "online_at is a string of Unix seconds");
  assert.equal(typeof meta.phx_ref, "string");
});

await step("the customer's lobby receives conversation:created with the conversation id", async () => {
  await until("conversation:created", () => lobbyCreated.length === 1);
  assert.deepEqual(lobbyCreated[0], { id: conversationId });
});

await step("agent joins the conversation", async () => {
  agentConv = agent.channel(conversationTopic, {});
  agentPresence = new Presence(agentConv);
  agentShouts = record(agentConv, "shout");
  agentBinary = record(agentConv, "file");
  const reply = await request(agentConv.join());
  assert.deepEqual(reply, { status: "ok", response: {} });
});

await step("Presence lists both customer and agent on both sides after sync", async () => {
  const both = [customerKey, agentKey].sort();
  await until("agent presence", () => keys(agentPresence).length === 2);
  await until("customer presence", () => keys(customerPresence).length === 2);
  assert.deepEqual(keys(agentPresence), both);
  assert.deepEqual(keys(customerPresence), both);
  const agentMeta = agentPresence.list((key, { metas }) => (key === agentKey ? metas[0] : null));
  assert.equal(agentMeta.find(Boolean).user_id, agentId);
});

const customerBody = 'Hi, I need help with my order "#42"\n\u00e9t\u00e9 \ud83d\ude00';

await step("customer shout is broadcast to every member, sender included", async () => {
  const sentAt = new Date().toISOString();
  const push = customerConv.push("shout", {
    body: customerBody,
    customer_id: customerId,
    sent_at: sentAt,
  });
  let replied = false;
  push.receive("ok", () => (replied = true)).receive("error", () => (replied = true));
  await until("customer's copy", () => customerShouts.length === 1);
  await until("agent's copy", () => agentShouts.length === 1);
  assert.deepEqual(customerShouts[0], agentShouts[0]);
  const msg = agentShouts[0];
  assert.equal(msg.object, "message");
  assert.equal(msg.body, customerBody);
  assert.equal(msg.conversation_id, conversationId);
  assert.equal(msg.account_id, accountId);
  assert.equal(msg.customer_id, customerId);
  assert.equal(msg.user_id, null);
  assert.equal(msg.sent_at, sentAt);
  assert.equal(msg.seen_at, null);
  assert.match(msg.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(msg.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  assert.equal(replied, false, "the widget's shout gets no reply");
});

await step("agent shout is broadcast back to the customer (and the agent)", async () => {
  agentConv.push("shout", { body: "Happy to help!" });
  await until("customer's copy", () => customerShouts.length === 2);
  await until("agent's copy", () => agentShouts.length === 2);
  const msg = customerShouts[1];
  assert.equal(msg.body, "Happy to help!");
  assert.equal(msg.user_id, agentId);
  assert.equal(msg.customer_id, null);
  assert.equal("customer" in msg, false, "agent messages have no customer key");
  assert.equal(msg.user.id, agentId);
});

await step("messages:seen is accepted without a reply and the channel stays joined", async () => {
  let replied = null;
  customerConv
    .push("messages:seen", {})
    .receive("ok", () => (replied = "ok"))
    .receive("error", (e) => (replied = `error ${JSON.stringify(e)}`));
  // The server handles a socket's frames in order: once a later ping is answered, the
  // messages:seen before it has been handled.
  const barrier = await request(customerConv.push("ping", { after: "messages:seen" }));
  assert.deepEqual(barrier, { status: "ok", response: { after: "messages:seen" } });
  assert.equal(replied, null);
  assert.equal(customerConv.state, "joined");
});

await step("ping replies ok with the same payload", async () => {
  const payload = { hello: "world", n: 1.5, list: [1, "two", null, true], nested: { a: {} } };
  const reply = await request(agentConv.push("ping", payload));
  assert.deepEqual(reply, { status: "ok", response: payload });
});

await step("a binary ArrayBuffer push comes back as a binary broadcast to every member", async () => {
  const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255, 0x5b, 0x22]);
  customerConv.push("file", bytes.buffer);
  await until("customer's copy", () => customerBinary.length === 1);
  await until("agent's copy", () => agentBinary.length === 1);
  for (const received of [customerBinary[0], agentBinary[0]]) {
    assert.ok(received instanceof ArrayBuffer, "binary broadcasts arrive as ArrayBuffer");
    assert.deepEqual(bytesOf(received), Array.from(bytes));
  }
});

await step("a binary ping gets a binary reply with the same bytes", async () => {
  const bytes = new Uint8Array(300).map((_, i) => (i * 7) % 256);
  const reply = await request(agentConv.push("ping", bytes.buffer));
  assert.equal(reply.status, "ok");
  assert.ok(reply.response instanceof ArrayBuffer);
  assert.deepEqual(bytesOf(reply.response), Array.from(bytes));
});

let room, roomPresence, notification, notificationPresence, notificationShouts;

await step("agent joins room:{account_id}; Presence lists the agent", async () => {
  room = agent.channel(`room:${accountId}`);
  roomPresence = new Presence(room);
  assert.deepEqual(await request(room.join()), { status: "ok", response: {} });
  await until("room presence", () => keys(roomPresence).length === 1);
  assert.deepEqual(keys(roomPresence), [agentKey]);
});

await step("agent joins notification:{account_id}; Presence lists the online customer and the agent", async () => {
  notification = agent.channel(`notification:${accountId}`);
  notificationPresence = new Presence(notification);
  notificationShouts = record(notification, "shout");
  assert.deepEqual(await request(notification.join()), { status: "ok", response: {} });
  await until("notification presence", () => keys(notificationPresence).length === 2);
  assert.deepEqual(keys(notificationPresence), [customerKey, agentKey].sort());
});

await step("a customer socket (no user_id) is refused on notification: with unauthorized", async () => {
  const channel = customer.channel(`notification:${accountId}`);
  const reply = await request(channel.join());
  assert.deepEqual(reply, { status: "error", response: { reason: "unauthorized" } });
  channel.leave();
});

await step("agent shout on notification: gets an ok reply and reaches the conversation", async () => {
  const reply = await request(
    notification.push("shout", { body: "From the dashboard", conversation_id: conversationId }),
  );
  assert.deepEqual(reply, { status: "ok", response: {} });
  await until("customer's copy", () => customerShouts.length === 3);
  assert.equal(customerShouts[2].body, "From the dashboard");
  assert.equal(customerShouts[2].user_id, agentId);
  await until("dashboard copy", () =>
    notificationShouts.some((m) => m.body === "From the dashboard"),
  );
});

await step("join of an unknown topic gets the error reply 'unmatched topic' with join_ref null", async () => {
  const channel = customer.channel("nowhere:1");
  const reply = await request(channel.join());
  assert.deepEqual(reply, { status: "error", response: { reason: "unmatched topic" } });
  const raw = customer.received.find((m) => m.topic === "nowhere:1" && m.event === "phx_reply");
  assert.equal(raw.join_ref, null);
  channel.leave(); // stop the client's rejoin timer
});

await step("agent leaves the conversation: ok reply, channel closes, server sends phx_close", async () => {
  const joinRef = agentConv.joinRef();
  let closed = false;
  agentConv.onClose(() => (closed = true));
  const reply = await request(agentConv.leave());
  assert.deepEqual(reply, { status: "ok", response: {} });
  await until("channel closed", () => closed);
  assert.equal(agentConv.state, "closed");
  const close = await until("phx_close", () =>
    agent.received.find((m) => m.topic === conversationTopic && m.event === "phx_close"),
  );
  assert.equal(close.join_ref, joinRef);
  assert.equal(close.ref, joinRef);
  assert.deepEqual(close.payload, {});
});

await step("the customer's Presence lists only the customer after the agent left", async () => {
  await until("presence leave", () => keys(customerPresence).length === 1);
  assert.deepEqual(keys(customerPresence), [customerKey]);
});

await step("a V1 client (vsn=1.0.0, JSON objects) joins, pings and receives broadcasts", async () => {
  const v1 = await connect(
    { user_id: 8 },
    {
      vsn: "1.0.0",
      encode: (msg, callback) => callback(JSON.stringify(msg)),
      decode: (raw, callback) => callback(JSON.parse(raw)),
    },
  );
  try {
    assert.match(v1.endPointURL(), /vsn=1\.0\.0$/);
    const channel = v1.channel(conversationTopic);
    const shouts = record(channel, "shout");
    assert.deepEqual(await request(channel.join()), { status: "ok", response: {} });
    assert.deepEqual(await request(channel.push("ping", { v: 1 })), {
      status: "ok",
      response: { v: 1 },
    });
    const raw = v1.received.find((m) => m.event === "phx_reply" && m.topic === conversationTopic);
    assert.equal("join_ref" in raw, false, "V1 replies carry no join_ref");
    customerConv.push("shout", { body: "to V1", customer_id: customerId });
    await until("V1 shout", () => shouts.length === 1);
    assert.equal(shouts[0].body, "to V1");
  } finally {
    v1.disconnect();
  }
});

await step("an unsupported vsn is refused at the upgrade with HTTP 403", async () => {
  const status = await new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/websocket?vsn=3.0.0`);
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode);
      ws.terminate();
    });
    ws.on("open", () => reject(new Error("the upgrade was accepted")));
    ws.on("error", () => {});
  });
  assert.equal(status, 403);
});

await step("a malformed frame closes only that socket (close code 1011)", async () => {
  const code = await new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/websocket?vsn=2.0.0`);
    ws.on("open", () => ws.send('[null,"1","phoenix","heartbeat",{]'));
    ws.on("close", (closeCode) => resolve(closeCode));
    ws.on("error", (err) => reject(err));
  });
  assert.equal(code, 1011);
  const reply = await request(customerConv.push("ping", { still: "here" }));
  assert.deepEqual(reply, { status: "ok", response: { still: "here" } });
  assert.equal(customer.closes.length, 0);
});

await step("the customer's disconnect removes it from the dashboard's Presence", async () => {
  customer.disconnect();
  await until("notification presence leave", () => keys(notificationPresence).length === 1);
  assert.deepEqual(keys(notificationPresence), [agentKey]);
});

await step("after its connection drops, the agent reconnects, rejoins with a new join_ref and Presence resyncs", async () => {
  const oldJoinRef = room.joinRef();
  const refs = () => roomPresence.list((key, { metas }) => metas.map((m) => m.phx_ref)).flat();
  const [oldPhxRef] = refs();
  let reopened = 0;
  agent.onOpen(() => reopened++);
  // Drop the WebSocket under the client (as a network failure would), not via disconnect().
  agent.connection.transport.close();
  await until("reconnected", () => reopened === 1);
  await until("room rejoined", () => room.state === "joined" && room.joinRef() !== oldJoinRef);
  await until("notification rejoined", () => notification.state === "joined");
  // The server untracked the old connection and tracked the new one: one meta, a new phx_ref.
  await until("room presence resynced", () => refs().length === 1 && refs()[0] !== oldPhxRef);
  assert.deepEqual(keys(roomPresence), [agentKey]);
  const state = agent.received.filter(
    (m) => m.topic === room.topic && m.event === "presence_state",
  );
  assert.equal(state.at(-1).join_ref, room.joinRef(), "presence_state for the new join");
  const reply = await request(room.push("ping", { after: "reconnect" }));
  assert.deepEqual(reply, { status: "ok", response: { after: "reconnect" } });
});

await step("agent disconnects cleanly", async () => {
  await new Promise((resolve) => agent.disconnect(resolve));
  assert.equal(agent.isConnected(), false);
});

clearTimeout(runTimer);
console.log(`${passed} passed, 0 failed`);
process.exit(0);
