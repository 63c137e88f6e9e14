//! The transport's life: connect, open, close, reconnect backoff and the heartbeat.

use crate::outgoing::EmptyObject;
use crate::outgoing::OutgoingFrame;

use super::state::ClientSession;
use super::state::Conn;
use super::state::OnEvent;
use super::state::Ready;
use super::state::RefText;
use super::types::ChannelState;
use super::types::Event;
use super::types::TransportAction;
use super::types::WS_CLOSE_NORMAL;
use crate::session::fixed::List;

impl<const CHANNELS: usize, const PUSHES: usize, const PAYLOAD: usize, const OUTBOX: usize>
    ClientSession<CHANNELS, PUSHES, PAYLOAD, OUTBOX>
{
    /// The application's `socket.connect()`: asks for a transport
    /// ([`TransportAction::Open`]) unless it has one (open, opening or reconnecting).
    pub fn connect(&mut self, now: u64) {
        let _ = now;
        if self.conn.is_some_and(|c| !c.ended) {
            return;
        }
        self.transport_connect();
    }

    pub(super) fn transport_connect(&mut self) {
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

    pub(super) fn teardown(&mut self, now: u64, code: Option<u16>, on_event: &mut OnEvent<'_>) {
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

    pub(super) fn close_conn(&mut self, code: Option<u16>) {
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

    pub(super) fn schedule_reconnect(&mut self, now: u64) {
        let delay = self
            .options
            .reconnect_after_ms
            .delay(self.reconnect_tries.saturating_add(1));
        self.reconnect_timer = Some(self.due(now, delay));
    }

    pub(super) fn clear_heartbeats(&mut self) {
        self.heartbeat_timer = None;
        self.heartbeat_timeout_timer = None;
        self.pending_heartbeat = None;
    }

    pub(super) fn reset_heartbeat(&mut self, now: u64) {
        self.clear_heartbeats();
        let interval = self.options.heartbeat();
        self.heartbeat_timer = Some(self.due(now, interval));
    }

    pub(super) fn send_heartbeat(&mut self, now: u64) {
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

    pub(super) fn heartbeat_timeout(&mut self, now: u64, on_event: &mut OnEvent<'_>) {
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
    pub(super) fn trigger_chan_error(&mut self, now: u64, on_event: &mut OnEvent<'_>) {
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
}
