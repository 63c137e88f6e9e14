//! Load and fault test, loopback only, bounded in count and time: 200 reading sockets in 20
//! conversations, 10,000 shouts with bodies from 100 B to 64 KiB (log-uniform), 5 sockets that
//! join and never read, and 10 faulty sockets (abrupt resets, half-sent frames, malformed
//! frames) during the burst. It asserts that every reading socket gets every broadcast of its
//! conversation in order, that the 5 non-readers (and only they) are closed for not draining,
//! that each malformed frame closes its socket with 1011, and that the server's RSS after the
//! burst is back within 64 MiB of where it was before it. It prints messages per second
//! delivered and the peak RSS.
//!
//! Run by `.ci/run` in release: `cargo test --release -p phx-papercups-server --test load -- --ignored --nocapture`.
#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)] // a test: panics and float rates by design

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

const CONVERSATIONS: usize = 20;
const READERS_PER_CONVERSATION: usize = 10;
const SHOUTS: usize = 10_000;
const NON_READERS: usize = 5;
const RESETS: usize = 4;
const HALF_FRAMES: usize = 3;
const MALFORMED: usize = 3;
const MIN_BODY: usize = 100;
const MAX_BODY: usize = 64 * 1024;
/// The server closes a socket that drains nothing for this long.
const STALL_MS: u64 = 2_000;
/// The whole test must finish within this, or it fails (and the server is killed).
const DEADLINE: Duration = Duration::from_secs(150);
/// RSS after the burst may exceed RSS before it by at most this.
const RSS_SLACK_KB: u64 = 64 * 1024;

struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_phx-papercups-server"))
            .args([
                "--port",
                "0",
                "--stall-timeout-ms",
                &STALL_MS.to_string(),
                "--max-queue-bytes",
                &(1 << 20).to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&log);
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let port = first
            .trim()
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"));
        Self { child, port, log }
    }

    /// A `/proc/<pid>/status` field in kB (`VmRSS`, `VmHWM`).
    fn status_kb(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc status"))
    }

    fn count(&self, needle: &str) -> usize {
        self.log.lock().unwrap().matches(needle).count()
    }
}

/// Body length of shout `i`: log-uniform between MIN_BODY and MAX_BODY, deterministic.
fn body_len(i: usize) -> usize {
    let mut x = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5eed;
    x ^= x >> 29;
    let unit = (x % 1_000_000) as f64 / 1_000_000.0;
    let len = (MIN_BODY as f64) * ((MAX_BODY as f64) / (MIN_BODY as f64)).powf(unit);
    (len as usize).clamp(MIN_BODY, MAX_BODY)
}

fn topic(conversation: usize) -> String {
    format!("conversation:load{conversation}")
}

