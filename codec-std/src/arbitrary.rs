//! Structure-aware fuzzing generators (feature `arbitrary`): [`arbitrary::Arbitrary`] for
//! [`OwnedFrame`] and for every owned typed Papercups message
//! ([`typed`](crate::typed)), valid by construction, plus near-valid bytes
//! ([`NearValid`]) for decoders. phx-codec's own fuzz targets use these same generators.
//!
//! - [`OwnedFrame`]: any frame the codec can hold: refs, topics and events biased to
//!   Papercups' (`conversation:`, `phx_join`...), JSON payloads with random whitespace,
//!   escapes and number spellings ([`json_text`]), binary pushes and binary replies.
//! - [`FrameSpec`]: the same, with every string also written as an escaped JSON body
//!   ([`EscapedStr`]): a [`Frame`] view over it exercises the escaped code paths.
//! - [`PapercupsFrame`]: a frame carrying a typed message ([`OwnedMessage`]) on a matching
//!   topic and event: [`Frame::message`] reads it without error.
//! - [`NearValid`]: a valid frame's encoding (V2, V1 or binary) with a few byte edits
//!   ([`mutation`](crate::mutation)): what a decoder must refuse or read consistently.
//!
//! # Fuzzing your own handler with cargo-fuzz
//!
//! In your crate's `fuzz/Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! libfuzzer-sys = "0.4"
//! phx-codec = "0.1"
//! phx-codec-std = { version = "0.1", features = ["arbitrary"] }
//! ```
//!
//! and a target, `fuzz/fuzz_targets/handler.rs` (`cargo fuzz run handler`):
//!
//! ```ignore
//! #![no_main]
//! use libfuzzer_sys::fuzz_target;
//! use phx_codec_std::arbitrary::{NearValid, PapercupsFrame};
//!
//! // Well-formed Papercups traffic: your handler must answer without panicking.
//! fuzz_target!(|input: (PapercupsFrame, NearValid)| {
//!     let (PapercupsFrame { frame, .. }, near) = input;
//!     my_app::handle(&frame);
//!     // Hostile bytes: decode as your socket would, handle whatever decodes.
//!     if let Ok(frame) = phx_codec::decode_text(&near.bytes) {
//!         my_app::handle(&phx_codec_std::OwnedFrame::from(frame));
//!     }
//! });
//! ```
//!
//! `codec-std/examples/fuzz_handler.rs` is the same harness as a program that compiles in
//! this repository and runs a handler over generated inputs without libFuzzer.
//!
//! ```
//! use arbitrary::{Arbitrary, Unstructured};
//! use phx_codec_std::arbitrary::PapercupsFrame;
//!
//! let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
//! let mut u = Unstructured::new(&bytes);
//! let generated = PapercupsFrame::arbitrary(&mut u)?;
//! let frame = generated.frame.as_frame()?;
//! assert_eq!(frame.message()?.name(), generated.message.name());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt::Write as _;

use arbitrary::{Arbitrary, Result, Unstructured};
use phx_codec::{DecodeError, Direction, Frame, JsonStr, Payload, RawJson, WireFormat};

use crate::mutation::{INTERESTING, Mutation};
use crate::typed::{OwnedJoin, OwnedJson, OwnedMessage};
use crate::{OwnedFrame, OwnedPayload};

/// Prefixes of Papercups topics and names of Phoenix and Papercups events: generated strings
/// start with one of these a quarter of the time.
pub const KNOWN_PREFIXES: &[&str] = &[
    "phoenix",
    "conversation:",
    "conversation:lobby:",
    "room:",
    "notification:",
    "events:admin:",
    "events:",
    "issue:lobby:",
    "phx_reply",
    "phx_join",
    "shout",
    "presence_diff",
];

