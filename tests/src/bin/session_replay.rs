//! Runs a session script through phx-codec's client session and prints what happened.
//!
//! ```text
//! cargo run -q -p phx-tests --bin session_replay -- SCRIPT   # `-` reads stdin
//! ```
//!
//! The script and output formats are described in `tests/data/session/README.md`;
//! `tests/interop/session_driver.mjs` prints the same output for phoenix.js. With
//! `--compare OUTPUT` (a file of such output, e.g. phoenix.js's), it compares instead of
//! printing, as the differential test does, and exits 1 with the differences.

use std::io::{Read as _, Write as _};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, compare) = match args.as_slice() {
        [path] => (path, None),
        [path, flag, other] if flag == "--compare" => (path, Some(other)),
        _ => {
            eprintln!("usage: session_replay SCRIPT [--compare OUTPUT]   (- reads stdin)");
            return ExitCode::from(2);
        }
    };
    let script = if path == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("session_replay: stdin: {e}");
            return ExitCode::from(2);
        }
        s
    } else {
        match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("session_replay: {path}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    match phx_tests::session_script::run(&script) {
        Ok(out) if compare.is_some() => {
            let other_path = compare.map_or("", String::as_str);
            let other = match std::fs::read_to_string(other_path) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("session_replay: {other_path}: {e}");
                    return ExitCode::from(2);
                }
            };
            match phx_tests::session_script::compare("session_replay", &out, other_path, &other) {
                Ok(()) => ExitCode::SUCCESS,
                Err(diff) => {
                    eprint!("{diff}");
                    ExitCode::FAILURE
                }
            }
        }
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("session_replay: {e}");
            ExitCode::FAILURE
        }
    }
}
