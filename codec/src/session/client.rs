//! A sans-IO Phoenix channel client session with the semantics of the `phoenix` npm client
//! 1.8.16.
//!
//! [`ClientSession`] owns everything a channel client has to keep track of — the ref counter,
//! each channel's join and `join_ref`, pending and buffered pushes with their timeouts, the
//! heartbeat and its reply deadline, reconnect and rejoin backoff — and does no I/O: the caller
//! tells it what happened and polls it for what to do.
//!
//! | the caller tells it | the session answers with |
//! |---|---|
//! | [`connect`](ClientSession::connect), [`disconnect`](ClientSession::disconnect) | [`poll_transport`](ClientSession::poll_transport): [`TransportAction::Open`] / [`TransportAction::Close`] |
//! | [`handle_opened`](ClientSession::handle_opened), [`handle_closed`](ClientSession::handle_closed) | [`poll_frame`](ClientSession::poll_frame): the next frame to send, written into caller memory |
//! | [`handle_message`](ClientSession::handle_message) (a WebSocket text or binary message) | [`poll_timeout`](ClientSession::poll_timeout): when to call [`handle_timeout`](ClientSession::handle_timeout) |
//! | [`join`](ClientSession::join), [`push`](ClientSession::push), [`push_binary`](ClientSession::push_binary), [`leave`](ClientSession::leave) | [`Event`]s, passed to the `on_event` callback of the call that caused them |
//!
//! Events go to a callback instead of a queue so that channel messages and replies can borrow
//! the incoming WebSocket message ([`Frame`]) without the session storing it.
//!
//! # Behaviour matched
//! The session is a transcription of phoenix.js 1.8.16's `Socket`, `Channel`, `Push` and
//! `Timer` (with the fake transport a WebSocket is: it closes at once when asked to), checked
//! by a differential test that runs the same scripts through both (`tests/data/session/`):
//! - refs come from one counter per session; a channel's `join_ref` is the ref of its current
//!   `phx_join`; a rejoin takes a new one; heartbeats carry a ref and no `join_ref`;
//! - heartbeat on topic `phoenix` `heartbeat_interval_ms` after the transport opens and that
//!   long after each heartbeat reply; no reply within that time closes the transport with 1000,
//!   errors the channels and reconnects;
//! - any close the session did not ask for reconnects after the `reconnect_after_ms` backoff
//!   (tries reset when a transport opens); [`disconnect`](ClientSession::disconnect) does not;
//! - a join error or timeout errors the channel and rejoins after the `rejoin_after_ms` backoff
//!   (a join timeout also sends `phx_leave`); errored channels rejoin as soon as a transport
//!   opens; joins made without an open transport are sent when it opens;
//! - pushes made while the channel cannot push are buffered and sent after the next ok join
//!   reply; their timeout runs from the push, and starts again (with a new ref) when a buffered
//!   push is sent, as `Push.send` does;
//! - messages whose `join_ref` is set and differs from the channel's are dropped; `phx_error`
//!   errors the channel (and rejoins it), `phx_close` closes it;
//! - [`leave`](ClientSession::leave) sends `phx_leave` and completes at once with `ok` and `{}`
//!   ([`Event::Left`]), as phoenix.js does; the server's reply is not waited for;
//! - joining a topic that another channel of this session has joined (or is joining) leaves that
//!   channel first, as `Socket.leaveOpenTopic` does;
//! - a channel closed by the server stays usable the way a phoenix.js `Channel` object does
//!   (its pending join timeout still fires, a push on it is buffered and times out, a leave on
//!   it still sends `phx_leave`) until its slot is reused by a new channel.
//!
//! # Not matched, deliberately
//! - phoenix.js refs skip numbers (callback registrations take refs too); these refs count
//!   1, 2, 3... What goes on the wire is otherwise the same.
//! - A server event named `chan_reply_<ref>` is a push reply to phoenix.js (its internal event
//!   name); here it is an ordinary channel message.
//! - A transport that emits a WebSocket `error` event, `ping`, long-poll fallback, page
//!   visibility and auth tokens are not modelled (the caller owns the transport).
//! - Capacities are fixed: when a join or push does not fit, the call returns a
//!   [`SessionError`] instead (nothing changes). A frame that does not fit the outbox is dropped
//!   and counted ([`dropped_frames`](ClientSession::dropped_frames)), as if the network had
//!   lost it: drain [`poll_frame`](ClientSession::poll_frame) after every call.
//! - A channel closed by the server (or left) is forgotten when its slot is needed for a new
//!   channel, even when phoenix.js would still run its timers (a join timeout pending when the
//!   server sent `phx_close` makes phoenix.js rejoin that removed channel forever).
//! - Messages while the transport is still connecting are ignored (phoenix.js would handle
//!   them, but a WebSocket delivers none before it opens).
//! - With `vsn` 1.0.0, phoenix.js 1.8.16's default serializer still writes V2 arrays; an
//!   application speaking V1 passes `encode`/`decode` built on `JSON.stringify`/`JSON.parse`,
//!   and that is what this session writes and reads (V1 objects).
//!
//! # Example
//! ```
//! use phx_codec::session::client::{ClientSession, Event, Options, TransportAction, Outgoing};
//! use phx_codec::{WsMessage, outgoing::EmptyObject};
//!
//! // 4 channels, 8 pushes, 256-byte payloads, a 1 KiB outbox.
//! let mut session = ClientSession::<4, 8, 256, 1024>::new(Options::DEFAULT);
//! let mut events = Vec::new();
//! let mut on_event = |e: Event<'_>| events.push(format!("{e:?}"));
//!
//! session.connect(0);
//! assert_eq!(session.poll_transport(), Some(TransportAction::Open));
//! let room = session.join(0, "room:1", &EmptyObject, &mut on_event).unwrap();
//! session.handle_opened(5, &mut on_event);
//!
//! let mut buf = [0u8; 256];
//! let Some(Outgoing::Text(n)) = session.poll_frame(&mut buf).unwrap() else { panic!() };
//! assert_eq!(&buf[..n], br#"["1","1","room:1","phx_join",{}]"#);
//!
//! session.handle_message(9, WsMessage::Text(br#"["1","1","room:1","phx_reply",{"status":"ok","response":{}}]"#), &mut on_event);
//! assert_eq!(session.state(room), Some(phx_codec::session::client::ChannelState::Joined));
//! // The first heartbeat is due 30 s after the transport opened.
//! assert_eq!(session.poll_timeout(), Some(30_005));
//! ```

use core::fmt;

use fixed::{Buf, List};

use crate::DecodeError;
use crate::Decoder;
use crate::Direction;
use crate::EncodeError;
use crate::Frame;
use crate::JsonStr;
use crate::Payload;
use crate::RawJson;
use crate::Vsn;
use crate::WsMessage;
use crate::encode::{Sink, WriteJson};
use crate::outgoing::{EmptyObject, OutgoingFrame};

/// The longest topic or event name a session stores, in bytes (a binary frame's header field
/// holds at most 255).
pub const MAX_NAME_LEN: usize = 255;

const EVENT_JOIN: &str = "phx_join";
const EVENT_LEAVE: &str = "phx_leave";
const EVENT_REPLY: &str = "phx_reply";
const EVENT_ERROR: &str = "phx_error";
const EVENT_CLOSE: &str = "phx_close";
const WS_CLOSE_NORMAL: u16 = 1000;

/// A backoff table: the delay before try `n` (1-based) is `steps[n - 1]`, and `then` once the
/// table is exhausted, as phoenix.js's `reconnectAfterMs`/`rejoinAfterMs` defaults compute it.
///
/// ```
/// use phx_codec::session::client::Backoff;
/// let b = Backoff::RECONNECT;
/// assert_eq!((b.delay(1), b.delay(9), b.delay(10), b.delay(99)), (10, 2000, 5000, 5000));
/// assert_eq!(Backoff::REJOIN.delay(3), 5000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// Delays in milliseconds for tries 1, 2, ...
    pub steps: &'static [u64],
    /// The delay once `steps` is exhausted.
    pub then: u64,
}

impl Backoff {
    /// phoenix.js's reconnect backoff: `[10, 50, 100, 150, 200, 250, 500, 1000, 2000]`, then
    /// 5000 ms.
    pub const RECONNECT: Self = Self {
        steps: &[10, 50, 100, 150, 200, 250, 500, 1000, 2000],
        then: 5000,
    };
    /// phoenix.js's rejoin backoff: `[1000, 2000, 5000]`, then 10 000 ms.
    pub const REJOIN: Self = Self {
        steps: &[1000, 2000, 5000],
        then: 10_000,
    };

    /// The delay before try `tries` (1-based).
    pub fn delay(&self, tries: u32) -> u64 {
        let index = usize::try_from(tries.saturating_sub(1)).unwrap_or(usize::MAX);
        if tries == 0 {
            return self.steps.first().copied().unwrap_or(self.then);
        }
        self.steps.get(index).copied().unwrap_or(self.then)
    }
}

