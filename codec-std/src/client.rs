//! A tokio Phoenix channel client (feature `client`): a thin shell around the core's sans-IO
//! [`ClientSession`], which behaves like the
//! `phoenix` npm client — heartbeats, reconnect with backoff, rejoin of errored channels,
//! pushes buffered until the join, push timeouts — over tokio-tungstenite.
//!
//! ```no_run
//! # async fn demo() -> Result<(), phx_codec_std::client::ClientError> {
//! use phx_codec_std::client::Socket;
//! let socket = Socket::connect("ws://127.0.0.1:4000/socket", &[("vsn_hint", "x")]).await?;
//! let mut room = socket.channel("room:lobby", &serde_json::json!({"name": "ann"}))?;
//! let joined = room.join().await?;
//! assert!(joined.is_ok());
//! let reply = room.push("ping", &serde_json::json!({"n": 1})).await?;
//! println!("{} {}", reply.status, reply.response);
//! while let Some(frame) = room.recv().await {
//!     println!("{} {}", frame.event(), frame.payload_value().unwrap_or_default());
//! }
//! # Ok(()) }
//! ```
//!
//! One background task owns the session and the WebSocket; [`Socket`] and [`Channel`] talk to
//! it over channels, so they are cheap, `Send`, and never block it.
//!
//! # Limits
//! A socket holds at most 16 channels and 32 pushes awaiting their outcome; a push payload or
//! join params take at most 4 KiB. Beyond that, calls fail with [`ClientError::Session`].
//!
//! # Slow consumers
//! Each channel's messages wait in a bounded queue ([`Socket::connect_with`]'s
//! `queue_capacity`, 256 by default). The socket task never waits for a reader — it has
//! heartbeats to answer — so when a channel's queue is full, **the newest message is dropped**
//! and counted ([`Channel::dropped`]); older queued messages are kept. Read with
//! [`Channel::recv`] promptly, or give the queue more room.

use std::collections::HashMap;
use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use phx_codec::session::client::{
    ChannelId, ChannelState, ClientSession, Event, Options, Outcome, Outgoing, PushId, Response,
    SessionError, TransportAction,
};
use phx_codec::{Decoder, Direction, RawJson, WsMessage};
use serde::Serialize;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::SharedFrame;

/// The session the client runs: 16 channels, 32 pushes awaiting their outcome, payloads and
/// join params up to 4 KiB, 64 KiB of frames waiting to be written. The core session keeps
/// its storage inline (about 270 KiB here), so it is built on the caller's stack once.
type Session = ClientSession<16, 32, 4096, 65_536>;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Connecting = Pin<Box<dyn Future<Output = Result<Ws, String>> + Send>>;

/// What can go wrong.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use phx_codec_std::client::{ClientError, Socket};
/// let err = Socket::connect("http://127.0.0.1:4000/socket", &[]).await.unwrap_err();
/// assert!(matches!(err, ClientError::BadUrl(_)));
/// assert_eq!(err.to_string(), "not a ws:// or wss:// URL: http://127.0.0.1:4000/socket");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub enum ClientError {
    /// The URL is not `ws://` or `wss://`.
    BadUrl(String),
    /// The session refused the call (capacity, sizes).
    Session(SessionError),
    /// A payload or params could not be serialized.
    Json(serde_json::Error),
    /// The socket task has stopped (the [`Socket`] was dropped or disconnected).
    SocketClosed,
    /// [`Channel::push`] or [`Channel::leave`] before [`Channel::join`].
    NotJoined,
    /// [`Channel::join`] a second time (rejoins are automatic).
    AlreadyJoined,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadUrl(url) => write!(f, "not a ws:// or wss:// URL: {url}"),
            Self::Session(e) => write!(f, "session: {e}"),
            Self::Json(e) => write!(f, "JSON: {e}"),
            Self::SocketClosed => f.write_str("the socket task has stopped"),
            Self::NotJoined => f.write_str("the channel has not been joined"),
            Self::AlreadyJoined => f.write_str("the channel was joined already"),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Session(e) => Some(e),
            Self::Json(e) => Some(e),
            _ => None,
        }
    }
}

