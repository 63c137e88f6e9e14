//! The client session against phoenix.js: every script in `tests/data/session/` runs through
//! `phx_tests::session_script` (the `session_replay` runner) and through the real `phoenix` npm
//! client (`tests/interop/session_driver.mjs`, fake transport and timers), and the outputs must
//! not differ (lines of one `t` as a set, frames as JSON values, refs renamed).
//!
//! Needs node and `npm ci` in `tests/interop`: `.ci/run` runs it with `--ignored`.

// Test code: an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn scripts() -> Vec<PathBuf> {
    phx_tests::session_script::script_files().unwrap()
}

fn phoenix_js(script: &Path) -> String {
    let interop = Path::new(env!("CARGO_MANIFEST_DIR")).join("interop");
    let output = Command::new("node")
        .arg(interop.join("session_driver.mjs"))
        .arg(script)
        .current_dir(&interop)
        .output()
        .expect("node runs (install node, then `npm ci` in tests/interop)");
    assert!(
        output.status.success(),
        "session_driver.mjs failed on {}:\n{}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
#[ignore = "needs node: run by .ci/run"]
fn the_session_behaves_like_phoenix_js_on_every_script() {
    let scripts = scripts();
    assert!(scripts.len() >= 25, "only {} scripts", scripts.len());
    let mut failures = Vec::new();
    for script in &scripts {
        let text = std::fs::read_to_string(script).unwrap();
        let ours = phx_tests::session_script::run(&text).unwrap();
        let theirs = phoenix_js(script);
        assert!(
            !theirs.trim().is_empty(),
            "phoenix.js printed nothing for {}",
            script.display()
        );
        if let Err(diff) = phx_tests::session_script::compare("phx", &ours, "phoenix.js", &theirs) {
            failures.push(format!("{}:\n{diff}", script.display()));
        }
        // The recording `tests/session_replay.rs` checks against must still be phoenix.js's.
        let recorded = script
            .parent()
            .unwrap()
            .join("expected")
            .join(script.file_name().unwrap());
        let recorded = std::fs::read_to_string(&recorded).unwrap_or_default();
        if recorded != theirs {
            failures.push(format!(
                "{}: tests/data/session/expected/ is out of date; rerecord it with\n  \
                 (cd tests/interop && node session_driver.mjs ../data/session/NAME.ndjson) \
                 > tests/data/session/expected/NAME.ndjson",
                script.display()
            ));
        }
    }
    println!(
        "{} scripts, {} with differences",
        scripts.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "differences from phoenix.js:\n{}",
        failures.join("\n")
    );
}

/// 200 random scripts (a fixed set: seeds 0..200 of `random_script`) through both clients.
#[test]
#[ignore = "needs node: run by .ci/run"]
fn the_session_behaves_like_phoenix_js_on_random_scripts() {
    let dir = std::env::temp_dir().join(format!("phx-session-random-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    let mut lines = 0;
    for seed in 0..200 {
        let script = phx_tests::session_script::random_script(seed);
        let path = dir.join(format!("{seed}.ndjson"));
        std::fs::write(&path, &script).unwrap();
        let ours = phx_tests::session_script::run(&script).unwrap();
        let theirs = phoenix_js(&path);
        lines += theirs.lines().count();
        if let Err(diff) = phx_tests::session_script::compare("phx", &ours, "phoenix.js", &theirs) {
            failures.push(format!("seed {seed} ({}):\n{diff}", path.display()));
        } else {
            std::fs::remove_file(&path).unwrap();
        }
    }
    println!(
        "200 random scripts, {lines} output lines, {} with differences",
        failures.len()
    );
    assert!(
        lines > 2000,
        "the random scripts do too little: {lines} output lines"
    );
    assert!(
        failures.is_empty(),
        "differences from phoenix.js:\n{}",
        failures.join("\n")
    );
    let _ = std::fs::remove_dir(&dir);
}