/// How one character of a generated string is written in its JSON body.
///
/// ```
/// use phx_codec_std::arbitrary::{CharStyle, escape_body};
/// assert_eq!(escape_body("/é", &[CharStyle::Plain]), "/é");
/// assert_eq!(escape_body("/é", &[CharStyle::Short]), "\\/é");
/// assert_eq!(escape_body("/é", &[CharStyle::Unicode]), "\\u002f\\u00e9");
/// assert_eq!(escape_body("é", &[CharStyle::UnicodeUpper]), "\\u00E9");
/// ```
#[derive(Arbitrary, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CharStyle {
    /// As itself (escaped when JSON requires it).
    Plain,
    /// `\uXXXX` (a surrogate pair beyond the BMP), lowercase hex.
    Unicode,
    /// `\uXXXX` with uppercase hex.
    UnicodeUpper,
    /// The short escape when there is one (`\n`, `\/`...).
    Short,
}

/// A generated string: its text, and optionally a JSON string body (between the quotes) that
/// spells it with escapes.
///
/// ```
/// use arbitrary::{Arbitrary, Unstructured};
/// use phx_codec_std::arbitrary::EscapedStr;
/// # let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
/// let generated = EscapedStr::arbitrary(&mut Unstructured::new(&bytes))?;
/// // However it is spelled, it means its text.
/// assert_eq!(generated.json_str()?.to_cow(), generated.text.as_str());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscapedStr {
    /// The text.
    pub text: String,
    /// `None`: use the text literally; otherwise a JSON body that unescapes to `text`.
    pub body: Option<String>,
}

impl EscapedStr {
    /// A literal string (no escaped spelling).
    ///
    /// ```
    /// use phx_codec_std::arbitrary::EscapedStr;
    /// let s = EscapedStr::literal("room:1");
    /// assert_eq!((s.text.as_str(), s.body), ("room:1", None));
    /// ```
    pub fn literal(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            body: None,
        }
    }

    /// The string as a [`JsonStr`]: literal, or the escaped body (validated; it always is
    /// valid, an error would be a bug in this generator or in the core).
    ///
    /// ```
    /// use phx_codec_std::arbitrary::EscapedStr;
    /// let s = EscapedStr { text: "a/b".into(), body: Some("a\\/b".into()) };
    /// assert_eq!(s.json_str()?.to_cow(), "a/b");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn json_str(&self) -> Result<JsonStr<'_>, DecodeError> {
        match &self.body {
            None => Ok(JsonStr::literal(&self.text)),
            Some(body) => JsonStr::from_json_body(body),
        }
    }
}

impl<'a> Arbitrary<'a> for EscapedStr {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let text = if u.ratio(1, 4)? {
            let mut t = (*u.choose(KNOWN_PREFIXES)?).to_owned();
            t.push_str(&String::arbitrary(u)?);
            t
        } else {
            String::arbitrary(u)?
        };
        let body = if u.arbitrary()? {
            let styles: Vec<CharStyle> = u.arbitrary()?;
            Some(escape_body(&text, &styles))
        } else {
            None
        };
        Ok(Self { text, body })
    }
}

/// Writes `text` as a JSON string body, character `i` in style `styles[i % len]`
/// (characters JSON requires escaped are always escaped).
///
/// ```
/// use phx_codec_std::arbitrary::{CharStyle, escape_body};
/// // Quotes and controls are escaped whatever the style; styles cycle over the characters.
/// assert_eq!(escape_body("\"a\n", &[]), "\\\"a\\n");
/// assert_eq!(escape_body("ab", &[CharStyle::Plain, CharStyle::Unicode]), "a\\u0062");
/// ```
pub fn escape_body(text: &str, styles: &[CharStyle]) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        let style = styles
            .get(i % styles.len().max(1))
            .copied()
            .unwrap_or(CharStyle::Plain);
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '/' => Some("\\/"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            _ => None,
        };
        let must_escape = matches!(c, '"' | '\\') || c < ' ';
        match (style, short) {
            (CharStyle::Unicode, _) => push_unicode_escape(&mut out, c, false),
            (CharStyle::UnicodeUpper, _) => push_unicode_escape(&mut out, c, true),
            (CharStyle::Short, Some(sh)) => out.push_str(sh),
            (CharStyle::Plain, Some(sh)) if must_escape => out.push_str(sh),
            _ if must_escape => push_unicode_escape(&mut out, c, false),
            _ => out.push(c),
        }
    }
    out
}