impl From<SessionError> for ClientError {
    fn from(e: SessionError) -> Self {
        Self::Session(e)
    }
}

impl From<serde_json::Error> for ClientError {
    fn from(e: serde_json::Error) -> Self {
        Self::Json(e)
    }
}

/// The outcome of a join or push: the reply's status (`"ok"`, `"error"`, ...) and response,
/// or status `"timeout"` with a null response.
///
/// ```
/// use phx_codec_std::client::Reply;
/// let reply = Reply { status: "error".into(), response: serde_json::json!({"reason": "unauthorized"}), binary: None };
/// assert!(!reply.is_ok());
/// assert_eq!(reply.response["reason"], "unauthorized");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// `"ok"`, `"error"`, `"timeout"`, or another status the server sent (empty when none).
    pub status: String,
    /// The JSON response (null for timeouts and binary replies).
    pub response: serde_json::Value,
    /// A binary reply's bytes.
    pub binary: Option<Bytes>,
}

impl Reply {
    /// Whether the status is `"ok"`.
    ///
    /// ```
    /// use phx_codec_std::client::Reply;
    /// let reply = Reply { status: "ok".into(), response: serde_json::json!({}), binary: None };
    /// assert!(reply.is_ok());
    /// ```
    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }

    fn from_outcome(outcome: &Outcome<'_>) -> Self {
        match outcome {
            Outcome::Timeout => Self {
                status: "timeout".into(),
                response: serde_json::Value::Null,
                binary: None,
            },
            Outcome::Reply { status, response } => {
                let status = status.map(|s| s.to_cow().into_owned()).unwrap_or_default();
                let (response, binary) = match response {
                    Response::Json(raw) => (
                        serde_json::from_str(raw.as_str()).unwrap_or(serde_json::Value::Null),
                        None,
                    ),
                    Response::Binary(bytes) => {
                        (serde_json::Value::Null, Some(Bytes::copy_from_slice(bytes)))
                    }
                    Response::Absent => (serde_json::Value::Null, None),
                };
                Self {
                    status,
                    response,
                    binary,
                }
            }
        }
    }
}

enum Command {
    Join {
        topic: String,
        params: String,
        messages: mpsc::Sender<SharedFrame>,
        shared: Arc<ChannelShared>,
        joined: oneshot::Sender<Result<(ChannelId, oneshot::Receiver<Reply>), ClientError>>,
    },
    Push {
        channel: ChannelId,
        event: String,
        payload: PushBody,
        reply: oneshot::Sender<Result<oneshot::Receiver<Reply>, ClientError>>,
    },
    Leave {
        channel: ChannelId,
        done: oneshot::Sender<()>,
    },
    Disconnect {
        done: oneshot::Sender<()>,
    },
}

enum PushBody {
    Json(String),
    Binary(Vec<u8>),
}

/// State a [`Channel`] shares with the socket task.
#[derive(Debug, Default)]
struct ChannelShared {
    dropped: AtomicU64,
    state: std::sync::Mutex<Option<ChannelState>>,
}

/// A connection to a Phoenix endpoint, kept up by a background task: heartbeats, reconnects
/// and rejoins happen on their own. Dropping every handle (the `Socket` and its channels)
/// stops the task.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use phx_codec_std::client::Socket;
/// // Returns at once: the socket connects (and retries) in the background.
/// let socket = Socket::connect("ws://127.0.0.1:9/socket", &[("token", "abc")]).await?;
/// let room = socket.channel("room:lobby", &serde_json::json!({}))?;
/// let also_room = socket.clone().channel("room:other", &serde_json::json!({}))?; // handles are cheap
/// assert_eq!((room.topic(), also_room.topic()), ("room:lobby", "room:other"));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Socket {
    commands: mpsc::Sender<Command>,
    queue_capacity: usize,
}

