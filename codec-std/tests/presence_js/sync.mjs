// Replays presence sequences through the real `phoenix` JS `Presence` (a fake channel stands in
// for the socket) and prints, for every step, the callbacks it fired and the resulting list.
//
// usage: node sync.mjs <path to phoenix.mjs> < sequences.json > results.json
// sequences.json: [[{"op":"state","payload":{...}} | {"op":"diff","payload":{...}} | {"op":"rejoin"}, ...], ...]
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const { Presence } = await import(pathToFileURL(process.argv[2]).href);
const sequences = JSON.parse(readFileSync(0, "utf8"));

const results = sequences.map((steps) => {
  const handlers = {};
  let joinRef = "1";
  const channel = {
    on: (event, callback) => { handlers[event] = callback; },
    joinRef: () => joinRef,
  };
  const presence = new Presence(channel);
  let events = [];
  presence.onJoin((key, current, joined) => {
    events.push(["join", key, current ? current.metas : [], joined.metas]);
  });
  presence.onLeave((key, current, left) => {
    events.push(["leave", key, current.metas, left.metas]);
  });
  return steps.map((step) => {
    events = [];
    if (step.op === "state") handlers.presence_state(step.payload);
    else if (step.op === "diff") handlers.presence_diff(step.payload);
    else if (step.op === "rejoin") joinRef = String(Number(joinRef) + 1);
    const state = {};
    presence.list((key, entry) => { state[key] = entry.metas; });
    // Deep copies: later steps mutate the objects the callbacks saw.
    return JSON.parse(JSON.stringify({ events, state, pending: presence.pendingDiffs.length }));
  });
});
process.stdout.write(JSON.stringify(results));
