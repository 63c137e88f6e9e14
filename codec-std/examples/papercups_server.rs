//! A small Papercups-compatible realtime server: Phoenix Channels over a real WebSocket, every
//! frame decoded and encoded by phx-codec.
//!
//! ```text
//! cargo run -p phx-codec-std --example papercups_server -- --port 4000
//! ```
//!
//! It listens on `127.0.0.1` only and prints `listening on 127.0.0.1:PORT` once ready
//! (`--port 0` picks a free port). The endpoint is `/socket/websocket?vsn=2.0.0` (or
//! `vsn=1.0.0`, or no `vsn`, for the V1 object form); any other `vsn` is refused with HTTP 403,
//! any other path with 404. Connect params: `user_id=<integer>` marks the socket as an agent
//! (Papercups derives the agent from its `token`; this server has no accounts to check
//! tokens against). `--account-id ID` sets the one account every conversation belongs to.
//!
//! What it implements (PROTOCOL.md, section 6), state in memory only:
//! - `phoenix` `heartbeat` → ok reply `{}`.
//! - `conversation:{id}`: join → ok; with `customer_id` in the join params the customer is
//!   tracked (`customer:{id}`) in the conversation and in `notification:{account}`; an agent
//!   socket is tracked as `user:{id}`. The joiner gets `presence_state`, every member a
//!   `presence_diff`. `shout` → a formatted message broadcast to every member, sender
//!   included (and to `notification:{account}`), no reply; `messages:seen` → no reply;
//!   `ping` → ok reply echoing the payload.
//! - `conversation:lobby:{customer_id}` (and `conversation:lobby`): join → ok; the first time a
//!   customer joins a conversation, its lobby gets `conversation:created` `{"id": ...}`.
//! - `room:{account}` / `notification:{account}` (agents only): join → ok, `presence_state` on
//!   join and `presence_diff` on joins and leaves; on `notification:`, `shout` (with
//!   `conversation_id`) → ok reply and a formatted message broadcast to that conversation,
//!   `read` → ok reply.
//! - A join of any other topic, and any push to a topic the socket has not joined → error reply
//!   `{"reason":"unmatched topic"}` with join_ref null. `phx_leave` → ok reply, then
//!   `phx_close`.
//! - Binary pushes (V2 binary frames) are broadcast back to the topic as binary broadcasts; a
//!   binary `ping` gets a binary reply with the same bytes.
//! - A frame that does not decode is logged to stderr and closes that one socket (close code
//!   1011, as Cowboy does when a Phoenix socket process crashes on it). A socket that stops
//!   reading (1024 messages queued) is closed too, and so is one that sends nothing, not even
//!   a heartbeat, for 60 s (as Phoenix does); no socket can slow down the others.
//!
//! `--trace` logs every frame received (`<-`) and sent (`->`) to stderr. Incoming messages are
//! decoded once into [`SharedFrame`]s (the received buffer, no copy); each outgoing frame is
//! encoded once ([`FrameExt::encode_to_bytes`]) and the same buffer goes to every receiver.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use phx_codec::encode::{JsonObjectWriter, Sink, WriteJson};
use phx_codec::outgoing::JsonArray;
use phx_codec::{
    Decoder, Direction, EncodeError, Event, Frame, JsonKind, JsonStr, Payload, RawJson, Topic, Vsn,
    WireFormat,
};
use phx_codec_std::{FrameExt, SharedFrame};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio_tungstenite::tungstenite::handshake::server::{
    Callback, ErrorResponse, Request, Response,
};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Message as WsMsg, Utf8Bytes};

/// The account every conversation belongs to unless `--account-id` says otherwise.
const DEFAULT_ACCOUNT_ID: &str = "2ebbad4c-b162-4ed2-aff5-eaf9ebf469a5";

type ConnId = u64;

/// Messages queued for one socket before it counts as not keeping up.
const SEND_QUEUE: usize = 1024;

/// How long a client may take to complete the WebSocket upgrade.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// A socket that sends nothing (not even a heartbeat) for this long is closed.
const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// How long a closing socket may take to flush its queue.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

// --- Command line ------------------------------------------------------------------------------

struct Args {
    port: u16,
    account_id: String,
    trace: bool,
}

/// `--trace`: log every frame received and sent.
static TRACE: AtomicBool = AtomicBool::new(false);

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        port: 4000,
        account_id: DEFAULT_ACCOUNT_ID.to_owned(),
        trace: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" => {
                let value = it.next().ok_or("--port needs a value")?;
                args.port = value
                    .parse()
                    .map_err(|_| format!("--port: not a port number: {value:?}"))?;
            }
            "--account-id" => {
                args.account_id = it.next().ok_or("--account-id needs a value")?;
            }
            "--trace" => args.trace = true,
            "-h" | "--help" => {
                return Err(
                    "usage: papercups_server [--port PORT] [--account-id UUID] [--trace]\n\
                     serves Phoenix Channels on ws://127.0.0.1:PORT/socket/websocket?vsn=2.0.0"
                        .to_owned(),
                );
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let listener = match TcpListener::bind(("127.0.0.1", args.port)).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "papercups_server: cannot listen on 127.0.0.1:{}: {e}",
                args.port
            );
            std::process::exit(1);
        }
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("papercups_server: no local address: {e}");
            std::process::exit(1);
        }
    };
    println!("listening on {addr}");
    // Whoever started us waits for that line: make sure it is out now.
    let _ = std::io::stdout().flush();

    TRACE.store(args.trace, Ordering::Relaxed);
    let hub = Arc::new(Mutex::new(Hub::new(args.account_id)));
    let mut next_id: ConnId = 0;
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                next_id += 1;
                tokio::spawn(serve(stream, peer, next_id, Arc::clone(&hub)));
            }
            Err(e) => eprintln!("papercups_server: accept failed: {e}"),
        }
    }
}

// --- One connection ----------------------------------------------------------------------------

/// What the HTTP upgrade request said.
struct Handshake {
    vsn: Vsn,
    user_id: Option<i64>,
}

/// Why an upgrade request is refused: the HTTP status and a short text.
type Refusal = (StatusCode, &'static str);

/// Checks the path and `vsn` as Phoenix does, and reads the connect params.
fn check_request(request: &Request) -> Result<Handshake, Refusal> {
    let uri = request.uri();
    if uri.path() != "/socket/websocket" {
        return Err((StatusCode::NOT_FOUND, "no socket at this path"));
    }
    let params = query_params(uri.query().unwrap_or(""));
    let param = |name: &str| {
        params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(vsn) = Vsn::from_query(param("vsn")) else {
        return Err((StatusCode::FORBIDDEN, "unsupported vsn"));
    };
    let user_id = match param("user_id") {
        None | Some("") => None,
        Some(text) => Some(
            text.parse::<i64>()
                .map_err(|_| (StatusCode::FORBIDDEN, "user_id must be an integer"))?,
        ),
    };
    Ok(Handshake { vsn, user_id })
}

/// The upgrade callback: refuses bad requests, keeps what a good one said.
struct Upgrade<'h> {
    id: ConnId,
    handshake: &'h mut Option<Handshake>,
}

impl Callback for Upgrade<'_> {
    fn on_request(self, request: &Request, response: Response) -> Result<Response, ErrorResponse> {
        match check_request(request) {
            Ok(handshake) => {
                *self.handshake = Some(handshake);
                Ok(response)
            }
            Err((status, why)) => {
                eprintln!(
                    "conn {}: refused {}: {status} {why}",
                    self.id,
                    request.uri()
                );
                let mut refusal = ErrorResponse::new(Some(why.to_owned()));
                *refusal.status_mut() = status;
                Err(refusal)
            }
        }
    }
}

