//! Runs the built `phx` binary on the example captures and on made-up input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn session() -> PathBuf {
    example("papercups-session.ndjson")
}

/// `phx` with no colour settings from the environment that runs the tests.
fn phx_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_phx"));
    for var in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"] {
        command.env_remove(var);
    }
    command
}

/// Runs `phx args…` with `stdin` as standard input.
fn phx_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    phx_with_env(args, stdin, &[])
}

/// Runs `phx args…` with `stdin` as standard input and `env` set.
fn phx_with_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut child = phx_command()
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the phx binary starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    let bytes = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The child may exit before reading everything (usage errors): ignore a closed pipe.
        let _ = input.write_all(&bytes);
    });
    let output = child.wait_with_output().expect("phx runs to the end");
    writer.join().expect("the stdin writer finishes");
    output
}

fn phx(args: &[&str]) -> Output {
    phx_with_stdin(args, b"")
}

fn path_arg(path: &std::path::Path) -> &str {
    path.to_str().expect("example paths are UTF-8")
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> &str {
    std::str::from_utf8(&output.stderr).expect("stderr is UTF-8")
}

fn status(output: &Output) -> i32 {
    output.status.code().expect("phx exits normally")
}

/// The frame lines of a capture (without blank and comment lines), each with its newline.
fn frame_lines(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .fold(String::new(), |mut out, l| {
            out.push_str(l);
            out.push('\n');
            out
        })
}

fn records(output: &Output) -> Vec<serde_json::Value> {
    stdout(output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
        .collect()
}

const RECORD_KEYS: [&str; 8] = [
    "line", "format", "join_ref", "ref", "topic", "event", "message", "payload",
];

#[test]
fn decode_writes_one_record_per_frame_of_the_sample_session_with_keys_in_order() {
    let output = phx(&["decode", path_arg(&session())]);
    assert_eq!(status(&output), 0, "{}", stderr(&output));
    let text = std::fs::read_to_string(session()).unwrap();
    let expected_lines: Vec<u64> = (1..)
        .zip(text.lines())
        .filter(|(_, l)| l.starts_with('['))
        .map(|(n, _)| n)
        .collect();
    let records = records(&output);
    assert_eq!(records.len(), expected_lines.len());
    for (line, (record, expected)) in stdout(&output)
        .lines()
        .zip(records.iter().zip(&expected_lines))
    {
        assert_eq!(record["line"], *expected);
        assert_eq!(record["format"], "v2");
        let positions: Vec<usize> = RECORD_KEYS
            .iter()
            .map(|k| line.find(&format!("\"{k}\":")).expect("every key is there"))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "key order in {line}"
        );
    }
    let messages: Vec<&str> = records
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    for name in [
        "phx_join",
        "phx_reply",
        "presence_state",
        "presence_diff",
        "shout",
        "messages:seen",
        "read",
        "ping",
        "heartbeat",
        "conversation:created",
        "phx_leave",
        "phx_close",
    ] {
        assert!(messages.contains(&name), "no {name} in the session");
    }
}

#[test]
fn decode_then_encode_gives_the_sample_frames_back_byte_for_byte() {
    let decoded = phx(&["decode", path_arg(&session())]);
    assert_eq!(status(&decoded), 0);
    let encoded = phx_with_stdin(&["encode"], &decoded.stdout);
    assert_eq!(status(&encoded), 0, "{}", stderr(&encoded));
    let original = std::fs::read_to_string(session()).unwrap();
    assert_eq!(stdout(&encoded), frame_lines(&original));
}

#[test]
fn converting_v2_to_v1_and_back_gives_the_same_file() {
    let v1 = phx(&["convert", "--to", "v1", path_arg(&session())]);
    assert_eq!(status(&v1), 0, "{}", stderr(&v1));
    assert!(
        stdout(&v1).contains(r#"{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"3"}"#)
    );
    let v2 = phx_with_stdin(&["convert", "--to", "v2"], &v1.stdout);
    assert_eq!(status(&v2), 0, "{}", stderr(&v2));
    assert_eq!(v2.stdout, std::fs::read(session()).unwrap());
}

#[test]
fn a_server_reply_converts_to_a_binary_reply_and_back() {
    let reply =
        b"[\"1\",\"5\",\"notification:a\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]\n";
    let binary = phx_with_stdin(&["convert", "--to", "binary", "--from", "server"], reply);
    assert_eq!(status(&binary), 0, "{}", stderr(&binary));
    // kind 1, sizes 1 1 14 2, then "1" "5" "notification:a" "ok" and the response bytes "{}".
    assert_eq!(
        stdout(&binary),
        "hex:0101010e0231356e6f74696669636174696f6e3a616f6b7b7d\n"
    );
    let decoded = phx_with_stdin(&["decode", "--from", "server"], &binary.stdout);
    assert_eq!(
        stdout(&decoded),
        "{\"line\":1,\"format\":\"binary\",\"join_ref\":\"1\",\"ref\":\"5\",\"topic\":\"notification:a\",\"event\":\"phx_reply\",\"message\":\"phx_reply\",\"payload\":{\"status\":\"ok\",\"response\":{\"binary_base64\":\"e30=\"}}}\n"
    );
    let back = phx_with_stdin(
        &["convert", "--to", "v2", "--from", "server"],
        &binary.stdout,
    );
    assert_eq!(back.stdout, reply);
}

#[test]
fn validate_says_ok_and_nothing_else_for_the_sample_session() {
    let output = phx(&["validate", path_arg(&session())]);
    assert_eq!(status(&output), 0);
    assert_eq!(
        stdout(&output),
        "ok: 43 valid, 0 invalid, 20 blank or comment (63 lines)\n"
    );
}

#[test]
fn inspect_prints_a_plain_table_and_a_summary_when_not_on_a_terminal() {
    let output = phx(&["inspect", path_arg(&session())]);
    assert_eq!(status(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(!text.contains('\x1b'), "no colour codes when piped");
    assert!(
        text.lines().all(|l| l == l.trim_end()),
        "no trailing spaces"
    );
    assert!(text.starts_with(" LINE FROM    TOPIC"));
    let row = text
        .lines()
        .find(|l| l.starts_with("   25 "))
        .expect("a row for line 25");
    assert!(row.contains("c>s v2  conversation:5c9b0e1a…"), "{row}");
    assert!(
        row.contains(r#"customer: "Hi, I need help with my order #1042""#),
        "{row}"
    );
    assert!(text.contains("SUMMARY"));
    assert!(text.contains("lines     63 (43 frames, 0 errors, 20 blank or comment)"));
    assert!(text.contains("events    phx_reply 11, shout 9"));
}

#[test]
fn inspect_colours_its_output_when_asked() {
    let output = phx(&["inspect", "--color", "always", path_arg(&session())]);
    assert_eq!(status(&output), 0);
    assert!(stdout(&output).contains("\x1b[1m\x1b[32mshout"));
}

#[test]
fn inspect_follows_the_colour_conventions_of_the_environment() {
    let path = session();
    let args = ["inspect", path_arg(&path)];
    // CLICOLOR_FORCE asks for colours even into a pipe.
    let forced = phx_with_env(&args, b"", &[("CLICOLOR_FORCE", "1")]);
    assert!(stdout(&forced).contains("\x1b[1m\x1b[32mshout"));
    // NO_COLOR wins over it, and --color never over everything.
    let no_color = phx_with_env(&args, b"", &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!stdout(&no_color).contains('\x1b'));
    let never = phx_with_env(
        &["inspect", "--color", "never", path_arg(&path)],
        b"",
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!stdout(&never).contains('\x1b'));
    assert_eq!(stdout(&never), stdout(&no_color));
}

#[test]
fn capture_text_cannot_send_escape_sequences_to_the_terminal() {
    let hostile =
        b"[null,null,\"room:\\u001b[2J\",\"shout\",{\"body\":\"\\u001b]0;pwned\\u0007\"}]\n";
    let output = phx_with_stdin(&["inspect"], hostile);
    assert_eq!(status(&output), 0);
    assert!(!stdout(&output).contains('\x1b'));
    assert!(stdout(&output).contains("room:\\u{1B}[2J"));
}

#[test]
fn bad_lines_fail_the_run_but_every_good_line_is_still_decoded() {
    let output = phx(&["decode", path_arg(&example("with-errors.capture"))]);
    assert_eq!(status(&output), 1);
    let records = records(&output);
    let errors: Vec<(u64, &str)> = records
        .iter()
        .filter(|r| r.get("error").is_some())
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["error"]["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (4, "unexpected_end"),
            (5, "too_few_elements"),
            (6, "expected_comma_or_object_end"),
            (7, "wrong_field_type"),
            (8, "lone_surrogate"),
            (10, "missing_field"),
            (14, "invalid_hex"),
            (15, "invalid_base64"),
            (16, "kind_not_allowed"),
            (17, "truncated"),
            (19, "unrecognized_line"),
        ]
    );
    let good: Vec<u64> = records
        .iter()
        .filter(|r| r.get("topic").is_some())
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(good, [3, 9, 11, 18, 20]);
    let first_error = stdout(&output).lines().nth(1).unwrap();
    assert_eq!(
        first_error,
        r#"{"line":4,"error":{"kind":"unexpected_end","offset":61,"message":"unexpected end of input at byte 61"}}"#
    );
}

#[test]
fn every_command_exits_with_1_on_bad_lines_and_names_them() {
    let path = example("with-errors.capture");
    let validate = phx(&["validate", path_arg(&path)]);
    assert_eq!(status(&validate), 1);
    let lines: Vec<&str> = stdout(&validate).lines().collect();
    assert_eq!(lines.len(), 12);
    assert!(lines[0].starts_with("line 4: unexpected end of input"));
    assert_eq!(
        lines[11],
        "FAILED: 5 valid, 11 invalid, 4 blank or comment (20 lines)"
    );

    let inspect = phx(&["inspect", path_arg(&path)]);
    assert_eq!(status(&inspect), 1);
    assert!(stdout(&inspect).contains("   19 ERROR   unrecognized_line"));

    let convert = phx(&["convert", "--to", "v1", path_arg(&path)]);
    assert_eq!(status(&convert), 1);
    assert!(stderr(&convert).contains("phx: line 4: unexpected end of input"));
    assert!(
        stdout(&convert)
            .contains(r#"{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"9"}"#)
    );

    let decoded = phx(&["decode", path_arg(&path)]);
    let encode = phx_with_stdin(&["encode"], &decoded.stdout);
    assert_eq!(status(&encode), 1);
    assert_eq!(stdout(&encode).lines().count(), 5);
    assert!(stderr(&encode).contains("phx: line 2: this record is a decode error"));
}

#[test]
fn empty_input_is_a_successful_run_with_nothing_to_report() {
    for command in ["decode", "encode", "convert --to v1"] {
        let args: Vec<&str> = command.split(' ').collect();
        let output = phx(&args);
        assert_eq!(status(&output), 0, "{command}");
        assert!(output.stdout.is_empty(), "{command}");
    }
    let validate = phx(&["validate"]);
    assert_eq!(status(&validate), 0);
    assert_eq!(
        stdout(&validate),
        "ok: 0 valid, 0 invalid, 0 blank or comment (0 lines)\n"
    );
    let inspect = phx(&["inspect"]);
    assert_eq!(status(&inspect), 0);
    assert!(stdout(&inspect).contains("lines     0 (0 frames, 0 errors, 0 blank or comment)"));
}

#[test]
fn a_missing_file_exits_with_2_for_every_command() {
    for command in ["decode", "encode", "validate", "convert --to v2", "inspect"] {
        let mut args: Vec<&str> = command.split(' ').collect();
        args.push("/nonexistent/capture.ndjson");
        let output = phx(&args);
        assert_eq!(status(&output), 2, "{command}");
        assert!(
            stderr(&output).starts_with("phx: cannot read /nonexistent/capture.ndjson:"),
            "{command}: {}",
            stderr(&output)
        );
        assert!(
            output.stdout.is_empty() || command == "inspect",
            "{command}"
        );
    }
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(status(&phx(&["convert"])), 2);
    assert_eq!(status(&phx(&["decode", "--from", "nobody"])), 2);
    assert_eq!(status(&phx(&["frobnicate"])), 2);
}

#[test]
fn every_command_has_help_with_an_example() {
    for command in ["decode", "encode", "validate", "convert", "inspect"] {
        let output = phx(&[command, "--help"]);
        assert_eq!(status(&output), 0, "{command}");
        assert!(stdout(&output).contains("Example"), "{command}");
        assert!(stdout(&output).contains("--from"), "{command}");
    }
    assert!(stdout(&phx(&["--help"])).contains("Exit status"));
}

#[test]
fn stdin_and_dash_read_the_same_capture_as_the_file() {
    let from_file = phx(&["decode", path_arg(&session())]);
    let bytes = std::fs::read(session()).unwrap();
    let from_stdin = phx_with_stdin(&["decode"], &bytes);
    let from_dash = phx_with_stdin(&["decode", "-"], &bytes);
    assert_eq!(status(&from_stdin), 0);
    assert_eq!(from_stdin.stdout, from_file.stdout);
    assert_eq!(from_dash.stdout, from_file.stdout);
}

#[test]
fn mixed_formats_survive_decode_encode_decode() {
    let path = example("mixed-formats.capture");
    let first = phx(&["decode", path_arg(&path)]);
    assert_eq!(status(&first), 0, "{}", stderr(&first));
    let formats: Vec<String> = records(&first)
        .iter()
        .map(|r| r["format"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        formats,
        ["v2", "v2", "v1", "v1", "v1", "binary", "binary", "v2"]
    );
    let encoded = phx_with_stdin(&["encode", "--binary-text", "base64"], &first.stdout);
    assert_eq!(status(&encoded), 0, "{}", stderr(&encoded));
    let second = phx_with_stdin(&["decode"], &encoded.stdout);
    let strip = |v: &serde_json::Value| {
        let mut v = v.clone();
        v.as_object_mut().unwrap().remove("line");
        v
    };
    let a: Vec<_> = records(&first).iter().map(strip).collect();
    let b: Vec<_> = records(&second).iter().map(strip).collect();
    assert_eq!(a, b);
}

#[test]
fn non_compact_json_is_decoded_compact_with_its_escapes_kept() {
    let input = b"[ null , \"1\" , \"room:\\u0061\" , \"shout\" , { \"body\" : \"a \\/ b\" } ]\n";
    let output = phx_with_stdin(&["decode"], input);
    assert_eq!(
        stdout(&output),
        "{\"line\":1,\"format\":\"v2\",\"join_ref\":null,\"ref\":\"1\",\"topic\":\"room:a\",\"event\":\"shout\",\"message\":\"shout\",\"payload\":{\"body\":\"a \\/ b\"}}\n"
    );
}

#[test]
fn invalid_utf8_and_crlf_line_ends_are_handled_line_by_line() {
    let input = b"[null,\"1\",\"phoenix\",\"heartbeat\",{}]\r\n[null,\"2\",\"\xff\",\"e\",{}]\r\n[null,\"3\",\"phoenix\",\"heartbeat\",{}]\r\n";
    let output = phx_with_stdin(&["decode"], input);
    assert_eq!(status(&output), 1);
    let records = records(&output);
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["ref"], "1");
    assert_eq!(records[1]["error"]["kind"], "invalid_utf8");
    assert_eq!(records[1]["error"]["offset"], 11);
    assert_eq!(records[2]["ref"], "3");
}

#[test]
fn binary_frames_are_read_in_the_direction_given() {
    // A broadcast (kind 2): only a server sends it.
    let broadcast = b"hex:020405726f6f6d73686f75747b7d\n";
    let as_client = phx_with_stdin(&["decode"], broadcast);
    assert_eq!(status(&as_client), 1);
    assert_eq!(records(&as_client)[0]["error"]["kind"], "kind_not_allowed");
    let as_server = phx_with_stdin(&["decode", "--from", "server"], broadcast);
    assert_eq!(status(&as_server), 0);
    let record = &records(&as_server)[0];
    assert_eq!(record["topic"], "room");
    assert_eq!(record["event"], "shout");
    assert_eq!(record["join_ref"], serde_json::Value::Null);
    assert_eq!(record["payload"]["binary_base64"], "e30=");
}

#[test]
fn a_payload_that_does_not_fit_its_message_is_other_in_decode_and_marked_in_inspect() {
    let input = b"[null,null,\"conversation:x\",\"shout\",{\"body\":\"x\",\"user_id\":\"7\"}]\n";
    let decoded = phx_with_stdin(&["decode"], input);
    assert_eq!(
        status(&decoded),
        0,
        "a typed-message misfit is no decode error"
    );
    assert_eq!(records(&decoded)[0]["message"], "other");
    let inspected = phx_with_stdin(&["inspect"], input);
    assert!(
        stdout(&inspected).contains("! `user_id` must be number or null, found string"),
        "{}",
        stdout(&inspected)
    );
    assert!(stdout(&inspected).contains("untyped   1 frame whose"));
}

#[test]
fn the_help_examples_show_real_output() {
    let heartbeat = phx_with_stdin(&["decode"], b"[null,\"1\",\"phoenix\",\"heartbeat\",{}]\n");
    let help = phx(&["decode", "--help"]);
    assert!(stdout(&help).contains(&format!("  {}", stdout(&heartbeat))));
    let validate = phx(&["validate", path_arg(&example("with-errors.capture"))]);
    let help = phx(&["validate", "--help"]);
    let output = stdout(&validate);
    let (first, last) = (
        output.lines().next().unwrap(),
        output.lines().last().unwrap(),
    );
    assert!(stdout(&help).contains(&format!("  {first}\n")));
    assert!(stdout(&help).contains(&format!("  {last}\n")));
}

#[test]
fn a_line_longer_than_any_frame_fails_alone() {
    let mut input = vec![b'['; 20_000_200];
    input.extend_from_slice(b"\n[null,\"2\",\"phoenix\",\"heartbeat\",{}]\n");
    let output = phx_with_stdin(&["decode"], &input);
    assert_eq!(status(&output), 1);
    let records = records(&output);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["error"]["kind"], "line_too_long");
    assert_eq!(records[1]["line"], 2);
    assert_eq!(records[1]["ref"], "2");
}

#[test]
fn the_readme_shows_the_real_inspect_output_of_the_sample_session() {
    let readme =
        std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("cli/README.md exists");
    let start = readme.find("```text\n").expect("a text block") + "```text\n".len();
    let end = start + readme[start..].find("```").expect("the block ends");
    let output = phx(&["inspect", path_arg(&session())]);
    assert_eq!(&readme[start..end], stdout(&output));
}

#[test]
fn a_bad_base64_character_is_reported_where_it_is() {
    let output = phx_with_stdin(&["decode"], b"base64: AAE=\n");
    assert_eq!(status(&output), 1);
    let error = &records(&output)[0]["error"];
    assert_eq!(error["kind"], "invalid_base64");
    assert_eq!(error["offset"], 7, "the space, not the padding");
    assert_eq!(error["message"], "invalid base64 character at byte 7");
}

/// The sample session's bytes `times` over.
fn many_sessions(times: usize) -> Vec<u8> {
    std::fs::read(session())
        .expect("the sample session is there")
        .repeat(times)
}

/// Starts `phx args…` with piped standard input and output.
fn spawn_piped(args: &[&str]) -> std::process::Child {
    phx_command()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the phx binary starts")
}

#[test]
fn results_reach_a_pipe_while_the_input_is_still_open() {
    use std::io::{BufRead, BufReader};
    let heartbeat = b"[null,\"1\",\"phoenix\",\"heartbeat\",{}]\n";
    for (args, lines) in [(&["decode"][..], 1), (&["inspect"][..], 2)] {
        let mut child = spawn_piped(args);
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(heartbeat).unwrap();
        stdin.flush().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut text = String::new();
            for _ in 0..lines {
                let _ = reader.read_line(&mut text);
            }
            let _ = tx.send(text);
        });
        // Not a timing assertion: only a guard that turns "never" into a failure, not a hang.
        let got = rx.recv_timeout(std::time::Duration::from_secs(120));
        if got.is_err() {
            let _ = child.kill();
        }
        let text = got.expect("an output line while standard input is still open");
        assert!(text.contains("heartbeat"), "{args:?}: {text}");
        drop(stdin);
        assert_eq!(child.wait().unwrap().code(), Some(0), "{args:?}");
    }
}

#[test]
fn line_buffered_output_keeps_stdout_and_stderr_in_line_order() {
    let input = b"[null,\"1\",\"phoenix\",\"heartbeat\",{}]\nnot a frame\n[null,\"3\",\"phoenix\",\"heartbeat\",{}]\n";
    let command = format!(
        "'{}' convert --to v1 --line-buffered 2>&1",
        env!("CARGO_BIN_EXE_phx")
    );
    let mut child = Command::new("sh")
        .args(["-c", &command])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sh starts");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    let lines: Vec<&str> = stdout(&output).lines().collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].contains(r#""ref":"1""#), "{lines:?}");
    assert!(
        lines[1].starts_with("phx: line 2: not a frame"),
        "{lines:?}"
    );
    assert!(lines[2].contains(r#""ref":"3""#), "{lines:?}");
}

#[test]
fn every_command_stops_quietly_with_0_when_its_reader_goes_away() {
    use std::io::{BufRead, BufReader};
    let sessions = many_sessions(300);
    let records = phx_with_stdin(&["decode"], &sessions).stdout;
    for (args, input) in [
        (&["decode"][..], &sessions),
        (&["inspect"][..], &sessions),
        (&["convert", "--to", "v1"][..], &sessions),
        (&["encode"][..], &records),
    ] {
        let mut child = spawn_piped(args);
        let mut stdin = child.stdin.take().unwrap();
        let input = input.clone();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        // `head -1`: one line, then the pipe is closed.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty(), "{args:?}");
        let output = child.wait_with_output().unwrap();
        writer.join().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(stderr(&output), "", "{args:?}");
    }
}

#[test]
fn a_byte_order_mark_is_skipped_with_a_note_at_the_start_and_named_elsewhere() {
    let input = b"\xef\xbb\xbf[null,\"1\",\"phoenix\",\"heartbeat\",{}]\n\xef\xbb\xbf[null,\"2\",\"phoenix\",\"heartbeat\",{}]\n";
    let output = phx_with_stdin(&["decode"], input);
    assert_eq!(status(&output), 1);
    let records = records(&output);
    assert_eq!(records[0]["ref"], "1");
    assert!(
        stderr(&output).contains("starts with a UTF-8 byte order mark (EF BB BF); it was skipped"),
        "{}",
        stderr(&output)
    );
    assert_eq!(records[1]["error"]["kind"], "unrecognized_line");
    assert!(
        records[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("byte order mark"),
        "{}",
        records[1]
    );
}

#[test]
fn bidi_and_format_characters_are_shown_as_escapes_not_sent() {
    let hostile = "[null,null,\"room:\u{202E}1\u{2066}\",\"sh\u{200B}out\",{\"body\":\"a\u{202D}b\u{61C}c\u{200E}\"}]\n";
    let output = phx_with_stdin(&["inspect"], hostile.as_bytes());
    assert_eq!(status(&output), 0);
    let text = stdout(&output);
    for c in [
        '\u{202E}', '\u{2066}', '\u{200B}', '\u{202D}', '\u{61C}', '\u{200E}',
    ] {
        assert!(!text.contains(c), "{c:?} reached the terminal:\n{text}");
    }
    assert!(text.contains(r"room:\u{202E}1\u{2066}"), "{text}");
    assert!(text.contains(r"sh\u{200B}out"), "{text}");
    assert!(text.contains(r"a\u{202D}b\u{61C}c\u{200E}"), "{text}");
    // JSON output carries the text as it is, escaped by JSON rules only where needed.
    let json = phx_with_stdin(&["inspect", "--format", "json"], hostile.as_bytes());
    let first: serde_json::Value =
        serde_json::from_str(stdout(&json).lines().next().unwrap()).unwrap();
    assert_eq!(first["topic"], "room:\u{202E}1\u{2066}");
}

#[test]
fn wide_characters_keep_the_table_aligned() {
    let input = "[null,null,\"房间:1\",\"shout\",{}]\n[null,null,\"room:1\",\"shout\",{}]\n[null,null,\"会話:とても長いトピックの名前です\",\"shout\",{}]\n";
    let output = phx_with_stdin(&["inspect"], input.as_bytes());
    let rows: Vec<&str> = stdout(&output).lines().skip(1).take(3).collect();
    // TOPIC is 28 terminal cells: a CJK character takes two.
    assert_eq!(
        rows,
        [
            "    1 s>c v2  房间:1                       shout                    33",
            "    2 s>c v2  room:1                       shout                    31",
            "    3 s>c v2  会話:とても長いトピックの名… shout                    74",
        ]
    );
}

#[test]
fn topic_and_event_filters_select_frames_in_decode_and_inspect() {
    let path = session();
    let decoded = phx(&[
        "decode",
        "--topic",
        "conversation:*",
        "--event",
        "shout",
        path_arg(&path),
    ]);
    assert_eq!(status(&decoded), 0);
    let lines: Vec<u64> = records(&decoded)
        .iter()
        .map(|r| {
            assert_eq!(r["event"], "shout");
            assert!(r["topic"].as_str().unwrap().starts_with("conversation:"));
            r["line"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(lines, [25, 26, 40, 48, 49]);
    let exact = phx(&["decode", "--topic", "phoenix", path_arg(&path)]);
    assert_eq!(records(&exact).len(), 6);
    let several = phx(&[
        "decode",
        "--event",
        "ping",
        "--event",
        "read",
        path_arg(&path),
    ]);
    assert_eq!(records(&several).len(), 2);

    let inspected = phx(&["inspect", "--event", "heartbeat", path_arg(&path)]);
    let text = stdout(&inspected);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows.iter().all(|l| l.contains(" heartbeat ")), "{text}");
    assert!(!text.contains("phx_reply"), "{text}");
    assert!(
        text.contains(
            "lines     63 (3 frames shown, 40 filtered out, 0 errors, 20 blank or comment)"
        ),
        "{text}"
    );

    // Failed lines have no topic to test: they are always reported.
    let errors = phx(&[
        "decode",
        "--topic",
        "nothing",
        path_arg(&example("with-errors.capture")),
    ]);
    assert_eq!(status(&errors), 1);
    assert!(records(&errors).iter().all(|r| r.get("error").is_some()));
    assert_eq!(records(&errors).len(), 11);
}

#[test]
fn inspect_writes_json_lines_with_a_summary_last() {
    let output = phx(&["inspect", "--format", "json", path_arg(&session())]);
    assert_eq!(status(&output), 0);
    let objects = records(&output);
    assert_eq!(objects.len(), 44);
    let row = objects.iter().find(|o| o["line"] == 25).unwrap();
    assert_eq!(row["type"], "frame");
    assert_eq!(row["from"], "client");
    assert_eq!(row["format"], "v2");
    assert_eq!(
        row["topic"], "conversation:5c9b0e1a-7d3f-4a8e-9b2c-1f0e3d4c5b6a",
        "whole, not shortened"
    );
    assert_eq!(row["event"], "shout");
    assert_eq!(row["bytes"], 206);
    assert_eq!(row["message"], "shout");
    assert_eq!(
        row["detail"],
        "customer: \"Hi, I need help with my order #1042\""
    );
    assert_eq!(row["untyped"], serde_json::Value::Null);
    let summary = objects.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["lines"], 63);
    assert_eq!(summary["frames"], 43);
    assert_eq!(summary["errors"], 0);
    assert_eq!(summary["blank_or_comment"], 20);
    assert_eq!(summary["bytes"], 10208);
    assert_eq!(summary["events"]["phx_reply"], 11);
    assert_eq!(summary["from"]["server"], 28);

    let errors = phx(&[
        "inspect",
        "--format",
        "json",
        path_arg(&example("with-errors.capture")),
    ]);
    assert_eq!(status(&errors), 1);
    let objects = records(&errors);
    let error = objects.iter().find(|o| o["type"] == "error").unwrap();
    assert_eq!(error["line"], 4);
    assert_eq!(error["kind"], "unexpected_end");
    assert_eq!(error["offset"], 61);
    assert_eq!(objects.last().unwrap()["error_kinds"]["invalid_hex"], 1);
}

/// Splits RFC 4180 CSV into records of fields (enough for these tests).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (_, c) => field.push(c),
        }
    }
    records
}

#[test]
fn inspect_writes_csv_with_a_header_and_rfc_4180_quoting() {
    let output = phx(&["inspect", "--format", "csv", path_arg(&session())]);
    assert_eq!(status(&output), 0);
    let text = stdout(&output);
    let ends: Vec<&str> = text.split('\n').collect();
    assert_eq!(ends.last(), Some(&""));
    assert!(
        ends[..ends.len() - 1].iter().all(|l| l.ends_with('\r')),
        "CRLF line ends"
    );
    assert!(
        text.contains(
            "\r\n25,client,v2,conversation:5c9b0e1a-7d3f-4a8e-9b2c-1f0e3d4c5b6a,shout,206,shout,,\"customer: \"\"Hi, I need help with my order #1042\"\"\",,,\r\n"
        ),
        "{text}"
    );
    let rows = parse_csv(text);
    assert_eq!(
        rows[0],
        [
            "line",
            "from",
            "format",
            "topic",
            "event",
            "bytes",
            "message",
            "untyped",
            "detail",
            "error_kind",
            "error_offset",
            "error_message"
        ]
    );
    assert_eq!(rows.len(), 44);
    assert!(rows.iter().all(|r| r.len() == 12));
    assert_eq!(rows[1][..3], ["7", "client", "v2"]);

    let errors = phx(&[
        "inspect",
        "--format",
        "csv",
        path_arg(&example("with-errors.capture")),
    ]);
    let rows = parse_csv(stdout(&errors));
    let error = rows.iter().find(|r| r[0] == "4").unwrap();
    assert_eq!(
        error[9..],
        ["unexpected_end", "61", "unexpected end of input at byte 61"]
    );
}

#[test]
fn convert_carries_what_the_target_can_and_warns_about_the_rest() {
    // A binary push whose payload is JSON with spaces inside: a text frame keeps them, so the
    // round trip gives the same bytes, without a warning.
    let spaced = "hex:0001010101313274657b2261223a20317d\n"; // {"a": 1}
    let text = phx_with_stdin(&["convert", "--to", "v2"], spaced.as_bytes());
    assert_eq!(status(&text), 0);
    assert_eq!(stdout(&text), "[\"1\",\"2\",\"t\",\"e\",{\"a\": 1}]\n");
    assert_eq!(stderr(&text), "");
    let back = phx_with_stdin(&["convert", "--to", "binary"], &text.stdout);
    assert_eq!(stdout(&back), spaced);
    assert_eq!(stderr(&back), "");

    // Spaces around the JSON cannot be part of a text payload.
    let padded = "hex:0001010101313274657b7d20\n"; // "{} "
    let text = phx_with_stdin(&["convert", "--to", "v1"], padded.as_bytes());
    assert_eq!(
        status(&text),
        0,
        "a warning does not change the exit status"
    );
    assert_eq!(
        stdout(&text),
        "{\"topic\":\"t\",\"event\":\"e\",\"payload\":{},\"ref\":\"2\",\"join_ref\":\"1\"}\n"
    );
    assert_eq!(
        stderr(&text),
        "phx: line 1: warning: a v1 frame cannot carry this one exactly: the whitespace around the payload's JSON was dropped\n"
    );

    // A binary push has no null: a null join_ref is written as "".
    let push = b"[null,\"1\",\"phoenix\",\"heartbeat\",{}]\n";
    let binary = phx_with_stdin(&["convert", "--to", "binary"], push);
    assert_eq!(status(&binary), 0);
    assert_eq!(
        stdout(&binary),
        "hex:00000107093170686f656e69786865617274626561747b7d\n"
    );
    assert_eq!(
        stderr(&binary),
        "phx: line 1: warning: a binary frame cannot carry this one exactly: join_ref null became \"\"\n"
    );
    // V1 can say null (by leaving join_ref out): no warning, and null comes back.
    let v1 = phx_with_stdin(&["convert", "--to", "v1"], push);
    assert_eq!(stderr(&v1), "");
    let v2 = phx_with_stdin(&["convert", "--to", "v2"], &v1.stdout);
    assert_eq!(v2.stdout, push);

    // A binary reply has room for status and response only.
    let reply =
        b"[\"1\",\"2\",\"room:a\",\"phx_reply\",{\"response\":{},\"status\":\"ok\",\"trace\":7}]\n";
    let binary = phx_with_stdin(&["convert", "--to", "binary", "--from", "server"], reply);
    assert_eq!(status(&binary), 0);
    assert_eq!(
        stderr(&binary),
        "phx: line 1: warning: a binary frame cannot carry this one exactly: payload member \"trace\" dropped\n"
    );

    // encode --format crosses forms the same way.
    let records = phx_with_stdin(&["decode"], push);
    let encoded = phx_with_stdin(&["encode", "--format", "binary"], &records.stdout);
    assert!(
        stderr(&encoded).contains("join_ref null became \"\""),
        "{}",
        stderr(&encoded)
    );
}

#[test]
fn the_sample_session_converts_to_v1_and_back_without_a_warning() {
    let v1 = phx(&["convert", "--to", "v1", path_arg(&session())]);
    assert_eq!(stderr(&v1), "");
    let v2 = phx_with_stdin(&["convert", "--to", "v2"], &v1.stdout);
    assert_eq!(stderr(&v2), "");
}
