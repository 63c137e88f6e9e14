//! Payload parsing with simd-json (feature `simd-json`): the same results as the default
//! `serde_json` path ([`crate::FrameExt::payload_value`]), for payloads where simd-json is
//! faster (see [`SIMD_MIN_PAYLOAD_LEN`] for what was measured).
//!
//! The envelope is still decoded by the core (it is short; the core's single pass is what
//! gives borrowed [`Frame`]s); simd-json replaces `serde_json` for turning the payload into a
//! [`serde_json::Value`] or a `T: DeserializeOwned`. simd-json parses in place, so the payload
//! is copied into a scratch buffer first; [`SimdParser`] keeps that buffer and simd-json's
//! working buffers between calls.
//!
//! Results are identical to the `serde_json` path: whenever simd-json refuses a payload
//! (numbers it does not represent, for instance), the `serde_json` path answers instead, so
//! errors are `serde_json`'s too. The `*_auto` functions pick simd-json only for payloads of
//! at least [`SIMD_MIN_PAYLOAD_LEN`] bytes.
//!
//! ```
//! use phx_codec_std::{simd, FrameExt};
//! let frame = phx_codec::decode_text(br#"[null,null,"t","e",{"body":"hi","n":[1,2.5,-3]}]"#)?;
//! assert_eq!(simd::payload_value(&frame)?, frame.payload_value()?);
//! let mut parser = simd::SimdParser::new();
//! assert_eq!(parser.payload_value(&frame)?["body"], "hi");
//! # Ok::<(), phx_codec_std::Error>(())
//! ```

use phx_codec::Frame;
use serde::de::DeserializeOwned;

use crate::{Error, FrameExt};

/// Payload length (bytes) from which the `*_auto` functions use simd-json: none yet.
///
/// Measured on the development machine (2 shared cores, AVX2, noisy), payloads of 168 B to
/// 1.3 MB, simd-json through serde was never faster than `serde_json`: into a
/// `serde_json::Value` the two were within noise up to 160 KB and simd-json about 1.6x slower
/// at 1.3 MB; into a typed struct simd-json was 5-25% slower at every size (the scratch copy
/// and the value building dominate). Until the benches crate (`phx-benches`) finds a
/// crossover, the `*_auto` functions stay on `serde_json`; lower this when it does.
pub const SIMD_MIN_PAYLOAD_LEN: usize = usize::MAX;

/// A reusable simd-json parser: keeps the scratch copy of the payload and simd-json's buffers.
///
/// ```
/// let frame = phx_codec::decode_text(br#"[null,null,"t","e",{"a":[true,null]}]"#)?;
/// let mut parser = phx_codec_std::simd::SimdParser::new();
/// let value: serde_json::Value = parser.deserialize_payload(&frame)?;
/// assert_eq!(value, serde_json::json!({"a": [true, null]}));
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
#[derive(Default)]
pub struct SimdParser {
    scratch: Vec<u8>,
    buffers: simd_json::Buffers,
}

impl std::fmt::Debug for SimdParser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimdParser")
            .field("scratch_capacity", &self.scratch.capacity())
            .finish_non_exhaustive()
    }
}

