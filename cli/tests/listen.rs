//! `phx listen`: usage errors (no server needed), and live runs against the project's Papercups
//! server (`phx-papercups-server`, built in release by `.ci/run` before it runs these with
//! `--ignored`).

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

/// `--timeout-ms` for live runs: only a bound so that a broken run ends; they stop by `--count`.
const BOUND_MS: &str = "60000";

const CONVERSATION: &str = "conversation:6d2f0a4e-2b1c-4f5e-9a8b-7c6d5e4f3a2b";

fn phx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phx"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the phx binary runs")
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("UTF-8 output")
}

#[test]
fn bad_arguments_exit_2_with_a_reason() {
    let push = r#"shout={"body":"hi"}"#;
    for (args, reason) in [
        (&["listen", "ws://127.0.0.1:9/socket"][..], "--join"),
        (
            &["listen", "http://127.0.0.1:9/socket", "--join", "a"],
            "ws://",
        ),
        (
            &["listen", "wss://127.0.0.1:9/socket", "--join", "a"],
            "TLS",
        ),
        (
            &["listen", "ws://127.0.0.1:9/socket?vsn=3.0.0", "--join", "a"],
            "vsn=3.0.0",
        ),
        (
            &[
                "listen",
                "ws://127.0.0.1:9/socket",
                "--join",
                "a",
                "--push",
                "shout",
            ],
            "EVENT=JSON",
        ),
        (
            &[
                "listen",
                "ws://127.0.0.1:9/socket",
                "--join",
                "a",
                "--push",
                "shout={",
            ],
            "not JSON",
        ),
        (
            &[
                "listen",
                "ws://127.0.0.1:9/socket",
                "--join",
                "a",
                "--param",
                "x",
            ],
            "KEY=VALUE",
        ),
        (
            &[
                "listen",
                "ws://127.0.0.1:9/socket",
                "--join",
                "a",
                "--count",
                "0",
            ],
            "--count",
        ),
        (
            &["listen", "ws://127.0.0.1:9/socket", "--push", push],
            "--join",
        ),
    ] {
        let out = phx(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = text(&out.stderr);
        assert!(err.contains(reason), "{args:?}: {err}");
    }
}

#[test]
fn more_joins_than_the_client_holds_exit_2() {
    let mut args = vec!["listen", "ws://127.0.0.1:9/socket"];
    for _ in 0..17 {
        args.extend(["--join", "room:1"]);
    }
    let out = phx(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("at most 16 --join topics"));
}

/// The server binary: `PHX_PAPERCUPS_SERVER`, or `release/phx-papercups-server` in the target
/// directory that holds this test's `phx`.
fn server_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("PHX_PAPERCUPS_SERVER") {
        return path.into();
    }
    let phx = PathBuf::from(env!("CARGO_BIN_EXE_phx"));
    let target = phx
        .parent()
        .and_then(std::path::Path::parent)
        .expect("phx is in <target>/<profile>/");
    let server = target.join("release").join(format!(
        "phx-papercups-server{}",
        std::env::consts::EXE_SUFFIX
    ));
    assert!(
        server.exists(),
        "{} is missing: run `cargo build --release -p phx-papercups-server` first",
        server.display()
    );
    server
}

/// A running Papercups server, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start() -> Self {
        Self::start_on("0")
    }

    /// A server on `port` ("0": a free one).
    fn start_on(port: &str) -> Self {
        let mut child = Command::new(server_binary())
            .args(["--port", port])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("the server writes its address");
        let addr = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
            .to_owned();
        Self { child, addr }
    }

    fn url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn records(out: &Output) -> Vec<serde_json::Value> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON record"))
        .collect()
}

fn shout(body: &str) -> String {
    format!(r#"shout={{"body":"{body}","customer_id":"cus_1"}}"#)
}

#[test]
#[ignore = "needs the server binary (cargo build --release -p phx-papercups-server): run by .ci/run"]
fn a_customer_hears_its_own_shout_after_the_presence_messages() {
    let server = Server::start();
    let push = shout("hello from phx listen");
    let out = phx(&[
        "listen",
        &server.url("/socket/websocket"),
        "--join",
        CONVERSATION,
        "--param",
        "customer_id=cus_1",
        "--push",
        &push,
        "--count",
        "3",
        "--timeout-ms",
        BOUND_MS,
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!("phx: joined {CONVERSATION}: ok {{}}")),
        "{err}"
    );
    let records = records(&out);
    let events: Vec<&str> = records
        .iter()
        .map(|r| r["event"].as_str().expect("an event"))
        .collect();
    assert_eq!(events, ["presence_state", "presence_diff", "shout"]);
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record["line"], i + 1);
        assert_eq!(record["format"], "v2");
        assert_eq!(record["topic"], CONVERSATION);
    }
    let shout = &records[2];
    assert_eq!(shout["message"], "shout");
    assert_eq!(shout["payload"]["body"], "hello from phx listen");
    assert_eq!(shout["payload"]["customer_id"], "cus_1");
    assert!(
        records[0]["payload"]["customer:cus_1"].is_object(),
        "{records:?}"
    );
}

