//! The session's options and phoenix.js's backoff tables.

use crate::Vsn;

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

    pub(super) fn heartbeat(&self) -> u64 {
        if self.heartbeat_interval_ms == 0 {
            30_000
        } else {
            self.heartbeat_interval_ms
        }
    }

    pub(super) fn timeout(&self) -> u64 {
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
