//! One module per implementation; each has `prepare(case, op) -> Result<Runner, Unsupported>`
//! for `decode` and `typed`, and `writer(case, op) -> Result<Writer, Unsupported>` for
//! `encode` and `forward`.

pub(crate) mod phx;
pub(crate) mod phx_std;
pub(crate) mod serde_typed;
pub(crate) mod serde_value;
pub(crate) mod simd;

use crate::Unsupported;
use crate::cases::Case;

/// Which serde library reads and writes the hand-written structs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    /// `serde_json`.
    Serde,
    /// `sonic-rs`.
    Sonic,
}

/// The error for a case the setup could not read (never for the cases in `cases`).
pub(crate) fn setup_failed(imp: &str, case: &Case, what: &dyn std::fmt::Display) -> Unsupported {
    Unsupported(format!("{imp} cannot set up case {}: {what}", case.name))
}
