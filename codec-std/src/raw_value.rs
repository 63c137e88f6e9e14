//! The bridge between the core's [`RawJson`] and `serde_json`'s
//! [`RawValue`]: both are borrowed, validated JSON text, so a
//! conversion borrows the same bytes and copies nothing.
//!
//! Each direction runs one validating pass over the text: `serde_json` offers no public
//! unchecked `&str → &RawValue` constructor (its `from_borrowed` is private), the core none
//! for `RawJson`, and `unsafe` (a transmute of `&str`) is not allowed in this crate. The pass
//! does not allocate.
//!
//! ```
//! use phx_codec::RawJson;
//! use phx_codec_std::raw_value;
//!
//! let raw = RawJson::parse(r#"{"n":123456789012345678901234567890}"#)?;
//! let value = raw_value::to_raw_value(raw)?;
//! assert!(std::ptr::eq(value.get(), raw.as_str())); // the same bytes
//! assert_eq!(serde_json::to_string(value)?, r#"{"n":123456789012345678901234567890}"#);
//!
//! let back = raw_value::to_raw_json(value)?;
//! assert_eq!(back, raw);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use phx_codec::{DecodeError, RawJson};
use serde_json::value::RawValue;

use crate::owned::held_json_limits;

/// `text` (one JSON value, no surrounding whitespace) as a borrowed [`RawValue`].
pub(crate) fn from_str(text: &str) -> Result<&RawValue, serde_json::Error> {
    serde_json::from_str(text)
}

/// The same text as a [`RawValue`], to serialize verbatim with `serde_json` or to embed in
/// your own serde types. Fails only for values nested deeper than `serde_json`'s recursion
/// limit (128), which the core may accept with raised limits.
///
/// ```
/// use phx_codec_std::raw_value::to_raw_value;
/// let frame = phx_codec::decode_text(br#"[null,"1","room:1","shout",{"price":1.50}]"#)?;
/// let payload = frame.payload_json().ok_or("not JSON")?;
/// #[derive(serde::Serialize)]
/// struct Envelope<'a> { id: u32, payload: &'a serde_json::value::RawValue }
/// let out = serde_json::to_string(&Envelope { id: 7, payload: to_raw_value(payload)? })?;
/// assert_eq!(out, r#"{"id":7,"payload":{"price":1.50}}"#); // embedded verbatim
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_raw_value(raw: RawJson<'_>) -> Result<&RawValue, serde_json::Error> {
    from_str(raw.as_str())
}

/// The same text as a [`RawJson`] (validated under the core's depth bound,
/// [`phx_codec::MAX_SUPPORTED_DEPTH`]).
///
/// ```
/// use phx_codec_std::raw_value::to_raw_json;
/// use serde_json::value::RawValue;
/// let value: &RawValue = serde_json::from_str(r#"{"status":"ok","n":1}"#)?;
/// let raw = to_raw_json(value)?;
/// assert_eq!(raw.get("status").and_then(|s| s.as_json_str()).map(|s| s.to_string()).as_deref(), Some("ok"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_raw_json(value: &RawValue) -> Result<RawJson<'_>, DecodeError> {
    RawJson::parse_with(value.get(), &held_json_limits())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_directions_borrow_the_same_bytes() {
        let raw = RawJson::parse(r#"[1.50, 1e3, -0, {"a" : "\u00e9"}]"#).unwrap();
        let value = to_raw_value(raw).unwrap();
        assert!(core::ptr::eq(value.get(), raw.as_str()));
        let back = to_raw_json(value).unwrap();
        assert!(core::ptr::eq(back.as_str(), raw.as_str()));
        assert_eq!(
            serde_json::to_string(value).unwrap(),
            r#"[1.50, 1e3, -0, {"a" : "\u00e9"}]"#
        );
    }
}