impl Socket {
    /// Starts a socket to `url` (the endpoint path, e.g. `ws://host:4000/socket`; the client
    /// appends `/websocket?vsn=2.0.0` and `params`, as phoenix.js does) with phoenix.js's
    /// default options. It connects (and reconnects) in the background; this returns at once.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec_std::client::{ClientError, Socket};
    /// let socket = Socket::connect("ws://127.0.0.1:9/socket", &[("vsn_hint", "x")]).await?;
    /// assert!(socket.channel("room:lobby", &serde_json::json!({})).is_ok());
    /// // Only WebSocket URLs are accepted.
    /// let err = Socket::connect("127.0.0.1:9/socket", &[]).await.unwrap_err();
    /// assert!(matches!(err, ClientError::BadUrl(url) if url == "127.0.0.1:9/socket"));
    /// # Ok(()) }
    /// ```
    pub async fn connect(url: &str, params: &[(&str, &str)]) -> Result<Self, ClientError> {
        Self::connect_with(url, params, Options::DEFAULT, 256).await
    }

    /// [`connect`](Self::connect) with session options (heartbeat, timeouts, backoff tables,
    /// vsn) and the capacity of each channel's message queue. Call it within a tokio runtime.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec::session::client::Options;
    /// use phx_codec_std::client::Socket;
    /// // Joins and pushes time out after 5 s; each channel queues up to 1024 messages.
    /// let options = Options { timeout_ms: 5_000, ..Options::DEFAULT };
    /// let socket = Socket::connect_with("ws://127.0.0.1:9/socket", &[], options, 1024).await?;
    /// let room = socket.channel("room:lobby", &serde_json::json!({}))?;
    /// assert_eq!(room.topic(), "room:lobby");
    /// # Ok(()) }
    /// ```
    #[allow(clippy::unused_async)] // spawns onto the current runtime, which only exists in async code
    pub async fn connect_with(
        url: &str,
        params: &[(&str, &str)],
        options: Options,
        queue_capacity: usize,
    ) -> Result<Self, ClientError> {
        if !(url.starts_with("ws://") || url.starts_with("wss://")) {
            return Err(ClientError::BadUrl(url.to_owned()));
        }
        let mut endpoint = format!(
            "{}/websocket?vsn={}",
            url.trim_end_matches('/'),
            options.vsn.as_str()
        );
        for (key, value) in params {
            endpoint.push('&');
            percent_encode(&mut endpoint, key);
            endpoint.push('=');
            percent_encode(&mut endpoint, value);
        }
        let (commands, rx) = mpsc::channel(64);
        let task = Task {
            session: Box::new(Session::new(options)),
            decoder: Decoder::new(options.vsn, Direction::FromServer),
            url: endpoint,
            start: Instant::now(),
            channels: HashMap::new(),
            pushes: HashMap::new(),
            joins: HashMap::new(),
            buf: vec![0; 65_536],
        };
        tokio::spawn(task.run(rx));
        Ok(Self {
            commands,
            queue_capacity: queue_capacity.max(1),
        })
    }

    /// A channel for `topic` with join `params` (any `Serialize`, usually an object). Nothing
    /// is sent before [`Channel::join`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec_std::client::{ClientError, Socket};
    /// let socket = Socket::connect("ws://127.0.0.1:9/socket", &[]).await?;
    /// let room = socket.channel("room:lobby", &serde_json::json!({"name": "ann"}))?;
    /// assert_eq!(room.topic(), "room:lobby");
    /// assert_eq!(room.state(), None); // nothing sent yet
    /// // Params must serialize (to a JSON object, usually).
    /// let bad = std::collections::HashMap::from([((1, 2), "tuple keys")]);
    /// assert!(matches!(socket.channel("room:lobby", &bad), Err(ClientError::Json(_))));
    /// # Ok(()) }
    /// ```
    pub fn channel(&self, topic: &str, params: &impl Serialize) -> Result<Channel, ClientError> {
        let params = serde_json::to_string(params)?;
        let (tx, rx) = mpsc::channel(self.queue_capacity);
        Ok(Channel {
            commands: self.commands.clone(),
            topic: topic.to_owned(),
            params,
            id: None,
            messages_tx: Some(tx),
            messages: rx,
            shared: Arc::new(ChannelShared::default()),
        })
    }

