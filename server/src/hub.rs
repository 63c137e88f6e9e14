//! The Papercups hub, sans-IO: every connection's [`ServerSession`], who joined which topic,
//! presence, conversations. It takes received WebSocket messages and leaves the messages to
//! send in an outbox ([`Hub::take_outbox`]); no socket, no clock (time is passed in).
//!
//! ```
//! use phx_codec::{Vsn, WsMessage};
//! use phx_papercups_server::hub::{Hub, Outgoing};
//! use phx_papercups_server::roster::Roster;
//!
//! let mut hub = Hub::new("acc-1".into(), Roster::demo());
//! hub.connect(1, Vsn::V2, None, 0);
//! hub.receive(1, 10, WsMessage::Text(br#"[null,"1","phoenix","heartbeat",{}]"#)).unwrap();
//! let out = hub.take_outbox();
//! assert_eq!(out, [(1, Outgoing::Text(r#"[null,"1","phoenix","phx_reply",{"response":{},"status":"ok"}]"#.into()))]);
//! ```
//!
//! What it serves (PROTOCOL.md §6), state in memory only:
//! - `conversation:{id}`: join → ok; with `customer_id` in the join params the customer is
//!   tracked (`customer:{id}`) there and in `notification:{account}`; an agent socket is
//!   tracked as `user:{id}`. The joiner gets `presence_state`, every member a
//!   `presence_diff`. `shout` → a formatted message (with the roster's User or Customer
//!   view) broadcast to every member, sender included, and to `notification:{account}`;
//!   `messages:seen` → no reply; `ping` → ok reply echoing the payload.
//! - `conversation:lobby:{customer_id}` (and `conversation:lobby`): join → ok; the first time
//!   a customer joins a conversation, its lobby gets `conversation:created` `{"id": ..}`.
//! - `room:{account}` / `notification:{account}` (agents only on `notification:`): join → ok,
//!   presence as above; on `notification:`, `shout` with `conversation_id` → ok reply and the
//!   formatted message broadcast to that conversation; `read` → ok reply.
//! - Any other topic: `unmatched topic`. Binary pushes are broadcast back as binary
//!   broadcasts; a binary `ping` gets a binary reply with the same bytes.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use bytes::Bytes;
use phx_codec::encode::WriteJson;
use phx_codec::message::ReplyStatus;
use phx_codec::outgoing::{
    EmptyObject, IdPayload, MetaPayload, PresenceDiffPayload, PresenceStatePayload, Reason,
};
use phx_codec::presence::PresenceKey;
use phx_codec::session::server::{
    CloseReason, JoinRequest, PushRequest, SendError, ServerEvent, ServerSession,
    encode_binary_broadcast, encode_broadcast,
};
use phx_codec::{EncodeError, Event, JsonKind, JsonStr, Payload, RawJson, Topic, Vsn, WsMessage};

use crate::chat::{Author, ChatMessage};
use crate::roster::Roster;

/// A connection's id.
pub type ConnId = u64;

/// The session each connection runs: up to 64 channels, topics up to 128 bytes, join refs up
/// to 32 bytes (about 11 KB per connection; Papercups topics are under 60 bytes).
pub type Session = ServerSession<64, 128, 32>;

/// Scratch space kept between messages; more is released after a big message.
const SCRATCH_KEEP: usize = 1 << 20;

/// A message to send on one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outgoing {
    /// A text message (V2 array or V1 object).
    Text(Bytes),
    /// A binary message (V2 binary frame).
    Binary(Bytes),
}

impl Outgoing {
    /// The payload size in bytes (what an outbound queue counts).
    pub fn len(&self) -> usize {
        match self {
            Self::Text(b) | Self::Binary(b) => b.len(),
        }
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes.
    pub fn bytes(&self) -> &Bytes {
        match self {
            Self::Text(b) | Self::Binary(b) => b,
        }
    }
}

/// Who is tracked: Papercups tracks customers by their UUID and agents by their integer id.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Identity {
    Customer(String),
    User(i64),
}

