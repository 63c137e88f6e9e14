//! A progress bar on standard error for large inputs, only when standard error is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Inputs at least this long get a progress bar.
pub(crate) const THRESHOLD: u64 = 4 * 1024 * 1024;

/// Bytes between two updates of the bar (updates are cheap, but not free per line).
const STEP: u64 = 256 * 1024;

/// Tracks bytes read; draws only when it was worth it.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    pending: std::cell::Cell<u64>,
}

impl Progress {
    /// A bar for an input of `len` bytes, when that is known, large, and stderr is a terminal.
    pub(crate) fn for_input(len: Option<u64>) -> Self {
        let bar = len
            .filter(|&len| len >= THRESHOLD && std::io::stderr().is_terminal())
            .map(|len| {
                let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "{bar:40} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta})",
                ) {
                    bar.set_style(style);
                }
                bar
            });
        Self {
            bar,
            pending: std::cell::Cell::new(0),
        }
    }

    /// Counts `bytes` more bytes read.
    pub(crate) fn advance(&self, bytes: usize) {
        if let Some(bar) = &self.bar {
            let pending = self.pending.get() + bytes as u64;
            if pending >= STEP {
                bar.inc(pending);
                self.pending.set(0);
            } else {
                self.pending.set(pending);
            }
        }
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
