//! Pushes: storing, buffering and sending them.

use crate::Direction;
use crate::Frame;
use crate::JsonStr;
use crate::Payload;
use crate::Vsn;
use crate::encode::WriteJson;
use crate::outgoing::OutgoingFrame;

use super::outbox::finish;
use super::outbox::write_text_record;
use super::state::ClientSession;
use super::state::PushSlot;
use super::state::RefText;
use super::state::TAG_BINARY;
use super::state::Verbatim;
use super::state::channel_in;
use super::types::ChannelId;
use super::types::ChannelState;
use super::types::Event;
use super::types::MAX_NAME_LEN;
use super::types::PushId;
use super::types::SessionError;
use crate::session::fixed::Buf;
use crate::session::fixed::List;

impl<const CHANNELS: usize, const PUSHES: usize, const PAYLOAD: usize, const OUTBOX: usize>
    ClientSession<CHANNELS, PUSHES, PAYLOAD, OUTBOX>
{
    pub(super) fn send_push(&mut self, p: usize) {
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

    pub(super) fn flush_send_buffer(&mut self) {
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

    pub(super) fn push_stored(
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
}