impl SimdParser {
    /// A parser with empty buffers.
    ///
    /// ```
    /// let mut parser = phx_codec_std::simd::SimdParser::new();
    /// let frame = phx_codec::decode_text(br#"[null,null,"t","e",{"a":1}]"#)?;
    /// assert_eq!(parser.payload_value(&frame)?, serde_json::json!({"a": 1}));
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Deserializes the JSON payload into `T` with simd-json (falling back to `serde_json`
    /// when simd-json refuses it).
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Shout { body: String }
    /// let mut parser = phx_codec_std::simd::SimdParser::new();
    /// let frame = phx_codec::decode_text(br#"[null,null,"t","shout",{"body":"hi"}]"#)?;
    /// assert_eq!(parser.deserialize_payload::<Shout>(&frame)?.body, "hi");
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn deserialize_payload<T: DeserializeOwned>(
        &mut self,
        frame: &Frame<'_>,
    ) -> Result<T, Error> {
        let raw = frame.payload_json().ok_or(Error::PayloadNotJson)?;
        if has_negative_zero_integer(raw.as_bytes()) {
            return frame.deserialize_payload();
        }
        self.scratch.clear();
        self.scratch.extend_from_slice(raw.as_bytes());
        match simd_json::serde::from_slice_with_buffers(&mut self.scratch, &mut self.buffers) {
            Ok(value) => Ok(value),
            Err(_) => frame.deserialize_payload(),
        }
    }

    /// The JSON payload as a [`serde_json::Value`], parsed by simd-json.
    ///
    /// ```
    /// let mut parser = phx_codec_std::simd::SimdParser::new();
    /// let frame = phx_codec::decode_text(br#"[null,null,"t","e",[-0]]"#)?;
    /// assert_eq!(parser.payload_value(&frame)?, serde_json::json!([-0.0])); // as serde_json reads it
    /// # Ok::<(), phx_codec_std::Error>(())
    /// ```
    pub fn payload_value(&mut self, frame: &Frame<'_>) -> Result<serde_json::Value, Error> {
        self.deserialize_payload(frame)
    }
}

/// Whether `json` may hold the integer `-0`, which `serde_json` reads as the float `-0.0`
/// (as `JSON.parse` does) and simd-json as the integer `0`. `-0` followed by a digit can only
/// be inside a string (a number cannot have a leading zero), so dates like `"2022-05-10"` do
/// not count; nor does a `-0` after anything but `:`, `,`, `[` or whitespace (a number can
/// stand nowhere else), so UUIDs like `"…-9e8f-0a1b…"` keep the simd path.
fn has_negative_zero_integer(json: &[u8]) -> bool {
    memchr::memmem::find_iter(json, b"-0").any(|at| {
        let before = json
            .get(..at)
            .and_then(|head| head.iter().rev().find(|b| !b.is_ascii_whitespace()));
        matches!(before, None | Some(b':' | b',' | b'['))
            && !matches!(json.get(at + 2), Some(b'0'..=b'9' | b'.' | b'e' | b'E'))
    })
}

/// The JSON payload as a [`serde_json::Value`], parsed by simd-json (identical to
/// [`FrameExt::payload_value`]).
///
/// ```
/// use phx_codec_std::FrameExt;
/// let frame = phx_codec::decode_text(br#"[null,null,"t","e",{"n":[1,2]}]"#)?;
/// assert_eq!(phx_codec_std::simd::payload_value(&frame)?, frame.payload_value()?);
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
pub fn payload_value(frame: &Frame<'_>) -> Result<serde_json::Value, Error> {
    SimdParser::new().payload_value(frame)
}

/// Deserializes the JSON payload into an owned `T` with simd-json.
///
/// ```
/// let frame = phx_codec::decode_text(br#"[null,null,"t","e",[1,2,3]]"#)?;
/// let numbers: Vec<u8> = phx_codec_std::simd::deserialize_payload(&frame)?;
/// assert_eq!(numbers, [1, 2, 3]);
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
pub fn deserialize_payload<T: DeserializeOwned>(frame: &Frame<'_>) -> Result<T, Error> {
    SimdParser::new().deserialize_payload(frame)
}

/// [`payload_value`] for payloads of at least [`SIMD_MIN_PAYLOAD_LEN`] bytes, `serde_json`
/// below.
///
/// ```
/// let frame = phx_codec::decode_text(br#"[null,null,"t","e",{}]"#)?;
/// assert_eq!(phx_codec_std::simd::payload_value_auto(&frame)?, serde_json::json!({}));
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
pub fn payload_value_auto(frame: &Frame<'_>) -> Result<serde_json::Value, Error> {
    deserialize_payload_auto(frame)
}

/// [`deserialize_payload`] for payloads of at least [`SIMD_MIN_PAYLOAD_LEN`] bytes,
/// `serde_json` below.
// The threshold is a tunable constant, currently at its maximum (no crossover measured).
/// ```
/// let frame = phx_codec::decode_text(br#"[null,null,"t","e","text"]"#)?;
/// let text: String = phx_codec_std::simd::deserialize_payload_auto(&frame)?;
/// assert_eq!(text, "text");
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
#[allow(clippy::absurd_extreme_comparisons)]
pub fn deserialize_payload_auto<T: DeserializeOwned>(frame: &Frame<'_>) -> Result<T, Error> {
    match frame.payload_json() {
        Some(raw) if raw.as_str().len() >= SIMD_MIN_PAYLOAD_LEN => deserialize_payload(frame),
        _ => frame.deserialize_payload(),
    }
}

#[cfg(test)]
mod tests {
    use super::has_negative_zero_integer;

    #[test]
    fn only_a_number_minus_zero_sends_the_payload_to_serde_json() {
        assert!(has_negative_zero_integer(br#"{"a":-0}"#));
        assert!(has_negative_zero_integer(br"[1, -0 ,2]"));
        assert!(has_negative_zero_integer(b"-0"));
        assert!(!has_negative_zero_integer(
            br#"{"id":"5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f"}"#
        ));
        assert!(!has_negative_zero_integer(
            br#"{"a":-0.5,"d":"2022-05-10"}"#
        ));
    }
}