/// Session options, named and defaulted as phoenix.js's `Socket` options.
///
/// ```
/// use phx_codec::session::client::Options;
/// use phx_codec::Vsn;
/// let options = Options { vsn: Vsn::V1, heartbeat_interval_ms: 10_000, ..Options::DEFAULT };
/// assert_eq!(options.timeout_ms, 10_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The serializer: V2 arrays (and binary frames) or V1 objects. phoenix.js's default is V2.
    pub vsn: Vsn,
    /// `heartbeatIntervalMs`: 30 000 by default; 0 means the default, as in phoenix.js.
    pub heartbeat_interval_ms: u64,
    /// `timeout`: the default join and push timeout, 10 000 by default; 0 means the default.
    pub timeout_ms: u64,
    /// `reconnectAfterMs`.
    pub reconnect_after_ms: Backoff,
    /// `rejoinAfterMs`.
    pub rejoin_after_ms: Backoff,
}

impl Options {
    /// phoenix.js's defaults.
    pub const DEFAULT: Self = Self {
        vsn: Vsn::V2,
        heartbeat_interval_ms: 30_000,
        timeout_ms: 10_000,
        reconnect_after_ms: Backoff::RECONNECT,
        rejoin_after_ms: Backoff::REJOIN,
    };

    fn heartbeat(&self) -> u64 {
        if self.heartbeat_interval_ms == 0 {
            30_000
        } else {
            self.heartbeat_interval_ms
        }
    }

    fn timeout(&self) -> u64 {
        if self.timeout_ms == 0 {
            10_000
        } else {
            self.timeout_ms
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A channel's state, as phoenix.js names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChannelState {
    /// Not joined (before the join, after a leave or a server `phx_close`).
    Closed,
    /// Errored (join error or timeout, `phx_error`, transport lost); a rejoin is scheduled.
    Errored,
    /// Joined.
    Joined,
    /// A `phx_join` is on its way.
    Joining,
    /// Leaving (momentarily: a leave completes at once).
    Leaving,
}

impl ChannelState {
    /// `"closed"`, `"errored"`, `"joined"`, `"joining"` or `"leaving"`.
    ///
    /// ```
    /// assert_eq!(phx_codec::session::client::ChannelState::Joined.as_str(), "joined");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Closed => "closed",
            Self::Errored => "errored",
            Self::Joined => "joined",
            Self::Joining => "joining",
            Self::Leaving => "leaving",
        }
    }
}

/// A channel of a session (stale once its slot is reused: calls then fail with
/// [`SessionError::UnknownChannel`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChannelId {
    index: u16,
    generation: u32,
}

/// A push, named in its outcome event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PushId {
    index: u16,
    generation: u32,
}

/// What a session refuses to do. Nothing changed when a call returns one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionError {
    /// Every channel slot holds a channel that is not closed.
    ChannelsFull,
    /// Every push slot holds a push that has no outcome yet.
    PushesFull,
    /// The channel id is stale or was never issued by this session.
    UnknownChannel,
    /// A topic or event is longer than [`MAX_NAME_LEN`] bytes.
    NameTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A payload or join params do not fit the session's payload capacity.
    PayloadTooLarge {
        /// The payload's length in bytes.
        len: usize,
        /// The capacity.
        capacity: usize,
    },
    /// Binary pushes need the V2 serializer.
    BinaryNeedsV2,
    /// [`poll_frame`](ClientSession::poll_frame)'s buffer cannot hold the next frame (it stays
    /// queued).
    BufferTooSmall {
        /// The frame's length.
        needed: usize,
    },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ChannelsFull => f.write_str("every channel slot is in use"),
            Self::PushesFull => f.write_str("every push slot is in use"),
            Self::UnknownChannel => f.write_str("unknown or stale channel id"),
            Self::NameTooLong { len } => {
                write!(f, "topic or event of {len} bytes (at most {MAX_NAME_LEN})")
            }
            Self::PayloadTooLarge { len, capacity } => {
                write!(f, "payload of {len} bytes (capacity {capacity})")
            }
            Self::BinaryNeedsV2 => f.write_str("binary pushes need vsn 2.0.0"),
            Self::BufferTooSmall { needed } => {
                write!(f, "the next frame needs a buffer of {needed} bytes")
            }
        }
    }
}

impl core::error::Error for SessionError {}

/// What the transport should do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportAction {
    /// Open a new WebSocket (to `…/websocket?vsn=…`); report it with
    /// [`handle_opened`](ClientSession::handle_opened) or
    /// [`handle_closed`](ClientSession::handle_closed).
    Open,
    /// Close the WebSocket with this code. The session considers it closed already; its close
    /// event need not be reported.
    Close(u16),
}

/// A frame [`poll_frame`](ClientSession::poll_frame) wrote: send that many bytes as a text or a
/// binary WebSocket message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outgoing {
    /// A text message of this length.
    Text(usize),
    /// A binary message of this length.
    Binary(usize),
}

/// A reply's response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response<'a> {
    /// A JSON response.
    Json(RawJson<'a>),
    /// A binary reply's bytes.
    Binary(&'a [u8]),
    /// The reply payload has no `response`.
    Absent,
}

/// How a join or push ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// A `phx_reply` arrived. `status` is `"ok"`, `"error"` or whatever the server sent (`None`
    /// when the reply has no string status).
    Reply {
        /// The reply's status.
        status: Option<JsonStr<'a>>,
        /// The reply's response.
        response: Response<'a>,
    },
    /// No reply within the timeout.
    Timeout,
}

impl Outcome<'_> {
    /// `"ok"`, `"error"`, `"timeout"`, another status, or `""` when the reply had none.
    pub fn status_is(&self, status: &str) -> bool {
        match self {
            Self::Reply { status: s, .. } => s.is_some_and(|s| s.eq_str(status)),
            Self::Timeout => status == "timeout",
        }
    }
}

/// What the application sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // passed to a callback once, never stored
pub enum Event<'a> {
    /// A channel's state changed.
    State {
        /// The channel.
        channel: ChannelId,
        /// Its new state.
        state: ChannelState,
    },
    /// A join (or rejoin) ended.
    Join {
        /// The channel.
        channel: ChannelId,
        /// The outcome.
        outcome: Outcome<'a>,
    },
    /// A push ended. Every push accepted by [`push`](ClientSession::push) gets exactly one.
    Push {
        /// The push.
        push: PushId,
        /// Its channel.
        channel: ChannelId,
        /// The outcome.
        outcome: Outcome<'a>,
    },
    /// A [`leave`](ClientSession::leave) completed (phoenix.js's leave `"ok"` with `{}`).
    Left {
        /// The channel.
        channel: ChannelId,
    },
    /// A message for the channel (events starting with `phx_` are not passed on).
    Message {
        /// The channel.
        channel: ChannelId,
        /// The frame, borrowed from the message passed to
        /// [`handle_message`](ClientSession::handle_message).
        frame: Frame<'a>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Due {
    at: u64,
    seq: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ready {
    Connecting,
    Open,
    Closed,
}

#[derive(Clone, Copy, Debug)]
#[allow(clippy::struct_excessive_bools)] // phoenix.js `Connection`'s flags, kept by name
struct Conn {
    id: u64,
    ready: Ready,
    /// We closed it (phoenix.js `Connection.closing`).
    closing: bool,
    /// The session no longer wants it (`Connection.ended`).
    ended: bool,
    channels_errored: bool,
    close_handled: bool,
}

#[derive(Debug)]
struct Channel<const P: usize> {
    generation: u32,
    created: u64,
    /// Removed from the socket (phoenix.js `socket.remove`): no longer receives messages or
    /// socket callbacks, but keeps its timers.
    removed: bool,
    topic: Buf<MAX_NAME_LEN>,
    params: Buf<P>,
    timeout: u64,
    state: ChannelState,
    join_ref: Option<u64>,
    /// The join push waits for its reply (phoenix.js: its `refEvent` binding exists).
    join_bound: bool,
    join_timer: Option<Due>,
    rejoin_timer: Option<Due>,
    rejoin_tries: u32,
    /// (connection id, join_ref) of the join sent over a connection.
    carried: Option<(u64, u64)>,
    /// (send-buffer order, join_ref) of a join waiting in the socket's send buffer.
    buffered_join: Option<(u64, u64)>,
}

#[derive(Debug)]
struct PushSlot<const P: usize> {
    generation: u32,
    channel: ChannelId,
    event: Buf<MAX_NAME_LEN>,
    payload: Buf<P>,
    binary: bool,
    timeout: u64,
    reference: Option<u64>,
    timer: Option<Due>,
    /// Order in the channel's push buffer, while buffered.
    buffered: Option<u64>,
}

/// Which timer fires.
#[derive(Clone, Copy, Debug)]
enum TimerId {
    Reconnect,
    Heartbeat,
    HeartbeatTimeout,
    Rejoin(usize),
    JoinTimeout(usize),
    Push(usize),
}

/// A validated JSON text stored by the session.
struct Verbatim<'a>(&'a [u8]);

impl WriteJson for Verbatim<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(self.0)
    }
}

/// A ref as decimal text.
struct RefText {
    buf: [u8; 20],
    start: usize,
}

