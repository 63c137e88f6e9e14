//! A socket's outbound queue, bounded in bytes, that never drops a reader: producers wait for
//! room ([`OutQueue::wait_room`]) instead of messages being dropped, the writer takes close
//! frames before anything queued ([`OutQueue::close_with`]), and the whole queue is released
//! when the socket ends ([`OutQueue::shut`]). Whether the peer still drains is the writer's
//! business: it shuts the queue when one send makes no progress for the stall time.
//!
//! ```
//! use phx_papercups_server::hub::Outgoing;
//! use phx_papercups_server::queue::{Next, OutQueue};
//!
//! let queue = OutQueue::new(10);
//! assert!(queue.push(Outgoing::Text("12345678".into())));
//! assert!(queue.push(Outgoing::Text("abcd".into())));
//! assert!(queue.over_limit());
//! queue.close_with(1011, "malformed frame");
//! // The close frame jumps the queue.
//! assert_eq!(queue.try_next(), Some(Next::Close(1011, "malformed frame")));
//! queue.shut();
//! assert_eq!(queue.queued_bytes(), 0);
//! assert!(!queue.push(Outgoing::Text("late".into())));
//! ```

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;

use crate::hub::Outgoing;

/// What the writer sends next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// A close frame (code, reason); nothing is sent after it.
    Close(u16, &'static str),
    /// A queued message.
    Message(Outgoing),
}

#[derive(Default)]
struct State {
    items: VecDeque<Outgoing>,
    /// Bytes queued plus the bytes of the message being sent.
    bytes: usize,
    close: Option<(u16, &'static str)>,
    shut: bool,
}

/// One socket's outbound queue. See the [module docs](self).
pub struct OutQueue {
    state: Mutex<State>,
    max_bytes: usize,
    /// Wakes the writer (one consumer: permits are kept).
    writer: Notify,
    /// Wakes producers waiting for room, and readers waiting for the shut.
    changed: Notify,
}

impl std::fmt::Debug for OutQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutQueue")
            .field("queued_bytes", &self.queued_bytes())
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl OutQueue {
    /// A queue that counts as full above `max_bytes`.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            state: Mutex::new(State::default()),
            max_bytes,
            writer: Notify::new(),
            changed: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a message; `false` when the queue is shut or closing (the message is dropped
    /// with the socket). Never refuses for size: producers call [`wait_room`](Self::wait_room)
    /// afterwards, which bounds the queue to the limit plus one message per producer.
    pub fn push(&self, message: Outgoing) -> bool {
        let mut state = self.lock();
        if state.shut || state.close.is_some() {
            return false;
        }
        state.bytes = state.bytes.saturating_add(message.len());
        state.items.push_back(message);
        drop(state);
        self.writer.notify_one();
        true
    }

    /// Sends a close frame before anything still queued, then ends the writer. The first
    /// close wins.
    pub fn close_with(&self, code: u16, reason: &'static str) {
        let mut state = self.lock();
        if state.close.is_none() && !state.shut {
            state.close = Some((code, reason));
        }
        drop(state);
        self.writer.notify_one();
    }

    /// Ends the queue: everything queued is released, producers and readers wake up.
    pub fn shut(&self) {
        let mut state = self.lock();
        state.shut = true;
        state.items = VecDeque::new();
        state.bytes = 0;
        drop(state);
        self.writer.notify_one();
        self.changed.notify_waiters();
    }

    /// Whether the queue was shut.
    pub fn is_shut(&self) -> bool {
        self.lock().shut
    }

    /// Bytes queued (including the message being sent).
    pub fn queued_bytes(&self) -> usize {
        self.lock().bytes
    }

    /// Whether the queue holds more than its limit.
    pub fn over_limit(&self) -> bool {
        let state = self.lock();
        !state.shut && state.bytes > self.max_bytes
    }

    /// Waits until the queue is within its limit or shut.
    pub async fn wait_room(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if !self.over_limit() {
                return;
            }
            changed.await;
        }
    }

    /// Waits until the queue is shut.
    pub async fn wait_shut(&self) {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.is_shut() {
                return;
            }
            changed.await;
        }
    }

    /// The next thing to send without waiting: a pending close first, then the oldest
    /// message. `None` when there is nothing (or the queue is shut).
    pub fn try_next(&self) -> Option<Next> {
        let mut state = self.lock();
        if state.shut {
            return None;
        }
        if let Some((code, reason)) = state.close {
            state.items = VecDeque::new();
            state.bytes = 0;
            drop(state);
            self.changed.notify_waiters();
            return Some(Next::Close(code, reason));
        }
        state.items.pop_front().map(Next::Message)
    }

    /// Waits for the next thing to send; `None` once the queue is shut.
    pub async fn next(&self) -> Option<Next> {
        loop {
            if let Some(next) = self.try_next() {
                return Some(next);
            }
            if self.is_shut() {
                return None;
            }
            self.writer.notified().await;
        }
    }

    /// The writer finished sending a message of `len` bytes: its room is free.
    pub fn sent(&self, len: usize) {
        let mut state = self.lock();
        state.bytes = state.bytes.saturating_sub(len);
        drop(state);
        self.changed.notify_waiters();
    }
}