    /// Closes the WebSocket (code 1000) and stops reconnecting; channels stop receiving.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec_std::client::Socket;
    /// let socket = Socket::connect("ws://127.0.0.1:9/socket", &[]).await?;
    /// socket.disconnect().await?;
    /// # Ok(()) }
    /// ```
    pub async fn disconnect(&self) -> Result<(), ClientError> {
        let (done, wait) = oneshot::channel();
        self.commands
            .send(Command::Disconnect { done })
            .await
            .map_err(|_| ClientError::SocketClosed)?;
        wait.await.map_err(|_| ClientError::SocketClosed)
    }
}

/// A channel of a [`Socket`]: join it, push to it, read its messages, leave it.
///
/// Dropping a joined channel without [`leave`](Self::leave) keeps it joined (and rejoining)
/// in the socket; its messages are then dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use phx_codec_std::client::{ClientError, Socket};
/// let socket = Socket::connect("ws://127.0.0.1:9/socket", &[]).await?;
/// let room = socket.channel("room:lobby", &serde_json::json!({}))?;
/// // Pushes need a join first.
/// let err = room.push("new_msg", &serde_json::json!({"body": "hi"})).await.unwrap_err();
/// assert!(matches!(err, ClientError::NotJoined));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Channel {
    commands: mpsc::Sender<Command>,
    topic: String,
    params: String,
    id: Option<ChannelId>,
    messages_tx: Option<mpsc::Sender<SharedFrame>>,
    messages: mpsc::Receiver<SharedFrame>,
    shared: Arc<ChannelShared>,
}

impl Channel {
    /// The topic.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec_std::client::Socket;
    /// let socket = Socket::connect("ws://127.0.0.1:9/socket", &[]).await?;
    /// assert_eq!(socket.channel("conversation:42", &())?.topic(), "conversation:42");
    /// # Ok(()) }
    /// ```
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// Joins (once; rejoins after errors and reconnects are automatic) and waits for the first
    /// join outcome: an `"ok"` reply, an `"error"` reply (the session keeps rejoining with
    /// backoff, as phoenix.js does) or `"timeout"` (no reply within the socket's `timeout_ms`
    /// while connected).
    ///
    /// While the server cannot be reached this waits: as in phoenix.js, a transport error
    /// cancels the pending join's timeout and marks the channel errored, and the channel
    /// rejoins when a transport opens; that rejoin's outcome resolves this call. To bound the
    /// wait, wrap it in `tokio::time::timeout` (the channel keeps trying either way;
    /// [`state`](Self::state) says where it is).
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec_std::client::{ClientError, Socket};
    /// let socket = Socket::connect("ws://127.0.0.1:4000/socket", &[]).await?;
    /// let mut room = socket.channel("room:lobby", &serde_json::json!({"name": "ann"}))?;
    /// let reply = room.join().await?;
    /// if !reply.is_ok() {
    ///     println!("join {}: {}", reply.status, reply.response); // the socket keeps rejoining
    /// }
    /// assert!(matches!(room.join().await, Err(ClientError::AlreadyJoined)));
    /// # Ok(()) }
    /// ```
    pub async fn join(&mut self) -> Result<Reply, ClientError> {
        let messages = self.messages_tx.take().ok_or(ClientError::AlreadyJoined)?;
        let (joined, wait) = oneshot::channel();
        self.commands
            .send(Command::Join {
                topic: self.topic.clone(),
                params: self.params.clone(),
                messages,
                shared: self.shared.clone(),
                joined,
            })
            .await
            .map_err(|_| ClientError::SocketClosed)?;
        let (id, first) = wait.await.map_err(|_| ClientError::SocketClosed)??;
        self.id = Some(id);
        first.await.map_err(|_| ClientError::SocketClosed)
    }

