//! [`FrameSpans`]: where a decoded frame's parts lie in its input, so the same [`Frame`] can be
//! rebuilt later from the same bytes without decoding again.
//!
//! This is what lets a frame that keeps its buffer (a `bytes::Bytes`, an arena slot) hand out
//! borrowed views cheaply: decode once, keep the buffer and the spans, rebuild on demand.
//!
//! ```
//! use phx_codec::{decode_text, FrameSpans};
//! let buffer: Vec<u8> = br#"["1","5","room:42","shout",{"body":"hi"}]"#.to_vec();
//! let spans: FrameSpans = decode_text(&buffer)?.spans(&buffer).unwrap();
//! // ... later, with the same bytes (possibly moved or shared elsewhere):
//! let frame = spans.frame(&buffer).unwrap();
//! assert_eq!(frame.topic(), "room:42");
//! assert_eq!(frame.payload_get("body").unwrap().as_json_str().unwrap(), "hi");
//! # Ok::<(), phx_codec::DecodeError>(())
//! ```

use core::fmt;
use core::ops::Range;

use crate::frame::{Frame, Payload};
use crate::raw::{MemberIndex, RawJson};
use crate::string::JsonStr;

/// Where a string part lies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StrSpan {
    /// `input[start..end]`, with the string's escape flags.
    Input {
        start: usize,
        end: usize,
        escaped: bool,
        json_safe: bool,
    },
    /// Text that is not in the input (a binary reply's implied `phx_reply`).
    Static(&'static str),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum PayloadSpan {
    Json(usize, usize),
    Binary(usize, usize),
    BinaryReply {
        status: StrSpan,
        response: (usize, usize),
    },
}

/// The positions of a decoded [`Frame`]'s parts inside the input it was decoded from, plus
/// what decoding learned about its payload. Small, `Copy`, and free of lifetimes.
///
/// [`FrameSpans::frame`] rebuilds the frame from the same bytes: it re-slices and checks UTF-8
/// (no JSON parsing), so it costs a fraction of a decode. Given *other* bytes it never panics,
/// but the frame it returns has unspecified contents.
///
/// ```
/// let input = br#"["1","2","room:1","shout",{"body":"hi"}]"#.to_vec();
/// let spans = phx_codec::decode_text(&input)?.spans(&input).unwrap();
/// // Keep the buffer and the spans (plain offsets, no borrow); rebuild the frame when needed.
/// let frame = spans.frame(&input).unwrap();
/// assert_eq!(frame.topic(), "room:1");
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy)]
pub struct FrameSpans {
    join_ref: Option<StrSpan>,
    reference: Option<StrSpan>,
    topic: StrSpan,
    event: StrSpan,
    payload: PayloadSpan,
    index: MemberIndex,
}

/// The span of `part` inside `whole`, if it lies there.
fn range_in(whole: &[u8], part: &[u8]) -> Option<(usize, usize)> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some((start, end))
}

impl StrSpan {
    fn locate(whole: &[u8], s: JsonStr<'_>) -> Option<Self> {
        if let Some((start, end)) = range_in(whole, s.raw().as_bytes()) {
            return Some(Self::Input {
                start,
                end,
                escaped: s.has_escapes(),
                json_safe: s.is_json_safe(),
            });
        }
        (s.raw() == crate::binary::REPLY_EVENT && !s.has_escapes())
            .then_some(Self::Static(crate::binary::REPLY_EVENT))
    }

    fn view<'a>(&self, input: &'a [u8]) -> Option<JsonStr<'a>> {
        match *self {
            Self::Input {
                start,
                end,
                escaped,
                json_safe,
            } => {
                let text = crate::simd::str_from_utf8(input.get(start..end)?).ok()?;
                Some(JsonStr::from_parts(text, escaped, json_safe))
            }
            Self::Static(text) => Some(JsonStr::literal(text)),
        }
    }
}

fn bytes_at(input: &[u8], (start, end): (usize, usize)) -> Option<&[u8]> {
    input.get(Range { start, end })
}

