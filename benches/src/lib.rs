//! Benchmarks for phx-codec: realistic Papercups cases ([`cases`]) and, for each
//! implementation and operation, a prepared closure that performs the operation once
//! ([`prepare`]). The criterion suite (`benches/codec.rs`) and the instruction-count runner
//! (`bench_one`, driven by `callgrind.sh`) both run these closures, so they measure the same
//! code.
//!
//! Implementations ([`Impl`]): `phx` (phx-codec, borrowed), `phx_std` (phx-codec-std),
//! `serde_json_value` (`serde_json::Value`), `serde_json_typed` (hand-written borrowed structs,
//! [`typed`]) and `simd_json` (a `simd_json` borrowed value parsed from a copy of the input,
//! with reused parser buffers: simd-json parses in place, so the copy is part of its cost).
//!
//! Operations ([`Op`]): `decode` (parse the frame), `typed` (parse, then read every field of
//! the case's message) and `encode` (write an already-built message to bytes).
//!
//! Every closure returns a checksum: field lengths (unescaped), integers and flags it read, so
//! the optimiser cannot drop the work, and every implementation of one case and operation
//! returns the same checksum (a test checks it).
//!
//! ```
//! use phx_benches::{cases::Case, prepare, Impl, Op};
//! let case = Case::by_name("shout").unwrap();
//! let mut run = prepare(Impl::Phx, &case, Op::Typed).unwrap();
//! let mut serde = prepare(Impl::SerdeJsonValue, &case, Op::Typed).unwrap();
//! assert_eq!(run(), serde());
//! ```

use std::fmt;

pub mod cases;
mod impls;
pub mod typed;

use cases::Case;

/// An implementation under test (`--impl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Impl {
    /// phx-codec: borrowed `Frame`, typed views, encoding into a reused buffer.
    Phx,
    /// phx-codec-std: owned and shared frames.
    PhxStd,
    /// `serde_json::from_slice::<serde_json::Value>`, `serde_json::to_vec`.
    SerdeJsonValue,
    /// `serde_json` into the hand-written borrowed structs of [`typed`].
    SerdeJsonTyped,
    /// `simd_json::to_borrowed_value_with_buffers` on a copy of the input.
    SimdJson,
}

impl Impl {
    /// All implementations, in table order.
    pub const ALL: [Self; 5] = [
        Self::Phx,
        Self::PhxStd,
        Self::SerdeJsonValue,
        Self::SerdeJsonTyped,
        Self::SimdJson,
    ];

    /// The `--impl` name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Phx => "phx",
            Self::PhxStd => "phx_std",
            Self::SerdeJsonValue => "serde_json_value",
            Self::SerdeJsonTyped => "serde_json_typed",
            Self::SimdJson => "simd_json",
        }
    }

    /// The implementation called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.name() == name)
    }
}

/// An operation (`--op`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Parse the frame (and look at its topic and event).
    Decode,
    /// Parse the frame and read every field of its typed message.
    Typed,
    /// Write an already-built message to bytes.
    Encode,
}

impl Op {
    /// All operations, in table order.
    pub const ALL: [Self; 3] = [Self::Decode, Self::Typed, Self::Encode];

    /// The `--op` name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Decode => "decode",
            Self::Typed => "typed",
            Self::Encode => "encode",
        }
    }

    /// The operation called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }
}

/// Why a combination cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

/// One prepared operation: each call performs it once and returns its checksum.
pub type Runner<'c> = Box<dyn FnMut() -> u64 + 'c>;

/// The checksum a runner returns when the operation failed (never for a supported
/// combination: [`prepare`] runs it once and refuses it then).
pub const FAILED: u64 = u64::MAX;

/// What the criterion suite runs side by side: the implementations, with phx-codec-std's
/// two frame types separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// [`Impl::Phx`].
    Phx,
    /// phx-codec-std's `OwnedFrame` (owned strings and payload).
    PhxStdOwned,
    /// phx-codec-std's `SharedFrame` (the received `Bytes` plus spans); what `bench_one
    /// --impl phx_std` runs.
    PhxStdShared,
    /// [`Impl::SerdeJsonValue`].
    SerdeJsonValue,
    /// [`Impl::SerdeJsonTyped`].
    SerdeJsonTyped,
    /// [`Impl::SimdJson`].
    SimdJson,
}

impl Variant {
    /// All variants, in table order.
    pub const ALL: [Self; 6] = [
        Self::Phx,
        Self::PhxStdOwned,
        Self::PhxStdShared,
        Self::SerdeJsonValue,
        Self::SerdeJsonTyped,
        Self::SimdJson,
    ];