    /// Pushes `event` with a JSON payload and waits for its outcome (the reply, or status
    /// `"timeout"` after the socket's timeout, 10 s by default). Made before the join's ok
    /// reply, it is sent right after it.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec_std::client::Socket;
    /// let socket = Socket::connect("ws://127.0.0.1:4000/socket", &[]).await?;
    /// let mut room = socket.channel("room:lobby", &serde_json::json!({}))?;
    /// room.join().await?;
    /// let reply = room.push("new_msg", &serde_json::json!({"body": "hi"})).await?;
    /// if reply.is_ok() {
    ///     println!("sent: {}", reply.response);
    /// } else {
    ///     println!("{}: {}", reply.status, reply.response);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn push(&self, event: &str, payload: &impl Serialize) -> Result<Reply, ClientError> {
        let payload = PushBody::Json(serde_json::to_string(payload)?);
        self.push_body(event, payload).await
    }

    /// Pushes `event` and returns once the session has taken the push, without waiting for
    /// its outcome (for events the server does not answer, like a Papercups widget's `shout`;
    /// the push still holds a slot until its timeout).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec_std::client::{ClientError, Socket};
    /// let socket = Socket::connect("ws://127.0.0.1:9/socket", &[]).await?;
    /// let room = socket.channel("conversation:42", &serde_json::json!({"customer_id": "c1"}))?;
    /// let shout = serde_json::json!({"body": "Is anyone there?"});
    /// assert!(matches!(room.push_and_forget("shout", &shout).await, Err(ClientError::NotJoined)));
    /// # Ok(()) }
    /// ```
    pub async fn push_and_forget(
        &self,
        event: &str,
        payload: &impl Serialize,
    ) -> Result<(), ClientError> {
        let channel = self.id.ok_or(ClientError::NotJoined)?;
        let payload = PushBody::Json(serde_json::to_string(payload)?);
        let (reply, wait) = oneshot::channel();
        self.commands
            .send(Command::Push {
                channel,
                event: event.to_owned(),
                payload,
                reply,
            })
            .await
            .map_err(|_| ClientError::SocketClosed)?;
        wait.await.map_err(|_| ClientError::SocketClosed)?.map(drop)
    }

    /// [`push`](Self::push) with a binary payload (a V2 binary frame).
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec_std::client::Socket;
    /// let socket = Socket::connect("ws://127.0.0.1:4000/socket", &[]).await?;
    /// let mut room = socket.channel("room:lobby", &serde_json::json!({}))?;
    /// room.join().await?;
    /// let reply = room.push_binary("upload", &[0xde, 0xad, 0xbe, 0xef]).await?;
    /// if let Some(bytes) = &reply.binary {
    ///     println!("{} bytes back", bytes.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn push_binary(&self, event: &str, payload: &[u8]) -> Result<Reply, ClientError> {
        self.push_body(event, PushBody::Binary(payload.to_vec()))
            .await
    }

    async fn push_body(&self, event: &str, payload: PushBody) -> Result<Reply, ClientError> {
        let channel = self.id.ok_or(ClientError::NotJoined)?;
        let (reply, wait) = oneshot::channel();
        self.commands
            .send(Command::Push {
                channel,
                event: event.to_owned(),
                payload,
                reply,
            })
            .await
            .map_err(|_| ClientError::SocketClosed)?;
        let outcome = wait.await.map_err(|_| ClientError::SocketClosed)??;
        outcome.await.map_err(|_| ClientError::SocketClosed)
    }

    /// The next message on the channel (events starting with `phx_` are not passed on), as a
    /// [`SharedFrame`]: `frame.event()`, `frame.deserialize_payload()`, or
    /// [`PresenceTracker::apply`](crate::PresenceTracker::apply) for presence.
    /// `None` once the socket task has stopped.
    ///
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec_std::PresenceTracker;
    /// use phx_codec_std::client::Socket;
    /// let socket = Socket::connect("ws://127.0.0.1:4000/socket", &[]).await?;
    /// let mut room = socket.channel("room:lobby", &serde_json::json!({}))?;
    /// room.join().await?;
    /// let mut presence = PresenceTracker::new();
    /// while let Some(frame) = room.recv().await {
    ///     // presence events update the tracker; anything else is printed
    ///     if presence.apply(&frame)?.is_none() {
    ///         println!("{}: {}", frame.event(), frame.payload_value()?);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn recv(&mut self) -> Option<SharedFrame> {
        self.messages.recv().await
    }

    /// Messages dropped because the queue was full (see the module docs).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec_std::client::Socket;
    /// let socket = Socket::connect("ws://127.0.0.1:9/socket", &[]).await?;
    /// let room = socket.channel("room:lobby", &serde_json::json!({}))?;
    /// assert_eq!(room.dropped(), 0);
    /// # Ok(()) }
    /// ```
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// The channel's state as of the last change the socket task saw (`None` before
    /// [`join`](Self::join)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec::session::client::ChannelState;
    /// use phx_codec_std::client::Socket;
    /// let socket = Socket::connect("ws://127.0.0.1:9/socket", &[]).await?;
    /// let room = socket.channel("room:lobby", &serde_json::json!({}))?;
    /// assert_eq!(room.state(), None); // not joined yet
    /// if room.state() == Some(ChannelState::Errored) {
    ///     println!("rejoining soon");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn state(&self) -> Option<ChannelState> {
        *self
            .shared
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Leaves: sends `phx_leave` and closes the channel at once, as phoenix.js does.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use phx_codec_std::client::{ClientError, Socket};
    /// let socket = Socket::connect("ws://127.0.0.1:9/socket", &[]).await?;
    /// let room = socket.channel("room:lobby", &serde_json::json!({}))?;
    /// // Leaving a channel that was never joined is an error.
    /// assert!(matches!(room.leave().await, Err(ClientError::NotJoined)));
    /// # Ok(()) }
    /// ```
    pub async fn leave(self) -> Result<(), ClientError> {
        let channel = self.id.ok_or(ClientError::NotJoined)?;
        let (done, wait) = oneshot::channel();
        self.commands
            .send(Command::Leave { channel, done })
            .await
            .map_err(|_| ClientError::SocketClosed)?;
        wait.await.map_err(|_| ClientError::SocketClosed)
    }
}