async fn serve(stream: TcpStream, peer: SocketAddr, id: ConnId, hub: Arc<Mutex<Hub>>) {
    let mut handshake = None;
    let callback = Upgrade {
        id,
        handshake: &mut handshake,
    };
    let upgrade = tokio_tungstenite::accept_hdr_async(stream, callback);
    let ws = match tokio::time::timeout(HANDSHAKE_LIMIT, upgrade).await {
        Ok(Ok(ws)) => ws,
        Ok(Err(e)) => {
            eprintln!("conn {id}: handshake with {peer} failed: {e}");
            return;
        }
        Err(_) => {
            eprintln!("conn {id}: no WebSocket handshake from {peer} within {HANDSHAKE_LIMIT:?}");
            return;
        }
    };
    let Some(Handshake { vsn, user_id }) = handshake else {
        return;
    };
    eprintln!(
        "conn {id}: connected from {peer} (vsn {}, {})",
        vsn.as_str(),
        user_id.map_or_else(|| "customer".to_owned(), |u| format!("agent user_id {u}"))
    );

    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::channel::<WsMsg>(SEND_QUEUE);
    let writer = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            trace(id, "->", &message);
            let closing = matches!(message, WsMsg::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let conn = Conn::new(tx, vsn, user_id);
    let fell_behind = Arc::clone(&conn.fell_behind);
    lock(&hub).connect(id, conn);

    let decoder = Decoder::new(vsn, Direction::FromClient);
    loop {
        let received = tokio::select! {
            received = tokio::time::timeout(IDLE_LIMIT, stream.next()) => match received {
                Ok(Some(received)) => received,
                Ok(None) => break,
                Err(_) => {
                    // Phoenix closes sockets that stop sending (no heartbeat) after 60 s.
                    eprintln!("conn {id}: nothing received for {IDLE_LIMIT:?}, closing the socket");
                    lock(&hub).close(id, CloseCode::Normal, "idle");
                    break;
                }
            },
            () = fell_behind.notified() => {
                eprintln!("conn {id}: {SEND_QUEUE} messages queued and unread, closing the socket");
                break;
            }
        };
        if let Ok(message) = &received {
            trace(id, "<-", message);
        }
        // Decoded once into a SharedFrame that keeps the received buffer (no copy).
        let decoded = match received {
            Ok(WsMsg::Text(text)) => SharedFrame::from_text(Bytes::from(text), &decoder),
            Ok(WsMsg::Binary(bytes)) => SharedFrame::from_binary(bytes, &decoder),
            Ok(WsMsg::Close(_)) => break,
            // tungstenite answers pings itself.
            Ok(WsMsg::Ping(_) | WsMsg::Pong(_) | WsMsg::Frame(_)) => continue,
            Err(e) => {
                eprintln!("conn {id}: read error: {e}");
                break;
            }
        };
        match decoded {
            Ok(frame) => lock(&hub).handle(id, &frame.frame()),
            Err(e) => {
                // Phoenix does not catch decode errors: the socket process crashes and Cowboy
                // closes with 1011. Do the same, for this connection only.
                eprintln!(
                    "conn {id}: malformed frame, closing the socket: {e} ({} at byte {})",
                    e.kind.name(),
                    e.offset
                );
                lock(&hub).close(id, CloseCode::Error, "malformed frame");
                break;
            }
        }
    }
    lock(&hub).disconnect(id);
    // Let the writer flush what is queued (a close frame, say), but never wait on a peer
    // that does not read.
    let mut writer = writer;
    if tokio::time::timeout(CLOSE_GRACE, &mut writer)
        .await
        .is_err()
    {
        writer.abort();
    }
    eprintln!("conn {id}: closed");
}

fn trace(id: ConnId, direction: &str, message: &WsMsg) {
    if !TRACE.load(Ordering::Relaxed) {
        return;
    }
    match message {
        WsMsg::Text(text) => eprintln!("conn {id} {direction} {}", text.as_str()),
        WsMsg::Binary(bytes) => {
            let mut hex = String::with_capacity(bytes.len() * 3);
            for b in bytes.iter().take(64) {
                let _ = write!(hex, " {b:02x}");
            }
            let more = if bytes.len() > 64 { " ..." } else { "" };
            eprintln!(
                "conn {id} {direction} binary {} bytes:{hex}{more}",
                bytes.len()
            );
        }
        other => eprintln!("conn {id} {direction} {other:?}"),
    }
}

fn lock(hub: &Mutex<Hub>) -> MutexGuard<'_, Hub> {
    // A panic while holding the lock is a bug we want to survive, not to spread.
    hub.lock().unwrap_or_else(PoisonError::into_inner)
}

// --- Shared state --------------------------------------------------------------------------------

struct Conn {
    tx: mpsc::Sender<WsMsg>,
    /// Notified once when the send queue is full: the peer does not keep up, and its socket
    /// is closed rather than let it hold memory or slow anyone else down.
    fell_behind: Arc<Notify>,
    vsn: Vsn,
    /// Set for agents (connect param `user_id`).
    user_id: Option<i64>,
    /// Joined topics.
    channels: HashMap<String, Joined>,
}

impl Conn {
    fn new(tx: mpsc::Sender<WsMsg>, vsn: Vsn, user_id: Option<i64>) -> Self {
        Self {
            tx,
            fell_behind: Arc::new(Notify::new()),
            vsn,
            user_id,
            channels: HashMap::new(),
        }
    }

    fn send(&self, message: WsMsg) {
        // A closed queue means the connection is going away; its cleanup follows.
        if let Err(TrySendError::Full(_)) = self.tx.try_send(message) {
            self.fell_behind.notify_one();
        }
    }
}

/// A joined channel.
#[derive(Clone)]
struct Joined {
    /// The ref of the `phx_join` that opened it.
    join_ref: Option<String>,
    /// The `customer_id` join param (the widget's conversation channel).
    customer_id: Option<String>,
}

/// Who is tracked: Papercups tracks customers by their UUID and agents by their integer id.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Identity {
    Customer(String),
    User(i64),
}

impl Identity {
    fn key(&self) -> String {
        match self {
            Self::Customer(id) => format!("customer:{id}"),
            Self::User(id) => format!("user:{id}"),
        }
    }
}

/// One presence meta, as Phoenix.Presence sends it.
struct Meta {
    phx_ref: String,
    online_at: String,
    who: Identity,
}

/// Keys in Jason's (alphabetical) order.
impl WriteJson for Meta {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        if let Identity::Customer(id) = &self.who {
            obj.member("customer_id", id.as_str())?;
        }
        obj.member("online_at", self.online_at.as_str())?;
        obj.member("phx_ref", self.phx_ref.as_str())?;
        if let Identity::User(id) = &self.who {
            obj.member("user_id", id)?;
        }
        obj.finish()
    }
}

/// A presence tracked on `topic` for as long as channel `owner` (a connection and the topic it
/// joined) lives.
struct Tracked {
    topic: String,
    key: String,
    meta: Meta,
    owner: (ConnId, String),
}

struct Hub {
    account_id: String,
    conns: HashMap<ConnId, Conn>,
    /// Topic → connections that joined it.
    members: HashMap<String, Vec<ConnId>>,
    presences: Vec<Tracked>,
    conversations: HashSet<String>,
    ids: IdSource,
}

