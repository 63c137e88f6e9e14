//! Benchmarks for phx-codec: realistic Papercups cases ([`cases`]) and, for each
//! implementation and operation, a prepared closure that performs the operation once
//! ([`prepare`]). The criterion suite (`benches/codec.rs`) and the instruction-count runner
//! (`bench_one`, driven by `callgrind.sh`) both run these closures, so they measure the same
//! code.
//!
//! Implementations ([`Impl`]): `phx` (phx-codec, borrowed), `phx_std` (phx-codec-std),
//! `serde_json_value` (`serde_json::Value`), `serde_json_typed` and `sonic_rs` (the same
//! hand-written borrowed structs, [`typed`], through `serde_json` and `sonic-rs`) and
//! `simd_json` (a `simd_json` borrowed value parsed from a copy of the input, with reused
//! parser buffers: simd-json parses in place, so the copy is part of its cost).
//!
//! Operations ([`Op`]):
//! - `decode`: parse the frame, read topic and event;
//! - `typed`: parse, then read topic, event, ref, join_ref and the case's one shared list of
//!   payload fields ([`fields`]), folding their unescaped bytes and integers into the checksum;
//! - `encode`: write the case's frame, built beforehand from typed field values (unescaped
//!   `&str`s, integers), into a reused buffer;
//! - `forward`: re-encode a frame decoded beforehand, unchanged, into a reused buffer.
//!
//! Every closure returns a checksum, so the optimiser cannot drop the work, and every
//! implementation of one case and operation returns the same checksum (a test checks it).
//! Combinations that cannot run are listed in [`unsupported`].
//!
//! ```
//! use phx_benches::{cases::Case, prepare, Impl, Op};
//! let case = Case::by_name("shout").unwrap();
//! let mut run = prepare(Impl::Phx, &case, Op::Typed).unwrap();
//! let mut serde = prepare(Impl::SerdeJsonTyped, &case, Op::Typed).unwrap();
//! assert_eq!(run(), serde());
//! ```

use std::fmt;

pub mod cases;
pub mod fields;
mod impls;
pub mod typed;

use cases::{Case, Kind};

/// An implementation under test (`--impl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Impl {
    /// phx-codec: borrowed `Frame`, typed views, `outgoing` builders, caller memory.
    Phx,
    /// phx-codec-std: shared frames (`SharedFrame`), `Vec` sinks.
    PhxStd,
    /// `serde_json::from_slice::<serde_json::Value>`, `serde_json::to_writer`.
    SerdeJsonValue,
    /// `serde_json` into and out of the hand-written borrowed structs of [`typed`].
    SerdeJsonTyped,
    /// `simd_json::to_borrowed_value_with_buffers` on a copy of the input.
    SimdJson,
    /// `sonic_rs::from_slice` into and `sonic_rs::to_writer` out of the structs of [`typed`].
    SonicRs,
}

impl Impl {
    /// All implementations, in table order.
    pub const ALL: [Self; 6] = [
        Self::Phx,
        Self::PhxStd,
        Self::SerdeJsonValue,
        Self::SerdeJsonTyped,
        Self::SimdJson,
        Self::SonicRs,
    ];

    /// The peers phx is compared against: the fastest thing a user would otherwise write.
    pub const PEERS: [Self; 3] = [Self::SerdeJsonTyped, Self::SimdJson, Self::SonicRs];

    /// The `--impl` name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Phx => "phx",
            Self::PhxStd => "phx_std",
            Self::SerdeJsonValue => "serde_json_value",
            Self::SerdeJsonTyped => "serde_json_typed",
            Self::SimdJson => "simd_json",
            Self::SonicRs => "sonic_rs",
        }
    }

    /// The implementation called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|i| i.name() == name)
    }

    /// Whether this is a JSON library (it cannot read V2 binary frames).
    pub const fn is_json_only(self) -> bool {
        !matches!(self, Self::Phx | Self::PhxStd)
    }
}

/// An operation (`--op`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Parse the frame (and read its topic and event).
    Decode,
    /// Parse the frame and read the case's fields ([`fields`]).
    Typed,
    /// Write the case's frame, built beforehand from typed field values.
    Encode,
    /// Re-encode a frame decoded beforehand, unchanged.
    Forward,
}