struct Route {
    messages: mpsc::Sender<SharedFrame>,
    shared: Arc<ChannelShared>,
}

struct Task {
    session: Box<Session>,
    decoder: Decoder,
    url: String,
    start: Instant,
    channels: HashMap<ChannelId, Route>,
    pushes: HashMap<PushId, oneshot::Sender<Reply>>,
    /// The first join outcome each channel's `join()` waits for.
    joins: HashMap<ChannelId, oneshot::Sender<Reply>>,
    buf: Vec<u8>,
}

enum Conn {
    None,
    Connecting(Connecting),
    Open(Box<Ws>),
}

/// What the event callback collects, applied after the session call.
#[derive(Default)]
struct Collected {
    messages: Vec<ChannelId>,
    outcomes: Vec<Done>,
    states: Vec<(ChannelId, ChannelState)>,
}

enum Done {
    Join(ChannelId, Reply),
    Push(PushId, Reply),
}

fn collect(into: &mut Collected, event: &Event<'_>) {
    match event {
        Event::Message { channel, .. } => into.messages.push(*channel),
        Event::Join { channel, outcome } => into
            .outcomes
            .push(Done::Join(*channel, Reply::from_outcome(outcome))),
        Event::Push { push, outcome, .. } => into
            .outcomes
            .push(Done::Push(*push, Reply::from_outcome(outcome))),
        Event::State { channel, state } => into.states.push((*channel, *state)),
        Event::Left { .. } => {}
    }
}

