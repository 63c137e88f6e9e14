//! One module per implementation; each has `prepare(case, op) -> Result<Runner, Unsupported>`.

pub(crate) mod phx;
pub(crate) mod phx_std;
pub(crate) mod serde_typed;
pub(crate) mod serde_value;
pub(crate) mod simd;

use crate::Unsupported;
use crate::cases::Case;

/// The error for a binary case given to a JSON library.
pub(crate) fn json_only(imp: &str, case: &Case) -> Unsupported {
    Unsupported(format!(
        "unsupported: {imp} reads JSON only; case {} is a V2 binary frame",
        case.name
    ))
}