/// A text frame to send: encoded once per serializer version, then shared by every receiver
/// (`Utf8Bytes` clones are reference-counted).
struct Outgoing<'p> {
    join_ref: Option<&'p str>,
    reference: Option<&'p str>,
    topic: &'p str,
    event: &'p str,
    payload: &'p str,
    v2: Option<WsMsg>,
    v1: Option<WsMsg>,
}

impl<'p> Outgoing<'p> {
    fn new(topic: &'p str, event: &'p str, payload: &'p str) -> Self {
        Self {
            join_ref: None,
            reference: None,
            topic,
            event,
            payload,
            v2: None,
            v1: None,
        }
    }

    fn refs(mut self, join_ref: Option<&'p str>, reference: Option<&'p str>) -> Self {
        self.join_ref = join_ref;
        self.reference = reference;
        self
    }

    fn message(&mut self, vsn: Vsn) -> Option<WsMsg> {
        let (join_ref, reference) = (self.join_ref, self.reference);
        let (topic, event, payload) = (self.topic, self.event, self.payload);
        let slot = match vsn {
            Vsn::V2 => &mut self.v2,
            Vsn::V1 => &mut self.v1,
        };
        if slot.is_none() {
            match encode_text(vsn, join_ref, reference, topic, event, payload) {
                Ok(message) => *slot = Some(message),
                Err(why) => eprintln!("cannot encode {event} on {topic}: {why}"),
            }
        }
        slot.clone()
    }
}

fn encode_text(
    vsn: Vsn,
    join_ref: Option<&str>,
    reference: Option<&str>,
    topic: &str,
    event: &str,
    payload: &str,
) -> Result<WsMsg, String> {
    let payload = RawJson::parse(payload).map_err(|e| e.to_string())?;
    // Phoenix's V1 serializer writes topic, event, payload and ref only; the core's
    // `encode_v1` adds join_ref when the frame has one, so leave it out here.
    let join_ref = join_ref.filter(|_| vsn == Vsn::V2);
    let frame = Frame::new(
        join_ref.map(JsonStr::literal),
        reference.map(JsonStr::literal),
        JsonStr::literal(topic),
        JsonStr::literal(event),
        Payload::Json(payload),
    );
    let format = match vsn {
        Vsn::V2 => WireFormat::V2,
        Vsn::V1 => WireFormat::V1,
    };
    let bytes = frame
        .encode_to_bytes(format, Direction::FromServer)
        .map_err(|e| e.to_string())?;
    Utf8Bytes::try_from(bytes)
        .map(WsMsg::Text)
        .map_err(|e| e.to_string())
}

/// Writes any [`WriteJson`] value into a JSON string.
fn json<W: WriteJson + ?Sized>(value: &W) -> String {
    let mut out = Vec::with_capacity(value.json_len());
    if let Err(e) = value.write_json(&mut out) {
        eprintln!("cannot write JSON: {e}");
    }
    String::from_utf8(out).unwrap_or_default()
}

/// `{}`.
struct EmptyObject;

impl WriteJson for EmptyObject {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        JsonObjectWriter::new(out)?.finish()
    }
}

/// `{"reason": ...}`, the payload of join errors.
struct Reason<'a>(&'a str);

impl WriteJson for Reason<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("reason", self.0)?;
        obj.finish()
    }
}

/// A reply payload `{"response": ..., "status": ...}` (Jason's key order).
struct ReplyPayload<'a, R> {
    status: &'a str,
    response: R,
}

impl<R: WriteJson> WriteJson for ReplyPayload<'_, R> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("response", &self.response)?;
        obj.member("status", self.status)?;
        obj.finish()
    }
}

/// `{KEY: {"metas": [META, ...]}, ...}`, keys in first-tracked order.
struct PresenceMap<'a>(Vec<(&'a str, Vec<&'a Meta>)>);

impl<'a> PresenceMap<'a> {
    fn of(tracked: impl IntoIterator<Item = &'a Tracked>) -> Self {
        let mut map: Vec<(&'a str, Vec<&'a Meta>)> = Vec::new();
        for t in tracked {
            match map.iter_mut().find(|(key, _)| *key == t.key) {
                Some((_, metas)) => metas.push(&t.meta),
                None => map.push((&t.key, vec![&t.meta])),
            }
        }
        Self(map)
    }
}

impl WriteJson for PresenceMap<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        struct Entry<'e>(&'e [&'e Meta]);
        impl WriteJson for Entry<'_> {
            fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
                let mut obj = JsonObjectWriter::new(out)?;
                obj.member("metas", &JsonArray(self.0))?;
                obj.finish()
            }
        }
        let mut obj = JsonObjectWriter::new(out)?;
        for (key, metas) in &self.0 {
            obj.member(key, &Entry(metas))?;
        }
        obj.finish()
    }
}

/// `{"joins": {...}, "leaves": {...}}`.
struct PresenceDiff<'a> {
    joins: PresenceMap<'a>,
    leaves: PresenceMap<'a>,
}

impl WriteJson for PresenceDiff<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("joins", &self.joins)?;
        obj.member("leaves", &self.leaves)?;
        obj.finish()
    }
}

/// The sender of a chat message.
enum Author<'a> {
    Customer(Option<&'a str>),
    Agent(i64),
}

/// A message formatted as Papercups' `Messages.Helpers.format/1` does (the fields this server
/// knows), keys in Jason's order.
struct ChatMessage<'a> {
    id: &'a str,
    account_id: &'a str,
    conversation_id: &'a str,
    author: Author<'a>,
    body: Option<RawJson<'a>>,
    metadata: Option<RawJson<'a>>,
    private: bool,
    sent_at: Option<RawJson<'a>>,
    created_at: &'a str,
    now: &'a str,
}

impl WriteJson for ChatMessage<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        struct Person<'p>(&'p Author<'p>);
        impl WriteJson for Person<'_> {
            fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
                let mut obj = JsonObjectWriter::new(out)?;
                match self.0 {
                    Author::Customer(id) => {
                        obj.member("id", id)?;
                        obj.member("object", "customer")?;
                    }
                    Author::Agent(id) => {
                        obj.member("id", id)?;
                        obj.member("object", "user")?;
                    }
                }
                obj.finish()
            }
        }
        let no_attachments: &[EmptyObject] = &[];
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("account_id", self.account_id)?;
        obj.member("attachments", &JsonArray(no_attachments))?;
        obj.member("body", &self.body)?;
        obj.member("content_type", "text")?;
        obj.member("conversation_id", self.conversation_id)?;
        obj.member("created_at", self.created_at)?;
        // Papercups leaves `customer` out of agent messages (not null).
        if let Author::Customer(_) = self.author {
            obj.member("customer", &Person(&self.author))?;
        }
        match self.author {
            Author::Customer(id) => obj.member("customer_id", &id)?,
            Author::Agent(_) => obj.member("customer_id", &None::<&str>)?,
        }
        obj.member("id", self.id)?;
        obj.member("metadata", &self.metadata)?;
        obj.member("object", "message")?;
        obj.member("private", &self.private)?;
        obj.member("seen_at", &None::<&str>)?;
        match self.sent_at {
            Some(sent_at) => obj.member("sent_at", &sent_at)?,
            None => obj.member("sent_at", self.now)?,
        }
        obj.member("source", "chat")?;
        obj.member("type", "reply")?;
        match self.author {
            Author::Customer(_) => {
                obj.member("user", &None::<&str>)?;
                obj.member("user_id", &None::<i64>)?;
            }
            Author::Agent(id) => {
                obj.member("user", &Person(&self.author))?;
                obj.member("user_id", &id)?;
            }
        }
        obj.finish()
    }
}

