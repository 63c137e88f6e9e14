//! Deadlines: the earliest pending timer and what each timer does when it fires.

use super::state::ClientSession;
use super::state::Due;
use super::state::OnEvent;
use super::state::TimerId;
use super::types::Event;
use super::types::Outcome;
use super::types::PushId;

impl<const CHANNELS: usize, const PUSHES: usize, const PAYLOAD: usize, const OUTBOX: usize>
    ClientSession<CHANNELS, PUSHES, PAYLOAD, OUTBOX>
{
    /// When [`handle_timeout`](Self::handle_timeout) should next be called (milliseconds on the
    /// caller's clock); `None` when no timer runs.
    pub fn poll_timeout(&self) -> Option<u64> {
        self.earliest_timer().map(|(due, _)| due.at)
    }

    pub(super) fn earliest_timer(&self) -> Option<(Due, TimerId)> {
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

    pub(super) fn fire(&mut self, now: u64, id: TimerId, on_event: &mut OnEvent<'_>) {
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
}
