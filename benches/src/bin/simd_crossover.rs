//! Where phx-codec-std's simd-json payload path overtakes the `serde_json` one.
//!
//! ```text
//! simd_crossover [--rounds R] [--millis MS]
//! simd_crossover --one <serde|simd> <presence|shout> <SIZE> <ITERS>
//! ```
//!
//! For payloads of growing size (presence_state with 1..800 agents; client shouts with a
//! 64 B..512 KiB body) it times `FrameExt::payload_value` (serde_json) against
//! `simd::SimdParser::payload_value` (simd-json into the same `serde_json::Value`, with a
//! reused parser) on an already-decoded frame, best of R rounds of about MS milliseconds,
//! and prints a Markdown table of nanoseconds per call. Wall-clock time, not instructions:
//! SIMD does more work per instruction, so only time shows the crossover.
//!
//! `--one` runs one path ITERS times on one payload (presence: SIZE agents; shout: SIZE body
//! bytes) and prints a checksum, for counting instructions under callgrind
//! (`benches/callgrind.sh --simd`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use phx_benches::cases;
use phx_codec_std::FrameExt;
use phx_codec_std::simd::SimdParser;

/// Agents in the presence payloads measured.
const PRESENCE_SIZES: [u64; 10] = [1, 2, 5, 10, 20, 50, 100, 200, 400, 800];
/// Body sizes (bytes) of the shouts measured.
const SHOUT_SIZES: [u64; 10] = [
    64, 256, 1024, 2048, 4096, 8192, 16384, 65536, 262_144, 524_288,
];

fn best_ns(rounds: u32, budget: Duration, mut f: impl FnMut()) -> f64 {
    let mut iters = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..iters {
            f();
        }
        if start.elapsed() >= budget / 10 || iters >= 1 << 24 {
            break;
        }
        iters *= 2;
    }
    let mut best = f64::INFINITY;
    for _ in 0..rounds {
        let start = Instant::now();
        let mut n = 0u32;
        while start.elapsed() < budget {
            for _ in 0..iters {
                f();
            }
            n += iters;
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e9 / f64::from(n));
    }
    best
}

/// The frame for `shape` at `size`, with every `-0` turned into `-1`: phx-codec-std's simd
/// path falls back to serde_json when the payload text contains `-0` not followed by a digit,
/// `.` or exponent (a possible integer `-0`), and UUIDs (`...-0a1b...`) and base64 refs often
/// do; this measures the simd path itself.
fn payload(shape: &str, size: u64) -> Option<String> {
    let text = match shape {
        "presence" => cases::presence_state(size),
        "shout" => cases::large_shout(usize::try_from(size).ok()?),
        _ => return None,
    };
    Some(text.replace("-0", "-1"))
}

/// `--one PATH SHAPE SIZE ITERS`.
fn one(args: &[String]) -> Result<u64, String> {
    let [path, shape, size, iters] = args else {
        return Err("--one needs PATH SHAPE SIZE ITERS".into());
    };
    let size: u64 = size.parse().map_err(|e| format!("bad SIZE: {e}"))?;
    let iters: u64 = iters.parse().map_err(|e| format!("bad ITERS: {e}"))?;
    let text = payload(shape, size).ok_or_else(|| format!("unknown shape {shape}"))?;
    let frame = phx_codec::decode_text(text.as_bytes()).map_err(|e| e.to_string())?;
    let mut parser = SimdParser::new();
    let mut sum = 0u64;
    for _ in 0..iters {
        let value = match path.as_str() {
            "serde" => frame.payload_value(),
            "simd" => parser.payload_value(&frame),
            _ => return Err(format!("unknown path {path}")),
        };
        let members = value
            .map_err(|e| e.to_string())?
            .as_object()
            .map_or(0, serde_json::Map::len);
        sum = sum.wrapping_add(black_box(members as u64));
    }
    Ok(sum)
}

fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    if all.first().map(String::as_str) == Some("--one") {
        match one(&all[1..]) {
            Ok(sum) => println!("checksum {sum}"),
            Err(message) => {
                eprintln!("simd_crossover: {message}");
                std::process::exit(64);
            }
        }
        return;
    }
    let mut rounds = 5u32;
    let mut millis = 40u64;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--rounds", Some(v)) => rounds = u32::try_from(v).unwrap_or(5),
            ("--millis", Some(v)) => millis = v,
            _ => {
                eprintln!("usage: simd_crossover [--rounds R] [--millis MS]");
                std::process::exit(64);
            }
        }
    }
    let budget = Duration::from_millis(millis);
    let mut inputs: Vec<(String, String)> = Vec::new();
    for agents in PRESENCE_SIZES {
        let text = payload("presence", agents).unwrap_or_default();
        inputs.push((format!("presence_state {agents}"), text));
    }
    for body in SHOUT_SIZES {
        let text = payload("shout", body).unwrap_or_default();
        inputs.push((format!("shout body {body} B"), text));
    }
    println!("| payload | payload bytes | serde_json ns | simd-json ns | simd / serde |");
    println!("|---|---:|---:|---:|---:|");
    let mut parser = SimdParser::new();
    for (name, text) in &inputs {
        let Ok(frame) = phx_codec::decode_text(text.as_bytes()) else {
            eprintln!("simd_crossover: {name} does not decode");
            std::process::exit(1);
        };
        let len = frame.payload_json().map_or(0, |p| p.as_str().len());
        let serde = best_ns(rounds, budget, || {
            black_box(frame.payload_value().ok());
        });
        let simd = best_ns(rounds, budget, || {
            black_box(parser.payload_value(&frame).ok());
        });
        println!(
            "| {name} | {len} | {serde:.0} | {simd:.0} | {:.2} |",
            simd / serde
        );
    }
}