impl RefText {
    fn new(mut n: u64) -> Self {
        let mut buf = [b'0'; 20];
        let mut at = buf.len();
        loop {
            at -= 1;
            #[allow(clippy::cast_possible_truncation)] // a digit
            if let Some(slot) = buf.get_mut(at) {
                *slot = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || at == 0 {
                break;
            }
        }
        Self { buf, start: at }
    }

    fn as_str(&self) -> &str {
        core::str::from_utf8(self.buf.get(self.start..).unwrap_or(&[])).unwrap_or("")
    }
}

const TAG_TEXT: u8 = 0;
const TAG_BINARY: u8 = 1;
const RECORD_HEADER: usize = 5;

/// A Phoenix channel client session with phoenix.js 1.8.16 semantics; see the
/// [module docs](self).
///
/// Capacities: `CHANNELS` channels, `PUSHES` pushes awaiting their outcome (sent or buffered),
/// `PAYLOAD` bytes for each push's payload and each channel's join params, and an outbox of
/// `OUTBOX` bytes for frames not yet taken by [`poll_frame`](Self::poll_frame) (each frame
/// takes 5 bytes more than its length). Topics and events are stored up to [`MAX_NAME_LEN`]
/// bytes. The session allocates nothing.
pub struct ClientSession<
    const CHANNELS: usize,
    const PUSHES: usize,
    const PAYLOAD: usize,
    const OUTBOX: usize,
> {
    options: Options,
    channels: [Option<Channel<PAYLOAD>>; CHANNELS],
    pushes: [Option<PushSlot<PAYLOAD>>; PUSHES],
    conn: Option<Conn>,
    close_was_clean: bool,
    connect_clock: u64,
    reconnect_timer: Option<Due>,
    reconnect_tries: u32,
    heartbeat_timer: Option<Due>,
    heartbeat_timeout_timer: Option<Due>,
    pending_heartbeat: Option<u64>,
    next_ref: u64,
    next_seq: u64,
    next_conn: u64,
    next_generation: u32,
    outbox: Buf<OUTBOX>,
    actions: List<TransportAction, 4>,
    dropped_frames: u64,
}

type OnEvent<'e> = dyn FnMut(Event<'_>) + 'e;