fn push_unicode_escape(out: &mut String, c: char, upper: bool) {
    let mut units = [0u16; 2];
    for unit in c.encode_utf16(&mut units) {
        if upper {
            let _ = write!(out, "\\u{unit:04X}");
        } else {
            let _ = write!(out, "\\u{unit:04x}");
        }
    }
}

/// A generated payload.
///
/// ```
/// use arbitrary::{Arbitrary, Unstructured};
/// use phx_codec_std::arbitrary::FrameSpec;
/// use phx_codec_std::arbitrary::PayloadSpec;
/// # let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
/// let spec = FrameSpec::arbitrary(&mut Unstructured::new(&bytes))?;
/// if let PayloadSpec::Json(text) = &spec.payload {
///     assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PayloadSpec {
    /// JSON text (valid by construction, with random whitespace and escapes).
    Json(String),
    /// Binary push or broadcast bytes.
    Binary(Vec<u8>),
    /// A binary reply.
    Reply {
        /// The status.
        status: EscapedStr,
        /// The response bytes.
        response: Vec<u8>,
    },
}

/// A generated frame whose strings may be spelled with escapes: [`as_frame`](Self::as_frame)
/// gives a [`Frame`] over the escaped spellings, [`to_owned_frame`](Self::to_owned_frame)
/// the frame they mean.
///
/// ```
/// use arbitrary::{Arbitrary, Unstructured};
/// use phx_codec_std::arbitrary::FrameSpec;
/// # let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
/// let spec = FrameSpec::arbitrary(&mut Unstructured::new(&bytes))?;
/// // The escaped spelling and the owned frame agree on what the topic says.
/// assert_eq!(spec.as_frame()?.topic().to_cow(), spec.to_owned_frame().topic.as_str());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameSpec {
    /// `join_ref` (`None` = null).
    pub join_ref: Option<EscapedStr>,
    /// `ref` (`None` = null).
    pub reference: Option<EscapedStr>,
    /// The topic.
    pub topic: EscapedStr,
    /// The event (`phx_reply` for most binary replies; sometimes not, to check encoders).
    pub event: EscapedStr,
    /// The payload.
    pub payload: PayloadSpec,
}