impl Task {
    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let mut conn = Conn::None;
        let mut stopping = false;
        let now = self.now();
        self.session.connect(now);
        loop {
            self.flush(&mut conn).await;
            if stopping && matches!(conn, Conn::None) {
                return;
            }
            let deadline = self
                .session
                .poll_timeout()
                .map(|at| self.start + Duration::from_millis(at));
            let mut got = Collected::default();
            tokio::select! {
                command = commands.recv(), if !stopping => {
                    if let Some(command) = command {
                        self.command(command, &mut got);
                    } else {
                        // every handle is gone
                        let now = self.now();
                        self.session.disconnect(now, None, &mut |e| collect(&mut got, &e));
                        stopping = true;
                    }
                }
                () = sleep_until(deadline) => {
                    let now = self.now();
                    self.session.handle_timeout(now, &mut |e| collect(&mut got, &e));
                }
                happened = transport(&mut conn) => {
                    let now = self.now();
                    let message = match happened {
                        Happened::Opened(ws) => {
                            conn = Conn::Open(ws);
                            self.session.handle_opened(now, &mut |e| collect(&mut got, &e));
                            None
                        }
                        Happened::Failed => {
                            conn = Conn::None;
                            self.session.handle_closed(now, 1006, &mut |e| collect(&mut got, &e));
                            None
                        }
                        Happened::Message(message) => Some(message),
                    };
                    if let Some(message) = message { match message {
                        Some(Message::Text(text)) => {
                            let bytes = Bytes::from(text);
                            self.session.handle_message(now, WsMessage::Text(&bytes), &mut |e| collect(&mut got, &e));
                            self.deliver(&got.messages, || SharedFrame::from_text(bytes.clone(), &self.decoder).ok());
                        }
                        Some(Message::Binary(bytes)) => {
                            self.session.handle_message(now, WsMessage::Binary(&bytes), &mut |e| collect(&mut got, &e));
                            self.deliver(&got.messages, || SharedFrame::from_binary(bytes.clone(), &self.decoder).ok());
                        }
                        Some(Message::Close(frame)) => {
                            conn = Conn::None;
                            let code = frame.map_or(1005, |f| u16::from(f.code));
                            self.session.handle_closed(now, code, &mut |e| collect(&mut got, &e));
                        }
                        Some(_) => {}
                        None => {
                            conn = Conn::None;
                            self.session.handle_closed(now, 1006, &mut |e| collect(&mut got, &e));
                        }
                    } }
                }
            }
            self.apply(got);
        }
    }

    fn deliver(&self, channels: &[ChannelId], frame: impl FnOnce() -> Option<SharedFrame>) {
        if channels.is_empty() {
            return;
        }
        let Some(frame) = frame() else {
            return;
        };
        for id in channels {
            if let Some(route) = self.channels.get(id)
                && route.messages.try_send(frame.clone()).is_err()
            {
                // full (slow consumer: the newest message is dropped) or no reader
                route.shared.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn apply(&mut self, got: Collected) {
        for (id, state) in got.states {
            if let Some(route) = self.channels.get(&id) {
                *route
                    .shared
                    .state
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(state);
            }
        }
        for done in got.outcomes {
            match done {
                Done::Join(id, reply) => {
                    if let Some(waiter) = self.joins.remove(&id) {
                        let _ = waiter.send(reply);
                    }
                }
                Done::Push(id, reply) => {
                    if let Some(waiter) = self.pushes.remove(&id) {
                        let _ = waiter.send(reply);
                    }
                }
            }
        }
    }

    fn command(&mut self, command: Command, got: &mut Collected) {
        let now = self.now();
        match command {
            Command::Join {
                topic,
                params,
                messages,
                shared,
                joined,
            } => {
                let result = RawJson::parse(&params)
                    .map_err(|_| ClientError::Json(serde::de::Error::custom("params")))
                    .and_then(|params| {
                        self.session
                            .join(now, &topic, &params, &mut |e| collect(got, &e))
                            .map_err(ClientError::from)
                    });
                match result {
                    Ok(id) => {
                        // the join's own events name a channel the routes do not know yet
                        *shared
                            .state
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner) =
                            self.session.state(id);
                        self.channels.insert(id, Route { messages, shared });
                        let (tx, rx) = oneshot::channel();
                        self.joins.insert(id, tx);
                        let _ = joined.send(Ok((id, rx)));
                    }
                    Err(e) => {
                        let _ = joined.send(Err(e));
                    }
                }
            }
            Command::Push {
                channel,
                event,
                payload,
                reply,
            } => {
                let result = match &payload {
                    PushBody::Json(json) => RawJson::parse(json)
                        .map_err(|_| ClientError::Json(serde::de::Error::custom("payload")))
                        .and_then(|raw| {
                            self.session
                                .push(now, channel, &event, &raw, None, &mut |e| collect(got, &e))
                                .map_err(ClientError::from)
                        }),
                    PushBody::Binary(bytes) => self
                        .session
                        .push_binary(now, channel, &event, bytes, None, &mut |e| collect(got, &e))
                        .map_err(ClientError::from),
                };
                match result {
                    Ok(id) => {
                        let (tx, rx) = oneshot::channel();
                        self.pushes.insert(id, tx);
                        let _ = reply.send(Ok(rx));
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e));
                    }
                }
            }
            Command::Leave { channel, done } => {
                let _ = self.session.leave(now, channel, &mut |e| collect(got, &e));
                self.joins.remove(&channel);
                let _ = done.send(());
            }
            Command::Disconnect { done } => {
                self.session
                    .disconnect(now, None, &mut |e| collect(got, &e));
                let _ = done.send(());
            }
        }
    }

    /// Writes the session's frames and carries out its transport actions.
    async fn flush(&mut self, conn: &mut Conn) {
        loop {
            match self.session.poll_frame(&mut self.buf) {
                Ok(Some(out)) => {
                    let message = match out {
                        Outgoing::Text(n) => {
                            let text = String::from_utf8_lossy(self.buf.get(..n).unwrap_or(&[]))
                                .into_owned();
                            Message::Text(text.into())
                        }
                        Outgoing::Binary(n) => Message::Binary(Bytes::copy_from_slice(
                            self.buf.get(..n).unwrap_or(&[]),
                        )),
                    };
                    if let Conn::Open(ws) = conn
                        && ws.send(message).await.is_err()
                    {
                        // the read side reports the close
                    }
                }
                Err(SessionError::BufferTooSmall { needed }) => self.buf.resize(needed, 0),
                Ok(None) | Err(_) => break,
            }
        }
        while let Some(action) = self.session.poll_transport() {
            match action {
                TransportAction::Open => {
                    let url = self.url.clone();
                    *conn = Conn::Connecting(Box::pin(async move {
                        tokio_tungstenite::connect_async(url)
                            .await
                            .map(|(ws, _)| ws)
                            .map_err(|e| e.to_string())
                    }));
                }
                TransportAction::Close(code) => {
                    if let Conn::Open(ws) = conn {
                        let _ = ws
                            .close(Some(CloseFrame {
                                code: code.into(),
                                reason: "".into(),
                            }))
                            .await;
                    }
                    *conn = Conn::None;
                }
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

enum Happened {
    Opened(Box<Ws>),
    Failed,
    /// A message, or `None` when the WebSocket ended.
    Message(Option<Message>),
}

/// The next thing the transport does: the connection attempt ends, or a message arrives.
async fn transport(conn: &mut Conn) -> Happened {
    match conn {
        Conn::Connecting(fut) => match fut.await {
            Ok(ws) => Happened::Opened(Box::new(ws)),
            Err(_) => Happened::Failed,
        },
        Conn::Open(ws) => match ws.next().await {
            Some(Ok(message)) => Happened::Message(Some(message)),
            Some(Err(_)) | None => Happened::Message(None),
        },
        Conn::None => std::future::pending().await,
    }
}

fn percent_encode(out: &mut String, text: &str) {
    use fmt::Write as _;
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_percent_encoded() {
        let mut s = String::new();
        percent_encode(&mut s, "a b&c=é");
        assert_eq!(s, "a%20b%26c%3D%C3%A9");
    }

    #[tokio::test]
    async fn a_bad_url_is_refused() {
        assert!(matches!(
            Socket::connect("http://x", &[]).await,
            Err(ClientError::BadUrl(_))
        ));
    }

    #[test]
    fn replies_from_outcomes() {
        let r = Reply::from_outcome(&Outcome::Timeout);
        assert_eq!(r.status, "timeout");
        assert!(!r.is_ok());
    }
}
