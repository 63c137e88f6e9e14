//! The `session_replay` binary on every script in `tests/data/session/`, against the output the
//! real phoenix.js client gave for it (recorded in `tests/data/session/expected/` by
//! `tests/interop/session_driver.mjs`; the differential test checks that the recording is
//! still what phoenix.js prints). Compared as the differential test compares: lines of one `t`
//! as a set, frames as JSON values, refs renamed by order of first appearance.

// Test code: an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn scripts() -> Vec<PathBuf> {
    phx_tests::session_script::script_files().unwrap()
}

fn expected(script: &Path) -> String {
    let path = script
        .parent()
        .unwrap()
        .join("expected")
        .join(script.file_name().unwrap());
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} has no recorded phoenix.js output: {e}",
            script.display()
        )
    })
}

fn replay(arg: &str, stdin: Option<&str>) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_session_replay"))
        .arg(arg)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "session_replay {arg} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn session_replay_matches_the_recorded_phoenix_js_output_of_every_script() {
    let scripts = scripts();
    assert!(scripts.len() >= 25, "only {} scripts", scripts.len());
    let mut failures = Vec::new();
    for script in &scripts {
        let ours = replay(script.to_str().unwrap(), None);
        if let Err(diff) = phx_tests::session_script::compare(
            "session_replay",
            &ours,
            "phoenix.js (recorded)",
            &expected(script),
        ) {
            failures.push(format!("{}:\n{diff}", script.display()));
        }
    }
    assert!(failures.is_empty(), "differences:\n{}", failures.join("\n"));
}

#[test]
fn session_replay_reads_stdin_and_writes_t_on_every_line() {
    let script = "# a comment\n\n{\"t\":0,\"op\":\"connect\"}\n{\"t\":7,\"op\":\"opened\"}\n{\"t\":30007,\"op\":\"tick\"}\n";
    let out = replay("-", Some(script));
    assert_eq!(
        out,
        "{\"t\":0,\"open\":true}\n{\"t\":30007,\"send\":\"[null,\\\"1\\\",\\\"phoenix\\\",\\\"heartbeat\\\",{}]\"}\n"
    );
}

#[test]
fn the_comparison_finds_differences() {
    let a = "{\"t\":1,\"send\":\"[\\\"3\\\",\\\"3\\\",\\\"r\\\",\\\"phx_join\\\",{}]\"}\n";
    let renamed = "{\"t\":1,\"send\":\"[\\\"1\\\",\\\"1\\\",\\\"r\\\",\\\"phx_join\\\",{}]\"}\n";
    let other_ref = "{\"t\":1,\"send\":\"[\\\"1\\\",\\\"2\\\",\\\"r\\\",\\\"phx_join\\\",{}]\"}\n";
    let later = "{\"t\":2,\"send\":\"[\\\"3\\\",\\\"3\\\",\\\"r\\\",\\\"phx_join\\\",{}]\"}\n";
    assert!(phx_tests::session_script::compare("a", a, "b", renamed).is_ok());
    assert!(phx_tests::session_script::compare("a", a, "b", other_ref).is_err());
    assert!(phx_tests::session_script::compare("a", a, "b", later).is_err());
    let v1 = "{\"t\":1,\"send\":\"{\\\"topic\\\":\\\"phoenix\\\",\\\"event\\\":\\\"heartbeat\\\",\\\"payload\\\":{},\\\"ref\\\":\\\"9\\\"}\"}\n";
    let v1_null = "{\"t\":1,\"send\":\"{\\\"topic\\\":\\\"phoenix\\\",\\\"event\\\":\\\"heartbeat\\\",\\\"payload\\\":{},\\\"ref\\\":\\\"1\\\",\\\"join_ref\\\":null}\"}\n";
    assert!(phx_tests::session_script::compare("a", v1, "b", v1_null).is_ok());
}

#[test]
fn bad_scripts_are_refused_with_the_line() {
    let err =
        phx_tests::session_script::run("{\"t\":5,\"op\":\"connect\"}\n{\"t\":4,\"op\":\"tick\"}")
            .unwrap_err();
    assert_eq!(err.line, 2);
    let err = phx_tests::session_script::run("{\"t\":0,\"op\":\"fly\"}").unwrap_err();
    assert_eq!(err.line, 1);
}
