//! Differential test: `PresenceTracker` against the real `phoenix` JS `Presence` (from the
//! interop Node project, `tests/interop`) on generated sequences of states, diffs and
//! rejoins. Needs node and npm; fails loudly without them.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use phx_codec_std::presence::{PresenceEvent, PresenceTracker, TrackedDiff, presence_map};
use serde_json::{Value, json};

/// A small deterministic generator (xorshift64*), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u8) -> u8 {
        u8::try_from(self.next() % u64::from(n)).unwrap_or(0)
    }
}

const KEYS: [&str; 4] = ["user:1", "user:2", "customer:a", "customer:b"];
const REFS: [&str; 5] = ["A", "B", "C", "D", "E"];

fn entries(rng: &mut Rng, counter: &mut u64) -> Value {
    let mut map = serde_json::Map::new();
    for key in KEYS {
        if rng.below(2) == 0 {
            continue;
        }
        let metas: Vec<Value> = (0..rng.below(4))
            .map(|_| {
                *counter += 1;
                json!({"phx_ref": REFS[usize::from(rng.below(5))], "n": *counter})
            })
            .collect();
        map.insert(key.to_owned(), json!({ "metas": metas }));
    }
    Value::Object(map)
}

fn sequence(rng: &mut Rng) -> Vec<Value> {
    let mut counter = 0;
    (0..=rng.below(8))
        .map(|_| match rng.below(10) {
            0..=2 => json!({"op": "state", "payload": entries(rng, &mut counter)}),
            3 => json!({"op": "rejoin"}),
            _ => json!({"op": "diff", "payload": {
                "joins": entries(rng, &mut counter),
                "leaves": entries(rng, &mut counter),
            }}),
        })
        .collect()
}

/// Events as the JS script prints them, in runs of one kind sorted by key: the JS client
/// follows object insertion order, `PresenceTracker` key order.
fn canonical(events: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut run: Vec<Value> = Vec::new();
    for e in events {
        if run.first().is_some_and(|r| r[0] != e[0]) {
            run.sort_by(|a, b| a[1].as_str().cmp(&b[1].as_str()));
            out.append(&mut run);
        }
        run.push(e.clone());
    }
    run.sort_by(|a, b| a[1].as_str().cmp(&b[1].as_str()));
    out.append(&mut run);
    out
}

fn metas_json(metas: &[phx_codec_std::presence::TrackedMeta]) -> Value {
    Value::Array(
        metas
            .iter()
            .map(|m| Value::Object(m.fields().clone()))
            .collect(),
    )
}

fn ours(steps: &[Value]) -> Vec<Value> {
    let mut presence = PresenceTracker::new();
    steps
        .iter()
        .map(|step| {
            let events = match step["op"].as_str() {
                Some("state") => presence.sync_state(presence_map(step["payload"].clone()).expect("state")),
                Some("diff") => presence.sync_diff(TrackedDiff::from_value(step["payload"].clone()).expect("diff")),
                _ => {
                    presence.rejoining();
                    Vec::new()
                }
            };
            let events: Vec<Value> = events
                .iter()
                .map(|e| match e {
                    PresenceEvent::Join { key, previous, joined } => json!(["join", key, metas_json(previous), metas_json(joined)]),
                    PresenceEvent::Leave { key, remaining, left } => json!(["leave", key, metas_json(remaining), metas_json(left)]),
                })
                .collect();
            let state: serde_json::Map<String, Value> = presence
                .map()
                .iter()
                .map(|(k, metas)| (k.clone(), metas_json(metas)))
                .collect();
            json!({"events": canonical(&events), "state": state, "pending": presence.pending_diffs()})
        })
        .collect()
}

fn phoenix_module() -> PathBuf {
    let interop = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/interop");
    let module = interop.join("node_modules/phoenix/priv/static/phoenix.mjs");
    if !module.exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&interop)
            .status()
            .unwrap_or_else(|e| {
                panic!(
                    "npm is needed to install the phoenix JS client in {}: {e}",
                    interop.display()
                )
            });
        assert!(status.success(), "npm ci failed in {}", interop.display());
    }
    assert!(
        module.exists(),
        "{} is missing after npm ci",
        module.display()
    );
    module
}

#[test]
#[ignore = "needs node and npm; .ci/run runs it"]
fn presence_state_matches_the_phoenix_js_client_on_generated_sequences() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let sequences: Vec<Vec<Value>> = (0..400).map(|_| sequence(&mut rng)).collect();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/presence_js/sync.mjs");
    let mut child = Command::new("node")
        .arg(&script)
        .arg(phoenix_module())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("node is needed for this test: {e}"));
    let input = serde_json::to_vec(&sequences).expect("serializable");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write to node");
    let output = child.wait_with_output().expect("node runs");
    assert!(output.status.success(), "node failed: {:?}", output.status);
    let theirs: Vec<Vec<Value>> = serde_json::from_slice(&output.stdout).expect("node prints JSON");
    assert_eq!(theirs.len(), sequences.len());
    let mut steps = 0;
    for (i, (steps_in, js)) in sequences.iter().zip(&theirs).enumerate() {
        let rust = ours(steps_in);
        for (j, (r, js)) in rust.iter().zip(js).enumerate() {
            let js = json!({"events": canonical(js["events"].as_array().expect("events")), "state": js["state"], "pending": js["pending"]});
            assert_eq!(
                r,
                &js,
                "sequence {i} step {j}: {}",
                Value::Array(steps_in[..=j].to_vec())
            );
            steps += 1;
        }
    }
    assert!(steps > 1000, "only {steps} steps compared");
}