impl Op {
    /// All operations, in table order.
    pub const ALL: [Self; 4] = [Self::Decode, Self::Typed, Self::Encode, Self::Forward];

    /// The `--op` name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Decode => "decode",
            Self::Typed => "typed",
            Self::Encode => "encode",
            Self::Forward => "forward",
        }
    }

    /// The operation called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == name)
    }

    /// Whether the operation writes bytes (its output can be compared, [`output`]).
    pub const fn writes(self) -> bool {
        matches!(self, Self::Encode | Self::Forward)
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

/// The combinations that cannot run, declared here and nowhere else: `prepare` refuses
/// exactly these (a test checks every implementation × case × operation against this list).
///
/// Today: every JSON library on `binary_push` (a V2 binary frame is not JSON).
pub fn unsupported(variant: Variant, kind: Kind, op: Op) -> Option<&'static str> {
    let _ = op;
    (variant.is_json_only() && kind == Kind::BinaryPush)
        .then_some("a JSON library cannot read a V2 binary frame")
}

/// One prepared operation: each call performs it once and returns its checksum.
pub type Runner<'c> = Box<dyn FnMut() -> u64 + 'c>;

/// One prepared writing operation: writes into `out` (reused between calls: implementations
/// clear it or overwrite its start) and returns how many bytes of `out` are the output.
pub(crate) type Writer<'c> = Box<dyn FnMut(&mut Vec<u8>) -> Option<usize> + 'c>;

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
    /// [`Impl::SonicRs`].
    SonicRs,
}

impl Variant {
    /// All variants, in table order.
    pub const ALL: [Self; 7] = [
        Self::Phx,
        Self::PhxStdOwned,
        Self::PhxStdShared,
        Self::SerdeJsonValue,
        Self::SerdeJsonTyped,
        Self::SimdJson,
        Self::SonicRs,
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
            Self::SonicRs => "sonic_rs",
        }
    }

    /// Whether this is a JSON library (it cannot read V2 binary frames).
    pub const fn is_json_only(self) -> bool {
        !matches!(self, Self::Phx | Self::PhxStdOwned | Self::PhxStdShared)
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
            Impl::SonicRs => Self::SonicRs,
        }
    }
}

/// Prepares `op` of `imp` on `case`: everything that is not part of the measured operation
/// (building the typed values to encode, decoding the frame to forward, allocating reused
/// buffers) happens here. The returned closure has been run once and succeeded.
pub fn prepare(imp: Impl, case: &Case, op: Op) -> Result<Runner<'_>, Unsupported> {
    prepare_variant(imp.into(), case, op)
}

fn refuse(variant: Variant, case: &Case, op: Op) -> Result<(), Unsupported> {
    match unsupported(variant, case.kind, op) {
        Some(why) => Err(Unsupported(format!(
            "unsupported: {} {} {}: {why}",
            variant.name(),
            case.name,
            op.name()
        ))),
        None => Ok(()),
    }
}

fn writer(variant: Variant, case: &Case, op: Op) -> Result<Writer<'_>, Unsupported> {
    refuse(variant, case, op)?;
    match variant {
        Variant::Phx => impls::phx::writer(case, op),
        Variant::PhxStdOwned => impls::phx_std::writer(case, op, impls::phx_std::Mode::Owned),
        Variant::PhxStdShared => impls::phx_std::writer(case, op, impls::phx_std::Mode::Shared),
        Variant::SerdeJsonValue => impls::serde_value::writer(case, op),
        Variant::SerdeJsonTyped => impls::serde_typed::writer(case, op, impls::Backend::Serde),
        Variant::SimdJson => impls::simd::writer(case, op),
        Variant::SonicRs => impls::serde_typed::writer(case, op, impls::Backend::Sonic),
    }
}

