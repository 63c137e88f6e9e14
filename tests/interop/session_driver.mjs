// Runs a session script (tests/data/session/*.ndjson) through the real `phoenix` npm client
// (Socket, Channel, Push, Timer) with a fake transport and fake timers — no network, no real
// time — and prints what happened in the format of phx-tests' `session_replay` binary:
//
//   node session_driver.mjs SCRIPT      (- reads stdin)
//
// The formats are described in tests/data/session/README.md. What is printed is what the
// application can observe: frames the transport is asked to send, transports opened and closed,
// channel state changes (an accessor on `channel.state`), the outcome of every join, push and
// leave (Push.matchReceive, whichever status), and channel messages (Channel.onMessage).

import { readFileSync } from "node:fs";

// --- Fake timers (installed before phoenix runs any code) --------------------------------------
let now = 0;
// Events a browser dispatches once the running task is done (a WebSocket's close event).
const afterTask = [];
function runAfterTask() {
  while (afterTask.length > 0) afterTask.shift()();
}
let timerSeq = 0;
const timers = new Map(); // id -> {due, seq, fn}
globalThis.setTimeout = (fn, ms = 0, ...args) => {
  const id = ++timerSeq;
  timers.set(id, { due: now + Math.max(0, Number(ms) || 0), seq: id, fn: () => fn(...args) });
  return id;
};
globalThis.clearTimeout = (id) => {
  if (id !== null && id !== undefined) timers.delete(id);
};
function nextTimer() {
  let best = null;
  for (const [id, t] of timers) {
    if (best === null || t.due < best.t.due || (t.due === best.t.due && t.seq < best.t.seq)) {
      best = { id, t };
    }
  }
  return best;
}
function fireTimersUpTo(t) {
  for (;;) {
    const next = nextTimer();
    if (next === null || next.t.due > t) return;
    timers.delete(next.id);
    now = next.t.due;
    next.t.fn();
    runAfterTask();
  }
}

const { Socket } = await import("phoenix");

// --- Output ------------------------------------------------------------------------------------
const out = [];
const emit = (obj) => out.push(JSON.stringify({ t: now, ...obj }));

const toB64 = (buf) => Buffer.from(new Uint8Array(buf)).toString("base64");
const fromB64 = (s) => {
  const b = Buffer.from(s, "base64");
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};
const view = (value) => (value instanceof ArrayBuffer ? { binary_base64: toB64(value) } : value);

// --- Script ------------------------------------------------------------------------------------
const path = process.argv[2];
if (!path) {
  console.error("usage: node session_driver.mjs SCRIPT   (- reads stdin)");
  process.exit(2);
}
const text = readFileSync(path === "-" ? 0 : path, "utf8");
const lines = text
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l !== "" && !l.startsWith("#"))
  .map((l) => JSON.parse(l));

let config = {};
if (lines.length > 0 && lines[0].op === "config") config = lines.shift();
const vsn = config.vsn || "2.0.0";
const table = (arr) => (arr ? (tries) => arr[tries - 1] ?? arr[arr.length - 1] : undefined);

// --- Fake transport ----------------------------------------------------------------------------
const sent = new Map(); // "topic\u0000event" -> {join_ref, ref}
const joins = new Map(); // topic -> [join_ref...]
let current = null;

function recordSent(frame) {
  if (!frame) return;
  const { topic, event } = frame;
  sent.set(`${topic}\u0000${event}`, { join_ref: frame.join_ref ?? null, ref: frame.ref ?? null });
  if (event === "phx_join" && frame.join_ref != null) {
    if (!joins.has(topic)) joins.set(topic, []);
    joins.get(topic).push(frame.join_ref);
  }
}

function parseSentText(data) {
  const v = JSON.parse(data);
  if (Array.isArray(v)) {
    const [join_ref, ref, topic, event] = v;
    return { join_ref, ref, topic, event };
  }
  return v;
}

function parseSentBinary(buf) {
  const b = new Uint8Array(buf);
  if (b[0] !== 0) return null;
  const dec = new TextDecoder();
  let at = 5;
  const take = (n) => dec.decode(b.slice(at, (at += n)));
  const join_ref = take(b[1]);
  const ref = take(b[2]);
  const topic = take(b[3]);
  const event = take(b[4]);
  return { join_ref, ref, topic, event };
}

class FakeTransport {
  constructor(_url, _protocols) {
    this.readyState = 0;
    this.bufferedAmount = 0;
    current = this;
    emit({ open: true });
  }
  send(data) {
    if (typeof data === "string") {
      emit({ send: data });
      recordSent(parseSentText(data));
    } else {
      emit({ send_binary_base64: toB64(data) });
      recordSent(parseSentBinary(data));
    }
  }
  close(code) {
    if (this.readyState === 0 || this.readyState === 1) {
      const c = code || 1000;
      emit({ close: c });
      this.readyState = 3;
      // As in a browser, the close event is dispatched after the code that closed it ran.
      const onclose = this.onclose;
      if (onclose) afterTask.push(() => onclose.call(this, { code: c, reason: "", wasClean: true }));
    }
  }
}

