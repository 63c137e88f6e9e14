//! The body of the cargo-fuzz target `session_client` (`fuzz/fuzz_targets/session_client.rs`),
//! also run over its checked-in corpus by `tests/tests/fuzz_corpus.rs`.
//!
//! The input is read as a sequence of operations on a client session with small capacities:
//! the application's calls (connect, disconnect, join, push, binary push, leave), the
//! transport's events (opened, closed), time passing, and server frames — replies and messages
//! built around the refs the session actually sent, and raw text and binary frames. Checked:
//! nothing panics, the session stays within its capacities, every accepted push gets exactly
//! one outcome (and only accepted pushes get one), and once enough time has passed every push
//! has had its outcome.

use std::collections::{HashMap, HashSet};

use phx_codec::outgoing::EmptyObject;
use phx_codec::session::client::{
    Backoff, ChannelId, ClientSession, Event, Options, Outgoing, PushId, TransportAction,
};
use phx_codec::{RawJson, Vsn, WsMessage};

const CHANNELS: usize = 3;
const PUSHES: usize = 4;
type Session = ClientSession<CHANNELS, PUSHES, 64, 512>;

const TOPICS: [&str; 4] = ["room:1", "room:2", "phoenix", "r"];
const EVENTS: [&str; 8] = [
    "phx_reply",
    "phx_error",
    "phx_close",
    "phx_join",
    "phx_leave",
    "shout",
    "heartbeat",
    "x",
];
const STATUSES: [&str; 3] = ["ok", "error", "other"];

/// Reads the fuzz input a byte at a time; zeros once it is used up.
struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((b, rest)) => {
                self.data = rest;
                *b
            }
            None => 0,
        }
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> Option<T> {
        if from.is_empty() {
            return None;
        }
        from.get(usize::from(self.byte()) % from.len()).copied()
    }

    fn bytes(&mut self) -> &'a [u8] {
        let n = usize::from(self.byte() % 64).min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }
}

struct Model {
    /// Accepted pushes without an outcome yet.
    pending: HashMap<PushId, ChannelId>,
    /// Pushes that had their outcome.
    done: HashSet<PushId>,
    channels: Vec<ChannelId>,
    /// Refs (join_ref, ref) of frames the session sent.
    sent: Vec<(Option<String>, Option<String>, String, String)>,
}