impl Frame<'_> {
    /// Where this frame's parts lie in `input`, the buffer it was decoded from; `None` when a
    /// part does not borrow from `input` (a frame built by hand, or another buffer).
    ///
    /// ```
    /// use phx_codec::{Frame, Payload, RawJson};
    /// let input = br#"[null,null,"t","e",{}]"#;
    /// assert!(phx_codec::decode_text(input)?.spans(input).is_some());
    /// let built = Frame::new(None, None, "t".into(), "e".into(), Payload::Json(RawJson::parse("{}")?));
    /// assert!(built.spans(input).is_none()); // borrows from elsewhere
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn spans(&self, input: &[u8]) -> Option<FrameSpans> {
        let opt = |s: Option<JsonStr<'_>>| match s {
            Some(s) => StrSpan::locate(input, s).map(Some),
            None => Some(None),
        };
        let payload = match self.payload() {
            Payload::Json(raw) => {
                let (start, end) = range_in(input, raw.as_bytes())?;
                PayloadSpan::Json(start, end)
            }
            Payload::Binary(bytes) => {
                let (start, end) = range_in(input, bytes)?;
                PayloadSpan::Binary(start, end)
            }
            Payload::BinaryReply { status, response } => PayloadSpan::BinaryReply {
                status: StrSpan::locate(input, status)?,
                response: range_in(input, response)?,
            },
        };
        Some(FrameSpans {
            join_ref: opt(self.join_ref())?,
            reference: opt(self.reference())?,
            topic: StrSpan::locate(input, self.topic())?,
            event: StrSpan::locate(input, self.event())?,
            payload,
            index: *self.member_index(),
        })
    }
}

impl FrameSpans {
    /// Rebuilds the frame from `input`, which must hold the bytes the spans were taken from.
    /// `None` when a span does not fit `input` or a part is not UTF-8 (other bytes).
    ///
    /// ```
    /// let input = br#"[null,null,"t","e",{}]"#;
    /// let spans = phx_codec::decode_text(input)?.spans(input).unwrap();
    /// assert_eq!(spans.frame(input).unwrap().event(), "e");
    /// assert!(spans.frame(b"short").is_none());
    /// # Ok::<(), phx_codec::DecodeError>(())
    /// ```
    pub fn frame<'a>(&self, input: &'a [u8]) -> Option<Frame<'a>> {
        let opt = |s: Option<StrSpan>| match s {
            Some(s) => s.view(input).map(Some),
            None => Some(None),
        };
        let payload = match self.payload {
            PayloadSpan::Json(start, end) => {
                let text = crate::simd::str_from_utf8(bytes_at(input, (start, end))?).ok()?;
                Payload::Json(RawJson::from_validated(text))
            }
            PayloadSpan::Binary(start, end) => Payload::Binary(bytes_at(input, (start, end))?),
            PayloadSpan::BinaryReply { status, response } => Payload::BinaryReply {
                status: status.view(input)?,
                response: bytes_at(input, response)?,
            },
        };
        Some(
            Frame::new(
                opt(self.join_ref)?,
                opt(self.reference)?,
                self.topic.view(input)?,
                self.event.view(input)?,
                payload,
            )
            .with_index(self.index),
        )
    }
}

impl fmt::Debug for FrameSpans {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameSpans").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Direction, binary, decode_text, v1};

    #[test]
    fn rebuilds_every_kind_of_frame_from_the_same_bytes() {
        let texts: [&[u8]; 3] = [
            br#"["1",null,"conversation:\u0061bc","shout",{"body":"a\nb","n":[1,2]}]"#,
            br#"[null,"2","t","e",[1,"x"]]"#,
            br#"{"topic":"t","event":"e","payload":{"k":"v"},"ref":null}"#,
        ];
        for (i, text) in texts.iter().enumerate() {
            let frame = if i == 2 {
                v1::decode_v1(text)
            } else {
                decode_text(text)
            }
            .unwrap();
            let rebuilt = frame.spans(text).unwrap().frame(text).unwrap();
            assert_eq!(rebuilt, frame);
            assert_eq!(rebuilt.payload_plain(), frame.payload_plain());
            assert_eq!(
                rebuilt.message().map(|m| m.name()),
                frame.message().map(|m| m.name())
            );
            let copy = text.to_vec();
            assert_eq!(frame.spans(text).unwrap().frame(&copy).unwrap(), frame);
        }
        for (bytes, direction) in [
            (
                b"\x01\x01\x01\x01\x02abcok\xff".as_slice(),
                Direction::FromServer,
            ),
            (b"\x02\x01\x01te\x00", Direction::FromServer),
            (b"\x00\x01\x01\x01\x01abce\x00", Direction::FromClient),
        ] {
            let frame = binary::decode_binary(bytes, direction).unwrap();
            assert_eq!(frame.spans(bytes).unwrap().frame(bytes).unwrap(), frame);
        }
    }

    #[test]
    fn refuses_frames_that_do_not_borrow_from_the_input_and_short_inputs() {
        let text = br#"[null,null,"t","e",{}]"#;
        let frame = decode_text(text).unwrap();
        assert!(frame.spans(b"[]").is_none());
        let spans = frame.spans(text).unwrap();
        assert!(spans.frame(&text[..10]).is_none());
    }
}
