//! The network layer: axum serves `/socket/websocket`, each accepted socket gets
//! `TCP_NODELAY`, a reader task feeding the [`Hub`] and a writer task draining the socket's
//! byte-bounded [`OutQueue`].
//!
//! Backpressure never drops a reader: a connection whose message made the hub queue frames
//! for sockets over their byte limit waits (it is not read) until they drain. A socket whose
//! writer makes no progress for the stall time is closed (1008 when a close frame can still
//! be written), which releases its queue and whoever waited on it.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use futures_util::{SinkExt, StreamExt};
use phx_codec::session::server::{CloseReason, negotiate_vsn};
use phx_codec::{Vsn, WsMessage};
use phx_codec_std::axum::message_from;
use phx_codec_std::transport::MessageKind;
use tokio::net::TcpListener;

use crate::hub::{ConnId, Hub, Outgoing};
use crate::queue::{Next, OutQueue};

/// Network settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Largest WebSocket message accepted (bigger: close 1009). Default 10 MB, as
    /// websock_adapter.
    pub max_message_bytes: usize,
    /// Bytes queued for one socket above which producers wait. Default 4 MiB.
    pub max_queue_bytes: usize,
    /// A socket whose writer makes no progress for this long is closed. Default 10 s.
    pub stall_timeout: Duration,
    /// Idle timeout (no inbound message). Default 60 s, as Phoenix.
    pub idle_timeout: Duration,
    /// Log every frame received and sent.
    pub trace: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_message_bytes: 10_000_000,
            max_queue_bytes: 4 << 20,
            stall_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            trace: false,
        }
    }
}

/// What every connection shares.
struct Shared {
    hub: Mutex<Hub>,
    queues: Mutex<HashMap<ConnId, Arc<OutQueue>>>,
    config: Config,
    next_id: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock is a bug we want to survive, not to spread.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The axum app serving `hub` (`/socket/websocket`; anything else is 404).
fn app(hub: Hub, config: Config) -> Router {
    let idle_ms = u64::try_from(config.idle_timeout.as_millis()).unwrap_or(u64::MAX);
    let shared = Arc::new(Shared {
        hub: Mutex::new(hub.with_idle_timeout_ms(idle_ms)),
        queues: Mutex::new(HashMap::new()),
        config,
        next_id: AtomicU64::new(1),
    });
    Router::new()
        .route("/socket/websocket", get(upgrade))
        .with_state(shared)
}

/// Serves `hub` on `listener` until the process ends; every accepted socket gets
/// `TCP_NODELAY` (frames written back to back leave at once instead of waiting for Nagle).
pub async fn serve(listener: TcpListener, hub: Hub, config: Config) -> io::Result<()> {
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = set_accepted_options(tcp) {
            eprintln!("cannot set TCP_NODELAY: {e}");
        }
    });
    axum::serve(listener, app(hub, config)).await
}

/// What [`serve`] does to every socket it accepts: sets `TCP_NODELAY`, so a reply and the
/// frame written right after it leave together instead of the second waiting for the
/// peer's delayed ACK (about 40 ms on Linux).
pub fn set_accepted_options(tcp: &tokio::net::TcpStream) -> io::Result<()> {
    tcp.set_nodelay(true)
}

/// `a=1&b=x%20y` → `[("a", "1"), ("b", "x y")]`.
pub fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Checks `vsn` as Phoenix does (403 otherwise) and reads the `user_id` connect param.
pub fn check_query(query: &str) -> Result<(Vsn, Option<i64>), (StatusCode, String)> {
    let params = query_params(query);
    let param = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let vsn = negotiate_vsn(param("vsn")).map_err(|e| (StatusCode::FORBIDDEN, e.to_string()))?;
    let user_id = match param("user_id") {
        None | Some("") => None,
        Some(text) => Some(text.parse::<i64>().map_err(|_| {
            (
                StatusCode::FORBIDDEN,
                "user_id must be an integer".to_owned(),
            )
        })?),
    };
    Ok((vsn, user_id))
}

async fn upgrade(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    ws: WebSocketUpgrade,
) -> Response {
    let (vsn, user_id) = match check_query(query.as_deref().unwrap_or("")) {
        Ok(ok) => ok,
        Err((status, why)) => {
            eprintln!("refused an upgrade: {status} {why}");
            return (status, why).into_response();
        }
    };
    let max = shared.config.max_message_bytes;
    // Small per-socket buffers: idle sockets are most sockets. Every message is flushed on
    // its own, so a write buffer would only hold one message anyway.
    ws.max_message_size(max)
        .max_frame_size(max)
        .read_buffer_size(16 * 1024)
        .write_buffer_size(0)
        .on_upgrade(move |socket| connection(shared, socket, vsn, user_id))
}

/// What a read error means for the close code: tungstenite's errors are not nameable here
/// (axum wraps them), so they are told apart by their text.
fn read_error_reason(error: &axum::Error) -> CloseReason {
    let text = error.to_string();
    if text.contains("UTF-8") || text.contains("utf-8") || text.contains("Utf8") {
        CloseReason::InvalidUtf8
    } else if text.contains("too long") || text.contains("Space limit") {
        CloseReason::TooBig
    } else {
        CloseReason::Internal
    }
}

fn trace_message(id: ConnId, direction: &str, kind: MessageKind, bytes: &[u8]) {
    match kind {
        MessageKind::Text => eprintln!("conn {id} {direction} {}", String::from_utf8_lossy(bytes)),
        MessageKind::Binary => {
            let mut hex = String::new();
            for b in bytes.iter().take(64) {
                let _ = write!(hex, " {b:02x}");
            }
            eprintln!("conn {id} {direction} binary {} bytes:{hex}", bytes.len());
        }
    }
}