impl FrameSpec {
    /// A borrowed frame over the generated spellings (validates the JSON payload and the
    /// escaped bodies: always valid, an error would be a bug).
    ///
    /// ```
    /// use arbitrary::{Arbitrary, Unstructured};
    /// use phx_codec_std::arbitrary::FrameSpec;
    /// # let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    /// let spec = FrameSpec::arbitrary(&mut Unstructured::new(&bytes))?;
    /// let frame = spec.as_frame()?;
    /// assert_eq!(frame.event().to_cow(), spec.event.text.as_str());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_frame(&self) -> Result<Frame<'_>, DecodeError> {
        let payload = match &self.payload {
            PayloadSpec::Json(text) => Payload::Json(RawJson::parse(text)?),
            PayloadSpec::Binary(bytes) => Payload::Binary(bytes),
            PayloadSpec::Reply { status, response } => Payload::BinaryReply {
                status: status.json_str()?,
                response,
            },
        };
        Ok(Frame::new(
            self.join_ref
                .as_ref()
                .map(EscapedStr::json_str)
                .transpose()?,
            self.reference
                .as_ref()
                .map(EscapedStr::json_str)
                .transpose()?,
            self.topic.json_str()?,
            self.event.json_str()?,
            payload,
        ))
    }

    /// The owned frame it means (unescaped strings, the payload text as generated).
    ///
    /// ```
    /// use arbitrary::{Arbitrary, Unstructured};
    /// use phx_codec_std::arbitrary::{EscapedStr, FrameSpec, PayloadSpec};
    /// let spec = FrameSpec {
    ///     join_ref: None,
    ///     reference: Some(EscapedStr::literal("1")),
    ///     topic: EscapedStr { text: "room:1".into(), body: Some("room\\u003a1".into()) },
    ///     event: EscapedStr::literal("shout"),
    ///     payload: PayloadSpec::Json("{}".into()),
    /// };
    /// let owned = spec.to_owned_frame();
    /// assert_eq!((owned.topic.as_str(), owned.reference.as_deref()), ("room:1", Some("1")));
    /// ```
    pub fn to_owned_frame(&self) -> OwnedFrame {
        OwnedFrame {
            join_ref: self.join_ref.as_ref().map(|s| s.text.clone()),
            reference: self.reference.as_ref().map(|s| s.text.clone()),
            topic: self.topic.text.clone(),
            event: self.event.text.clone(),
            payload: match &self.payload {
                PayloadSpec::Json(text) => OwnedPayload::Json(text.clone()),
                PayloadSpec::Binary(bytes) => OwnedPayload::Binary(bytes.clone()),
                PayloadSpec::Reply { status, response } => OwnedPayload::BinaryReply {
                    status: status.text.clone(),
                    response: response.clone(),
                },
            },
        }
    }
}

impl<'a> Arbitrary<'a> for FrameSpec {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let join_ref = if u.arbitrary()? {
            Some(EscapedStr::arbitrary(u)?)
        } else {
            None
        };
        let reference = if u.arbitrary()? {
            Some(EscapedStr::arbitrary(u)?)
        } else {
            None
        };
        let topic = EscapedStr::arbitrary(u)?;
        let mut event = EscapedStr::arbitrary(u)?;
        let payload = match u.int_in_range(0u8..=3)? {
            0 | 1 => PayloadSpec::Json(json_text(u)?),
            2 => PayloadSpec::Binary(u.arbitrary()?),
            _ => {
                // A binary reply's event is implied (`phx_reply`); keep the frame consistent
                // most of the time, and sometimes not, to check the encoder's choice.
                if u.ratio(3, 4)? {
                    event = EscapedStr::literal(phx_codec::binary::REPLY_EVENT);
                }
                PayloadSpec::Reply {
                    status: EscapedStr::arbitrary(u)?,
                    response: u.arbitrary()?,
                }
            }
        };
        Ok(Self {
            join_ref,
            reference,
            topic,
            event,
            payload,
        })
    }
}

impl<'a> Arbitrary<'a> for OwnedFrame {
    /// Any frame the codec can hold ([`FrameSpec`] without the escaped spellings).
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        FrameSpec::arbitrary(u).map(|spec| spec.to_owned_frame())
    }
}

/// The deepest nesting generated payloads reach (well inside the default limit).
pub const GENERATED_MAX_DEPTH: usize = 40;

/// One valid JSON value (no surrounding whitespace), with random whitespace, string escapes and number spellings
/// (`-0`, `1E+07`, 25-digit integers...). Written iteratively; when `u` runs dry every choice
/// falls to its first option, which closes containers, so this always ends.
///
/// ```
/// use arbitrary::Unstructured;
/// use phx_codec_std::arbitrary::json_text;
/// # let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
/// let text = json_text(&mut Unstructured::new(&bytes))?;
/// assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok());
/// // With no bytes left every choice is the first one: still one valid value.
/// let empty = json_text(&mut Unstructured::new(&[]))?;
/// assert!(serde_json::from_str::<serde_json::Value>(&empty).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn json_text(u: &mut Unstructured<'_>) -> Result<String> {
    let mut out = String::new();
    push_json(u, &mut out, None)?;
    Ok(trimmed(out))
}