/// Reads the shout number out of a broadcast whose body starts with `"<conv>:<n> "`.
fn shout_number(text: &str) -> Option<(usize, usize)> {
    let start = text.find(r#""body":""#)? + 8;
    let rest = text.get(start..)?;
    let end = rest.find(' ')?;
    let (conv, n) = rest.get(..end)?.split_once(':')?;
    Some((conv.parse().ok()?, n.parse().ok()?))
}

/// A raw WebSocket client handshake; returns the stream right after the 101 response.
async fn raw_handshake(port: u16) -> TcpStream {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let request = format!(
        "GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let mut byte = [0u8; 1];
    while !response.ends_with(b"\r\n\r\n") {
        tcp.read_exact(&mut byte).await.unwrap();
        response.push(byte[0]);
    }
    assert!(
        response.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&response)
    );
    tcp
}

/// A masked client text frame (mask key 0, so the payload reads as is).
fn text_frame(payload: &[u8], announced_len: Option<usize>) -> Vec<u8> {
    let len = announced_len.unwrap_or(payload.len());
    let mut out = vec![0x81];
    if len < 126 {
        out.push(0x80 | u8::try_from(len).unwrap());
    } else {
        out.push(0x80 | 0x7e);
        out.extend_from_slice(&u16::try_from(len).unwrap().to_be_bytes());
    }
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(payload);
    out
}

async fn fault(port: u16, kind: usize) -> Option<u16> {
    let mut tcp = raw_handshake(port).await;
    let join = text_frame(br#"["1","1","conversation:load0","phx_join",{}]"#, None);
    tcp.write_all(&join).await.unwrap();
    match kind {
        0 => {
            // Abrupt reset: RST instead of a close handshake.
            #[allow(deprecated)] // a zero linger resets at once; nothing blocks
            tcp.set_linger(Some(Duration::ZERO)).unwrap();
            drop(tcp);
            None
        }
        1 => {
            // Half-sent frame: announces 1,000 bytes, sends 10, hangs up.
            tcp.write_all(&text_frame(b"[null,\"1\",", Some(1000)))
                .await
                .unwrap();
            drop(tcp);
            None
        }
        _ => {
            // Malformed frame: the server must close with 1011 (after whatever it queued).
            tcp.write_all(&text_frame(b"[1,", None)).await.unwrap();
            let mut all = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(30), tcp.read_to_end(&mut all)).await;
            // Find the close frame (0x88) at a frame boundary: walk the server's frames.
            let mut at = 0;
            while at + 2 <= all.len() {
                let op = all[at] & 0x0f;
                let mut len = usize::from(all[at + 1] & 0x7f);
                let mut head = 2;
                if len == 126 {
                    len = usize::from(u16::from_be_bytes([all[at + 2], all[at + 3]]));
                    head = 4;
                } else if len == 127 {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&all[at + 2..at + 10]);
                    len = usize::try_from(u64::from_be_bytes(b)).unwrap();
                    head = 10;
                }
                if op == 8 && len >= 2 {
                    return Some(u16::from_be_bytes([all[at + head], all[at + head + 1]]));
                }
                at += head + len;
            }
            Some(0)
        }
    }
}

#[test]
#[ignore = "load test: run by .ci/run (in release)"]
fn two_hundred_readers_ten_thousand_shouts_five_stalled_ten_faulty() {
    let server = Server::start();
    let port = server.port;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let result =
        runtime.block_on(async { tokio::time::timeout(DEADLINE, run(&server, port)).await });
    let report = result.unwrap_or_else(|_| {
        panic!(
            "the load test did not finish within {DEADLINE:?}; server log tail:\n{}",
            tail(&server)
        )
    });
    println!("{report}");
}

