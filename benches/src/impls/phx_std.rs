//! phx-codec-std: `SharedFrame` (the received `Bytes` plus spans) and `OwnedFrame` (owned
//! strings and payload).
//!
//! - shared: `decode` = `SharedFrame::decode` of a clone of the received `Bytes` (O(1), as a
//!   socket hands it over); `typed` adds the `frame()` view (which re-runs the validating
//!   decoder, see `SharedFrame::frame`) and reads every field through it; `encode` =
//!   `encode_to_vec` of a frame decoded beforehand.
//! - owned: `decode` = `decode_text` + `OwnedFrame::from` (copies every string and the
//!   payload); `typed` adds `as_frame()` (re-validates the payload) and reads every field;
//!   `encode` = `encode_to_vec` of an owned frame built beforehand.

use bytes::Bytes;
use phx_codec::{Direction, WireFormat};
use phx_codec_std::{OwnedFrame, SharedFrame};

use super::phx::{decode, js, typed};
use crate::cases::Case;
use crate::{FAILED, Op, Runner, Sum, Unsupported};

/// Which phx-codec-std frame type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `OwnedFrame`.
    Owned,
    /// `SharedFrame`.
    Shared,
}

fn format(case: &Case) -> WireFormat {
    if case.is_binary() {
        WireFormat::Binary
    } else {
        WireFormat::V2
    }
}

fn shared_envelope(frame: &SharedFrame) -> u64 {
    let mut sum = Sum::default();
    sum.text(Some(js(frame.topic())));
    sum.text(Some(js(frame.event())));
    sum.0
}

pub(crate) fn prepare(case: &Case, op: Op, mode: Mode) -> Result<Runner<'_>, Unsupported> {
    let format = format(case);
    let failed = |e: &dyn std::fmt::Display| {
        Unsupported(format!("phx_std cannot decode {}: {e}", case.name))
    };
    Ok(match (mode, op) {
        (Mode::Shared, Op::Decode | Op::Typed) => {
            let bytes = Bytes::from(case.bytes.clone());
            let kind = case.kind;
            Box::new(move || {
                match SharedFrame::decode(bytes.clone(), format, Direction::FromClient) {
                    Ok(shared) if op == Op::Decode => shared_envelope(&shared),
                    Ok(shared) => typed(&shared.frame(), kind),
                    Err(_) => FAILED,
                }
            })
        }
        (Mode::Shared, Op::Encode) => {
            let shared = SharedFrame::decode(
                Bytes::from(case.bytes.clone()),
                format,
                Direction::FromClient,
            )
            .map_err(|e| failed(&e))?;
            Box::new(move || {
                shared
                    .encode_to_vec(format, Direction::FromClient)
                    .map_or(FAILED, |out| crate::len64(out.len()))
            })
        }
        (Mode::Owned, Op::Decode) => Box::new(move || match decode(case) {
            Ok(frame) => {
                let owned = OwnedFrame::from(&frame);
                let mut sum = Sum::default();
                sum.text(Some(owned.topic.len()));
                sum.text(Some(owned.event.len()));
                sum.0
            }
            Err(_) => FAILED,
        }),
        (Mode::Owned, Op::Typed) => Box::new(move || match decode(case) {
            Ok(frame) => {
                let owned = OwnedFrame::from(&frame);
                owned.as_frame().map_or(FAILED, |f| typed(&f, case.kind))
            }
            Err(_) => FAILED,
        }),
        (Mode::Owned, Op::Encode) => {
            let owned = OwnedFrame::from(&decode(case).map_err(|e| failed(&e))?);
            Box::new(move || {
                owned
                    .encode_to_vec(format, Direction::FromClient)
                    .map_or(FAILED, |out| crate::len64(out.len()))
            })
        }
    })
}
