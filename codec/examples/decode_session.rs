//! Decodes a captured session (one V2 text frame per line; blank and `#` lines skipped) and
//! prints each frame's typed meaning.
//!
//! ```text
//! cargo run -p phx-codec --example decode_session -- examples/papercups-session.ndjson
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/papercups-session.ndjson".to_owned());
    let capture = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut failed = 0;
    for (n, line) in capture.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) || line.first() == Some(&b'#') {
            continue;
        }
        match phx_codec::decode_text(line) {
            Ok(frame) => {
                let message = frame.message().map_or("invalid payload", |m| m.name());
                println!(
                    "{:>4}  {:<28} {:<22} {:<14} join_ref={:<5} ref={}",
                    n + 1,
                    frame.topic().to_string(),
                    frame.event().to_string(),
                    message,
                    frame
                        .join_ref()
                        .map_or_else(|| "-".to_owned(), |r| r.to_string()),
                    frame
                        .reference()
                        .map_or_else(|| "-".to_owned(), |r| r.to_string()),
                );
            }
            Err(e) => {
                failed += 1;
                println!("{:>4}  error: {e}", n + 1);
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