async fn connection(shared: Arc<Shared>, socket: WebSocket, vsn: Vsn, user_id: Option<i64>) {
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let config = shared.config.clone();
    let queue = Arc::new(OutQueue::new(config.max_queue_bytes));
    lock(&shared.queues).insert(id, Arc::clone(&queue));
    lock(&shared.hub).connect(id, vsn, user_id, now_ms());
    eprintln!(
        "conn {id}: connected (vsn {}, {})",
        vsn.as_str(),
        user_id.map_or_else(|| "customer".to_owned(), |u| format!("agent user_id {u}"))
    );
    let (mut sink, mut stream) = socket.split();

    // The writer: close frames first, then the queue; a send that makes no progress for the
    // stall time ends the socket.
    let writer_queue = Arc::clone(&queue);
    let stall = config.stall_timeout;
    let trace = config.trace;
    let writer = tokio::spawn(async move {
        while let Some(next) = writer_queue.next().await {
            match next {
                Next::Close(code, reason) => {
                    let frame = CloseFrame {
                        code,
                        reason: Utf8Bytes::from_static(reason),
                    };
                    let _ =
                        tokio::time::timeout(stall, sink.send(Message::Close(Some(frame)))).await;
                    break;
                }
                Next::Message(message) => {
                    let len = message.len();
                    let (kind, bytes) = match message {
                        Outgoing::Text(b) => (MessageKind::Text, b),
                        Outgoing::Binary(b) => (MessageKind::Binary, b),
                    };
                    if trace {
                        trace_message(id, "->", kind, &bytes);
                    }
                    match tokio::time::timeout(stall, sink.send(message_from(kind, bytes))).await {
                        Ok(Ok(())) => writer_queue.sent(len),
                        Ok(Err(_)) => break,
                        Err(_) => {
                            eprintln!(
                                "conn {id}: nothing drained for {stall:?}, closing the socket"
                            );
                            break;
                        }
                    }
                }
            }
        }
        writer_queue.shut();
        let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
    });

    loop {
        let deadline_ms = lock(&shared.hub).idle_deadline_ms(id).unwrap_or(0);
        let wait = Duration::from_millis(deadline_ms.saturating_sub(now_ms()));
        let received = tokio::select! {
            received = tokio::time::timeout(wait, stream.next()) => match received {
                Ok(Some(received)) => received,
                Ok(None) => break,
                Err(_) => {
                    let reason = lock(&shared.hub).poll_idle(id, now_ms());
                    if let Some(reason) = reason {
                        eprintln!("conn {id}: nothing received for {:?}, closing the socket", config.idle_timeout);
                        queue.close_with(reason.close_code().code(), reason.text());
                        break;
                    }
                    continue;
                }
            },
            () = queue.wait_shut() => break,
        };
        let message = match received {
            Ok(message) => message,
            Err(e) => {
                let reason = read_error_reason(&e);
                eprintln!(
                    "conn {id}: read error, closing the socket ({}): {e}",
                    reason.close_code().code()
                );
                queue.close_with(reason.close_code().code(), reason.text());
                break;
            }
        };
        let (ws_message, kind) = match &message {
            Message::Text(text) => (WsMessage::Text(text.as_bytes()), MessageKind::Text),
            Message::Binary(bytes) => (WsMessage::Binary(bytes), MessageKind::Binary),
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => {
                lock(&shared.hub).note_activity(id, now_ms());
                continue;
            }
        };
        if config.trace {
            let bytes = match ws_message {
                WsMessage::Text(b) | WsMessage::Binary(b) => b,
            };
            trace_message(id, "<-", kind, bytes);
        }
        // Handle and queue under the hub lock, so every socket sees broadcasts in one order.
        let waiting: Vec<Arc<OutQueue>> = {
            let mut hub = lock(&shared.hub);
            let result = hub.receive(id, now_ms(), ws_message);
            let outbox = hub.take_outbox();
            let queues = lock(&shared.queues);
            let mut waiting: Vec<Arc<OutQueue>> = Vec::new();
            for (to, out) in outbox {
                let Some(q) = queues.get(&to) else { continue };
                if q.push(out) && q.over_limit() && !waiting.iter().any(|w| Arc::ptr_eq(w, q)) {
                    waiting.push(Arc::clone(q));
                }
            }
            drop(queues);
            drop(hub);
            if let Err(reason) = result {
                eprintln!(
                    "conn {id}: malformed frame, closing the socket ({}): {reason}",
                    reason.close_code().code()
                );
                queue.close_with(reason.close_code().code(), reason.text());
                break;
            }
            waiting
        };
        // Backpressure: this connection is not read again until the sockets it filled have
        // room (or were closed for not draining).
        for q in waiting {
            q.wait_room().await;
        }
    }

    // Leave the channels (presence leaves go to the others), then let the writer flush a
    // close frame, never waiting on a peer that does not read for more than the stall time.
    let leftovers = {
        let mut hub = lock(&shared.hub);
        hub.disconnect(id);
        hub.take_outbox()
    };
    {
        let queues = lock(&shared.queues);
        for (to, out) in leftovers {
            if let Some(q) = queues.get(&to) {
                q.push(out);
            }
        }
    }
    if !queue.is_shut() {
        // Nothing more will be queued: end the writer once it has sent what is there.
        queue.close_with(1000, "");
    }
    let mut writer = writer;
    if tokio::time::timeout(config.stall_timeout, &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
    queue.shut();
    lock(&shared.queues).remove(&id);
    eprintln!("conn {id}: closed");
}

/// Binds `127.0.0.1:port` (0: a free port) and returns the listener and its address.
pub async fn bind(port: u16) -> io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}