/// Without surrounding whitespace, as [`RawJson`] holds a value.
fn trimmed(text: String) -> String {
    let trim: &[char] = &[' ', '\t', '\n', '\r'];
    if text.starts_with(trim) || text.ends_with(trim) {
        text.trim_matches(trim).to_owned()
    } else {
        text
    }
}

/// One valid JSON object, as [`json_text`] writes values.
///
/// ```
/// use arbitrary::Unstructured;
/// use phx_codec_std::arbitrary::json_object_text;
/// # let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
/// let text = json_object_text(&mut Unstructured::new(&bytes))?;
/// assert!(serde_json::from_str::<serde_json::Value>(&text)?.is_object());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn json_object_text(u: &mut Unstructured<'_>) -> Result<String> {
    let mut out = String::new();
    push_json(u, &mut out, Some(true))?;
    Ok(out)
}

/// Writes one value; `open_first`: start with an object (`Some(true)`) or array.
fn push_json(u: &mut Unstructured<'_>, out: &mut String, open_first: Option<bool>) -> Result<()> {
    // Open containers: (is_object, members so far).
    let mut open: Vec<(bool, usize)> = Vec::new();
    if let Some(is_object) = open_first {
        out.push(if is_object { '{' } else { '[' });
        open.push((is_object, 0));
    }
    let mut budget = 2_000usize;
    loop {
        whitespace(u, out)?;
        if let Some(&mut (is_object, ref mut count)) = open.last_mut() {
            budget = budget.saturating_sub(1);
            if budget == 0 || !u.ratio(4, 5)? || u.is_empty() {
                out.push(if is_object { '}' } else { ']' });
                open.pop();
                if open.is_empty() {
                    break;
                }
                continue;
            }
            if *count > 0 {
                out.push(',');
                whitespace(u, out)?;
            }
            *count += 1;
            if is_object {
                let key = EscapedStr::arbitrary(u)?;
                push_json_string(out, &key);
                whitespace(u, out)?;
                out.push(':');
                whitespace(u, out)?;
            }
        }
        let can_open = open.len() < GENERATED_MAX_DEPTH && budget > 0;
        match u.int_in_range(0u8..=8)? {
            0 => out.push_str("null"),
            1 => out.push_str(if u.arbitrary()? { "true" } else { "false" }),
            2 => {
                let _ = write!(out, "{}", i64::arbitrary(u)?);
            }
            3 => {
                let _ = write!(out, "{}", u64::arbitrary(u)?);
            }
            4 => {
                let f = f64::arbitrary(u)?;
                let f = if f.is_finite() { f } else { 0.5 };
                if u.arbitrary()? {
                    let _ = write!(out, "{f:e}");
                } else {
                    let _ = write!(out, "{f:?}");
                }
            }
            5 => number_text(u, out)?,
            6 => push_json_string(out, &EscapedStr::arbitrary(u)?),
            7 if can_open => {
                out.push('[');
                open.push((false, 0));
                continue;
            }
            8 if can_open => {
                out.push('{');
                open.push((true, 0));
                continue;
            }
            _ => out.push('0'),
        }
        if open.is_empty() {
            break;
        }
    }
    Ok(())
}

/// Writes `s` as a JSON string (its escaped body, or the text escaped where required).
///
/// ```
/// use phx_codec_std::arbitrary::{EscapedStr, push_json_string};
/// let mut out = String::from("[");
/// push_json_string(&mut out, &EscapedStr::literal("say \"hi\""));
/// out.push(']');
/// assert_eq!(out, r#"["say \"hi\""]"#);
/// assert_eq!(serde_json::from_str::<Vec<String>>(&out)?, ["say \"hi\""]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn push_json_string(out: &mut String, s: &EscapedStr) {
    out.push('"');
    match &s.body {
        Some(body) => out.push_str(body),
        None => out.push_str(&escape_body(&s.text, &[])),
    }
    out.push('"');
}