impl Identity {
    fn key(&self) -> PresenceKey<'_> {
        match self {
            Self::Customer(id) => PresenceKey::Customer(JsonStr::literal(id)),
            Self::User(id) => PresenceKey::User(*id),
        }
    }
}

/// A presence tracked on `topic` for as long as channel `owner` (a connection and the topic it
/// joined) lives.
struct Tracked {
    topic: String,
    who: Identity,
    phx_ref: String,
    online_at: String,
    owner: (ConnId, String),
}

impl Tracked {
    fn meta(&self) -> MetaPayload<'_> {
        MetaPayload {
            phx_ref: JsonStr::literal(&self.phx_ref),
            phx_ref_prev: None,
            online_at: Some(JsonStr::literal(&self.online_at)),
            user_id: match self.who {
                Identity::User(id) => Some(id),
                Identity::Customer(_) => None,
            },
            customer_id: match &self.who {
                Identity::Customer(id) => Some(JsonStr::literal(id)),
                Identity::User(_) => None,
            },
        }
    }
}

/// Groups tracked presences by key, in first-tracked order, and hands the entries to `f`.
fn with_presence_map<R>(
    tracked: &[&Tracked],
    f: impl FnOnce(&[(PresenceKey<'_>, &[MetaPayload<'_>])]) -> R,
) -> R {
    let mut grouped: Vec<(PresenceKey<'_>, Vec<MetaPayload<'_>>)> = Vec::new();
    for t in tracked {
        let key = t.who.key();
        match grouped.iter_mut().find(|(k, _)| *k == key) {
            Some((_, metas)) => metas.push(t.meta()),
            None => grouped.push((key, vec![t.meta()])),
        }
    }
    let entries: Vec<(PresenceKey<'_>, &[MetaPayload<'_>])> =
        grouped.iter().map(|(k, m)| (*k, m.as_slice())).collect();
    f(&entries)
}

struct Conn {
    session: Box<Session>,
    /// Set for agents (connect param `user_id`).
    user_id: Option<i64>,
    /// Topic → the `customer_id` the channel joined with.
    customers: HashMap<String, String>,
}

/// A broadcast, encoded at most once per serializer and shared by every receiver.
struct Broadcast<'p, P: WriteJson + ?Sized> {
    topic: &'p str,
    event: &'p str,
    payload: &'p P,
    v2: Option<Bytes>,
    v1: Option<Bytes>,
}

/// The hub. See the [module docs](self).
pub struct Hub {
    account_id: String,
    roster: Roster,
    idle_timeout_ms: u64,
    conns: HashMap<ConnId, Conn>,
    /// Topic → connections that joined it, in join order.
    members: HashMap<String, Vec<ConnId>>,
    presences: Vec<Tracked>,
    conversations: HashSet<String>,
    ids: IdSource,
    outbox: Vec<(ConnId, Outgoing)>,
    scratch: Vec<u8>,
}

