//! `phx-papercups-server`: a Papercups-compatible Phoenix Channels server.
//!
//! ```text
//! cargo run --release -p phx-papercups-server -- --port 4000
//! ```
//!
//! It listens on `127.0.0.1` only and prints `listening on 127.0.0.1:PORT` once ready
//! (`--port 0` picks a free port). The endpoint is `/socket/websocket?vsn=2.0.0` (`~> 2.0.0`;
//! `~> 1.0.0` or no `vsn` for the V1 object form; anything else is refused with HTTP 403).
//! Connect param `user_id=<integer>` marks the socket as an agent.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use phx_papercups_server::hub::Hub;
use phx_papercups_server::net::{self, Config};
use phx_papercups_server::roster::{DEMO_ACCOUNT_ID, Roster};

/// A Papercups-compatible Phoenix Channels server (WebSocket at
/// ws://127.0.0.1:PORT/socket/websocket?vsn=2.0.0).
#[derive(Debug, Parser)]
#[command(name = "phx-papercups-server", version)]
struct Args {
    /// TCP port on 127.0.0.1 (0 picks a free port).
    #[arg(long, default_value_t = 4000)]
    port: u16,
    /// The account every conversation belongs to (default: the roster's, else the demo one).
    #[arg(long)]
    account_id: Option<String>,
    /// A JSON roster of agents and customers ({"account_id", "users": [..], "customers": [..]});
    /// a built-in demo roster by default.
    #[arg(long, value_name = "FILE")]
    roster: Option<PathBuf>,
    /// Close a connection that sends nothing (not even a heartbeat) for this many ms.
    #[arg(long, default_value_t = 60_000)]
    idle_timeout_ms: u64,
    /// Bytes queued for one socket above which senders wait for it to drain.
    #[arg(long, default_value_t = 4 << 20)]
    max_queue_bytes: usize,
    /// Close a socket that drains nothing for this many ms.
    #[arg(long, default_value_t = 10_000)]
    stall_timeout_ms: u64,
    /// Largest WebSocket message accepted (bigger ones close the socket with 1009).
    #[arg(long, default_value_t = 10_000_000)]
    max_message_bytes: usize,
    /// Log every frame received (<-) and sent (->) to stderr.
    #[arg(long)]
    trace: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let roster = match &args.roster {
        None => Roster::demo(),
        Some(path) => {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) => {
                    eprintln!("phx-papercups-server: cannot read {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            };
            match Roster::from_json(&text) {
                Ok(roster) => roster,
                Err(e) => {
                    eprintln!("phx-papercups-server: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
        }
    };
    let account_id = args
        .account_id
        .clone()
        .or_else(|| roster.account_id.clone())
        .unwrap_or_else(|| DEMO_ACCOUNT_ID.to_owned());
    let config = Config {
        max_message_bytes: args.max_message_bytes,
        max_queue_bytes: args.max_queue_bytes,
        stall_timeout: Duration::from_millis(args.stall_timeout_ms),
        idle_timeout: Duration::from_millis(args.idle_timeout_ms),
        trace: args.trace,
    };
    let (listener, addr) = match net::bind(args.port).await {
        Ok(bound) => bound,
        Err(e) => {
            eprintln!(
                "phx-papercups-server: cannot listen on 127.0.0.1:{}: {e}",
                args.port
            );
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {addr}");
    // Whoever started us waits for that line: make sure it is out now.
    let _ = std::io::stdout().flush();
    match net::serve(listener, Hub::new(account_id, roster), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("phx-papercups-server: {e}");
            ExitCode::FAILURE
        }
    }
}