/// `{"id": ...}`, the payload of `conversation:created`.
struct IdPayload<'a>(&'a str);

impl WriteJson for IdPayload<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        let mut obj = JsonObjectWriter::new(out)?;
        obj.member("id", self.0)?;
        obj.finish()
    }
}

/// The refs of the push being handled.
#[derive(Clone, Copy)]
struct Push<'f> {
    conn: ConnId,
    join_ref: Option<&'f str>,
    reference: Option<&'f str>,
    topic: &'f str,
}

const UNMATCHED_TOPIC: Reason<'static> = Reason("unmatched topic");

impl Hub {
    fn new(account_id: String) -> Self {
        Self {
            account_id,
            conns: HashMap::new(),
            members: HashMap::new(),
            presences: Vec::new(),
            conversations: HashSet::new(),
            ids: IdSource::new(),
        }
    }

    fn connect(&mut self, id: ConnId, conn: Conn) {
        self.conns.insert(id, conn);
    }

    /// Sends a close frame; the connection's task then ends and calls [`Hub::disconnect`].
    fn close(&self, id: ConnId, code: CloseCode, reason: &str) {
        if let Some(conn) = self.conns.get(&id) {
            conn.send(WsMsg::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })));
        }
    }

    /// Forgets a connection: leaves its channels (presence leaves go to the others).
    fn disconnect(&mut self, id: ConnId) {
        let topics: Vec<String> = self
            .conns
            .get(&id)
            .map(|c| c.channels.keys().cloned().collect())
            .unwrap_or_default();
        for topic in topics {
            self.remove_channel(id, &topic);
        }
        self.conns.remove(&id);
    }

    fn send_to(&self, id: ConnId, out: &mut Outgoing<'_>) {
        if let Some(conn) = self.conns.get(&id)
            && let Some(message) = out.message(conn.vsn)
        {
            conn.send(message);
        }
    }

    fn reply<R: WriteJson>(
        &self,
        push: Push<'_>,
        join_ref: Option<&str>,
        status: &str,
        response: R,
    ) {
        let payload = json(&ReplyPayload { status, response });
        let mut out =
            Outgoing::new(push.topic, "phx_reply", &payload).refs(join_ref, push.reference);
        self.send_to(push.conn, &mut out);
    }

    /// A server push to one channel: `[join_ref, null, topic, event, payload]`.
    fn push_to(&self, id: ConnId, join_ref: Option<&str>, topic: &str, event: &str, payload: &str) {
        let mut out = Outgoing::new(topic, event, payload).refs(join_ref, None);
        self.send_to(id, &mut out);
    }

    /// `[null, null, topic, event, payload]` to every member of `topic`.
    fn broadcast(&self, topic: &str, event: &str, payload: &str) {
        let mut out = Outgoing::new(topic, event, payload);
        for &id in self.members.get(topic).into_iter().flatten() {
            self.send_to(id, &mut out);
        }
    }

    /// A binary broadcast (kind 2) to every V2 member of `topic`.
    fn broadcast_binary(&self, topic: &str, event: &str, bytes: &[u8]) {
        let frame = Frame::new(
            None,
            None,
            JsonStr::literal(topic),
            JsonStr::literal(event),
            Payload::Binary(bytes),
        );
        // One encoding, shared (reference-counted) by every receiver.
        let message = match frame.encode_to_bytes(WireFormat::Binary, Direction::FromServer) {
            Ok(bytes) => WsMsg::Binary(bytes),
            Err(e) => {
                eprintln!("cannot encode binary {event} on {topic}: {e}");
                return;
            }
        };
        for id in self.members.get(topic).into_iter().flatten() {
            match self.conns.get(id) {
                Some(conn) if conn.vsn == Vsn::V2 => conn.send(message.clone()),
                Some(_) => eprintln!("conn {id}: V1 has no binary frames; dropping {event}"),
                None => {}
            }
        }
    }

    fn joined(&self, id: ConnId, topic: &str) -> Option<Joined> {
        self.conns.get(&id)?.channels.get(topic).cloned()
    }

    fn handle(&mut self, id: ConnId, frame: &Frame<'_>) {
        let topic = frame.topic().to_cow();
        let join_ref = frame.join_ref().map(|r| r.to_cow());
        let reference = frame.reference().map(|r| r.to_cow());
        let push = Push {
            conn: id,
            join_ref: join_ref.as_deref(),
            reference: reference.as_deref(),
            topic: &topic,
        };
        let event = frame.event_kind();
        match (frame.topic_kind(), event) {
            (Topic::Phoenix, Event::Heartbeat) => self.reply(push, None, "ok", EmptyObject),
            (_, Event::Join) => self.join(push, frame.payload_json()),
            _ => match self.joined(id, &topic) {
                None => {
                    eprintln!("conn {id}: {} on unjoined topic {topic}", frame.event());
                    self.reply(push, None, "error", UNMATCHED_TOPIC);
                }
                Some(Joined {
                    join_ref: current, ..
                }) => {
                    if event == Event::Leave {
                        self.reply(push, current.as_deref(), "ok", EmptyObject);
                        self.push_closed(id, current.as_deref(), &topic);
                        self.remove_channel(id, &topic);
                    } else {
                        self.handle_in(push, current.as_deref(), frame);
                    }
                }
            },
        }
    }

    /// `phx_close` with join_ref and ref both the join's ref.
    fn push_closed(&self, id: ConnId, join_ref: Option<&str>, topic: &str) {
        let payload = json(&EmptyObject);
        let mut out = Outgoing::new(topic, "phx_close", &payload).refs(join_ref, join_ref);
        self.send_to(id, &mut out);
    }

    fn join(&mut self, push: Push<'_>, params: Option<RawJson<'_>>) {
        let Push { conn, topic, .. } = push;
        let Some(user_id) = self.conns.get(&conn).map(|c| c.user_id) else {
            return;
        };
        if let Some(Joined { join_ref: old, .. }) = self.joined(conn, topic) {
            // A duplicate join replaces the channel, as Phoenix does.
            eprintln!("conn {conn}: duplicate join of {topic}, closing the old channel");
            self.push_closed(conn, old.as_deref(), topic);
            self.remove_channel(conn, topic);
        }
        let agent = user_id.map(Identity::User);
        match Topic::parse(JsonStr::literal(topic)) {
            Topic::Conversation { id } => {
                let customer = params
                    .and_then(|p| p.get("customer_id"))
                    .and_then(|c| c.as_json_str())
                    .map(JsonStr::into_string);
                self.add_member(push, customer.clone());
                self.reply(push, push.join_ref, "ok", EmptyObject);
                let who = customer.clone().map(Identity::Customer).or(agent);
                self.track_and_sync(push, who.clone());
                if let Some(Identity::Customer(customer)) = &who {
                    // Papercups also shows the customer online in the account's dashboard.
                    let notification = format!("notification:{}", self.account_id);
                    self.track(&notification, who.clone(), (conn, topic.to_owned()));
                    let state = json(&PresenceMap::of(self.tracked_on(&notification)));
                    self.broadcast(&notification, "presence_state", &state);
                    if self.conversations.insert(id.into_string()) {
                        let lobby = format!("conversation:lobby:{customer}");
                        self.broadcast(&lobby, "conversation:created", &json(&IdPayload(id.raw())));
                    }
                }
            }
            Topic::ConversationLobby { .. } => {
                self.add_member(push, None);
                self.reply(push, push.join_ref, "ok", EmptyObject);
            }
            Topic::Room { .. } | Topic::Notification { .. } => {
                if agent.is_none() && topic.starts_with("notification:") {
                    self.reply(push, push.join_ref, "error", Reason("unauthorized"));
                    return;
                }
                self.add_member(push, None);
                self.reply(push, push.join_ref, "ok", EmptyObject);
                self.track_and_sync(push, agent);
            }
            _ => {
                eprintln!("conn {conn}: join of unmatched topic {topic}");
                self.reply(push, None, "error", UNMATCHED_TOPIC);
            }
        }
    }

    fn add_member(&mut self, push: Push<'_>, customer_id: Option<String>) {
        if let Some(conn) = self.conns.get_mut(&push.conn) {
            let joined = Joined {
                join_ref: push.join_ref.map(str::to_owned),
                customer_id,
            };
            conn.channels.insert(push.topic.to_owned(), joined);
        }
        self.members
            .entry(push.topic.to_owned())
            .or_default()
            .push(push.conn);
    }

    /// Tracks `who` (if anyone) on the joined topic, then sends the joiner `presence_state`
    /// and every member the `presence_diff`.
    fn track_and_sync(&mut self, push: Push<'_>, who: Option<Identity>) {
        let before = self.presences.len();
        self.track_quietly(push.topic, who, (push.conn, push.topic.to_owned()));
        let state = json(&PresenceMap::of(self.tracked_on(push.topic)));
        self.push_to(
            push.conn,
            push.join_ref,
            push.topic,
            "presence_state",
            &state,
        );
        if let Some(tracked) = self.presences.get(before) {
            let diff = json(&PresenceDiff {
                joins: PresenceMap::of([tracked]),
                leaves: PresenceMap(Vec::new()),
            });
            self.broadcast(push.topic, "presence_diff", &diff);
        }
    }

    /// Tracks `who` on `topic` and broadcasts the join diff there.
    fn track(&mut self, topic: &str, who: Option<Identity>, owner: (ConnId, String)) {
        let before = self.presences.len();
        self.track_quietly(topic, who, owner);
        if let Some(tracked) = self.presences.get(before) {
            let diff = json(&PresenceDiff {
                joins: PresenceMap::of([tracked]),
                leaves: PresenceMap(Vec::new()),
            });
            self.broadcast(topic, "presence_diff", &diff);
        }
    }

    fn track_quietly(&mut self, topic: &str, who: Option<Identity>, owner: (ConnId, String)) {
        let Some(who) = who else {
            return;
        };
        let meta = Meta {
            phx_ref: self.ids.phx_ref(),
            online_at: unix_seconds().to_string(),
            who,
        };
        self.presences.push(Tracked {
            topic: topic.to_owned(),
            key: meta.who.key(),
            meta,
            owner,
        });
    }

    fn tracked_on<'s>(&'s self, topic: &'s str) -> impl Iterator<Item = &'s Tracked> + 's {
        self.presences.iter().filter(move |t| t.topic == topic)
    }

    /// The channel `topic` of `id` is gone: drop the membership and untrack what it tracked,
    /// telling the remaining members.
    fn remove_channel(&mut self, id: ConnId, topic: &str) {
        if let Some(conn) = self.conns.get_mut(&id) {
            conn.channels.remove(topic);
        }
        if let Some(members) = self.members.get_mut(topic) {
            members.retain(|&m| m != id);
            if members.is_empty() {
                self.members.remove(topic);
            }
        }
        let (gone, kept): (Vec<Tracked>, Vec<Tracked>) = std::mem::take(&mut self.presences)
            .into_iter()
            .partition(|t| t.owner.0 == id && t.owner.1 == topic);
        self.presences = kept;
        for tracked in &gone {
            let diff = json(&PresenceDiff {
                joins: PresenceMap(Vec::new()),
                leaves: PresenceMap::of([tracked]),
            });
            self.broadcast(&tracked.topic, "presence_diff", &diff);
        }
    }

    /// A push on a joined channel.
    fn handle_in(&mut self, push: Push<'_>, join_ref: Option<&str>, frame: &Frame<'_>) {
        let event = frame.event_kind();
        let event_name = frame.event().to_cow();
        match frame.payload() {
            Payload::Binary(bytes) if event == Event::Ping => {
                let reply = Frame::new(
                    join_ref.map(JsonStr::literal),
                    push.reference.map(JsonStr::literal),
                    JsonStr::literal(push.topic),
                    JsonStr::literal("phx_reply"),
                    Payload::BinaryReply {
                        status: JsonStr::literal("ok"),
                        response: bytes,
                    },
                );
                match reply.encode_to_bytes(WireFormat::Binary, Direction::FromServer) {
                    Ok(bytes) => {
                        if let Some(conn) = self.conns.get(&push.conn) {
                            conn.send(WsMsg::Binary(bytes));
                        }
                    }
                    Err(e) => eprintln!("cannot encode binary reply on {}: {e}", push.topic),
                }
            }
            Payload::Binary(bytes) => self.broadcast_binary(push.topic, &event_name, bytes),
            Payload::BinaryReply { .. } => {
                eprintln!("conn {}: a client cannot send a reply; ignored", push.conn);
            }
            Payload::Json(payload) => self.handle_json(push, join_ref, event, payload),
        }
    }

    fn handle_json(
        &mut self,
        push: Push<'_>,
        join_ref: Option<&str>,
        event: Event<'_>,
        payload: RawJson<'_>,
    ) {
        let topic = push.topic;
        let user_id = self.conns.get(&push.conn).and_then(|c| c.user_id);
        match (Topic::parse(JsonStr::literal(topic)), event) {
            (_, Event::Ping) => self.reply(push, join_ref, "ok", payload),
            (Topic::Conversation { id }, Event::Shout) => {
                let joined = self.joined(push.conn, topic).and_then(|j| j.customer_id);
                let author = match user_id {
                    Some(user) => Author::Agent(user),
                    None => Author::Customer(joined.as_deref()),
                };
                self.shout(id.raw(), author, payload);
            }
            (Topic::Conversation { id }, Event::MessagesSeen) => {
                // Papercups marks the agents' messages seen and does not reply.
                eprintln!("conn {}: messages seen in conversation {id}", push.conn);
            }
            (Topic::Notification { .. }, Event::Shout) => {
                let conversation = payload
                    .get("conversation_id")
                    .and_then(|c| c.as_json_str())
                    .map(JsonStr::into_string);
                match (conversation, user_id) {
                    (Some(conversation), Some(user)) => {
                        self.reply(push, join_ref, "ok", EmptyObject);
                        self.shout(&conversation, Author::Agent(user), payload);
                    }
                    _ => self.reply(push, join_ref, "error", Reason("conversation_id required")),
                }
            }
            (Topic::Notification { .. }, Event::Read) => {
                self.reply(push, join_ref, "ok", EmptyObject);
            }
            _ => {
                eprintln!(
                    "conn {}: no handler for {} on {topic}",
                    push.conn,
                    event.name()
                );
                self.reply(push, join_ref, "error", Reason("unhandled event"));
            }
        }
    }

    /// Formats the pushed message and broadcasts it to the conversation and the account's
    /// notification topic. A payload that is not a message is re-broadcast as it came (as
    /// Papercups does when saving fails).
    fn shout(&mut self, conversation_id: &str, author: Author<'_>, payload: RawJson<'_>) {
        let conversation_topic = format!("conversation:{conversation_id}");
        let body = payload.get("body");
        let is_message = payload.kind() == JsonKind::Object
            && body.is_some_and(|b| matches!(b.kind(), JsonKind::String | JsonKind::Null));
        if !is_message {
            self.broadcast(&conversation_topic, "shout", payload.as_str());
            return;
        }
        let customer_id = payload.get("customer_id").and_then(|c| c.as_json_str());
        let customer_id = customer_id.map(|c| c.to_cow());
        let author = match author {
            // The payload's customer_id, else the one the channel joined with.
            Author::Customer(joined) => Author::Customer(customer_id.as_deref().or(joined)),
            agent @ Author::Agent(_) => agent,
        };
        let sent_at = payload
            .get("sent_at")
            .filter(|s| s.kind() == JsonKind::String);
        let private = payload.get("private").and_then(|p| p.as_bool()) == Some(true);
        let id = self.ids.uuid();
        let now = unix_seconds();
        let created_at = iso8601(now);
        let now_z = format!("{created_at}Z");
        let message = ChatMessage {
            id: &id,
            account_id: &self.account_id,
            conversation_id,
            author,
            body,
            metadata: payload
                .get("metadata")
                .filter(|m| m.kind() == JsonKind::Object),
            private,
            sent_at,
            created_at: &created_at,
            now: &now_z,
        };
        let message = json(&message);
        self.broadcast(&conversation_topic, "shout", &message);
        let notification = format!("notification:{}", self.account_id);
        self.broadcast(&notification, "shout", &message);
    }
}

