//! Runs one benchmark case for instruction counting.
//!
//! ```text
//! bench_one --impl <phx|phx_std|serde_json_value|serde_json_typed|simd_json|sonic_rs> \
//!           --case <name> --op <decode|typed|encode|forward> --iters <N>
//! ```
//!
//! Performs the operation N times (each result goes through `std::hint::black_box`), prints
//! one line `checksum <impl> <case> <op> <iters> <value>` and exits 0. An unsupported
//! combination exits 2 with a message on stderr; bad arguments exit 64.

use std::hint::black_box;
use std::process::ExitCode;

use phx_benches::cases::{self, Case};
use phx_benches::{Impl, Op, prepare};

const USAGE: &str = "usage: bench_one --impl <phx|phx_std|serde_json_value|serde_json_typed|simd_json|sonic_rs> --case <name> --op <decode|typed|encode|forward> --iters <N>";

struct Args {
    imp: Impl,
    case: Case,
    op: Op,
    iters: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut imp = None;
    let mut case = None;
    let mut op = None;
    let mut iters = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--impl" => {
                imp =
                    Some(Impl::from_name(&value).ok_or_else(|| format!("unknown --impl {value}"))?);
            }
            "--case" => {
                case = Some(Case::by_name(&value).ok_or_else(|| {
                    format!(
                        "unknown --case {value} (cases: {})",
                        cases::NAMES.join(", ")
                    )
                })?);
            }
            "--op" => {
                op = Some(Op::from_name(&value).ok_or_else(|| format!("unknown --op {value}"))?);
            }
            "--iters" => {
                iters = Some(
                    value
                        .parse::<u64>()
                        .map_err(|e| format!("bad --iters {value}: {e}"))?,
                );
            }
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    Ok(Args {
        imp: imp.ok_or("missing --impl")?,
        case: case.ok_or("missing --case")?,
        op: op.ok_or("missing --op")?,
        iters: iters.ok_or("missing --iters")?,
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bench_one: {message}\n{USAGE}");
            return ExitCode::from(64);
        }
    };
    let mut run = match prepare(args.imp, &args.case, args.op) {
        Ok(run) => run,
        Err(unsupported) => {
            eprintln!("bench_one: {unsupported}");
            return ExitCode::from(2);
        }
    };
    let mut checksum = 0u64;
    for _ in 0..args.iters {
        checksum = checksum.wrapping_add(black_box(run()));
    }
    println!(
        "checksum {} {} {} {} {checksum}",
        args.imp.name(),
        args.case.name,
        args.op.name(),
        args.iters
    );
    ExitCode::SUCCESS
}