impl<const CHANNELS: usize, const PUSHES: usize, const PAYLOAD: usize, const OUTBOX: usize>
    ClientSession<CHANNELS, PUSHES, PAYLOAD, OUTBOX>
{
    /// A session that is not connected and has no channels.
    ///
    /// ```
    /// use phx_codec::session::client::{ClientSession, Options};
    /// let session = ClientSession::<2, 4, 128, 512>::new(Options::DEFAULT);
    /// assert_eq!(session.poll_timeout(), None);
    /// ```
    pub fn new(options: Options) -> Self {
        Self {
            options,
            channels: [const { None }; CHANNELS],
            pushes: [const { None }; PUSHES],
            conn: None,
            close_was_clean: true,
            connect_clock: 1,
            reconnect_timer: None,
            reconnect_tries: 0,
            heartbeat_timer: None,
            heartbeat_timeout_timer: None,
            pending_heartbeat: None,
            next_ref: 0,
            next_seq: 0,
            next_conn: 0,
            next_generation: 0,
            outbox: Buf::new(),
            actions: List::filled(TransportAction::Open),
            dropped_frames: 0,
        }
    }

    /// The options.
    pub const fn options(&self) -> &Options {
        &self.options
    }

    // ----- queries ---------------------------------------------------------------------------

    /// The channel's state; `None` for a stale id.
    pub fn state(&self, channel: ChannelId) -> Option<ChannelState> {
        self.channel(channel).map(|c| c.state)
    }

    /// The channel's topic; `None` for a stale id.
    ///
    /// ```
    /// use phx_codec::session::client::{ClientSession, Options};
    /// use phx_codec::outgoing::EmptyObject;
    /// let mut s = ClientSession::<2, 4, 128, 512>::new(Options::DEFAULT);
    /// let id = s.join(0, "room:1", &EmptyObject, &mut |_| {}).unwrap();
    /// assert_eq!(s.topic(id), Some("room:1"));
    /// ```
    pub fn topic(&self, channel: ChannelId) -> Option<&str> {
        self.channel(channel).map(|c| c.topic.as_str())
    }

    /// Whether a transport is open.
    pub fn is_connected(&self) -> bool {
        matches!(
            self.conn,
            Some(Conn {
                ready: Ready::Open,
                ..
            })
        )
    }

    /// Frames dropped because the outbox was full.
    pub const fn dropped_frames(&self) -> u64 {
        self.dropped_frames
    }

    /// How many pushes await their outcome.
    pub fn pending_pushes(&self) -> usize {
        self.pushes.iter().filter(|p| p.is_some()).count()
    }

    fn channel(&self, id: ChannelId) -> Option<&Channel<PAYLOAD>> {
        channel_in(&self.channels, id)
    }

    fn channel_index(&self, id: ChannelId) -> Option<usize> {
        self.channel(id).map(|_| usize::from(id.index))
    }

    fn id_of(&self, index: usize) -> Option<ChannelId> {
        let c = self.channels.get(index)?.as_ref()?;
        Some(ChannelId {
            index: u16::try_from(index).ok()?,
            generation: c.generation,
        })
    }

    // ----- polls -----------------------------------------------------------------------------

    /// What the transport should do next (open a WebSocket, or close it with a code).
    pub fn poll_transport(&mut self) -> Option<TransportAction> {
        self.actions.pop_front()
    }

    /// Writes the next frame to send into `buf`. `Ok(None)` when there is none; when `buf` is
    /// too small the frame stays queued and the error says how long it is.
    ///
    /// Send frames in the order they come, on the transport that is open.
    pub fn poll_frame(&mut self, buf: &mut [u8]) -> Result<Option<Outgoing>, SessionError> {
        let Some((tag, len)) = self.peek_record() else {
            return Ok(None);
        };
        let body = self
            .outbox
            .get(RECORD_HEADER..RECORD_HEADER + len)
            .unwrap_or(&[]);
        let Some(dst) = buf.get_mut(..len) else {
            return Err(SessionError::BufferTooSmall { needed: len });
        };
        dst.copy_from_slice(body);
        self.pop_record(len);
        Ok(Some(if tag == TAG_BINARY {
            Outgoing::Binary(len)
        } else {
            Outgoing::Text(len)
        }))
    }

    /// The length of the next frame [`poll_frame`](Self::poll_frame) would write.
    pub fn next_frame_len(&self) -> Option<usize> {
        self.peek_record().map(|(_, len)| len)
    }

    fn peek_record(&self) -> Option<(u8, usize)> {
        let header = self.outbox.get(..RECORD_HEADER)?;
        let tag = *header.first()?;
        let mut len_bytes = [0u8; 4];
        len_bytes.copy_from_slice(header.get(1..5)?);
        let len = usize::try_from(u32::from_le_bytes(len_bytes)).ok()?;
        Some((tag, len))
    }

    fn pop_record(&mut self, len: usize) {
        let total = RECORD_HEADER + len;
        let remaining = self.outbox.len().saturating_sub(total);
        let len = self.outbox.len();
        self.outbox.copy_within(total.min(len).., 0);
        self.outbox.truncate(remaining);
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called (milliseconds on the
    /// caller's clock); `None` when no timer runs.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.earliest_timer().map(|(due, _)| due.at)
    }

    fn earliest_timer(&self) -> Option<(Due, TimerId)> {
        let mut best: Option<(Due, TimerId)> = None;
        let mut consider = |due: Option<Due>, id: TimerId| {
            if let Some(due) = due
                && best.is_none_or(|(b, _)| (due.at, due.seq) < (b.at, b.seq))
            {
                best = Some((due, id));
            }
        };
        consider(self.reconnect_timer, TimerId::Reconnect);
        consider(self.heartbeat_timer, TimerId::Heartbeat);
        consider(self.heartbeat_timeout_timer, TimerId::HeartbeatTimeout);
        for (i, c) in self.channels.iter().enumerate() {
            if let Some(c) = c {
                consider(c.rejoin_timer, TimerId::Rejoin(i));
                consider(c.join_timer, TimerId::JoinTimeout(i));
            }
        }
        for (i, p) in self.pushes.iter().enumerate() {
            if let Some(p) = p {
                consider(p.timer, TimerId::Push(i));
            }
        }
        best
    }

    // ----- inputs: time and transport ---------------------------------------------------------

    /// Fires every timer due at or before `now`, in the order they are due (ties in the order
    /// they were set), each as if at its own due time.
    pub fn handle_timeout(&mut self, now: u64, on_event: &mut impl FnMut(Event<'_>)) {
        let on_event: &mut OnEvent<'_> = on_event;
        // Every timer either ends or moves to a later time when it fires, except those set to
        // fire after 0 ms; the bound keeps a pathological table from spinning forever.
        let mut budget = 4 * (CHANNELS + PUSHES + 8);
        while budget > 0 {
            budget -= 1;
            let Some((due, id)) = self.earliest_timer() else {
                return;
            };
            if due.at > now {
                return;
            }
            self.fire(due.at, id, on_event);
        }
    }

    fn fire(&mut self, now: u64, id: TimerId, on_event: &mut OnEvent<'_>) {
        match id {
            TimerId::Reconnect => {
                self.reconnect_timer = None;
                self.reconnect_tries = self.reconnect_tries.saturating_add(1);
                // teardownAndReconnect(() => this.connect())
                let clock = self.connect_clock;
                let ended = self.conn.is_some_and(|c| c.ended);
                self.teardown(now, None, on_event);
                if clock == self.connect_clock && !ended {
                    self.connect(now);
                }
            }
            TimerId::Heartbeat => {
                self.heartbeat_timer = None;
                self.send_heartbeat(now);
            }
            TimerId::HeartbeatTimeout => {
                self.heartbeat_timeout_timer = None;
                self.heartbeat_timeout(now, on_event);
            }
            TimerId::Rejoin(i) => {
                if let Some(Some(c)) = self.channels.get_mut(i) {
                    c.rejoin_timer = None;
                    c.rejoin_tries = c.rejoin_tries.saturating_add(1);
                }
                if self.is_connected() {
                    self.rejoin(now, i, on_event);
                }
            }
            TimerId::JoinTimeout(i) => {
                let bound = match self.channels.get_mut(i) {
                    Some(Some(c)) => {
                        c.join_timer = None;
                        c.join_bound
                    }
                    _ => false,
                };
                if bound {
                    self.join_timed_out(now, i, on_event);
                }
            }
            TimerId::Push(i) => {
                if let Some(slot) = self.pushes.get_mut(i).and_then(Option::take) {
                    on_event(Event::Push {
                        push: PushId {
                            index: u16::try_from(i).unwrap_or(u16::MAX),
                            generation: slot.generation,
                        },
                        channel: slot.channel,
                        outcome: Outcome::Timeout,
                    });
                }
            }
        }
    }

    /// The application's `socket.connect()`: asks for a transport
    /// ([`TransportAction::Open`]) unless it has one (open, opening or reconnecting).
    pub fn connect(&mut self, now: u64) {
        let _ = now;
        if self.conn.is_some_and(|c| !c.ended) {
            return;
        }
        self.transport_connect();
    }

    fn transport_connect(&mut self) {
        self.connect_clock = self.connect_clock.wrapping_add(1);
        self.close_was_clean = false;
        // keeps the tries, which only reset once a connection opens
        self.reconnect_timer = None;
        self.next_conn = self.next_conn.wrapping_add(1);
        self.conn = Some(Conn {
            id: self.next_conn,
            ready: Ready::Connecting,
            closing: false,
            ended: false,
            channels_errored: false,
            close_handled: false,
        });
        self.action(TransportAction::Open);
    }

    fn action(&mut self, action: TransportAction) {
        if self.actions.is_full() {
            let _ = self.actions.pop_front();
        }
        let _ = self.actions.push(action);
    }

    /// The application's `socket.disconnect()`: closes the transport with `code` (1000 when
    /// `None`) and does not reconnect. Channels joined over it error (and rejoin once a later
    /// [`connect`](Self::connect) opens a transport).
    ///
    /// ```
    /// use phx_codec::session::client::{ClientSession, Options, TransportAction};
    /// let mut s = ClientSession::<1, 1, 16, 256>::new(Options::DEFAULT);
    /// s.connect(0);
    /// s.handle_opened(5, &mut |_| {});
    /// let _ = s.poll_transport();
    /// s.disconnect(50, None, &mut |_| {});
    /// assert_eq!(s.poll_transport(), Some(TransportAction::Close(1000)));
    /// assert_eq!(s.poll_timeout(), None); // no heartbeat, no reconnect
    /// ```
    pub fn disconnect(
        &mut self,
        now: u64,
        code: Option<u16>,
        on_event: &mut impl FnMut(Event<'_>),
    ) {
        let on_event: &mut OnEvent<'_> = on_event;
        self.connect_clock = self.connect_clock.wrapping_add(1);
        self.close_was_clean = true;
        self.reconnect_timer = None;
        self.reconnect_tries = 0;
        if let Some(conn) = &mut self.conn {
            conn.ended = true;
        }
        self.teardown(now, code, on_event);
    }

    fn teardown(&mut self, now: u64, code: Option<u16>, on_event: &mut OnEvent<'_>) {
        let Some(conn) = self.conn else {
            return;
        };
        self.clear_heartbeats();
        if !conn.closing {
            let was_opened = conn.ready != Ready::Connecting;
            self.close_conn(code);
            if was_opened {
                self.trigger_chan_error(now, on_event);
            }
        }
        // the transport is closed at once, so the socket stops waiting for it
        self.conn = None;
    }

    fn close_conn(&mut self, code: Option<u16>) {
        let Some(conn) = &mut self.conn else {
            return;
        };
        conn.closing = true;
        if conn.ready != Ready::Closed {
            conn.ready = Ready::Closed;
            self.action(TransportAction::Close(code.unwrap_or(WS_CLOSE_NORMAL)));
        }
    }

    /// The transport the session asked for is open.
    pub fn handle_opened(&mut self, now: u64, on_event: &mut impl FnMut(Event<'_>)) {
        let on_event: &mut OnEvent<'_> = on_event;
        match &mut self.conn {
            Some(conn) if conn.ready == Ready::Connecting => conn.ready = Ready::Open,
            _ => return,
        }
        self.close_was_clean = false;
        self.flush_send_buffer();
        self.reconnect_timer = None;
        self.reconnect_tries = 0;
        self.reset_heartbeat(now);
        for i in self.members_in_order() {
            if let Some(Some(c)) = self.channels.get_mut(i) {
                c.rejoin_timer = None;
                c.rejoin_tries = 0;
                if c.state == ChannelState::Errored {
                    self.rejoin(now, i, on_event);
                }
            }
        }
    }

    /// The transport closed (or failed to open) without the session asking, with this close
    /// code. Ignored when the session has no transport open or opening. Whatever the code, the
    /// session reconnects (unless the application disconnected).
    ///
    /// ```
    /// use phx_codec::session::client::{ClientSession, Options, TransportAction};
    /// let mut s = ClientSession::<1, 1, 16, 256>::new(Options::DEFAULT);
    /// s.connect(0);
    /// assert_eq!(s.poll_transport(), Some(TransportAction::Open));
    /// s.handle_opened(5, &mut |_| {});
    /// s.handle_closed(100, 1000, &mut |_| {});
    /// assert_eq!(s.poll_timeout(), Some(110)); // the first reconnect, 10 ms later
    /// s.handle_timeout(110, &mut |_| {});
    /// assert_eq!(s.poll_transport(), Some(TransportAction::Open));
    /// ```
    pub fn handle_closed(&mut self, now: u64, code: u16, on_event: &mut impl FnMut(Event<'_>)) {
        let _ = code;
        let on_event: &mut OnEvent<'_> = on_event;
        let Some(conn) = &mut self.conn else {
            return;
        };
        if conn.close_handled || conn.ready == Ready::Closed {
            return;
        }
        conn.close_handled = true;
        conn.ready = Ready::Closed;
        let closed_by_us = conn.closing;
        // frames for the closed transport cannot be sent any more
        self.outbox.clear();
        self.clear_heartbeats();
        self.trigger_chan_error(now, on_event);
        if self.conn.is_some_and(|c| !c.ended) && !closed_by_us && !self.close_was_clean {
            self.schedule_reconnect(now);
        }
    }

    fn schedule_reconnect(&mut self, now: u64) {
        let delay = self
            .options
            .reconnect_after_ms
            .delay(self.reconnect_tries.saturating_add(1));
        self.reconnect_timer = Some(self.due(now, delay));
    }

    fn due(&mut self, now: u64, delay: u64) -> Due {
        self.next_seq = self.next_seq.wrapping_add(1);
        Due {
            at: now.saturating_add(delay),
            seq: self.next_seq,
        }
    }

    fn make_ref(&mut self) -> u64 {
        self.next_ref = self.next_ref.wrapping_add(1);
        self.next_ref
    }

    fn clear_heartbeats(&mut self) {
        self.heartbeat_timer = None;
        self.heartbeat_timeout_timer = None;
        self.pending_heartbeat = None;
    }

    fn reset_heartbeat(&mut self, now: u64) {
        self.clear_heartbeats();
        let interval = self.options.heartbeat();
        self.heartbeat_timer = Some(self.due(now, interval));
    }

    fn send_heartbeat(&mut self, now: u64) {
        if self.pending_heartbeat.is_some() && !self.is_connected() {
            return;
        }
        let reference = self.make_ref();
        self.pending_heartbeat = Some(reference);
        if self.is_connected() {
            let r = RefText::new(reference);
            let frame = OutgoingFrame {
                join_ref: None,
                reference: Some(r.as_str()),
                topic: "phoenix",
                event: "heartbeat",
                payload: EmptyObject,
            };
            self.enqueue_text(&frame);
        }
        let interval = self.options.heartbeat();
        self.heartbeat_timeout_timer = Some(self.due(now, interval));
    }

    fn heartbeat_timeout(&mut self, now: u64, on_event: &mut OnEvent<'_>) {
        if self.pending_heartbeat.is_none() {
            return;
        }
        self.pending_heartbeat = None;
        self.close_was_clean = false;
        self.close_conn(Some(WS_CLOSE_NORMAL));
        if self.conn.is_none_or(|c| c.ended) {
            return;
        }
        self.trigger_chan_error(now, on_event);
        // teardownAndReconnect(() => this.reconnectTimer.scheduleTimeout())
        let clock = self.connect_clock;
        self.teardown(now, None, on_event);
        if clock == self.connect_clock {
            self.schedule_reconnect(now);
        }
    }

    /// phoenix.js `triggerChanError`, always for the current connection.
    fn trigger_chan_error(&mut self, now: u64, on_event: &mut OnEvent<'_>) {
        let mut errored_before = false;
        let mut conn_id = None;
        if let Some(conn) = &mut self.conn {
            conn_id = Some(conn.id);
            if conn.ready != Ready::Open {
                errored_before = conn.channels_errored;
                conn.channels_errored = true;
            }
        }
        let members = self.members_in_order();
        let mut snapshot: List<(usize, Option<u64>), CHANNELS> = List::filled((0, None));
        for i in members {
            if let Some(Some(c)) = self.channels.get(i) {
                let _ = snapshot.push((i, c.join_ref));
            }
        }
        for (i, join_ref) in snapshot {
            let Some(Some(c)) = self.channels.get(i) else {
                continue;
            };
            if c.join_ref != join_ref {
                continue;
            }
            if let Some(id) = conn_id {
                let carried = join_ref.is_some_and(|r| c.carried == Some((id, r)));
                if errored_before && !carried {
                    continue;
                }
            }
            if !matches!(
                c.state,
                ChannelState::Errored | ChannelState::Leaving | ChannelState::Closed
            ) {
                self.channel_error(now, i, on_event);
            }
        }
    }

    /// Channel indices not removed from the socket, in creation order.
    fn members_in_order(&self) -> List<usize, CHANNELS> {
        let mut out: List<usize, CHANNELS> = List::filled(0);
        for (i, c) in self.channels.iter().enumerate() {
            if let Some(c) = c
                && !c.removed
            {
                let _ = out.push(i);
            }
        }
        out.sort_unstable_by_key(|&i| {
            self.channels
                .get(i)
                .and_then(Option::as_ref)
                .map_or(u64::MAX, |c| c.created)
        });
        out
    }

    fn set_state(&mut self, i: usize, state: ChannelState, on_event: &mut OnEvent<'_>) {
        let Some(id) = self.id_of(i) else {
            return;
        };
        if let Some(Some(c)) = self.channels.get_mut(i)
            && c.state != state
        {
            c.state = state;
            on_event(Event::State { channel: id, state });
        }
    }

    /// phoenix.js `Channel.onError`.
    fn channel_error(&mut self, now: u64, i: usize, on_event: &mut OnEvent<'_>) {
        if let Some(Some(c)) = self.channels.get_mut(i)
            && c.state == ChannelState::Joining
        {
            c.join_bound = false;
            c.join_ref = None;
        }
        self.set_state(i, ChannelState::Errored, on_event);
        if self.is_connected() {
            self.schedule_rejoin(now, i);
        }
    }

    fn schedule_rejoin(&mut self, now: u64, i: usize) {
        let Some(Some(c)) = self.channels.get(i) else {
            return;
        };
        let delay = self
            .options
            .rejoin_after_ms
            .delay(c.rejoin_tries.saturating_add(1));
        let due = self.due(now, delay);
        if let Some(Some(c)) = self.channels.get_mut(i) {
            c.rejoin_timer = Some(due);
        }
    }

    // ----- sending -------------------------------------------------------------------------

    fn enqueue_text<P: WriteJson>(&mut self, frame: &OutgoingFrame<'_, P>) {
        let dropped = write_text_record(&mut self.outbox, self.options.vsn, frame);
        self.dropped_frames = self.dropped_frames.saturating_add(dropped);
    }

    fn send_join(&mut self, i: usize) {
        let Some(Some(c)) = self.channels.get(i) else {
            return;
        };
        let Some(join_ref) = c.join_ref else {
            return;
        };
        if !self.is_connected() {
            let order = self.due(0, 0).seq;
            if let Some(Some(c)) = self.channels.get_mut(i) {
                c.buffered_join = Some((order, join_ref));
            }
            return;
        }
        let conn_id = self.conn.map_or(0, |c| c.id);
        if let Some(Some(c)) = self.channels.get_mut(i) {
            c.carried = Some((conn_id, join_ref));
        }
        self.write_join(i);
    }

    fn write_join(&mut self, i: usize) {
        let mut dropped = 0;
        if let Some(Some(c)) = self.channels.get(i)
            && let Some(join_ref) = c.join_ref
        {
            let r = RefText::new(join_ref);
            let frame = OutgoingFrame {
                join_ref: Some(r.as_str()),
                reference: Some(r.as_str()),
                topic: c.topic.as_str(),
                event: EVENT_JOIN,
                payload: Verbatim(&c.params),
            };
            dropped = write_text_record(&mut self.outbox, self.options.vsn, &frame);
        }
        self.dropped_frames = self.dropped_frames.saturating_add(dropped);
    }

    fn send_leave(&mut self, i: usize) {
        // A leave that cannot be sent now is dropped: phoenix.js buffers it, but drops it when
        // the buffer is flushed, as its channel has closed or rejoined by then.
        if !self.is_connected() {
            return;
        }
        let reference = self.make_ref();
        let mut dropped = 0;
        if let Some(Some(c)) = self.channels.get(i) {
            let r = RefText::new(reference);
            let jr = c.join_ref.map(RefText::new);
            let frame = OutgoingFrame {
                join_ref: jr.as_ref().map(RefText::as_str),
                reference: Some(r.as_str()),
                topic: c.topic.as_str(),
                event: EVENT_LEAVE,
                payload: EmptyObject,
            };
            dropped = write_text_record(&mut self.outbox, self.options.vsn, &frame);
        }
        self.dropped_frames = self.dropped_frames.saturating_add(dropped);
    }

    fn send_push(&mut self, p: usize) {
        let mut dropped = 0;
        if let Some(Some(slot)) = self.pushes.get(p)
            && let Some(c) = channel_in(&self.channels, slot.channel)
            && let Some(reference) = slot.reference
            && c.state != ChannelState::Closed
        {
            let r = RefText::new(reference);
            let jr = c.join_ref.map(RefText::new);
            if slot.binary {
                let jr_str = jr.as_ref().map_or("", RefText::as_str);
                let frame = Frame::new(
                    Some(JsonStr::literal(jr_str)),
                    Some(JsonStr::literal(r.as_str())),
                    JsonStr::literal(c.topic.as_str()),
                    JsonStr::literal(slot.event.as_str()),
                    Payload::Binary(&slot.payload),
                );
                let outbox = &mut self.outbox;
                let start = outbox.len();
                if outbox.extend_from_slice(&[TAG_BINARY, 0, 0, 0, 0]).is_err() {
                    dropped = 1;
                } else {
                    let written = frame.encode_binary(Direction::FromClient, outbox);
                    dropped = finish(outbox, start, written);
                }
            } else {
                let frame = OutgoingFrame {
                    join_ref: jr.as_ref().map(RefText::as_str),
                    reference: Some(r.as_str()),
                    topic: c.topic.as_str(),
                    event: slot.event.as_str(),
                    payload: Verbatim(&slot.payload),
                };
                dropped = write_text_record(&mut self.outbox, self.options.vsn, &frame);
            }
        }
        self.dropped_frames = self.dropped_frames.saturating_add(dropped);
    }

    fn flush_send_buffer(&mut self) {
        if !self.is_connected() {
            return;
        }
        let mut order: List<(u64, usize), CHANNELS> = List::filled((0, 0));
        for (i, c) in self.channels.iter_mut().enumerate() {
            if let Some(c) = c
                && let Some((seq, join_ref)) = c.buffered_join.take()
                && c.join_ref == Some(join_ref)
                && c.state != ChannelState::Closed
            {
                let _ = order.push((seq, i));
            }
        }
        order.sort_unstable();
        for (_, i) in order {
            self.send_join(i);
        }
    }

    // ----- channels --------------------------------------------------------------------------

    /// The application's `socket.channel(topic, params).join()`: a new channel, joined now (or
    /// as soon as a transport opens). Its join's outcomes arrive as [`Event::Join`], rejoins
    /// included. `params` is written once and stored for rejoins.
    ///
    /// When every slot holds a channel, the oldest channel closed by the server or left is
    /// forgotten to make room; when none is, this fails with [`SessionError::ChannelsFull`].
    pub fn join<P: WriteJson + ?Sized>(
        &mut self,
        now: u64,
        topic: &str,
        params: &P,
        on_event: &mut impl FnMut(Event<'_>),
    ) -> Result<ChannelId, SessionError> {
        let on_event: &mut OnEvent<'_> = on_event;
        if topic.len() > MAX_NAME_LEN {
            return Err(SessionError::NameTooLong { len: topic.len() });
        }
        let len = params.json_len();
        if len > PAYLOAD {
            return Err(SessionError::PayloadTooLarge {
                len,
                capacity: PAYLOAD,
            });
        }
        let index = self.free_channel_slot().ok_or(SessionError::ChannelsFull)?;
        let mut stored_params: Buf<PAYLOAD> = Buf::new();
        params
            .write_json(&mut stored_params)
            .map_err(|_| SessionError::PayloadTooLarge {
                len,
                capacity: PAYLOAD,
            })?;
        let mut stored_topic: Buf<MAX_NAME_LEN> = Buf::new();
        stored_topic
            .push_str(topic)
            .map_err(|()| SessionError::NameTooLong { len: topic.len() })?;
        let generation = self.next_generation;
        self.next_generation = self.next_generation.wrapping_add(1);
        let created = self.due(0, 0).seq;
        let timeout = self.options.timeout();
        let id = ChannelId {
            index: u16::try_from(index).map_err(|_| SessionError::ChannelsFull)?,
            generation,
        };
        if let Some(slot) = self.channels.get_mut(index) {
            *slot = Some(Channel {
                generation,
                created,
                removed: false,
                topic: stored_topic,
                params: stored_params,
                timeout,
                state: ChannelState::Closed,
                join_ref: None,
                join_bound: false,
                join_timer: None,
                rejoin_timer: None,
                rejoin_tries: 0,
                carried: None,
                buffered_join: None,
            });
        }
        self.rejoin(now, index, on_event);
        Ok(id)
    }

    fn free_channel_slot(&self) -> Option<usize> {
        if let Some(i) = self.channels.iter().position(Option::is_none) {
            return Some(i);
        }
        self.channels
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let c = c.as_ref()?;
                c.removed.then_some((c.created, i))
            })
            .min()
            .map(|(_, i)| i)
    }

    /// phoenix.js `Channel.rejoin`.
    fn rejoin(&mut self, now: u64, i: usize, on_event: &mut OnEvent<'_>) {
        let Some(Some(c)) = self.channels.get(i) else {
            return;
        };
        if c.state == ChannelState::Leaving {
            return;
        }
        // leaveOpenTopic
        let topic_match = |s: &Self, j: usize| {
            matches!((s.channels.get(i), s.channels.get(j)),
                (Some(Some(a)), Some(Some(b))) if a.topic == b.topic
                    && matches!(b.state, ChannelState::Joined | ChannelState::Joining))
        };
        if let Some(dup) = self
            .members_in_order()
            .into_iter()
            .find(|&j| topic_match(self, j))
        {
            self.leave_index(now, dup, on_event);
        }
        self.set_state(i, ChannelState::Joining, on_event);
        // joinPush.resend(timeout): reset, then send
        let reference = self.make_ref();
        let due = match self.channels.get(i) {
            Some(Some(c)) => c.timeout,
            _ => return,
        };
        let due = self.due(now, due);
        if let Some(Some(c)) = self.channels.get_mut(i) {
            c.join_ref = Some(reference);
            c.join_bound = true;
            c.join_timer = Some(due);
        }
        self.send_join(i);
    }

    fn join_timed_out(&mut self, now: u64, i: usize, on_event: &mut OnEvent<'_>) {
        let Some(id) = self.id_of(i) else {
            return;
        };
        if let Some(Some(c)) = self.channels.get_mut(i) {
            c.join_bound = false;
        }
        self.send_leave(i);
        self.set_state(i, ChannelState::Errored, on_event);
        if let Some(Some(c)) = self.channels.get_mut(i) {
            c.join_ref = None;
        }
        if self.is_connected() {
            self.schedule_rejoin(now, i);
        }
        on_event(Event::Join {
            channel: id,
            outcome: Outcome::Timeout,
        });
    }

    /// The application's `channel.leave()`: sends `phx_leave` (when a transport is open) and
    /// closes the channel at once, emitting [`Event::Left`] and the state changes; the server's
    /// reply is not waited for, as in phoenix.js.
    ///
    /// ```
    /// use phx_codec::session::client::{ChannelState, ClientSession, Event, Options};
    /// use phx_codec::outgoing::EmptyObject;
    /// let mut s = ClientSession::<1, 1, 16, 256>::new(Options::DEFAULT);
    /// let room = s.join(0, "room:1", &EmptyObject, &mut |_| {})?;
    /// let mut seen = Vec::new();
    /// s.leave(1, room, &mut |e| match e {
    ///     Event::State { state, .. } => seen.push(state.as_str()),
    ///     Event::Left { .. } => seen.push("left"),
    ///     _ => {}
    /// })?;
    /// assert_eq!(seen, ["leaving", "closed", "left"]);
    /// assert_eq!(s.state(room), Some(ChannelState::Closed));
    /// # Ok::<(), phx_codec::session::client::SessionError>(())
    /// ```
    pub fn leave(
        &mut self,
        now: u64,
        channel: ChannelId,
        on_event: &mut impl FnMut(Event<'_>),
    ) -> Result<(), SessionError> {
        let on_event: &mut OnEvent<'_> = on_event;
        let i = self
            .channel_index(channel)
            .ok_or(SessionError::UnknownChannel)?;
        self.leave_index(now, i, on_event);
        Ok(())
    }

    fn leave_index(&mut self, now: u64, i: usize, on_event: &mut OnEvent<'_>) {
        let _ = now;
        let Some(id) = self.id_of(i) else {
            return;
        };
        if let Some(Some(c)) = self.channels.get_mut(i) {
            c.rejoin_timer = None;
            c.rejoin_tries = 0;
            c.join_timer = None;
        }
        self.set_state(i, ChannelState::Leaving, on_event);
        self.send_leave(i);
        // the leave's "ok" comes at once, as the channel cannot push while leaving
        self.close_channel(i, on_event);
        on_event(Event::Left { channel: id });
    }

    /// phoenix.js `Channel.onClose`.
    fn close_channel(&mut self, i: usize, on_event: &mut OnEvent<'_>) {
        if let Some(Some(c)) = self.channels.get_mut(i) {
            c.rejoin_timer = None;
            c.rejoin_tries = 0;
        }
        self.set_state(i, ChannelState::Closed, on_event);
        if let Some(Some(c)) = self.channels.get_mut(i) {
            c.removed = true;
        }
    }

    /// The application's `channel.push(event, payload, timeout)` with a JSON payload: sent now
    /// when the channel is joined and a transport is open, buffered until the next ok join reply
    /// otherwise. `timeout_ms` defaults to the session's `timeout_ms`. Its one outcome arrives
    /// as [`Event::Push`].
    ///
    /// ```
    /// use phx_codec::session::client::{ClientSession, Event, Options};
    /// use phx_codec::outgoing::EmptyObject;
    /// let mut s = ClientSession::<2, 4, 128, 512>::new(Options::DEFAULT);
    /// let room = s.join(0, "room:1", &EmptyObject, &mut |_| {}).unwrap();
    /// let push = s.push(0, room, "shout", &EmptyObject, Some(500), &mut |_| {}).unwrap();
    /// let mut timed_out = None;
    /// s.handle_timeout(500, &mut |e| if let Event::Push { push, .. } = e { timed_out = Some(push) });
    /// assert_eq!(timed_out, Some(push));
    /// ```
    pub fn push<P: WriteJson + ?Sized>(
        &mut self,
        now: u64,
        channel: ChannelId,
        event: &str,
        payload: &P,
        timeout_ms: Option<u64>,
        on_event: &mut impl FnMut(Event<'_>),
    ) -> Result<PushId, SessionError> {
        let _ = on_event;
        let len = payload.json_len();
        let mut stored: Buf<PAYLOAD> = Buf::new();
        if len > PAYLOAD || payload.write_json(&mut stored).is_err() {
            return Err(SessionError::PayloadTooLarge {
                len,
                capacity: PAYLOAD,
            });
        }
        self.push_stored(now, channel, event, stored, false, timeout_ms)
    }

    /// [`push`](Self::push) with a binary payload (phoenix.js: an `ArrayBuffer`), sent as a
    /// binary push frame. Needs the V2 serializer.
    pub fn push_binary(
        &mut self,
        now: u64,
        channel: ChannelId,
        event: &str,
        payload: &[u8],
        timeout_ms: Option<u64>,
        on_event: &mut impl FnMut(Event<'_>),
    ) -> Result<PushId, SessionError> {
        let _ = on_event;
        if self.options.vsn != Vsn::V2 {
            return Err(SessionError::BinaryNeedsV2);
        }
        let stored = Buf::from_slice(payload).map_err(|()| SessionError::PayloadTooLarge {
            len: payload.len(),
            capacity: PAYLOAD,
        })?;
        self.push_stored(now, channel, event, stored, true, timeout_ms)
    }

    fn push_stored(
        &mut self,
        now: u64,
        channel: ChannelId,
        event: &str,
        payload: Buf<PAYLOAD>,
        binary: bool,
        timeout_ms: Option<u64>,
    ) -> Result<PushId, SessionError> {
        let Some(c) = self.channel(channel) else {
            return Err(SessionError::UnknownChannel);
        };
        let timeout = timeout_ms.unwrap_or(c.timeout);
        let can_push = self.is_connected() && c.state == ChannelState::Joined;
        let mut stored_event: Buf<MAX_NAME_LEN> = Buf::new();
        stored_event
            .push_str(event)
            .map_err(|()| SessionError::NameTooLong { len: event.len() })?;
        let index = self
            .pushes
            .iter()
            .position(Option::is_none)
            .ok_or(SessionError::PushesFull)?;
        let id = PushId {
            index: u16::try_from(index).map_err(|_| SessionError::PushesFull)?,
            generation: self.next_generation,
        };
        self.next_generation = self.next_generation.wrapping_add(1);
        let reference = self.make_ref();
        let due = self.due(now, timeout);
        let buffered = if can_push {
            None
        } else {
            Some(self.due(0, 0).seq)
        };
        if let Some(slot) = self.pushes.get_mut(index) {
            *slot = Some(PushSlot {
                generation: id.generation,
                channel,
                event: stored_event,
                payload,
                binary,
                timeout,
                reference: Some(reference),
                timer: Some(due),
                buffered,
            });
        }
        if can_push {
            self.send_push(index);
        }
        Ok(id)
    }

    // ----- incoming ----------------------------------------------------------------------------

    /// A WebSocket message arrived on the open transport. Frames that do not decode are ignored
    /// (phoenix.js throws in its decoder, which ends the message's handling); so are messages
    /// while no transport is open.
    pub fn handle_message(
        &mut self,
        now: u64,
        message: WsMessage<'_>,
        on_event: &mut impl FnMut(Event<'_>),
    ) {
        let on_event: &mut OnEvent<'_> = on_event;
        if !self.is_connected() {
            return;
        }
        let decoder = Decoder::new(self.options.vsn, Direction::FromServer);
        let frame: Result<Frame<'_>, DecodeError> = decoder.decode(message);
        let Ok(frame) = frame else {
            return;
        };
        if let (Some(reference), Some(pending)) = (frame.reference(), self.pending_heartbeat)
            && reference.eq_str(RefText::new(pending).as_str())
        {
            self.clear_heartbeats();
            let interval = self.options.heartbeat();
            self.heartbeat_timer = Some(self.due(now, interval));
        }
        for i in self.members_in_order() {
            let Some(Some(c)) = self.channels.get(i) else {
                continue;
            };
            if !frame.topic().eq_str(c.topic.as_str()) {
                continue;
            }
            if let Some(jr) = frame.join_ref()
                && !jr.is_empty()
                && c.join_ref
                    .is_none_or(|own| !jr.eq_str(RefText::new(own).as_str()))
            {
                continue;
            }
            self.channel_trigger(now, i, &frame, on_event);
        }
    }

    fn channel_trigger(
        &mut self,
        now: u64,
        i: usize,
        frame: &Frame<'_>,
        on_event: &mut OnEvent<'_>,
    ) {
        let Some(id) = self.id_of(i) else {
            return;
        };
        let event = frame.event();
        if event.eq_str(EVENT_REPLY) {
            let Some(reference) = frame.reference() else {
                return;
            };
            let outcome = reply_outcome(frame);
            let join_matches = matches!(self.channels.get(i), Some(Some(c))
                if c.join_bound && c.join_ref.is_some_and(|r| reference.eq_str(RefText::new(r).as_str())));
            if join_matches {
                self.join_replied(now, i, id, outcome, on_event);
                return;
            }
            let push = self.pushes.iter().position(|p| {
                p.as_ref().is_some_and(|p| {
                    p.channel == id
                        && p.reference
                            .is_some_and(|r| reference.eq_str(RefText::new(r).as_str()))
                })
            });
            if let Some(p) = push
                && let Some(slot) = self.pushes.get_mut(p).and_then(Option::take)
            {
                on_event(Event::Push {
                    push: PushId {
                        index: u16::try_from(p).unwrap_or(u16::MAX),
                        generation: slot.generation,
                    },
                    channel: id,
                    outcome,
                });
            }
        } else if event.eq_str(EVENT_ERROR) {
            self.channel_error(now, i, on_event);
        } else if event.eq_str(EVENT_CLOSE) {
            self.close_channel(i, on_event);
        } else if event.strip_prefix("phx_").is_none() {
            on_event(Event::Message {
                channel: id,
                frame: *frame,
            });
        }
    }

    fn join_replied(
        &mut self,
        now: u64,
        i: usize,
        id: ChannelId,
        outcome: Outcome<'_>,
        on_event: &mut OnEvent<'_>,
    ) {
        if let Some(Some(c)) = self.channels.get_mut(i) {
            c.join_bound = false;
            c.join_timer = None;
        }
        if outcome.status_is("ok") {
            self.set_state(i, ChannelState::Joined, on_event);
            if let Some(Some(c)) = self.channels.get_mut(i) {
                c.rejoin_timer = None;
                c.rejoin_tries = 0;
            }
            // flush the push buffer, in the order of the pushes
            let mut order: List<(u64, usize), PUSHES> = List::filled((0, 0));
            for (p, slot) in self.pushes.iter().enumerate() {
                if let Some(slot) = slot
                    && slot.channel == id
                    && let Some(seq) = slot.buffered
                {
                    let _ = order.push((seq, p));
                }
            }
            order.sort_unstable();
            for (_, p) in order {
                // Push.send: startTimeout (a new ref, the timeout from now), then send
                let reference = self.make_ref();
                let timeout = self
                    .pushes
                    .get(p)
                    .and_then(Option::as_ref)
                    .map_or(0, |s| s.timeout);
                let due = self.due(now, timeout);
                if let Some(Some(slot)) = self.pushes.get_mut(p) {
                    slot.buffered = None;
                    slot.reference = Some(reference);
                    slot.timer = Some(due);
                }
                if self.is_connected() {
                    self.send_push(p);
                }
            }
        } else if outcome.status_is("error") {
            self.set_state(i, ChannelState::Errored, on_event);
            if self.is_connected() {
                self.schedule_rejoin(now, i);
            }
        }
        on_event(Event::Join {
            channel: id,
            outcome,
        });
    }
}

fn channel_in<const P: usize>(
    channels: &[Option<Channel<P>>],
    id: ChannelId,
) -> Option<&Channel<P>> {
    channels
        .get(usize::from(id.index))?
        .as_ref()
        .filter(|c| c.generation == id.generation)
}

fn reply_outcome<'a>(frame: &Frame<'a>) -> Outcome<'a> {
    match frame.payload() {
        Payload::BinaryReply { status, response } => Outcome::Reply {
            status: Some(status),
            response: Response::Binary(response),
        },
        Payload::Json(_) => Outcome::Reply {
            status: frame.payload_get("status").and_then(|s| s.as_json_str()),
            response: frame
                .payload_get("response")
                .map_or(Response::Absent, Response::Json),
        },
        Payload::Binary(_) => Outcome::Reply {
            status: None,
            response: Response::Absent,
        },
    }
}

fn write_text_record<const N: usize, P: WriteJson>(
    outbox: &mut Buf<N>,
    vsn: Vsn,
    frame: &OutgoingFrame<'_, P>,
) -> u64 {
    let start = outbox.len();
    if outbox.extend_from_slice(&[TAG_TEXT, 0, 0, 0, 0]).is_err() {
        return 1;
    }
    let written = match vsn {
        Vsn::V2 => frame.encode_v2(outbox),
        Vsn::V1 => frame.encode_v1(outbox),
    };
    finish(outbox, start, written)
}

fn finish<const N: usize>(
    outbox: &mut Buf<N>,
    start: usize,
    written: Result<usize, EncodeError>,
) -> u64 {
    if let Some(n) = written.ok().and_then(|n| u32::try_from(n).ok()) {
        if let Some(len) = outbox.get_mut(start + 1..start + RECORD_HEADER) {
            len.copy_from_slice(&n.to_le_bytes());
        }
        0
    } else {
        outbox.truncate(start);
        1
    }
}

/// Fixed-capacity storage: the core has no allocator, and no container crate is required.
mod fixed {
    use core::ops::{Deref, DerefMut};

    use crate::EncodeError;
    use crate::encode::Sink;

    /// Up to `N` bytes (a string when filled by [`push_str`](Self::push_str) only).
    #[derive(Clone)]
    pub(super) struct Buf<const N: usize> {
        bytes: [u8; N],
        len: usize,
    }

    impl<const N: usize> Buf<N> {
        pub(super) const fn new() -> Self {
            Self {
                bytes: [0; N],
                len: 0,
            }
        }

        pub(super) fn from_slice(bytes: &[u8]) -> Result<Self, ()> {
            let mut buf = Self::new();
            buf.extend_from_slice(bytes)?;
            Ok(buf)
        }

        pub(super) fn extend_from_slice(&mut self, bytes: &[u8]) -> Result<(), ()> {
            let end = self.len.checked_add(bytes.len()).ok_or(())?;
            let dst = self.bytes.get_mut(self.len..end).ok_or(())?;
            dst.copy_from_slice(bytes);
            self.len = end;
            Ok(())
        }

        pub(super) fn push_str(&mut self, text: &str) -> Result<(), ()> {
            self.extend_from_slice(text.as_bytes())
        }

        /// The text, when the bytes came from `push_str` (empty otherwise).
        pub(super) fn as_str(&self) -> &str {
            core::str::from_utf8(self).unwrap_or("")
        }

        pub(super) fn truncate(&mut self, len: usize) {
            self.len = self.len.min(len);
        }

        pub(super) fn clear(&mut self) {
            self.len = 0;
        }
    }

    impl<const N: usize> Deref for Buf<N> {
        type Target = [u8];
        fn deref(&self) -> &[u8] {
            self.bytes.get(..self.len).unwrap_or(&[])
        }
    }

    impl<const N: usize> DerefMut for Buf<N> {
        fn deref_mut(&mut self) -> &mut [u8] {
            self.bytes.get_mut(..self.len).unwrap_or(&mut [])
        }
    }

    impl<const N: usize> PartialEq for Buf<N> {
        fn eq(&self, other: &Self) -> bool {
            **self == **other
        }
    }

    impl<const N: usize> core::fmt::Debug for Buf<N> {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            write!(f, "Buf({} of {N} bytes)", self.len)
        }
    }

    impl<const N: usize> Sink for Buf<N> {
        fn remaining(&self) -> usize {
            N.saturating_sub(self.len)
        }

        fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
            let available = self.remaining();
            self.extend_from_slice(bytes)
                .map_err(|()| EncodeError::BufferTooSmall {
                    needed: bytes.len(),
                    available,
                })
        }
    }

    /// Up to `N` copyable items.
    pub(super) struct List<T: Copy, const N: usize> {
        items: [T; N],
        len: usize,
    }

    impl<T: Copy, const N: usize> List<T, N> {
        /// An empty list; `fill` only initialises the unused slots.
        pub(super) const fn filled(fill: T) -> Self {
            Self {
                items: [fill; N],
                len: 0,
            }
        }

        /// Appends `item`; a full list stays as it is.
        pub(super) fn push(&mut self, item: T) -> Result<(), T> {
            match self.items.get_mut(self.len) {
                Some(slot) => {
                    *slot = item;
                    self.len += 1;
                    Ok(())
                }
                None => Err(item),
            }
        }

        pub(super) fn is_full(&self) -> bool {
            self.len >= N
        }

        pub(super) fn pop_front(&mut self) -> Option<T> {
            let first = *self.first()?;
            self.items.copy_within(1..self.len, 0);
            self.len -= 1;
            Some(first)
        }
    }

    impl<T: Copy, const N: usize> Deref for List<T, N> {
        type Target = [T];
        fn deref(&self) -> &[T] {
            self.items.get(..self.len).unwrap_or(&[])
        }
    }

    impl<T: Copy, const N: usize> DerefMut for List<T, N> {
        fn deref_mut(&mut self) -> &mut [T] {
            self.items.get_mut(..self.len).unwrap_or(&mut [])
        }
    }

    impl<T: Copy, const N: usize> IntoIterator for List<T, N> {
        type Item = T;
        type IntoIter = core::iter::Take<core::array::IntoIter<T, N>>;
        fn into_iter(self) -> Self::IntoIter {
            self.items.into_iter().take(self.len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec as StdVec;

    type Small = ClientSession<2, 2, 16, 64>;

    fn joined(session: &mut Small, topic: &str) -> ChannelId {
        session.connect(0);
        let id = session.join(0, topic, &EmptyObject, &mut |_| {}).unwrap();
        session.handle_opened(1, &mut |_| {});
        let mut buf = [0u8; 64];
        let mut join_ref = StdVec::new();
        while let Ok(Some(Outgoing::Text(n))) = session.poll_frame(&mut buf) {
            let frame = crate::decode_text(&buf[..n]).unwrap();
            join_ref = frame.join_ref().unwrap().raw().as_bytes().to_vec();
        }
        let jr = core::str::from_utf8(&join_ref).unwrap();
        let reply = std::format!(
            r#"["{jr}","{jr}","{topic}","phx_reply",{{"status":"ok","response":{{}}}}]"#
        );
        session.handle_message(2, WsMessage::Text(reply.as_bytes()), &mut |_| {});
        assert_eq!(session.state(id), Some(ChannelState::Joined));
        id
    }

    #[test]
    fn capacities_are_typed_errors_and_change_nothing() {
        let mut s = Small::new(Options::DEFAULT);
        let a = joined(&mut s, "a");
        let long = "x".repeat(MAX_NAME_LEN + 1);
        assert_eq!(
            s.join(3, &long, &EmptyObject, &mut |_| {}),
            Err(SessionError::NameTooLong { len: 256 })
        );
        let big = RawJson::parse(r#"{"0123456789":"abcdef"}"#).unwrap();
        assert!(matches!(
            s.join(3, "b", &big, &mut |_| {}),
            Err(SessionError::PayloadTooLarge { capacity: 16, .. })
        ));
        assert!(matches!(
            s.push(3, a, "e", &big, None, &mut |_| {}),
            Err(SessionError::PayloadTooLarge { .. })
        ));
        s.join(3, "b", &EmptyObject, &mut |_| {}).unwrap();
        assert_eq!(
            s.join(3, "c", &EmptyObject, &mut |_| {}),
            Err(SessionError::ChannelsFull)
        );
        s.push(4, a, "e", &EmptyObject, None, &mut |_| {}).unwrap();
        s.push(4, a, "e", &EmptyObject, None, &mut |_| {}).unwrap();
        assert_eq!(
            s.push(4, a, "e", &EmptyObject, None, &mut |_| {}),
            Err(SessionError::PushesFull)
        );
        assert_eq!(s.pending_pushes(), 2);
    }

    #[test]
    fn a_left_channel_slot_is_reused_and_its_old_id_goes_stale() {
        let mut s = Small::new(Options::DEFAULT);
        let a = joined(&mut s, "a");
        let _b = s.join(3, "b", &EmptyObject, &mut |_| {}).unwrap();
        let mut left = false;
        s.leave(4, a, &mut |e| {
            left |= matches!(e, Event::Left { channel } if channel == a);
        })
        .unwrap();
        assert!(left);
        let c = s.join(5, "c", &EmptyObject, &mut |_| {}).unwrap();
        assert_eq!(s.topic(c), Some("c"));
        assert_eq!(s.state(a), None);
        assert_eq!(
            s.push(6, a, "e", &EmptyObject, None, &mut |_| {}),
            Err(SessionError::UnknownChannel)
        );
        assert_eq!(
            s.leave(6, a, &mut |_| {}),
            Err(SessionError::UnknownChannel)
        );
    }

    #[test]
    fn a_small_buffer_keeps_the_frame_queued() {
        let mut s = Small::new(Options::DEFAULT);
        s.connect(0);
        s.join(0, "a", &EmptyObject, &mut |_| {}).unwrap();
        s.handle_opened(1, &mut |_| {});
        let len = s.next_frame_len().unwrap();
        let mut small = [0u8; 4];
        assert_eq!(
            s.poll_frame(&mut small),
            Err(SessionError::BufferTooSmall { needed: len })
        );
        let mut buf = [0u8; 64];
        assert_eq!(s.poll_frame(&mut buf), Ok(Some(Outgoing::Text(len))));
        assert_eq!(s.poll_frame(&mut buf), Ok(None));
    }

    #[test]
    fn frames_beyond_the_outbox_are_dropped_and_counted() {
        let mut s = Small::new(Options::DEFAULT);
        let a = joined(&mut s, "a");
        // each push frame is about 30 bytes; the outbox holds 64
        for _ in 0..2 {
            s.push(3, a, "a_longer_event", &EmptyObject, Some(5), &mut |_| {})
                .unwrap();
        }
        assert_eq!(s.dropped_frames(), 1);
        let mut outcomes = 0;
        s.handle_timeout(100, &mut |e| {
            outcomes += usize::from(matches!(e, Event::Push { .. }));
        });
        assert_eq!(
            outcomes, 2,
            "a push whose frame was dropped still times out"
        );
    }

    #[test]
    fn binary_pushes_need_v2() {
        let mut s = Small::new(Options {
            vsn: Vsn::V1,
            ..Options::DEFAULT
        });
        let id = s.join(0, "a", &EmptyObject, &mut |_| {}).unwrap();
        assert_eq!(
            s.push_binary(0, id, "e", b"\x00", None, &mut |_| {}),
            Err(SessionError::BinaryNeedsV2)
        );
    }

    #[test]
    fn zero_options_mean_the_defaults_and_ref_text_is_decimal() {
        let o = Options {
            heartbeat_interval_ms: 0,
            timeout_ms: 0,
            ..Options::DEFAULT
        };
        assert_eq!((o.heartbeat(), o.timeout()), (30_000, 10_000));
        assert_eq!(RefText::new(0).as_str(), "0");
        assert_eq!(RefText::new(u64::MAX).as_str(), "18446744073709551615");
        assert_eq!(Backoff::REJOIN.delay(0), 1000);
    }

    #[test]
    fn messages_before_open_and_garbage_are_ignored() {
        let mut s = Small::new(Options::DEFAULT);
        let mut events = 0;
        s.handle_message(
            0,
            WsMessage::Text(b"[null,null,\"a\",\"x\",{}]"),
            &mut |_| events += 1,
        );
        s.handle_closed(0, 1006, &mut |_| events += 1);
        s.handle_opened(0, &mut |_| events += 1);
        let a = joined(&mut s, "a");
        s.handle_message(3, WsMessage::Binary(b"\xff\x00"), &mut |_| events += 1);
        s.handle_message(3, WsMessage::Text(b"{"), &mut |_| events += 1);
        assert_eq!(events, 0);
        s.handle_message(
            3,
            WsMessage::Text(b"[null,null,\"a\",\"x\",{}]"),
            &mut |e| {
                assert!(matches!(e, Event::Message { channel, .. } if channel == a));
                events += 1;
            },
        );
        assert_eq!(events, 1);
    }
}