    /// The benchmark name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Phx => "phx",
            Self::PhxStdOwned => "phx_std_owned",
            Self::PhxStdShared => "phx_std_shared",
            Self::SerdeJsonValue => "serde_json_value",
            Self::SerdeJsonTyped => "serde_json_typed",
            Self::SimdJson => "simd_json",
        }
    }
}

impl From<Impl> for Variant {
    fn from(imp: Impl) -> Self {
        match imp {
            Impl::Phx => Self::Phx,
            Impl::PhxStd => Self::PhxStdShared,
            Impl::SerdeJsonValue => Self::SerdeJsonValue,
            Impl::SerdeJsonTyped => Self::SerdeJsonTyped,
            Impl::SimdJson => Self::SimdJson,
        }
    }
}

/// Prepares `op` of `imp` on `case`: everything that is not part of the measured operation
/// (building the message to encode, allocating reused buffers) happens here. The returned
/// closure has been run once and succeeded.
pub fn prepare(imp: Impl, case: &Case, op: Op) -> Result<Runner<'_>, Unsupported> {
    prepare_variant(imp.into(), case, op)
}

/// [`prepare`] for a [`Variant`].
pub fn prepare_variant(variant: Variant, case: &Case, op: Op) -> Result<Runner<'_>, Unsupported> {
    let mut runner = match variant {
        Variant::Phx => impls::phx::prepare(case, op),
        Variant::PhxStdOwned => impls::phx_std::prepare(case, op, impls::phx_std::Mode::Owned),
        Variant::PhxStdShared => impls::phx_std::prepare(case, op, impls::phx_std::Mode::Shared),
        Variant::SerdeJsonValue => impls::serde_value::prepare(case, op),
        Variant::SerdeJsonTyped => impls::serde_typed::prepare(case, op),
        Variant::SimdJson => impls::simd::prepare(case, op),
    }?;
    if runner() == FAILED {
        return Err(Unsupported(format!(
            "{} failed to {} case {}",
            variant.name(),
            op.name(),
            case.name
        )));
    }
    Ok(runner)
}

/// Accumulates what a typed access read: string lengths (unescaped, plus one for being
/// there), integers, flags and member counts. Absent and null add nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sum(pub u64);

impl Sum {
    /// A string of `len` bytes (unescaped), if present.
    pub fn text(&mut self, len: Option<usize>) {
        if let Some(len) = len {
            self.add(u64::try_from(len).unwrap_or(u64::MAX).wrapping_add(1));
        }
    }

    /// An integer, if present.
    pub fn int(&mut self, value: Option<i64>) {
        if let Some(value) = value {
            self.add(value.cast_unsigned().wrapping_add(0x100));
        }
    }

    /// A boolean, if present.
    pub fn flag(&mut self, value: Option<bool>) {
        if let Some(value) = value {
            self.add(2 + u64::from(value));
        }
    }

    /// A container with `count` members or items, if present.
    pub fn count(&mut self, count: Option<usize>) {
        if let Some(count) = count {
            self.add(
                u64::try_from(count)
                    .unwrap_or(u64::MAX)
                    .wrapping_mul(3)
                    .wrapping_add(5),
            );
        }
    }

    fn add(&mut self, v: u64) {
        self.0 = self.0.wrapping_add(v);
    }
}

/// The string members every implementation reads from a client shout.
pub const CLIENT_SHOUT_TEXT: [&str; 4] = ["body", "customer_id", "conversation_id", "sent_at"];
/// The string members of the server's formatted message.
pub const SERVER_SHOUT_TEXT: [&str; 12] = [
    "id",
    "object",
    "body",
    "type",
    "content_type",
    "source",
    "created_at",
    "sent_at",
    "seen_at",
    "conversation_id",
    "account_id",
    "customer_id",
];
/// The string members of a message's `user`.
pub const USER_TEXT: [&str; 9] = [
    "object",
    "email",
    "created_at",
    "disabled_at",
    "archived_at",
    "full_name",
    "display_name",
    "profile_photo_url",
    "role",
];
/// The string members of an attachment.
pub const ATTACHMENT_TEXT: [&str; 4] = ["object", "file_url", "content_type", "filename"];
/// The string members of a presence meta.
pub const META_TEXT: [&str; 3] = ["online_at", "phx_ref", "phx_ref_prev"];

/// A length as `u64` (saturating; lengths here are far below).
pub(crate) fn len64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}