const opts = { transport: FakeTransport, vsn };
if (config.heartbeat_interval_ms !== undefined) opts.heartbeatIntervalMs = config.heartbeat_interval_ms;
if (config.timeout_ms !== undefined) opts.timeout = config.timeout_ms;
if (config.reconnect_after_ms) opts.reconnectAfterMs = table(config.reconnect_after_ms);
if (config.rejoin_after_ms) opts.rejoinAfterMs = table(config.rejoin_after_ms);
if (vsn === "1.0.0") {
  opts.encode = (msg, cb) => cb(JSON.stringify(msg));
  opts.decode = (raw, cb) => cb(JSON.parse(raw));
}
const socket = new Socket("ws://example.invalid/socket", opts);

// --- Observing channels ------------------------------------------------------------------------
const channels = new Map(); // topic -> most recent channel
let pushPatched = false;

function observe(chan) {
  let state = chan.state;
  Object.defineProperty(chan, "state", {
    get: () => state,
    set: (v) => {
      if (v !== state) {
        state = v;
        emit({ state: { topic: chan.topic, state: v } });
      }
    },
  });
  chan.onMessage = (event, payload) => {
    if (typeof event === "string" && !event.startsWith("phx_") && !event.startsWith("chan_reply_")) {
      emit({ message: { topic: chan.topic, event, payload: view(payload) } });
    }
    return payload;
  };
  if (!pushPatched) {
    pushPatched = true;
    const Push = chan.joinPush.constructor;
    const matchReceive = Push.prototype.matchReceive;
    Push.prototype.matchReceive = function (resp) {
      // The phx_leave a join timeout sends has no hooks: the application never sees it.
      if (this.event !== "phx_leave" || this.recHooks.length > 0) {
        const reply = { topic: this.channel.topic, event: this.event, status: resp.status };
        if (resp.status !== "timeout" && resp.response !== undefined) reply.response = view(resp.response);
        emit({ reply });
      }
      return matchReceive.call(this, resp);
    };
  }
}

function deliver(data) {
  if (current && current.readyState === 1 && current.onmessage) {
    // A browser reports an exception thrown by an event handler and goes on; so do we.
    try {
      current.onmessage({ data });
    } catch (e) {
      process.stderr.write(`t=${now}: the message handler threw: ${e}\n`);
    }
  }
}

function textFrame(join_ref, ref, topic, event, payload) {
  if (vsn === "1.0.0") return JSON.stringify({ topic, event, payload, ref, join_ref });
  return JSON.stringify([join_ref, ref, topic, event, payload]);
}

function channelOf(topic) {
  const chan = channels.get(topic);
  if (!chan) throw new Error(`no channel for ${topic}`);
  return chan;
}

for (const line of lines) {
  fireTimersUpTo(line.t);
  now = line.t;
  switch (line.op) {
    case "connect":
      socket.connect();
      break;
    case "disconnect":
      socket.disconnect();
      break;
    case "opened":
      if (current && current.readyState === 0) {
        current.readyState = 1;
        if (current.onopen) current.onopen();
      }
      break;
    case "closed":
      if (current && (current.readyState === 0 || current.readyState === 1)) {
        current.readyState = 3;
        if (current.onclose) current.onclose({ code: line.code ?? 1006, reason: "", wasClean: false });
      }
      break;
    case "join": {
      const chan = socket.channel(line.topic, line.params ?? {});
      observe(chan);
      channels.set(line.topic, chan);
      chan.join();
      break;
    }
    case "push": {
      const chan = channelOf(line.topic);
      const payload = line.binary_base64 !== undefined ? fromB64(line.binary_base64) : (line.payload ?? {});
      if (line.timeout_ms !== undefined) chan.push(line.event, payload, line.timeout_ms);
      else chan.push(line.event, payload);
      break;
    }
    case "leave":
      channelOf(line.topic).leave();
      break;
    case "reply": {
      const refs = sent.get(`${line.topic}\u0000${line.event}`);
      if (refs) {
        const payload = { status: line.status, response: line.response === undefined ? {} : line.response };
        deliver(textFrame(refs.join_ref, refs.ref, line.topic, "phx_reply", payload));
      }
      break;
    }
    case "server": {
      const js = joins.get(line.topic) || [];
      let jr = null;
      if (line.join_ref === "current") jr = js.length >= 1 ? js[js.length - 1] : null;
      else if (line.join_ref === "stale") jr = js.length >= 2 ? js[js.length - 2] : null;
      const ref = line.event === "phx_close" || line.event === "phx_error" ? jr : null;
      deliver(textFrame(jr, ref, line.topic, line.event, line.payload === undefined ? {} : line.payload));
      break;
    }
    case "frame":
      if (line.text !== undefined) deliver(line.text);
      else deliver(fromB64(line.binary_base64));
      break;
    case "tick":
      break;
    default:
      throw new Error(`unknown op ${line.op}`);
  }
  runAfterTask();
}

process.stdout.write(out.map((l) => l + "\n").join(""));