#[test]
#[ignore = "needs the server binary (cargo build --release -p phx-papercups-server): run by .ci/run"]
fn a_listener_hears_another_clients_shout_through_the_filter() {
    let server = Server::start();
    // The listener: only shouts, the first one.
    let mut listener = Command::new(env!("CARGO_BIN_EXE_phx"))
        .args([
            "listen",
            &server.url("/socket"),
            "--join",
            CONVERSATION,
            "--event",
            "shout",
            "--count",
            "1",
            "--timeout-ms",
            BOUND_MS,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("phx listen starts");
    let mut listener_err = BufReader::new(listener.stderr.take().expect("stderr is piped"));
    let mut joined = String::new();
    listener_err
        .read_line(&mut joined)
        .expect("the listener reports its join");
    assert_eq!(joined, format!("phx: joined {CONVERSATION}: ok {{}}\n"));

    // A customer on the same conversation shouts (V1 this time, to cover the serializer).
    let push = shout("heard by everyone joined");
    let customer = phx(&[
        "listen",
        &server.url("/socket/websocket?vsn=1.0.0"),
        "--join",
        CONVERSATION,
        "--param",
        "customer_id=cus_1",
        "--push",
        &push,
        "--event",
        "shout",
        "--count",
        "1",
        "--timeout-ms",
        BOUND_MS,
    ]);
    assert_eq!(
        customer.status.code(),
        Some(0),
        "{}",
        text(&customer.stderr)
    );
    let own = records(&customer);
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["format"], "v1");
    assert_eq!(
        own[0]["line"], 3,
        "presence_state and presence_diff filtered out"
    );

    let mut stdout = String::new();
    listener
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut stdout)
        .expect("the listener's output");
    let status = listener.wait().expect("the listener ends");
    let mut rest = String::new();
    let _ = listener_err.read_to_string(&mut rest);
    assert_eq!(status.code(), Some(0), "{rest}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON record"))
        .collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert_eq!(lines[0]["event"], "shout");
    assert_eq!(lines[0]["format"], "v2");
    assert_eq!(lines[0]["payload"]["body"], "heard by everyone joined");
    assert_eq!(lines[0]["payload"], own[0]["payload"], "the same broadcast");
}

#[test]
#[ignore = "needs the server binary (cargo build --release -p phx-papercups-server): run by .ci/run"]
fn a_refused_join_exits_1_and_says_why() {
    let server = Server::start();
    let out = phx(&[
        "listen",
        &server.url("/socket"),
        "--join",
        "inbox:1",
        "--timeout-ms",
        BOUND_MS,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        "phx: join inbox:1 refused: error {\"reason\":\"unmatched topic\"}\n"
    );
}

#[test]
#[ignore = "needs the server binary (cargo build --release -p phx-papercups-server): run by .ci/run"]
fn timeout_before_count_exits_1() {
    let server = Server::start();
    // An agent's room: the join brings presence_state and presence_diff, then nothing.
    let out = phx(&[
        "listen",
        &server.url("/socket?user_id=1"),
        "--join",
        "room:2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5",
        "--event",
        "shout",
        "--count",
        "1",
        "--timeout-ms",
        "1000",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("phx: --timeout-ms reached after 0 of 1 records"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
#[ignore = "needs the server binary (cargo build --release -p phx-papercups-server): run by .ci/run"]
fn a_closed_standard_output_ends_a_quiet_listen_with_0() {
    let server = Server::start();
    // Without noticing the closed pipe, this run would wait for --timeout-ms and exit 1
    // (--count not reached): the channel says nothing after its presence_state.
    let mut listener = Command::new(env!("CARGO_BIN_EXE_phx"))
        .args([
            "listen",
            &server.url("/socket"),
            "--join",
            CONVERSATION,
            "--count",
            "100",
            "--timeout-ms",
            BOUND_MS,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("phx listen starts");
    let mut first = String::new();
    BufReader::new(listener.stdout.take().expect("stdout is piped"))
        .read_line(&mut first)
        .expect("a first record");
    // The reader (and the pipe's read end) is dropped here, like `phx listen … | head -1`.
    assert!(first.contains(r#""event":"presence_state""#), "{first}");
    let status = listener.wait().expect("phx ends");
    assert_eq!(status.code(), Some(0));
}

#[test]
#[ignore = "needs the server binary (cargo build --release -p phx-papercups-server): run by .ci/run"]
fn a_restarted_server_is_reconnected_to_and_the_channel_rejoined() {
    let first = Server::start();
    let addr = first.addr.clone();
    let port = addr.rsplit(':').next().expect("HOST:PORT").to_owned();
    let mut listener = Command::new(env!("CARGO_BIN_EXE_phx"))
        .args([
            "listen",
            &first.url("/socket"),
            "--join",
            CONVERSATION,
            "--param",
            "customer_id=cus_1",
            "--event",
            "presence_state",
            "--count",
            "2",
            "--timeout-ms",
            BOUND_MS,
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("phx listen starts");
    let mut stdout = BufReader::new(listener.stdout.take().expect("stdout is piped"));
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .expect("the first presence_state");
    assert!(line.starts_with(r#"{"line":1,"#), "{line}");

    // The server goes away and comes back on the same port: the client reconnects (with
    // backoff) and rejoins, and the new server sends presence_state again.
    drop(first);
    let second = Server::start_on(&port);
    assert_eq!(second.addr, addr);
    line.clear();
    stdout
        .read_line(&mut line)
        .expect("a presence_state after the rejoin");
    let record: serde_json::Value = serde_json::from_str(&line).expect("a JSON record");
    assert_eq!(record["event"], "presence_state");
    assert_eq!(record["topic"], CONVERSATION);
    assert!(record["payload"]["customer:cus_1"].is_object(), "{line}");
    let status = listener.wait().expect("phx ends");
    assert_eq!(status.code(), Some(0), "--count 2 reached");
}