impl Hub {
    /// A hub for one account, with the people in `roster`.
    pub fn new(account_id: String, roster: Roster) -> Self {
        Self {
            account_id,
            roster,
            idle_timeout_ms: phx_codec::session::server::DEFAULT_IDLE_TIMEOUT_MS,
            conns: HashMap::new(),
            members: HashMap::new(),
            presences: Vec::new(),
            conversations: HashSet::new(),
            ids: IdSource::new(0x5eed),
            outbox: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// The same hub closing connections idle for `ms` (Phoenix: 60 000).
    #[must_use]
    pub fn with_idle_timeout_ms(mut self, ms: u64) -> Self {
        self.idle_timeout_ms = ms;
        self
    }

    /// The account.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// How many connections are open.
    pub fn connections(&self) -> usize {
        self.conns.len()
    }

    /// A new connection that negotiated `vsn`; `user_id` marks an agent.
    pub fn connect(&mut self, id: ConnId, vsn: Vsn, user_id: Option<i64>, now_ms: u64) {
        let session =
            Box::new(Session::new(vsn, now_ms).with_idle_timeout_ms(self.idle_timeout_ms));
        self.conns.insert(
            id,
            Conn {
                session,
                user_id,
                customers: HashMap::new(),
            },
        );
    }

    /// When connection `id` becomes idle unless something arrives.
    pub fn idle_deadline_ms(&self, id: ConnId) -> Option<u64> {
        self.conns.get(&id).map(|c| c.session.next_deadline_ms())
    }

    /// `Some(CloseReason::Idle)` when connection `id` sent nothing for the idle timeout.
    pub fn poll_idle(&self, id: ConnId, now_ms: u64) -> Option<CloseReason> {
        self.conns
            .get(&id)
            .and_then(|c| c.session.poll_idle(now_ms))
    }

    /// Records inbound traffic that is not a Phoenix message (WebSocket ping/pong).
    pub fn note_activity(&mut self, id: ConnId, now_ms: u64) {
        if let Some(c) = self.conns.get_mut(&id) {
            c.session.note_activity(now_ms);
        }
    }

    /// The messages to send since the last call, in order, per connection.
    pub fn take_outbox(&mut self) -> Vec<(ConnId, Outgoing)> {
        std::mem::take(&mut self.outbox)
    }

    /// Forgets a connection: leaves its channels (presence leaves go to the others).
    pub fn disconnect(&mut self, id: ConnId) {
        let topics: Vec<String> = self
            .conns
            .get(&id)
            .map(|c| c.session.topics().map(str::to_owned).collect())
            .unwrap_or_default();
        for topic in topics {
            self.channel_gone(id, &topic);
        }
        self.conns.remove(&id);
        self.outbox.retain(|(to, _)| *to != id);
    }

    /// Handles one message from connection `id` at `now_ms` (Unix milliseconds). An error
    /// means: close that connection with `reason.close_code()`.
    pub fn receive(
        &mut self,
        id: ConnId,
        now_ms: u64,
        message: WsMessage<'_>,
    ) -> Result<(), CloseReason> {
        let Some(conn) = self.conns.get_mut(&id) else {
            return Ok(());
        };
        let input_len = match message {
            WsMessage::Text(b) | WsMessage::Binary(b) => b.len(),
        };
        // The answers echo the topic twice at most, plus refs and a fixed envelope.
        let room = input_len.saturating_mul(2).saturating_add(1024);
        if self.scratch.len() < room {
            self.scratch.resize(room, 0);
        }
        let got = conn
            .session
            .receive(now_ms, message, &mut self.scratch)
            .map_err(|e| match e {
                phx_codec::session::server::ReceiveError::Close(reason) => reason,
                phx_codec::session::server::ReceiveError::Output(_) => CloseReason::Internal,
            })?;
        for frame in got.frames(&self.scratch) {
            self.outbox
                .push((id, Outgoing::Text(Bytes::copy_from_slice(frame))));
        }
        match got.event {
            ServerEvent::Unmatched { topic, event } => {
                eprintln!("conn {id}: {event} on unjoined topic {topic}");
            }
            ServerEvent::Leave {
                topic,
                was_joined: true,
            } => self.channel_gone(id, &topic.to_cow()),
            ServerEvent::Join(join) => self.join(id, now_ms, &join),
            ServerEvent::Push(push) => self.handle_in(id, now_ms, &push),
            _ => {}
        }
        if self.scratch.capacity() > SCRATCH_KEEP {
            self.scratch = Vec::new();
        }
        Ok(())
    }

    /// Runs `f` with connection `id`'s session and the scratch buffer, growing the buffer
    /// until the frame fits; queues the frame as text (or binary).
    fn write_to(
        &mut self,
        id: ConnId,
        binary: bool,
        f: impl Fn(&mut Session, &mut [u8]) -> Result<usize, SendError>,
    ) -> Result<(), SendError> {
        let Some(conn) = self.conns.get_mut(&id) else {
            return Err(SendError::NotJoined);
        };
        loop {
            match f(&mut conn.session, &mut self.scratch) {
                Ok(n) => {
                    let bytes = Bytes::copy_from_slice(self.scratch.get(..n).unwrap_or_default());
                    let out = if binary {
                        Outgoing::Binary(bytes)
                    } else {
                        Outgoing::Text(bytes)
                    };
                    self.outbox.push((id, out));
                    return Ok(());
                }
                Err(SendError::Encode(EncodeError::BufferTooSmall { needed, .. }))
                    if needed > self.scratch.len() =>
                {
                    self.scratch.resize(needed, 0);
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn log_send(id: ConnId, what: &str, result: Result<(), SendError>) {
        if let Err(e) = result {
            eprintln!("conn {id}: cannot send {what}: {e}");
        }
    }

    fn reply<R: WriteJson + ?Sized>(
        &mut self,
        id: ConnId,
        push: &PushRequest<'_>,
        status: ReplyStatus<'_>,
        response: &R,
    ) {
        let to = push.reply_to();
        let result = self.write_to(id, false, |s, buf| s.reply(&to, status, response, buf));
        Self::log_send(id, "a reply", result);
    }

    /// Encodes a broadcast for `vsn` once and returns the shared bytes.
    fn encoded<P: WriteJson + ?Sized>(
        scratch: &mut Vec<u8>,
        b: &mut Broadcast<'_, P>,
        vsn: Vsn,
    ) -> Option<Bytes> {
        let slot = match vsn {
            Vsn::V2 => &mut b.v2,
            Vsn::V1 => &mut b.v1,
        };
        if slot.is_none() {
            loop {
                match encode_broadcast(vsn, b.topic, b.event, b.payload, scratch) {
                    Ok(n) => {
                        *slot = Some(Bytes::copy_from_slice(scratch.get(..n).unwrap_or_default()));
                        break;
                    }
                    Err(EncodeError::BufferTooSmall { needed, .. }) if needed > scratch.len() => {
                        scratch.resize(needed, 0);
                    }
                    Err(e) => {
                        eprintln!("cannot encode {} on {}: {e}", b.event, b.topic);
                        return None;
                    }
                }
            }
        }
        slot.clone()
    }

    /// `[null, null, topic, event, payload]` to every member of `topic`, encoded once per
    /// serializer.
    fn broadcast<P: WriteJson + ?Sized>(&mut self, topic: &str, event: &str, payload: &P) {
        let Some(members) = self.members.get(topic) else {
            return;
        };
        let mut b = Broadcast {
            topic,
            event,
            payload,
            v2: None,
            v1: None,
        };
        for &member in members {
            let Some(conn) = self.conns.get(&member) else {
                continue;
            };
            if let Some(bytes) = Self::encoded(&mut self.scratch, &mut b, conn.session.vsn()) {
                self.outbox.push((member, Outgoing::Text(bytes)));
            }
        }
    }

    /// A binary broadcast (kind 2) to every V2 member of `topic`.
    fn broadcast_binary(&mut self, topic: &str, event: &str, payload: &[u8]) {
        let needed = 3 + topic.len() + event.len() + payload.len();
        if self.scratch.len() < needed {
            self.scratch.resize(needed, 0);
        }
        let bytes = match encode_binary_broadcast(topic, event, payload, &mut self.scratch) {
            Ok(n) => Bytes::copy_from_slice(self.scratch.get(..n).unwrap_or_default()),
            Err(e) => {
                eprintln!("cannot encode binary {event} on {topic}: {e}");
                return;
            }
        };
        for &member in self.members.get(topic).into_iter().flatten() {
            match self.conns.get(&member) {
                Some(conn) if conn.session.vsn() == Vsn::V2 => {
                    self.outbox.push((member, Outgoing::Binary(bytes.clone())));
                }
                Some(_) => eprintln!("conn {member}: V1 has no binary frames; dropping {event}"),
                None => {}
            }
        }
    }

    fn join(&mut self, id: ConnId, now_ms: u64, join: &JoinRequest<'_>) {
        let topic_text = join.topic().to_cow();
        let topic: &str = &topic_text;
        if join.replaced_channel() {
            eprintln!("conn {id}: duplicate join of {topic}, closed the old channel");
            self.channel_gone(id, topic);
        }
        let user_id = self.conns.get(&id).and_then(|c| c.user_id);
        let agent = user_id.map(Identity::User);
        match Topic::parse(JsonStr::literal(topic)) {
            Topic::Conversation { id: conversation } => {
                let customer = join
                    .frame()
                    .payload_get("customer_id")
                    .and_then(|c| c.as_json_str())
                    .map(JsonStr::into_string);
                if !self.accept(id, join, topic) {
                    return;
                }
                if let (Some(customer), Some(conn)) = (&customer, self.conns.get_mut(&id)) {
                    conn.customers.insert(topic.to_owned(), customer.clone());
                }
                let who = customer.clone().map(Identity::Customer).or(agent);
                self.track_and_sync(id, now_ms, topic, who.clone());
                if let Some(Identity::Customer(customer)) = &who {
                    // Papercups also shows the customer online in the account's dashboard.
                    let notification = format!("notification:{}", self.account_id);
                    self.track(&notification, now_ms, who.clone(), (id, topic.to_owned()));
                    let tracked: Vec<&Tracked> = self.tracked_on(&notification).collect();
                    let state = with_presence_map(&tracked, |entries| {
                        owned_json(&PresenceStatePayload { entries })
                    });
                    if let Some(state) = state {
                        self.broadcast(&notification, "presence_state", &state);
                    }
                    let conversation = conversation.into_string();
                    if self.conversations.insert(conversation.clone()) {
                        let lobby = format!("conversation:lobby:{customer}");
                        let created = IdPayload {
                            id: JsonStr::literal(&conversation),
                        };
                        self.broadcast(&lobby, "conversation:created", &created);
                    }
                }
            }
            Topic::ConversationLobby { .. } => {
                self.accept(id, join, topic);
            }
            Topic::Room { .. } | Topic::Notification { .. } => {
                if agent.is_none() && topic.starts_with("notification:") {
                    let refusal = Reason {
                        reason: JsonStr::literal("unauthorized"),
                    };
                    let result =
                        self.write_to(id, false, |s, buf| s.refuse_join(join, &refusal, buf));
                    Self::log_send(id, "a join refusal", result);
                    return;
                }
                if self.accept(id, join, topic) {
                    self.track_and_sync(id, now_ms, topic, agent);
                }
            }
            _ => {
                eprintln!("conn {id}: join of unmatched topic {topic}");
                let result = self.write_to(id, false, |s, buf| s.refuse_join_unmatched(join, buf));
                Self::log_send(id, "unmatched topic", result);
            }
        }
    }

    /// Accepts the join (ok `{}`) and records the membership; refuses it when the session
    /// cannot hold it.
    fn accept(&mut self, id: ConnId, join: &JoinRequest<'_>, topic: &str) -> bool {
        match self.write_to(id, false, |s, buf| s.accept_join(join, &EmptyObject, buf)) {
            Ok(()) => {
                self.members.entry(topic.to_owned()).or_default().push(id);
                true
            }
            Err(why) => {
                eprintln!("conn {id}: cannot join {topic}: {why}");
                let reason = Reason {
                    reason: JsonStr::literal(match why {
                        SendError::TooManyChannels => "too many channels",
                        SendError::TooLong => "topic or ref too long",
                        _ => "join failed",
                    }),
                };
                let result = self.write_to(id, false, |s, buf| s.refuse_join(join, &reason, buf));
                Self::log_send(id, "a join refusal", result);
                false
            }
        }
    }

    /// Tracks `who` (if anyone) on the joined topic, then sends the joiner `presence_state`
    /// and every member the `presence_diff`.
    fn track_and_sync(&mut self, id: ConnId, now_ms: u64, topic: &str, who: Option<Identity>) {
        let before = self.presences.len();
        self.track_quietly(topic, now_ms, who, (id, topic.to_owned()));
        let tracked: Vec<&Tracked> = self.tracked_on(topic).collect();
        let state = with_presence_map(&tracked, |entries| {
            owned_json(&PresenceStatePayload { entries })
        });
        if let Some(state) = state {
            let result = self.write_to(id, false, |s, buf| {
                s.push(topic, "presence_state", &state, buf)
            });
            Self::log_send(id, "presence_state", result);
        }
        self.diff_for_new(topic, before);
    }

    /// Broadcasts the join diff of the presence at `index`, if one was tracked.
    fn diff_for_new(&mut self, topic: &str, index: usize) {
        let Some(tracked) = self.presences.get(index) else {
            return;
        };
        let diff = with_presence_map(&[tracked], |joins| {
            owned_json(&PresenceDiffPayload { joins, leaves: &[] })
        });
        if let Some(diff) = diff {
            self.broadcast(topic, "presence_diff", &diff);
        }
    }

    /// Tracks `who` on `topic` and broadcasts the join diff there.
    fn track(&mut self, topic: &str, now_ms: u64, who: Option<Identity>, owner: (ConnId, String)) {
        let before = self.presences.len();
        self.track_quietly(topic, now_ms, who, owner);
        self.diff_for_new(topic, before);
    }

    fn track_quietly(
        &mut self,
        topic: &str,
        now_ms: u64,
        who: Option<Identity>,
        owner: (ConnId, String),
    ) {
        let Some(who) = who else {
            return;
        };
        self.presences.push(Tracked {
            topic: topic.to_owned(),
            who,
            phx_ref: self.ids.phx_ref(),
            online_at: (now_ms / 1000).to_string(),
            owner,
        });
    }

    fn tracked_on<'s>(&'s self, topic: &'s str) -> impl Iterator<Item = &'s Tracked> + 's {
        self.presences.iter().filter(move |t| t.topic == topic)
    }

    /// The channel `topic` of `id` is gone: drop the membership and untrack what it tracked,
    /// telling the remaining members.
    fn channel_gone(&mut self, id: ConnId, topic: &str) {
        if let Some(conn) = self.conns.get_mut(&id) {
            conn.customers.remove(topic);
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
            let diff = with_presence_map(&[tracked], |leaves| {
                owned_json(&PresenceDiffPayload { joins: &[], leaves })
            });
            if let Some(diff) = diff {
                self.broadcast(&tracked.topic, "presence_diff", &diff);
            }
        }
    }

    /// A push on a joined channel.
    fn handle_in(&mut self, id: ConnId, now_ms: u64, push: &PushRequest<'_>) {
        let event = push.frame().event_kind();
        let topic_text = push.topic().to_cow();
        let topic: &str = &topic_text;
        match push.payload() {
            Payload::Binary(bytes) if event == Event::Ping => {
                let to = push.reply_to();
                let result =
                    self.write_to(id, true, |s, buf| s.reply_binary(&to, "ok", bytes, buf));
                Self::log_send(id, "a binary reply", result);
            }
            Payload::Binary(bytes) => {
                let event_name = push.event().to_cow();
                self.broadcast_binary(topic, &event_name, bytes);
            }
            Payload::BinaryReply { .. } => {
                eprintln!("conn {id}: a client cannot send a reply; ignored");
            }
            Payload::Json(payload) => self.handle_json(id, now_ms, push, topic, event, payload),
        }
    }

    fn handle_json(
        &mut self,
        id: ConnId,
        now_ms: u64,
        push: &PushRequest<'_>,
        topic: &str,
        event: Event<'_>,
        payload: RawJson<'_>,
    ) {
        let user_id = self.conns.get(&id).and_then(|c| c.user_id);
        match (Topic::parse(JsonStr::literal(topic)), event) {
            (_, Event::Ping) => self.reply(id, push, ReplyStatus::Ok, &payload),
            (Topic::Conversation { id: conversation }, Event::Shout) => {
                let joined = self
                    .conns
                    .get(&id)
                    .and_then(|c| c.customers.get(topic))
                    .cloned();
                let author = match user_id {
                    Some(user) => Sender::Agent(user),
                    None => Sender::Customer(joined),
                };
                self.shout(now_ms, &conversation.to_cow(), &author, payload);
            }
            (Topic::Conversation { .. }, Event::MessagesSeen) => {
                // Papercups marks the agents' messages seen and does not reply.
            }
            (Topic::Notification { .. }, Event::Shout) => {
                let conversation = payload
                    .get("conversation_id")
                    .and_then(|c| c.as_json_str())
                    .map(JsonStr::into_string);
                if let (Some(conversation), Some(user)) = (conversation, user_id) {
                    self.reply(id, push, ReplyStatus::Ok, &EmptyObject);
                    self.shout(now_ms, &conversation, &Sender::Agent(user), payload);
                } else {
                    let reason = Reason {
                        reason: JsonStr::literal("conversation_id required"),
                    };
                    self.reply(id, push, ReplyStatus::Error, &reason);
                }
            }
            (Topic::Notification { .. }, Event::Read) => {
                self.reply(id, push, ReplyStatus::Ok, &EmptyObject);
            }
            _ => {
                eprintln!("conn {id}: no handler for {} on {topic}", event.name());
                let reason = Reason {
                    reason: JsonStr::literal("unhandled event"),
                };
                self.reply(id, push, ReplyStatus::Error, &reason);
            }
        }
    }

    /// Formats the pushed message and broadcasts it to the conversation and the account's
    /// notification topic. A payload that is not a message is re-broadcast as it came (as
    /// Papercups does when saving fails).
    fn shout(&mut self, now_ms: u64, conversation_id: &str, sender: &Sender, payload: RawJson<'_>) {
        let conversation_topic = format!("conversation:{conversation_id}");
        let body = payload.get("body");
        let is_message = payload.kind() == JsonKind::Object
            && body.is_some_and(|b| matches!(b.kind(), JsonKind::String | JsonKind::Null));
        if !is_message {
            self.broadcast(&conversation_topic, "shout", &payload);
            return;
        }
        let customer_id = payload
            .get("customer_id")
            .and_then(|c| c.as_json_str())
            .map(JsonStr::into_string);
        let sent_at = payload
            .get("sent_at")
            .filter(|s| s.kind() == JsonKind::String);
        let private = payload.get("private").and_then(|p| p.as_bool()) == Some(true);
        let message_id = self.ids.uuid();
        let created_at = iso8601(now_ms / 1000);
        let now_z = format!("{created_at}Z");
        let encoded = {
            let author = match sender {
                // The payload's customer_id, else the one the channel joined with.
                Sender::Customer(joined) => {
                    let id = customer_id.as_deref().or(joined.as_deref());
                    Author::Customer {
                        id,
                        known: id.and_then(|c| self.roster.customer(c)),
                    }
                }
                Sender::Agent(user) => Author::Agent {
                    id: *user,
                    known: self.roster.user(*user),
                },
            };
            let message = ChatMessage {
                id: &message_id,
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
            owned_json(&message)
        };
        let Some(message) = encoded else {
            return;
        };
        self.broadcast(&conversation_topic, "shout", &message);
        let notification = format!("notification:{}", self.account_id);
        self.broadcast(&notification, "shout", &message);
    }
}

/// Who pushed a shout.
enum Sender {
    /// A customer socket, with the `customer_id` its channel joined with.
    Customer(Option<String>),
    /// An agent socket.
    Agent(i64),
}

/// A payload written once into owned JSON (validated by construction), to embed as raw JSON
/// in every serializer's encoding.
struct OwnedJson(String);

impl WriteJson for OwnedJson {
    fn write_json<S: phx_codec::encode::Sink + ?Sized>(
        &self,
        out: &mut S,
    ) -> Result<(), EncodeError> {
        out.put(self.0.as_bytes())
    }

    fn json_len(&self) -> usize {
        self.0.len()
    }
}

fn owned_json<W: WriteJson + ?Sized>(value: &W) -> Option<OwnedJson> {
    let mut out = Vec::with_capacity(value.json_len());
    match value.write_json(&mut out) {
        Ok(()) => String::from_utf8(out).ok().map(OwnedJson),
        Err(e) => {
            eprintln!("cannot write JSON: {e}");
            None
        }
    }
}

// --- Ids and clocks ------------------------------------------------------------------------------

/// Unique-enough ids for messages and presence refs (SplitMix64).
struct IdSource(u64);

impl IdSource {
    fn new(seed: u64) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        #[allow(clippy::cast_possible_truncation)] // only the low bits matter for a seed
        Self(seed ^ nanos as u64 ^ u64::from(std::process::id()))
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

/// `YYYY-MM-DDTHH:MM:SS` (UTC, no zone), as Papercups writes `created_at`.
pub fn iso8601(unix: u64) -> String {
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