/// A number written digit by digit by the JSON grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)?
/// ([eE] [+-]? [0-9]+)?`, exponents kept small enough for `f64`.
fn number_text(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    if u.arbitrary()? {
        out.push('-');
    }
    let int_digits = u.int_in_range(0u8..=25)?;
    if int_digits == 0 {
        out.push('0');
    } else {
        out.push(char::from(b'1' + u.int_in_range(0u8..=8)?));
        for _ in 1..int_digits {
            out.push(char::from(b'0' + u.int_in_range(0u8..=9)?));
        }
    }
    if u.arbitrary()? {
        out.push('.');
        for _ in 0..=u.int_in_range(0u8..=20)? {
            out.push(char::from(b'0' + u.int_in_range(0u8..=9)?));
        }
    }
    if u.arbitrary()? {
        out.push(*u.choose(&['e', 'E'])?);
        match u.int_in_range(0u8..=2)? {
            0 => {}
            1 => out.push('+'),
            _ => out.push('-'),
        }
        let _ = write!(out, "{}", u.int_in_range(0u16..=250)?);
    }
    Ok(())
}

fn whitespace(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    if u.ratio(1, 8)? {
        for _ in 0..=u.int_in_range(0u8..=2)? {
            out.push(*u.choose(&[' ', '\t', '\n', '\r'])?);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Typed messages

impl<'a> Arbitrary<'a> for OwnedJson {
    /// A JSON object ([`json_object_text`]): where the core keeps JSON raw, an object is
    /// valid everywhere (`metadata`, `updates`, join params, responses, pings).
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let text = json_object_text(u)?;
        OwnedJson::parse(&text).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for OwnedJoin {
    /// Params with random members and, when `customer_id` is set, that key last (the last
    /// duplicate wins).
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let customer_id: Option<String> = u.arbitrary()?;
        let mut text = json_object_text(u)?;
        if let Some(id) = &customer_id {
            let _ = text.pop(); // the closing brace
            let body = text.trim_end();
            let separator = if body.ends_with('{') { "" } else { "," };
            let id = serde_json::to_string(id).map_err(|_| arbitrary::Error::IncorrectFormat)?;
            text = format!("{body}{separator}\"customer_id\":{id}}}");
        }
        let params = OwnedJson::parse(&text).map_err(|_| arbitrary::Error::IncorrectFormat)?;
        Ok(Self {
            customer_id,
            params,
        })
    }
}

/// Events no typed message claims, for [`OwnedMessage::Other`].
const OTHER_EVENTS: &[&str] = &["typing", "upload", "custom:event", "heartbeat_ack"];

/// A frame carrying a typed Papercups message: the topic and event select `message` and the
/// payload is its serialization, so [`Frame::message`] reads it without error and gives a
/// message of the same [`name`](OwnedMessage::name).
///
/// ```
/// use arbitrary::{Arbitrary, Unstructured};
/// use phx_codec_std::arbitrary::PapercupsFrame;
/// use phx_codec_std::typed::OwnedMessage;
/// # let bytes: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
/// let generated = PapercupsFrame::arbitrary(&mut Unstructured::new(&bytes))?;
/// let read_back = OwnedMessage::from_frame(&generated.frame.as_frame()?)?;
/// assert_eq!(read_back.name(), generated.message.name());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PapercupsFrame {
    /// The message the frame carries.
    pub message: OwnedMessage,
    /// The frame.
    pub frame: OwnedFrame,
}

impl<'a> Arbitrary<'a> for PapercupsFrame {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let message = OwnedMessage::arbitrary(u)?;
        let payload = message
            .to_payload()
            .map_err(|_| arbitrary::Error::IncorrectFormat)?;
        let topic = if message == OwnedMessage::Heartbeat {
            "phoenix".to_owned()
        } else {
            let prefixes = [
                "conversation:",
                "conversation:lobby:",
                "room:",
                "notification:",
                "events:",
                "issue:lobby:",
            ];
            let mut topic = (*u.choose(&prefixes)?).to_owned();
            topic.push_str(&String::arbitrary(u)?);
            topic
        };
        let event = match message {
            OwnedMessage::Other => (*u.choose(OTHER_EVENTS)?).to_owned(),
            _ => message.name().to_owned(),
        };
        let mut frame = OwnedFrame::new(topic, event, payload);
        frame.join_ref = u.arbitrary()?;
        frame.reference = u.arbitrary()?;
        Ok(Self { message, frame })
    }
}

/// Near-valid input for a decoder: a valid frame's encoding with 0 to 3 byte edits biased to
/// the bytes that matter to the grammar ([`INTERESTING`]).
///
/// ```
/// use arbitrary::{Arbitrary, Unstructured};
/// use phx_codec_std::arbitrary::NearValid;
/// use phx_codec_std::mutation::apply;
/// // Some inputs are refused (`IncorrectFormat`, e.g. a frame no form can carry): a fuzzer
/// // skips those, as this takes the first seed that gives a value.
/// let near = (0..64u32)
///     .find_map(|seed| {
///         let bytes: Vec<u8> = (0..4096u32)
///             .map(|i| (i.wrapping_mul(2_654_435_761).wrapping_add(seed.wrapping_mul(0x9e37_79b9)) >> 13) as u8)
///             .collect();
///         NearValid::arbitrary(&mut Unstructured::new(&bytes)).ok()
///     })
///     .ok_or("no seed gave a value")?;
/// assert!(near.mutations.len() <= 3);
/// // `bytes` is the frame's encoding with `mutations` applied.
/// let encoded = near.frame.encode_to_vec(near.format, near.direction)?;
/// assert_eq!(apply(encoded, &near.mutations), near.bytes);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearValid {
    /// The frame that was encoded.
    pub frame: OwnedFrame,
    /// The form it was encoded in (decode `bytes` as this).
    pub format: WireFormat,
    /// The direction it was encoded for.
    pub direction: Direction,
    /// The edits applied.
    pub mutations: Vec<Mutation>,
    /// The encoding after the edits.
    pub bytes: Vec<u8>,
}