/// [`prepare`] for a [`Variant`].
pub fn prepare_variant(variant: Variant, case: &Case, op: Op) -> Result<Runner<'_>, Unsupported> {
    refuse(variant, case, op)?;
    let mut runner: Runner<'_> = if op.writes() {
        let mut write = writer(variant, case, op)?;
        // Room for any output, reserved once (escaping can grow a string up to 6x).
        let mut out = Vec::with_capacity(case.bytes.len() * 6 + 4096);
        Box::new(move || write(&mut out).map_or(FAILED, len64))
    } else {
        match variant {
            Variant::Phx => impls::phx::prepare(case, op),
            Variant::PhxStdOwned => impls::phx_std::prepare(case, op, impls::phx_std::Mode::Owned),
            Variant::PhxStdShared => {
                impls::phx_std::prepare(case, op, impls::phx_std::Mode::Shared)
            }
            Variant::SerdeJsonValue => impls::serde_value::prepare(case, op),
            Variant::SerdeJsonTyped => impls::serde_typed::prepare(case, op, impls::Backend::Serde),
            Variant::SimdJson => impls::simd::prepare(case, op),
            Variant::SonicRs => impls::serde_typed::prepare(case, op, impls::Backend::Sonic),
        }?
    };
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

/// The bytes an `encode` or `forward` run writes (what the runner's checksum counts).
pub fn output(variant: Variant, case: &Case, op: Op) -> Result<Vec<u8>, Unsupported> {
    if !op.writes() {
        return Err(Unsupported(format!("{} writes nothing", op.name())));
    }
    let mut write = writer(variant, case, op)?;
    let mut out = Vec::new();
    // Twice: the second run shows the buffer's reuse leaves nothing behind.
    for _ in 0..2 {
        let n = write(&mut out).ok_or_else(|| {
            Unsupported(format!(
                "{} failed to {} case {}",
                variant.name(),
                op.name(),
                case.name
            ))
        })?;
        out.truncate(n);
    }
    Ok(out)
}

/// Accumulates what a typed access read: the bytes of each string (unescaped), integers,
/// flags and member counts. Absent and null add nothing. Values are added, so the order in
/// which members are visited does not matter (a `HashMap` visits them in any order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sum(pub u64);

const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// The last 1 to 7 bytes of a string as a little-endian word, zero-padded: what
/// `u64::from_le_bytes` of them copied into a zeroed `[u8; 8]` gives, built in registers. The
/// copy (a `memcpy` of the tail's length) followed by one 8-byte load of the word stalled
/// x86-64 on store-to-load forwarding, about 15 cycles per string folded, in every
/// implementation alike: a heartbeat's `typed` spent about 40% of phx's time there
/// (`perf record`, 2026-12-02).
fn tail_word(rest: &[u8]) -> u64 {
    rest.iter()
        .rev()
        .fold(0, |word, &b| (word << 8) | u64::from(b))
}

impl Sum {
    /// A string's unescaped bytes, if present: folded 8 bytes at a time.
    pub fn text(&mut self, bytes: Option<&[u8]>) {
        let Some(bytes) = bytes else { return };
        let mut h = len64(bytes.len()).wrapping_add(1).wrapping_mul(MIX);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            h = (h ^ u64::from_le_bytes(word))
                .wrapping_mul(MIX)
                .rotate_left(23);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            h = (h ^ tail_word(rest)).wrapping_mul(MIX).rotate_left(23);
        }
        self.add(h);
    }

    /// A string, if present.
    pub fn str(&mut self, s: Option<&str>) {
        self.text(s.map(str::as_bytes));
    }

    /// An integer, if present.
    pub fn int(&mut self, value: Option<i64>) {
        if let Some(value) = value {
            self.add((value.cast_unsigned() ^ 0x5555).wrapping_mul(MIX));
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
            self.add(len64(count).wrapping_mul(3).wrapping_add(5));
        }
    }

    fn add(&mut self, v: u64) {
        self.0 = self.0.wrapping_add(v);
    }
}

/// A length as `u64` (saturating; lengths here are far below).
pub(crate) fn len64(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tail_word_is_the_tail_zero_padded_and_read_little_endian() {
        let bytes: Vec<u8> = (1..=7).map(|b| 0x80 | (b * 17)).collect();
        for len in 1..=7 {
            let rest = &bytes[..len];
            let mut padded = [0u8; 8];
            padded[..len].copy_from_slice(rest);
            assert_eq!(tail_word(rest), u64::from_le_bytes(padded), "length {len}");
        }
    }
}
