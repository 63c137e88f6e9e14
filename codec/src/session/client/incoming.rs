//! Incoming messages: replies, channel errors and closes, and channel messages.

use crate::DecodeError;
use crate::Decoder;
use crate::Direction;
use crate::Frame;
use crate::Payload;
use crate::WsMessage;

use super::state::ClientSession;
use super::state::OnEvent;
use super::state::RefText;
use super::types::ChannelId;
use super::types::ChannelState;
use super::types::EVENT_CLOSE;
use super::types::EVENT_ERROR;
use super::types::EVENT_REPLY;
use super::types::Event;
use super::types::Outcome;
use super::types::PushId;
use super::types::Response;
use crate::session::fixed::List;

impl<const CHANNELS: usize, const PUSHES: usize, const PAYLOAD: usize, const OUTBOX: usize>
    ClientSession<CHANNELS, PUSHES, PAYLOAD, OUTBOX>
{
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

    pub(super) fn channel_trigger(
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

    pub(super) fn join_replied(
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
