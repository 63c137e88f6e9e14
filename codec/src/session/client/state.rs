//! The session's state: the [`ClientSession`] struct, its channels, pushes, connection and
//! timers, and the queries on them.

use crate::EncodeError;
use crate::encode::Sink;
use crate::encode::WriteJson;

use super::options::Options;
use super::types::ChannelId;
use super::types::ChannelState;
use super::types::Event;
use super::types::MAX_NAME_LEN;
use super::types::TransportAction;
use crate::session::fixed::Buf;
use crate::session::fixed::List;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Due {
    pub(super) at: u64,
    pub(super) seq: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ready {
    Connecting,
    Open,
    Closed,
}

#[derive(Clone, Copy, Debug)]
#[allow(clippy::struct_excessive_bools)] // phoenix.js `Connection`'s flags, kept by name
pub(super) struct Conn {
    pub(super) id: u64,
    pub(super) ready: Ready,
    /// We closed it (phoenix.js `Connection.closing`).
    pub(super) closing: bool,
    /// The session no longer wants it (`Connection.ended`).
    pub(super) ended: bool,
    pub(super) channels_errored: bool,
    pub(super) close_handled: bool,
}

#[derive(Debug)]
pub(super) struct Channel<const P: usize> {
    pub(super) generation: u32,
    pub(super) created: u64,
    /// Removed from the socket (phoenix.js `socket.remove`): no longer receives messages or
    /// socket callbacks, but keeps its timers.
    pub(super) removed: bool,
    pub(super) topic: Buf<MAX_NAME_LEN>,
    pub(super) params: Buf<P>,
    pub(super) timeout: u64,
    pub(super) state: ChannelState,
    pub(super) join_ref: Option<u64>,
    /// The join push waits for its reply (phoenix.js: its `refEvent` binding exists).
    pub(super) join_bound: bool,
    pub(super) join_timer: Option<Due>,
    pub(super) rejoin_timer: Option<Due>,
    pub(super) rejoin_tries: u32,
    /// (connection id, join_ref) of the join sent over a connection.
    pub(super) carried: Option<(u64, u64)>,
    /// (send-buffer order, join_ref) of a join waiting in the socket's send buffer.
    pub(super) buffered_join: Option<(u64, u64)>,
}

#[derive(Debug)]
pub(super) struct PushSlot<const P: usize> {
    pub(super) generation: u32,
    pub(super) channel: ChannelId,
    pub(super) event: Buf<MAX_NAME_LEN>,
    pub(super) payload: Buf<P>,
    pub(super) binary: bool,
    pub(super) timeout: u64,
    pub(super) reference: Option<u64>,
    pub(super) timer: Option<Due>,
    /// Order in the channel's push buffer, while buffered.
    pub(super) buffered: Option<u64>,
}

/// Which timer fires.
#[derive(Clone, Copy, Debug)]
pub(super) enum TimerId {
    Reconnect,
    Heartbeat,
    HeartbeatTimeout,
    Rejoin(usize),
    JoinTimeout(usize),
    Push(usize),
}

/// A validated JSON text stored by the session.
pub(super) struct Verbatim<'a>(pub(super) &'a [u8]);

impl WriteJson for Verbatim<'_> {
    fn write_json<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), EncodeError> {
        out.put(self.0)
    }
}

/// A ref as decimal text.
pub(super) struct RefText {
    pub(super) buf: [u8; 20],
    pub(super) start: usize,
}

impl RefText {
    pub(super) fn new(mut n: u64) -> Self {
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

    pub(super) fn as_str(&self) -> &str {
        core::str::from_utf8(self.buf.get(self.start..).unwrap_or(&[])).unwrap_or("")
    }
}

pub(super) const TAG_TEXT: u8 = 0;
pub(super) const TAG_BINARY: u8 = 1;
pub(super) const RECORD_HEADER: usize = 5;

/// A Phoenix channel client session with phoenix.js 1.8.16 semantics; see the
/// [module docs](super).
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
    pub(super) options: Options,
    pub(super) channels: [Option<Channel<PAYLOAD>>; CHANNELS],
    pub(super) pushes: [Option<PushSlot<PAYLOAD>>; PUSHES],
    pub(super) conn: Option<Conn>,
    pub(super) close_was_clean: bool,
    pub(super) connect_clock: u64,
    pub(super) reconnect_timer: Option<Due>,
    pub(super) reconnect_tries: u32,
    pub(super) heartbeat_timer: Option<Due>,
    pub(super) heartbeat_timeout_timer: Option<Due>,
    pub(super) pending_heartbeat: Option<u64>,
    pub(super) next_ref: u64,
    pub(super) next_seq: u64,
    pub(super) next_conn: u64,
    pub(super) next_generation: u32,
    pub(super) outbox: Buf<OUTBOX>,
    pub(super) actions: List<TransportAction, 4>,
    pub(super) dropped_frames: u64,
}

pub(super) type OnEvent<'e> = dyn FnMut(Event<'_>) + 'e;

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

    pub(super) fn channel(&self, id: ChannelId) -> Option<&Channel<PAYLOAD>> {
        channel_in(&self.channels, id)
    }

    pub(super) fn channel_index(&self, id: ChannelId) -> Option<usize> {
        self.channel(id).map(|_| usize::from(id.index))
    }

    pub(super) fn id_of(&self, index: usize) -> Option<ChannelId> {
        let c = self.channels.get(index)?.as_ref()?;
        Some(ChannelId {
            index: u16::try_from(index).ok()?,
            generation: c.generation,
        })
    }

    pub(super) fn due(&mut self, now: u64, delay: u64) -> Due {
        self.next_seq = self.next_seq.wrapping_add(1);
        Due {
            at: now.saturating_add(delay),
            seq: self.next_seq,
        }
    }

    pub(super) fn make_ref(&mut self) -> u64 {
        self.next_ref = self.next_ref.wrapping_add(1);
        self.next_ref
    }
}

pub(super) fn channel_in<const P: usize>(
    channels: &[Option<Channel<P>>],
    id: ChannelId,
) -> Option<&Channel<P>> {
    channels
        .get(usize::from(id.index))?
        .as_ref()
        .filter(|c| c.generation == id.generation)
}