impl<'a> Arbitrary<'a> for Mutation {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let byte = |u: &mut Unstructured<'a>| -> Result<u8> {
            if u.ratio(3, 4)? {
                u.choose(INTERESTING).copied()
            } else {
                u.arbitrary()
            }
        };
        Ok(match u.int_in_range(0u8..=9)? {
            0..=3 => Self::Replace(u.arbitrary()?, byte(u)?),
            4 | 5 => Self::Insert(u.arbitrary()?, byte(u)?),
            6 | 7 => Self::Delete(u.arbitrary()?),
            8 => Self::Truncate(u.arbitrary()?),
            _ => Self::Duplicate(u.arbitrary()?, u.int_in_range(1..=8)?),
        })
    }
}

impl<'a> Arbitrary<'a> for NearValid {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let frame = if u.arbitrary()? {
            PapercupsFrame::arbitrary(u)?.frame
        } else {
            OwnedFrame::arbitrary(u)?
        };
        let direction = if u.arbitrary()? {
            Direction::FromClient
        } else {
            Direction::FromServer
        };
        let forms: Vec<WireFormat> = [WireFormat::V2, WireFormat::V1, WireFormat::Binary]
            .into_iter()
            .filter(|&format| {
                frame
                    .as_frame()
                    .is_ok_and(|f| f.encoded_len(format, direction).is_ok())
            })
            .collect();
        let Ok(&format) = u.choose(&forms) else {
            return Err(arbitrary::Error::IncorrectFormat);
        };
        let valid = frame
            .encode_to_vec(format, direction)
            .map_err(|_| arbitrary::Error::IncorrectFormat)?;
        let count = u.int_in_range(0u8..=3)?;
        let mut mutations = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            mutations.push(Mutation::arbitrary(u)?);
        }
        let bytes = crate::mutation::apply(valid, &mutations);
        Ok(Self {
            frame,
            format,
            direction,
            mutations,
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random bytes (no RNG dependency).
    fn data(seed: u32, len: u32) -> Vec<u8> {
        (0..len)
            .map(|i| {
                let x = (i ^ seed.rotate_left(7))
                    .wrapping_mul(2_654_435_761)
                    .wrapping_add(seed);
                u8::try_from(x >> 24).unwrap_or(0)
            })
            .collect()
    }

    #[test]
    fn generated_strings_unescape_to_their_text() {
        let styles = [
            CharStyle::Plain,
            CharStyle::Unicode,
            CharStyle::UnicodeUpper,
            CharStyle::Short,
        ];
        let text = "a\"b\\c/d\u{8}\u{c}\n\r\t\u{1}é😀'";
        for n in 1..=styles.len() {
            let body = escape_body(text, &styles[..n]);
            let s = JsonStr::from_json_body(&body).expect("valid body");
            assert!(s.eq_str(text), "{body}");
        }
    }

    #[test]
    fn generated_json_is_valid_for_any_bytes() {
        for seed in 0u32..256 {
            let bytes = data(seed, 512);
            let mut u = Unstructured::new(&bytes);
            let text = json_text(&mut u).expect("generation");
            assert!(RawJson::parse(&text).is_ok(), "{text}");
            assert!(
                serde_json::from_str::<serde_json::Value>(&text).is_ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn generated_frames_are_valid_and_mean_what_they_spell() {
        for seed in 0u32..256 {
            let bytes = data(seed, 1024);
            let spec = FrameSpec::arbitrary(&mut Unstructured::new(&bytes)).expect("generation");
            let frame = spec.as_frame().expect("valid by construction");
            assert_eq!(OwnedFrame::from(&frame), spec.to_owned_frame());
        }
    }

    #[test]
    fn papercups_frames_read_as_their_typed_message() {
        let mut names = std::collections::BTreeSet::new();
        for seed in 0u32..512 {
            let bytes = data(seed, 2048);
            let generated =
                PapercupsFrame::arbitrary(&mut Unstructured::new(&bytes)).expect("generation");
            let frame = generated.frame.as_frame().expect("valid");
            let message = frame
                .message()
                .unwrap_or_else(|e| panic!("{:?}: {e}", generated.frame));
            assert_eq!(message.name(), generated.message.name());
            if let OwnedMessage::Join(join) = &generated.message {
                let phx_codec::message::Message::Join(view) = message else {
                    panic!("a join")
                };
                assert_eq!(
                    view.customer_id().map(JsonStr::into_string),
                    join.customer_id
                );
            }
            names.insert(generated.message.name());
        }
        assert!(names.len() > 12, "{names:?}");
    }

    #[test]
    fn near_valid_bytes_are_valid_without_edits() {
        let mut edited = 0;
        for seed in 0u32..256 {
            let bytes = data(seed, 1024);
            let Ok(near) = NearValid::arbitrary(&mut Unstructured::new(&bytes)) else {
                continue;
            };
            if near.mutations.is_empty() {
                let decoded = match near.format {
                    WireFormat::V2 => phx_codec::decode_text(&near.bytes),
                    WireFormat::V1 => phx_codec::v1::decode_v1(&near.bytes),
                    WireFormat::Binary => {
                        phx_codec::binary::decode_binary(&near.bytes, near.direction)
                    }
                }
                .expect("an unedited encoding decodes");
                assert_eq!(OwnedFrame::from(decoded).topic, near.frame.topic);
            } else {
                edited += 1;
            }
        }
        assert!(edited > 0);
    }
}