/// Runs the operations in `data`; panics when an invariant breaks.
pub fn session_client(data: &[u8]) {
    let mut input = Input { data };
    let mut options = Options::DEFAULT;
    let flags = input.byte();
    if flags & 1 == 1 {
        options.vsn = Vsn::V1;
    }
    if flags & 2 == 2 {
        options.heartbeat_interval_ms = u64::from(input.byte()) * 10;
        options.timeout_ms = u64::from(input.byte()) * 10;
        options.reconnect_after_ms = Backoff {
            steps: &[0, 1, 7],
            then: 30,
        };
        options.rejoin_after_ms = Backoff {
            steps: &[0, 3],
            then: 20,
        };
    }
    let mut session = Box::new(Session::new(options));
    let mut model = Model {
        pending: HashMap::new(),
        done: HashSet::new(),
        channels: Vec::new(),
        sent: Vec::new(),
    };
    let mut now = 0u64;
    let mut buf = [0u8; 512];
    let mut ops = 0;
    while !input.data.is_empty() && ops < 400 {
        ops += 1;
        let mut on_event = |e: Event<'_>| model_event(&mut model.pending, &mut model.done, &e);
        match input.byte() % 14 {
            0 => session.connect(now),
            1 => session.disconnect(now, None, &mut on_event),
            2 => session.handle_opened(now, &mut on_event),
            3 => session.handle_closed(now, 1006, &mut on_event),
            4 => {
                let topic = input.pick(&TOPICS).unwrap_or("r");
                if let Ok(id) = session.join(now, topic, &EmptyObject, &mut on_event) {
                    model.channels.push(id);
                }
            }
            5 | 6 => {
                let Some(channel) = input.pick(&model.channels) else {
                    continue;
                };
                let event = input.pick(&EVENTS).unwrap_or("x");
                let timeout = match input.byte() {
                    0 => None,
                    b => Some(u64::from(b) * 7),
                };
                let result = if input.byte().is_multiple_of(2) {
                    session.push(now, channel, event, &EmptyObject, timeout, &mut on_event)
                } else {
                    let bytes = input.bytes();
                    session.push_binary(now, channel, event, bytes, timeout, &mut on_event)
                };
                if let Ok(push) = result {
                    assert!(
                        model.pending.insert(push, channel).is_none(),
                        "a push id reused"
                    );
                }
            }
            7 => {
                if let Some(channel) = input.pick(&model.channels) {
                    let _ = session.leave(now, channel, &mut on_event);
                }
            }
            8 => {
                now += u64::from(input.byte()) * u64::from(input.byte() % 16 + 1) * 10;
                session.handle_timeout(now, &mut on_event);
            }
            9 | 10 => {
                // a reply or message around refs the session sent
                let (jr, r, topic, event) = input
                    .pick(&(0..model.sent.len()).collect::<Vec<_>>())
                    .and_then(|i| model.sent.get(i).cloned())
                    .unwrap_or((None, None, "r".into(), "x".into()));
                let status = input.pick(&STATUSES).unwrap_or("ok");
                let q = |s: &Option<String>| s.as_ref().map_or("null".into(), |s| format!("{s:?}"));
                let (event, payload) = if input.byte().is_multiple_of(3) {
                    (
                        input.pick(&EVENTS).unwrap_or("x").to_owned(),
                        "{}".to_owned(),
                    )
                } else {
                    let _ = event;
                    (
                        "phx_reply".to_owned(),
                        format!("{{\"status\":\"{status}\",\"response\":{{}}}}"),
                    )
                };
                let jr = if input.byte().is_multiple_of(4) {
                    None
                } else {
                    jr
                };
                let text = if options.vsn == Vsn::V2 {
                    format!("[{},{},{topic:?},{event:?},{payload}]", q(&jr), q(&r))
                } else {
                    format!(
                        "{{\"topic\":{topic:?},\"event\":{event:?},\"payload\":{payload},\"ref\":{},\"join_ref\":{}}}",
                        q(&r),
                        q(&jr)
                    )
                };
                session.handle_message(now, WsMessage::Text(text.as_bytes()), &mut on_event);
            }
            11 => {
                let bytes = input.bytes();
                session.handle_message(now, WsMessage::Text(bytes), &mut on_event);
            }
            12 => {
                let bytes = input.bytes();
                session.handle_message(now, WsMessage::Binary(bytes), &mut on_event);
            }
            _ => {
                // a buffer too small for some frames
                let n = usize::from(input.byte());
                let _ = session.poll_frame(buf.get_mut(..n).unwrap_or(&mut []));
            }
        }
        drain(&mut session, &mut buf, &mut model, options.vsn);
        assert!(session.pending_pushes() <= PUSHES);
        assert_eq!(
            session.pending_pushes(),
            model.pending.len(),
            "pushes without outcome"
        );
    }
    // Every push has a timeout: once the longest has passed, every push has had its outcome.
    let end = now + 255 * 7 + 100_000;
    for _ in 0..100_000 {
        match session.poll_timeout() {
            Some(due) if due <= end && !model.pending.is_empty() => {
                session.handle_timeout(due, &mut |e| {
                    model_event(&mut model.pending, &mut model.done, &e);
                });
            }
            _ => break,
        }
    }
    assert!(
        model.pending.is_empty(),
        "pushes never got an outcome: {:?}",
        model.pending
    );
}

/// Records a push outcome; panics on an outcome for a push without one pending.
fn model_event(
    pending: &mut HashMap<PushId, ChannelId>,
    done: &mut HashSet<PushId>,
    event: &Event<'_>,
) {
    if let Event::Push { push, channel, .. } = *event {
        let owner = pending.remove(&push);
        assert!(
            owner.is_some(),
            "an outcome for {push:?}, which has none pending"
        );
        assert_eq!(owner, Some(channel), "the outcome names another channel");
        assert!(done.insert(push), "a second outcome for {push:?}");
    }
}

fn drain(session: &mut Session, buf: &mut [u8; 512], model: &mut Model, vsn: Vsn) {
    loop {
        match session.poll_frame(buf) {
            Ok(Some(out)) => {
                let (n, binary) = match out {
                    Outgoing::Text(n) => (n, false),
                    Outgoing::Binary(n) => (n, true),
                };
                let bytes = buf.get(..n).unwrap_or(&[]);
                let frame = if binary {
                    phx_codec::binary::decode_from_client(bytes)
                } else if vsn == Vsn::V2 {
                    phx_codec::decode_text(bytes)
                } else {
                    phx_codec::v1::decode_v1(bytes)
                };
                let frame = frame.unwrap_or_else(|e| panic!("the session sent a bad frame: {e}"));
                if model.sent.len() < 64 {
                    let s = |j: Option<phx_codec::JsonStr<'_>>| j.map(|j| j.to_cow().into_owned());
                    model.sent.push((
                        s(frame.join_ref()),
                        s(frame.reference()),
                        frame.topic().to_cow().into_owned(),
                        frame.event().to_cow().into_owned(),
                    ));
                }
                if !binary {
                    assert!(
                        frame
                            .payload_json()
                            .is_some_and(|p: RawJson<'_>| !p.as_str().is_empty())
                    );
                }
            }
            Ok(None) => break,
            Err(e) => panic!("a 512-byte buffer is too small: {e}"),
        }
    }
    while let Some(action) = session.poll_transport() {
        if let TransportAction::Close(code) = action {
            assert!(code >= 1000);
        }
    }
}
