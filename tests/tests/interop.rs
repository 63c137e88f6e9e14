//! Interop with the real `phoenix` JavaScript client: builds and starts the
//! Papercups server (`phx-papercups-server`) on a free port, then runs `tests/interop/interop.mjs` (the
//! `phoenix` npm package's `Socket`, `Channel` and `Presence` over a real WebSocket) against it.
//!
//! Needs `node` and `npm` on `PATH`, hence ignored by default:
//! `cargo test -p phx-tests --test interop -- --ignored`.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

/// The account the server puts every conversation in; the script checks it.
const ACCOUNT_ID: &str = "0c5e3f4a-5b1d-4c8e-9a7f-2d6b8e1f3a90";

/// Only a guard against a server that never starts; the build happens before the wait.
const STARTUP_LIMIT: Duration = Duration::from_secs(60);

fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .expect("tests/ has a parent directory")
        .to_path_buf()
}

fn interop_dir() -> PathBuf {
    workspace_root().join("tests").join("interop")
}

/// The cargo running this test (so the same toolchain, `CARGO_TARGET_DIR` and lock file).
fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into())
}

/// Builds the server and returns the path cargo reports for its executable (no guessing
/// about target directories or build-dir layouts).
fn build_server() -> PathBuf {
    let output = Command::new(cargo())
        .current_dir(workspace_root())
        .args([
            "build",
            "-p",
            "phx-papercups-server",
            "--bin",
            "phx-papercups-server",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("cannot run cargo to build phx-papercups-server");
    assert!(
        output.status.success(),
        "cargo build -p phx-papercups-server failed ({})",
        output.status
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|msg| {
            msg["reason"] == "compiler-artifact" && msg["target"]["name"] == "phx-papercups-server"
        })
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .expect("cargo reported no executable for phx-papercups-server")
}

/// Fails loudly (never skips) when a tool is missing.
fn require_tool(tool: &str) -> String {
    match Command::new(tool).arg("--version").output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        Ok(out) => panic!(
            "`{tool} --version` failed ({}): the interop test needs Node.js (20 or newer) and npm on PATH",
            out.status
        ),
        Err(e) => panic!(
            "`{tool}` not found ({e}): the interop test needs Node.js (20 or newer) and npm on PATH \
             (Debian: apt-get install nodejs npm)"
        ),
    }
}

/// `npm ci` in tests/interop unless its dependencies are already installed.
fn install_node_modules() {
    let modules = interop_dir().join("node_modules");
    let installed = ["phoenix", "ws"]
        .iter()
        .all(|name| modules.join(name).join("package.json").is_file());
    if installed {
        return;
    }
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(interop_dir())
        .output()
        .expect("cannot run npm ci");
    assert!(
        output.status.success(),
        "npm ci in tests/interop failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The running server; killed when dropped, whatever happens in the test.
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(executable: &Path) -> Self {
        let mut child = Command::new(executable)
            .args(["--port", "0", "--account-id", ACCOUNT_ID])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", executable.display()));
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr is piped");
        let sink = Arc::clone(&log);
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                log.push_str(&line);
                log.push('\n');
            }
        });
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let _ = tx.send(first);
            // Keep draining so the server never blocks on a full pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut server = Self {
            child,
            port: 0,
            log,
        };
        let line = rx.recv_timeout(STARTUP_LIMIT).unwrap_or_else(|_| {
            panic!(
                "the server printed no `listening on` line; its log:\n{}",
                server.log()
            )
        });
        server.port = line
            .trim()
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {line:?} (want `listening on 127.0.0.1:PORT`); log:\n{}",
                    server.log()
                )
            });
        server
    }

    fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
#[ignore = "needs node and npm; .ci/run runs it"]
fn the_phoenix_js_client_chats_with_papercups_server() {
    let node = require_tool("node");
    let npm = require_tool("npm");
    install_node_modules();
    let executable = build_server();
    let mut server = Server::start(&executable);

    let url = format!("ws://127.0.0.1:{}/socket", server.port);
    let output = Command::new("node")
        .arg("interop.mjs")
        .arg(&url)
        .args(["--account-id", ACCOUNT_ID])
        .current_dir(interop_dir())
        .stdin(Stdio::null())
        .output()
        .expect("cannot run node interop.mjs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node interop.mjs {url} failed ({}; node {node}, npm {npm})\n--- script stdout\n{stdout}\n--- script stderr\n{stderr}\n--- server log\n{}",
        output.status,
        server.log()
    );
    assert!(
        stdout.lines().any(|l| l.ends_with(" passed, 0 failed")),
        "the script exited 0 without its summary line:\n{stdout}"
    );
    assert!(
        server
            .child
            .try_wait()
            .expect("cannot poll the server")
            .is_none(),
        "the server exited during the run (a malformed frame must close one socket only); log:\n{}",
        server.log()
    );
    let log = server.log();
    assert!(
        log.contains("malformed frame, closing the socket"),
        "the server did not log the malformed frame; log:\n{log}"
    );
}
