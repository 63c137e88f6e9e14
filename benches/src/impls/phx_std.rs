//! phx-codec-std (owned and shared frames): not available yet.

use crate::cases::Case;
use crate::{Op, Runner, Unsupported};

/// Which phx-codec-std frame type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `OwnedFrame`.
    Owned,
    /// `SharedFrame`.
    Shared,
}

pub(crate) fn prepare(_case: &Case, op: Op, _mode: Mode) -> Result<Runner<'_>, Unsupported> {
    Err(Unsupported(format!(
        "unsupported: phx_std {} is not available yet (phx-codec-std has no frames yet)",
        op.name()
    )))
}