// --- Ids and clocks ------------------------------------------------------------------------------

/// Unique-enough ids for messages and presence refs (SplitMix64 seeded from the clock).
struct IdSource(u64);

impl IdSource {
    fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        #[allow(clippy::cast_possible_truncation)] // only the low bits matter for a seed
        Self(nanos as u64 ^ u64::from(std::process::id()))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A random (version 4) UUID.
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    /// A short URL-safe base64 string, like Phoenix's `phx_ref`s.
    fn phx_ref(&mut self) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut bits = self.next();
        let mut out = String::with_capacity(11);
        for _ in 0..11 {
            let digit = usize::try_from(bits & 63).unwrap_or(0);
            out.push(char::from(ALPHABET.get(digit).copied().unwrap_or(b'A')));
            bits >>= 6;
        }
        out
    }
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC, no zone), as Papercups writes `created_at`.
fn iso8601(unix: u64) -> String {
    let days = i64::try_from(unix / 86_400).unwrap_or(0);
    let secs = unix % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut out = String::with_capacity(19);
    let _ = write!(
        out,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    out
}

// --- Query strings ---------------------------------------------------------------------------------

/// `a=1&b=x%20y` → `[("a", "1"), ("b", "x y")]`.
fn query_params(query: &str) -> Vec<(String, String)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use phx_codec::WsMessage;
    use phx_codec::binary::{self, BinaryKind};
    use phx_codec_std::PresenceTracker;
    use serde_json::{Value, json};

    const ACCOUNT: &str = "acc-1";

    struct Client {
        id: ConnId,
        vsn: Vsn,
        rx: mpsc::Receiver<WsMsg>,
    }

    impl Client {
        fn connect(hub: &mut Hub, id: ConnId, vsn: Vsn, user_id: Option<i64>) -> Self {
            let (tx, rx) = mpsc::channel(SEND_QUEUE);
            hub.connect(id, Conn::new(tx, vsn, user_id));
            Self { id, vsn, rx }
        }

        fn send(&self, hub: &mut Hub, text: &str) {
            let frame = Decoder::new(self.vsn, Direction::FromClient)
                .decode(WsMessage::Text(text.as_bytes()))
                .unwrap();
            hub.handle(self.id, &frame);
        }

        fn send_binary(&self, hub: &mut Hub, bytes: &[u8]) {
            let frame = binary::decode_from_client(bytes).unwrap();
            hub.handle(self.id, &frame);
        }

        /// Everything sent to this client since the last call.
        fn received(&mut self) -> Vec<WsMsg> {
            let mut out = Vec::new();
            while let Ok(message) = self.rx.try_recv() {
                out.push(message);
            }
            out
        }

        fn texts(&mut self) -> Vec<String> {
            self.received()
                .into_iter()
                .map(|m| match m {
                    WsMsg::Text(text) => text.as_str().to_owned(),
                    other => panic!("expected a text message, got {other:?}"),
                })
                .collect()
        }

        /// Received V2 frames as `[join_ref, ref, topic, event, payload]` values.
        fn frames(&mut self) -> Vec<Value> {
            self.texts()
                .iter()
                .map(|t| serde_json::from_str(t).unwrap())
                .collect()
        }
    }

    fn events(frames: &[Value]) -> Vec<&str> {
        frames.iter().map(|f| f[3].as_str().unwrap()).collect()
    }

    fn binary_push(
        join_ref: &str,
        reference: &str,
        topic: &str,
        event: &str,
        body: &[u8],
    ) -> Vec<u8> {
        let frame = Frame::new(
            Some(join_ref.into()),
            Some(reference.into()),
            topic.into(),
            event.into(),
            Payload::Binary(body),
        );
        let mut out = Vec::new();
        frame
            .encode_binary(Direction::FromClient, &mut out)
            .unwrap();
        out
    }

    #[test]
    fn heartbeat_gets_an_empty_ok_reply_with_null_join_ref() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V2, None);
        c.send(&mut hub, r#"[null,"5","phoenix","heartbeat",{}]"#);
        assert_eq!(
            c.texts(),
            [r#"[null,"5","phoenix","phx_reply",{"response":{},"status":"ok"}]"#]
        );
    }

    #[test]
    fn v1_replies_are_objects_without_join_ref() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V1, None);
        c.send(
            &mut hub,
            r#"{"topic":"conversation:c","event":"phx_join","payload":{},"ref":"1","join_ref":"1"}"#,
        );
        assert_eq!(
            c.texts(),
            [
                r#"{"topic":"conversation:c","event":"phx_reply","payload":{"response":{},"status":"ok"},"ref":"1"}"#,
                r#"{"topic":"conversation:c","event":"presence_state","payload":{},"ref":null}"#,
            ]
        );
    }

    #[test]
    fn join_of_an_unknown_topic_is_refused_with_null_join_ref() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V2, None);
        c.send(&mut hub, r#"["3","3","nowhere:1","phx_join",{}]"#);
        assert_eq!(
            c.texts(),
            [
                r#"[null,"3","nowhere:1","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}]"#
            ]
        );
    }

    #[test]
    fn a_push_to_an_unjoined_topic_gets_unmatched_topic() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V2, None);
        c.send(
            &mut hub,
            r#"["3","4","conversation:c","shout",{"body":"hi"}]"#,
        );
        let frames = c.frames();
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0][0], Value::Null);
        assert_eq!(frames[0][4]["response"]["reason"], "unmatched topic");
    }

    #[test]
    fn customer_join_replies_then_sends_presence_state_then_diff() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V2, None);
        c.send(
            &mut hub,
            r#"["1","1","conversation:c","phx_join",{"customer_id":"cus"}]"#,
        );
        let frames = c.frames();
        assert_eq!(
            events(&frames),
            ["phx_reply", "presence_state", "presence_diff"]
        );
        let state = &frames[1];
        assert_eq!(state[0], "1", "presence_state carries the join's ref");
        assert_eq!(state[1], Value::Null);
        let meta = &state[4]["customer:cus"]["metas"][0];
        assert_eq!(meta["customer_id"], "cus");
        assert!(
            meta["online_at"]
                .as_str()
                .unwrap()
                .bytes()
                .all(|b| b.is_ascii_digit())
        );
        let diff = &frames[2][4];
        assert_eq!(diff["joins"]["customer:cus"]["metas"][0], *meta);
        assert_eq!(diff["leaves"], json!({}));
    }

    #[test]
    fn shout_reaches_every_member_including_the_sender_without_a_reply() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut customer = Client::connect(&mut hub, 1, Vsn::V2, None);
        let mut agent = Client::connect(&mut hub, 2, Vsn::V2, Some(7));
        customer.send(
            &mut hub,
            r#"["1","1","conversation:c","phx_join",{"customer_id":"cus"}]"#,
        );
        agent.send(&mut hub, r#"["1","1","conversation:c","phx_join",{}]"#);
        customer.received();
        agent.received();
        customer.send(
            &mut hub,
            r#"["1","2","conversation:c","shout",{"body":"Hi \"there\"","customer_id":"cus","sent_at":"2026-01-02T03:04:05.678Z"}]"#,
        );
        let (mine, theirs) = (customer.frames(), agent.frames());
        assert_eq!(mine, theirs);
        assert_eq!(events(&mine), ["shout"]);
        let msg = &mine[0][4];
        assert_eq!(mine[0][0], Value::Null);
        assert_eq!(mine[0][1], Value::Null);
        assert_eq!(msg["body"], "Hi \"there\"");
        assert_eq!(msg["customer_id"], "cus");
        assert_eq!(msg["account_id"], ACCOUNT);
        assert_eq!(msg["conversation_id"], "c");
        assert_eq!(msg["sent_at"], "2026-01-02T03:04:05.678Z");
        assert_eq!(msg["user_id"], Value::Null);

        agent.send(
            &mut hub,
            r#"["1","3","conversation:c","shout",{"body":"Hello"}]"#,
        );
        let msg = &customer.frames()[0][4];
        assert_eq!(msg["user_id"], 7);
        assert_eq!(msg["customer_id"], Value::Null);
        assert!(msg.get("customer").is_none());
    }

    #[test]
    fn a_customer_shout_without_customer_id_names_the_customer_who_joined() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V2, None);
        c.send(
            &mut hub,
            r#"["1","1","conversation:c","phx_join",{"customer_id":"cus"}]"#,
        );
        c.received();
        c.send(
            &mut hub,
            r#"["1","2","conversation:c","shout",{"body":"hi"}]"#,
        );
        let frames = c.frames();
        assert_eq!(frames[0][4]["customer_id"], "cus");
        assert_eq!(frames[0][4]["customer"]["id"], "cus");
    }

    #[test]
    fn a_shout_that_is_not_a_message_is_rebroadcast_as_it_came() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V2, None);
        c.send(&mut hub, r#"["1","1","conversation:c","phx_join",{}]"#);
        c.received();
        c.send(
            &mut hub,
            r#"["1","2","conversation:c","shout",{"text":[1, 2]}]"#,
        );
        assert_eq!(
            c.texts(),
            [r#"[null,null,"conversation:c","shout",{"text":[1, 2]}]"#]
        );
    }

    #[test]
    fn ping_echoes_the_payload_and_messages_seen_gets_no_reply() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V2, None);
        c.send(&mut hub, r#"["1","1","conversation:c","phx_join",{}]"#);
        c.received();
        c.send(&mut hub, r#"["1","2","conversation:c","messages:seen",{}]"#);
        c.send(
            &mut hub,
            r#"["1","3","conversation:c","ping",{"a":[1,{"b":null}]}]"#,
        );
        assert_eq!(
            c.texts(),
            [
                r#"["1","3","conversation:c","phx_reply",{"response":{"a":[1,{"b":null}]},"status":"ok"}]"#
            ]
        );
    }

    #[test]
    fn leave_replies_ok_then_closes_and_tells_the_others_who_left() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut customer = Client::connect(&mut hub, 1, Vsn::V2, None);
        let mut agent = Client::connect(&mut hub, 2, Vsn::V2, Some(7));
        customer.send(
            &mut hub,
            r#"["1","1","conversation:c","phx_join",{"customer_id":"cus"}]"#,
        );
        agent.send(&mut hub, r#"["4","4","conversation:c","phx_join",{}]"#);
        customer.received();
        agent.received();
        agent.send(&mut hub, r#"["4","9","conversation:c","phx_leave",{}]"#);
        assert_eq!(
            agent.texts(),
            [
                r#"["4","9","conversation:c","phx_reply",{"response":{},"status":"ok"}]"#,
                r#"["4","4","conversation:c","phx_close",{}]"#,
            ]
        );
        let frames = customer.frames();
        assert_eq!(events(&frames), ["presence_diff"]);
        assert_eq!(frames[0][4]["leaves"]["user:7"]["metas"][0]["user_id"], 7);
        assert_eq!(frames[0][4]["joins"], json!({}));
    }

    #[test]
    fn disconnect_untracks_the_customer_everywhere() {
        let mut hub = Hub::new(ACCOUNT.into());
        let customer = Client::connect(&mut hub, 1, Vsn::V2, None);
        let mut agent = Client::connect(&mut hub, 2, Vsn::V2, Some(7));
        agent.send(&mut hub, r#"["1","1","notification:acc-1","phx_join",{}]"#);
        customer.send(
            &mut hub,
            r#"["1","1","conversation:c","phx_join",{"customer_id":"cus"}]"#,
        );
        let frames = agent.frames();
        assert_eq!(
            events(&frames),
            [
                "phx_reply",
                "presence_state",
                "presence_diff",
                "presence_diff",
                "presence_state"
            ]
        );
        assert!(frames[4][4]["customer:cus"].is_object());
        hub.disconnect(customer.id);
        let frames = agent.frames();
        assert_eq!(events(&frames), ["presence_diff"]);
        assert!(frames[0][4]["leaves"]["customer:cus"].is_object());
        assert!(hub.presences.iter().all(|t| t.owner.0 != customer.id));
    }

    /// Applies the presence frames `client` received, as the JS `Presence` object would.
    fn sync(presence: &mut PresenceTracker, client: &mut Client) {
        for text in client.texts() {
            let frame = phx_codec::decode_text(text.as_bytes()).unwrap();
            presence.apply(&frame).unwrap();
        }
    }

    #[test]
    fn presence_frames_sync_to_who_is_in_the_conversation() {
        let mut hub = Hub::new(ACCOUNT.into());
        let customer = Client::connect(&mut hub, 1, Vsn::V2, None);
        let mut agent = Client::connect(&mut hub, 2, Vsn::V2, Some(7));
        let mut seen_by_agent = PresenceTracker::new();
        agent.send(&mut hub, r#"["1","1","conversation:c","phx_join",{}]"#);
        sync(&mut seen_by_agent, &mut agent);
        assert_eq!(seen_by_agent.users().collect::<Vec<_>>(), ["7"]);
        assert_eq!(seen_by_agent.customers().count(), 0);

        customer.send(
            &mut hub,
            r#"["1","1","conversation:c","phx_join",{"customer_id":"cus"}]"#,
        );
        sync(&mut seen_by_agent, &mut agent);
        assert_eq!(seen_by_agent.customers().collect::<Vec<_>>(), ["cus"]);
        assert_eq!(seen_by_agent.users().collect::<Vec<_>>(), ["7"]);

        hub.disconnect(customer.id);
        sync(&mut seen_by_agent, &mut agent);
        assert_eq!(seen_by_agent.customers().count(), 0);
        assert_eq!(seen_by_agent.keys().collect::<Vec<_>>(), ["user:7"]);
    }

    #[test]
    fn a_socket_that_stops_reading_is_flagged_and_the_others_keep_receiving() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut talker = Client::connect(&mut hub, 1, Vsn::V2, None);
        let sleeper = Client::connect(&mut hub, 2, Vsn::V2, None);
        talker.send(&mut hub, r#"["1","1","conversation:c","phx_join",{}]"#);
        sleeper.send(&mut hub, r#"["1","1","conversation:c","phx_join",{}]"#);
        let flag = Arc::clone(&hub.conns[&sleeper.id].fell_behind);
        let mut received = talker.received().len();
        for i in 0..SEND_QUEUE + 10 {
            talker.send(
                &mut hub,
                &format!(r#"["1","{i}","conversation:c","shout",{{"body":"{i}"}}]"#),
            );
            received += talker.received().len();
        }
        assert!(
            received >= SEND_QUEUE + 10,
            "the reader got all its broadcasts"
        );
        // notify_one stored a permit: the connection task would wake up and close.
        let notified = flag.notified();
        tokio::pin!(notified);
        let waker = futures_util::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(notified.as_mut().poll(&mut cx).is_ready());
    }

    #[test]
    fn notification_topics_refuse_customers() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V2, None);
        c.send(&mut hub, r#"["1","1","notification:acc-1","phx_join",{}]"#);
        assert_eq!(
            c.texts(),
            [
                r#"["1","1","notification:acc-1","phx_reply",{"response":{"reason":"unauthorized"},"status":"error"}]"#
            ]
        );
    }

    #[test]
    fn the_first_customer_join_announces_the_conversation_in_its_lobby() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V2, None);
        c.send(
            &mut hub,
            r#"["1","1","conversation:lobby:cus","phx_join",{}]"#,
        );
        c.send(
            &mut hub,
            r#"["2","2","conversation:c","phx_join",{"customer_id":"cus"}]"#,
        );
        c.send(&mut hub, r#"["2","3","conversation:c","phx_leave",{}]"#);
        c.send(
            &mut hub,
            r#"["4","4","conversation:c","phx_join",{"customer_id":"cus"}]"#,
        );
        let created: Vec<String> = c
            .texts()
            .into_iter()
            .filter(|t| t.contains("conversation:created"))
            .collect();
        assert_eq!(
            created,
            [r#"[null,null,"conversation:lobby:cus","conversation:created",{"id":"c"}]"#]
        );
    }

    #[test]
    fn a_duplicate_join_closes_the_old_channel_first() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V2, None);
        c.send(&mut hub, r#"["1","1","conversation:lobby","phx_join",{}]"#);
        c.send(&mut hub, r#"["2","2","conversation:lobby","phx_join",{}]"#);
        assert_eq!(
            c.texts(),
            [
                r#"["1","1","conversation:lobby","phx_reply",{"response":{},"status":"ok"}]"#,
                r#"["1","1","conversation:lobby","phx_close",{}]"#,
                r#"["2","2","conversation:lobby","phx_reply",{"response":{},"status":"ok"}]"#,
            ]
        );
    }

    #[test]
    fn a_binary_push_is_broadcast_as_a_binary_broadcast_to_v2_members() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut a = Client::connect(&mut hub, 1, Vsn::V2, None);
        let mut b = Client::connect(&mut hub, 2, Vsn::V2, None);
        let mut old = Client::connect(&mut hub, 3, Vsn::V1, None);
        a.send(&mut hub, r#"["1","1","conversation:c","phx_join",{}]"#);
        b.send(&mut hub, r#"["1","1","conversation:c","phx_join",{}]"#);
        old.send(
            &mut hub,
            r#"{"topic":"conversation:c","event":"phx_join","payload":{},"ref":"1"}"#,
        );
        a.received();
        b.received();
        old.received();
        a.send_binary(
            &mut hub,
            &binary_push("1", "2", "conversation:c", "file", &[0, 255, 1]),
        );
        for client in [&mut a, &mut b] {
            let received = client.received();
            assert_eq!(received.len(), 1);
            let WsMsg::Binary(bytes) = &received[0] else {
                panic!("expected a binary message, got {:?}", received[0]);
            };
            assert_eq!(bytes.first(), Some(&BinaryKind::Broadcast.byte()));
            let frame = binary::decode_from_server(bytes).unwrap();
            assert_eq!(frame.topic(), "conversation:c");
            assert_eq!(frame.event(), "file");
            assert_eq!(frame.payload(), Payload::Binary(&[0, 255, 1]));
        }
        assert!(old.received().is_empty(), "V1 has no binary frames");
    }

    #[test]
    fn a_binary_ping_gets_a_binary_reply() {
        let mut hub = Hub::new(ACCOUNT.into());
        let mut c = Client::connect(&mut hub, 1, Vsn::V2, None);
        c.send(&mut hub, r#"["1","1","conversation:c","phx_join",{}]"#);
        c.received();
        c.send_binary(
            &mut hub,
            &binary_push("1", "7", "conversation:c", "ping", b"\x00[\"x"),
        );
        let received = c.received();
        let [WsMsg::Binary(bytes)] = received.as_slice() else {
            panic!("expected one binary message, got {received:?}");
        };
        let frame = binary::decode_from_server(bytes).unwrap();
        assert_eq!(frame.join_ref().unwrap(), "1");
        assert_eq!(frame.reference().unwrap(), "7");
        assert_eq!(
            frame.payload(),
            Payload::BinaryReply {
                status: "ok".into(),
                response: b"\x00[\"x"
            }
        );
    }

    #[test]
    fn upgrade_requests_are_checked_like_phoenix() {
        let request = |uri: &str| Request::builder().uri(uri).body(()).unwrap();
        let ok = check_request(&request("/socket/websocket?vsn=2.0.0&user_id=7")).unwrap();
        assert_eq!((ok.vsn, ok.user_id), (Vsn::V2, Some(7)));
        let ok = check_request(&request("/socket/websocket")).unwrap();
        assert_eq!((ok.vsn, ok.user_id), (Vsn::V1, None));
        let refused = |uri: &str| check_request(&request(uri)).err().map(|(status, _)| status);
        assert_eq!(
            refused("/socket/websocket?vsn=3.0.0"),
            Some(StatusCode::FORBIDDEN)
        );
        assert_eq!(
            refused("/socket/websocket?user_id=x"),
            Some(StatusCode::FORBIDDEN)
        );
        assert_eq!(refused("/other?vsn=2.0.0"), Some(StatusCode::NOT_FOUND));
    }

    #[test]
    fn helpers_format_dates_ids_and_query_strings() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(iso8601(1_605_000_000), "2020-11-10T09:20:00");
        let mut ids = IdSource(1);
        let uuid = ids.uuid();
        assert_eq!(uuid.len(), 36);
        assert_eq!(uuid.as_bytes()[14], b'4');
        assert!(matches!(uuid.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(ids.phx_ref(), ids.phx_ref());
        assert_eq!(
            query_params("vsn=2.0.0&token=a%2Fb+c&flag"),
            [
                ("vsn".to_owned(), "2.0.0".to_owned()),
                ("token".to_owned(), "a/b c".to_owned()),
                ("flag".to_owned(), String::new()),
            ]
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
