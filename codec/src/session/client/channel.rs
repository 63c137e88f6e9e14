//! Channels: join, rejoin, leave, errors and the join and leave frames.

use crate::encode::WriteJson;
use crate::outgoing::EmptyObject;
use crate::outgoing::OutgoingFrame;

use super::outbox::write_text_record;
use super::state::Channel;
use super::state::ClientSession;
use super::state::OnEvent;
use super::state::RefText;
use super::state::Verbatim;
use super::types::ChannelId;
use super::types::ChannelState;
use super::types::EVENT_JOIN;
use super::types::EVENT_LEAVE;
use super::types::Event;
use super::types::MAX_NAME_LEN;
use super::types::Outcome;
use super::types::SessionError;
use crate::session::fixed::Buf;
use crate::session::fixed::List;

impl<const CHANNELS: usize, const PUSHES: usize, const PAYLOAD: usize, const OUTBOX: usize>
    ClientSession<CHANNELS, PUSHES, PAYLOAD, OUTBOX>
{
    /// Channel indices not removed from the socket, in creation order.
    pub(super) fn members_in_order(&self) -> List<usize, CHANNELS> {
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

    pub(super) fn set_state(&mut self, i: usize, state: ChannelState, on_event: &mut OnEvent<'_>) {
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
    pub(super) fn channel_error(&mut self, now: u64, i: usize, on_event: &mut OnEvent<'_>) {
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

    pub(super) fn schedule_rejoin(&mut self, now: u64, i: usize) {
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

    pub(super) fn send_join(&mut self, i: usize) {
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

    pub(super) fn write_join(&mut self, i: usize) {
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

    pub(super) fn send_leave(&mut self, i: usize) {
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

    pub(super) fn free_channel_slot(&self) -> Option<usize> {
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
    pub(super) fn rejoin(&mut self, now: u64, i: usize, on_event: &mut OnEvent<'_>) {
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

    pub(super) fn join_timed_out(&mut self, now: u64, i: usize, on_event: &mut OnEvent<'_>) {
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

    pub(super) fn leave_index(&mut self, now: u64, i: usize, on_event: &mut OnEvent<'_>) {
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
    pub(super) fn close_channel(&mut self, i: usize, on_event: &mut OnEvent<'_>) {
        if let Some(Some(c)) = self.channels.get_mut(i) {
            c.rejoin_timer = None;
            c.rejoin_tries = 0;
        }
        self.set_state(i, ChannelState::Closed, on_event);
        if let Some(Some(c)) = self.channels.get_mut(i) {
            c.removed = true;
        }
    }
}