fn tail(server: &Server) -> String {
    let log = server.log.lock().unwrap();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

async fn run(server: &Server, port: u16) -> String {
    let url = format!("ws://127.0.0.1:{port}/socket/websocket?vsn=2.0.0");
    let rss_idle = server.status_kb("VmRSS");

    // 200 readers, 10 per conversation; reader 0 of each conversation also shouts.
    let mut readers = Vec::new();
    let mut shouters = Vec::new();
    let mut quiet_sinks = Vec::new();
    for i in 0..CONVERSATIONS * READERS_PER_CONVERSATION {
        let conversation = i % CONVERSATIONS;
        let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
        ws.send(Message::text(format!(
            r#"["1","1","{}","phx_join",{{}}]"#,
            topic(conversation)
        )))
        .await
        .unwrap();
        let (sink, stream) = ws.split();
        if i < CONVERSATIONS {
            shouters.push((conversation, sink));
        } else {
            quiet_sinks.push(sink);
        }
        readers.push((conversation, stream));
    }
    // 5 sockets that join a conversation each and never read again.
    let mut sleepers = Vec::new();
    for c in 0..NON_READERS {
        let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
        ws.send(Message::text(format!(
            r#"["1","1","{}","phx_join",{{}}]"#,
            topic(c * 4)
        )))
        .await
        .unwrap();
        sleepers.push(ws);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = server.status_kb("VmRSS");

    let per_conversation = SHOUTS / CONVERSATIONS;
    let started = Instant::now();
    let reading: Vec<_> = readers
        .into_iter()
        .map(|(conversation, mut stream)| {
            tokio::spawn(async move {
                let mut next = 0usize;
                while next < per_conversation {
                    match stream.next().await {
                        Some(Ok(Message::Text(text))) => {
                            if let Some((conv, n)) = shout_number(text.as_str()) {
                                assert_eq!(conv, conversation, "a shout from another conversation");
                                assert_eq!(n, next, "conversation {conversation}: shout {n} when {next} was due");
                                next += 1;
                            }
                        }
                        Some(Ok(_)) => {}
                        other => panic!("reader in conversation {conversation} closed after {next} shouts: {other:?}"),
                    }
                }
                stream
            })
        })
        .collect();
    let shouting: Vec<_> = shouters
        .into_iter()
        .map(|(conversation, mut sink)| {
            tokio::spawn(async move {
                for n in 0..per_conversation {
                    let i = n * CONVERSATIONS + conversation;
                    let body = format!("{conversation}:{n} {}", "x".repeat(body_len(i)));
                    let push = format!(
                        r#"["1","{}","{}","shout",{{"body":"{body}"}}]"#,
                        n + 2,
                        topic(conversation)
                    );
                    sink.send(Message::text(push)).await.unwrap();
                }
                sink
            })
        })
        .collect();
    // Faults during the burst.
    let faults: Vec<_> = (0..RESETS + HALF_FRAMES + MALFORMED)
        .map(|k| {
            let kind = if k < RESETS {
                0
            } else if k < RESETS + HALF_FRAMES {
                1
            } else {
                2
            };
            tokio::spawn(fault(port, kind))
        })
        .collect();
    let mut sinks = Vec::new();
    for s in shouting {
        sinks.push(s.await.unwrap());
    }
    let mut streams = Vec::new();
    for r in reading {
        streams.push(r.await.unwrap());
    }
    let elapsed = started.elapsed();
    let mut malformed_codes = Vec::new();
    for f in faults {
        if let Some(code) = f.await.unwrap() {
            malformed_codes.push(code);
        }
    }
    assert_eq!(
        malformed_codes,
        vec![1011; MALFORMED],
        "malformed frames close with 1011"
    );

    // The non-readers were closed: reading them now drains what was buffered, then ends.
    for (k, mut ws) in sleepers.into_iter().enumerate() {
        let ended = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(Ok(_)) = ws.next().await {}
        })
        .await;
        assert!(ended.is_ok(), "non-reader {k} is still open");
    }
    assert_eq!(
        server.count("nothing drained"),
        NON_READERS,
        "only the non-readers are closed for not draining; log:\n{}",
        tail(server)
    );
    assert_eq!(server.count("malformed frame, closing"), MALFORMED);

    // Every reader is still connected: a heartbeat on each socket is answered.
    sinks.extend(quiet_sinks);
    for (k, (sink, stream)) in sinks.into_iter().zip(streams).enumerate() {
        let mut ws = sink.reunite(stream).unwrap();
        ws.send(Message::text(r#"[null,"hb","phoenix","heartbeat",{}]"#))
            .await
            .unwrap();
        loop {
            match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
                Ok(Some(Ok(Message::Text(t)))) if t.as_str().contains(r#""hb""#) => break,
                Ok(Some(Ok(_))) => {}
                other => panic!("reader {k} lost: {other:?}"),
            }
        }
    }
    let peak_kb = server.status_kb("VmHWM");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_after = server.status_kb("VmRSS");
    let delivered = SHOUTS * READERS_PER_CONVERSATION;
    let bytes: usize = (0..SHOUTS).map(body_len).sum::<usize>() * READERS_PER_CONVERSATION;
    assert!(
        rss_after <= rss_before + RSS_SLACK_KB,
        "RSS after the burst {rss_after} kB, before {rss_before} kB (bound: +{RSS_SLACK_KB} kB)"
    );
    format!(
        "load: {delivered} shouts delivered to readers in {:.2} s = {:.0} messages/s ({:.1} MB of bodies/s); \
         server RSS idle {rss_idle} kB, before the burst {rss_before} kB, peak {peak_kb} kB, after {rss_after} kB",
        elapsed.as_secs_f64(),
        delivered as f64 / elapsed.as_secs_f64(),
        bytes as f64 / elapsed.as_secs_f64() / 1e6,
    )
}
