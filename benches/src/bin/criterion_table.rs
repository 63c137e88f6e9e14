//! Prints the wall-clock table of the README from a criterion run: the median time per
//! operation of every implementation, per case and operation, and phx's ratio against the
//! fastest peer (`serde_json_typed`, `simd_json`, `sonic_rs`: [`Impl::PEERS`]) of that run.
//!
//! ```text
//! cargo bench -p phx-benches                      # or a subset: -- '^(shout|large_shout)/'
//! cargo run -p phx-benches --bin criterion_table  # [criterion dir], default target/criterion
//! ```
//!
//! It reads `<dir>/<case>_<op>/<implementation>/new/estimates.json` (criterion's own output
//! for the group `<case>/<op>`); a group the run did not measure is left out, and an
//! implementation missing from a measured group prints as `-`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use phx_benches::cases::Case;
use phx_benches::{Impl, Op, Variant};
use serde_json::Value;

/// The median of one benchmark, in nanoseconds, if criterion wrote it.
fn median_ns(dir: &Path, group: &str, variant: Variant) -> Result<Option<f64>, String> {
    let path = dir
        .join(group)
        .join(variant.name())
        .join("new")
        .join("estimates.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let estimates: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    estimates["median"]["point_estimate"]
        .as_f64()
        .map(Some)
        .ok_or_else(|| format!("{}: no median.point_estimate", path.display()))
}

/// A time in the unit criterion would print it in.
fn time(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.1} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{:.1} ms", ns / 1e6)
    }
}

fn run(dir: &Path) -> Result<String, String> {
    let mut table = String::from("| case | op |");
    for variant in Variant::ALL {
        let _ = write!(table, " {} |", variant.name());
    }
    table.push_str(" phx vs best peer |\n|---|---|");
    table.push_str(&"---:|".repeat(Variant::ALL.len() + 1));
    table.push('\n');
    let mut rows = 0;
    for case in Case::all() {
        for op in Op::ALL {
            let group = format!("{}_{}", case.name, op.name());
            let mut medians = Vec::with_capacity(Variant::ALL.len());
            for variant in Variant::ALL {
                medians.push(median_ns(dir, &group, variant)?);
            }
            if medians.iter().all(Option::is_none) {
                continue;
            }
            let _ = write!(table, "| {} | {} |", case.name, op.name());
            for median in &medians {
                let _ = write!(table, " {} |", median.map_or_else(|| "-".into(), time));
            }
            // From the medians just read, by variant (no second read of the files).
            let median_of = |variant: Variant| {
                Variant::ALL
                    .iter()
                    .zip(&medians)
                    .find_map(|(v, median)| (*v == variant).then_some(*median))
                    .flatten()
            };
            let phx = median_of(Variant::Phx);
            let best = Impl::PEERS
                .into_iter()
                .filter_map(|peer| median_of(peer.into()))
                .reduce(f64::min);
            match (phx, best) {
                (Some(phx), Some(best)) if phx > 0.0 => {
                    let _ = writeln!(table, " {:.2}x |", best / phx);
                }
                _ => table.push_str(" - |\n"),
            }
            rows += 1;
        }
    }
    if rows == 0 {
        return Err(format!(
            "no criterion results under {} (run `cargo bench -p phx-benches` first)",
            dir.display()
        ));
    }
    Ok(table)
}

fn main() -> ExitCode {
    let dir = std::env::args_os().nth(1).map_or_else(
        || {
            let target =
                std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| "target".into(), PathBuf::from);
            target.join("criterion")
        },
        PathBuf::from,
    );
    match run(&dir) {
        Ok(table) => {
            print!("{table}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("criterion_table: {e}");
            ExitCode::FAILURE
        }
    }
}
