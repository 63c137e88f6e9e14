//! phx-codec-std: `SharedFrame` (the received `Bytes` plus spans) and `OwnedFrame` (owned
//! strings and payload).
//!
//! - shared: `decode` = `SharedFrame::decode` of a clone of the received `Bytes` (O(1), as a
//!   socket hands it over); `typed` adds the `frame()` view (which re-runs the validating
//!   decoder, see `SharedFrame::frame`) and reads the fields through it; `forward` =
//!   `encode_to_vec` of a frame decoded beforehand.
//! - owned: `decode` = `decode_text` + `OwnedFrame::from` (copies every string and the
//!   payload); `typed` adds `as_frame()` (re-validates the payload) and reads the fields;
//!   `forward` = `encode_to_vec` of an owned frame built beforehand.
//! - both: `encode` = phx's `OutgoingFrame` written into a reused `Vec` (the `Vec` sink the
//!   std crate uses); binary: `OwnedFrame::encode_to_vec` of the push built from its values.

use bytes::Bytes;
use phx_codec::{Direction, WireFormat};
use phx_codec_std::{OwnedFrame, SharedFrame};

use super::phx::{Reader, decode, outgoing, typed};
use crate::cases::Case;
use crate::{FAILED, Op, Runner, Unsupported, Writer};

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

#[allow(clippy::unnecessary_wraps)] // one signature for every implementation
pub(crate) fn prepare(case: &Case, op: Op, mode: Mode) -> Result<Runner<'_>, Unsupported> {
    let format = format(case);
    let kind = case.kind;
    let mut scratch = vec![0u8; case.bytes.len()];
    Ok(match mode {
        Mode::Shared => {
            let bytes = Bytes::from(case.bytes.clone());
            Box::new(move || {
                match SharedFrame::decode(bytes.clone(), format, Direction::FromClient) {
                    Ok(shared) if op == Op::Decode => {
                        let mut r = Reader::new(&mut scratch);
                        r.text(Some(shared.topic()));
                        r.text(Some(shared.event()));
                        r.sum.0
                    }
                    Ok(shared) => typed(&shared.frame(), kind, &mut scratch),
                    Err(_) => FAILED,
                }
            })
        }
        Mode::Owned => Box::new(move || match decode(case) {
            Ok(frame) => {
                let owned = OwnedFrame::from(&frame);
                if op == Op::Decode {
                    let mut r = Reader::new(&mut scratch);
                    r.sum.str(Some(&owned.topic));
                    r.sum.str(Some(&owned.event));
                    r.sum.0
                } else {
                    owned
                        .as_frame()
                        .map_or(FAILED, |f| typed(&f, kind, &mut scratch))
                }
            }
            Err(_) => FAILED,
        }),
    })
}

pub(crate) fn writer(case: &Case, op: Op, mode: Mode) -> Result<Writer<'_>, Unsupported> {
    let format = format(case);
    let failed = |e: &dyn std::fmt::Display| super::setup_failed("phx_std", case, e);
    let frame = decode(case).map_err(|e| failed(&e))?;
    Ok(match (op, mode) {
        (Op::Encode, _) if !case.is_binary() => {
            let frame = outgoing(case)?;
            Box::new(move |out: &mut Vec<u8>| frame.encode_vec(out).ok())
        }
        (Op::Encode, _) | (_, Mode::Owned) => {
            let owned = OwnedFrame::from(&frame);
            Box::new(move |out: &mut Vec<u8>| {
                *out = owned.encode_to_vec(format, Direction::FromClient).ok()?;
                Some(out.len())
            })
        }
        (_, Mode::Shared) => {
            let shared = SharedFrame::decode(
                Bytes::from(case.bytes.clone()),
                format,
                Direction::FromClient,
            )
            .map_err(|e| failed(&e))?;
            Box::new(move |out: &mut Vec<u8>| {
                *out = shared.encode_to_vec(format, Direction::FromClient).ok()?;
                Some(out.len())
            })
        }
    })
}
