//! Fuzz target bodies.
//!
//! Each public function here is the whole body of one cargo-fuzz target (`fuzz/fuzz_targets/
//! <name>.rs` only calls it) and is also run by `cargo test` over the checked-in corpus
//! (`tests/fuzz_corpus.rs`), so a regression is caught on stable Rust without libFuzzer.
//!
//! A body returns nothing and panics only when a property is violated: that panic is how
//! libFuzzer reports a crash. Rejecting hostile input with a [`DecodeError`] is not a
//! failure; panicking, reading out of bounds, or answering inconsistently is.
//!
//! | target | input | property |
//! |---|---|---|
//! | [`decode_text`] | any bytes | V2 decode never panics; an error's offset is within the input; an accepted frame re-encodes (V2 and V1) to bytes that decode to an equal frame, and the canonical V2 encoding is a fixed point |
//! | [`decode_binary_client`], [`decode_binary_server`] | any bytes | binary decode never panics; an accepted frame re-encodes to exactly the input bytes |
//! | [`decode_v1`] | any bytes | as `decode_text`, for the V1 object form (duplicate envelope keys rejected) |
//! | [`typed_message`] | any bytes | every decoder, then every typed accessor and every string's unescaping agree with each other; the one-pass typed decoders answer as the two passes ([`one_pass_same_as_two_passes`], which runs [`presence_stream_agrees`]: the one-walk presence stream as `decode_text` + `PresenceItems`) |
//! | [`roundtrip`] | structure (via `arbitrary`) | a generated frame encodes (V2, V1, binary both directions where representable) and decodes back equal; `encoded_len*` is the number of bytes written; too small a buffer fails without writing |
//! | [`differential_serde_json`] | any bytes | `serde_json` (into five `Value`s) and `decode_text` agree on acceptance and on the five values; the one-pass typed decoders answer as the two passes |
//!
//! # Intended differences from `serde_json`
//!
//! [`differential_serde_json`] tolerates exactly these, and nothing else:
//!
//! 1. **Numbers beyond the range of `f64`** (`1e999999`, `-1e400`, a 400-digit integer): valid
//!    by the JSON grammar, accepted by phx-codec (which validates grammar and keeps the payload
//!    as raw text; [`RawJson::as_f64`] gives infinity), refused by `serde_json` ("number out of
//!    range"). Also numbers that round to `f64::MAX` (`1.7976931348623158e308`): Rust and
//!    `JSON.parse` read them as `f64::MAX`, `serde_json` with `float_roundtrip` refuses them
//!    (found by the CI fuzz run).
//! 2. **Nesting depth**: phx-codec accepts [`DecodeLimits::DEFAULT_MAX_DEPTH`] (128) nested
//!    containers counting the envelope array, so payloads nest at most 127 deep; `serde_json`'s
//!    recursion limit (also called 128) lets payloads nest at most 126 deep (measured). A frame
//!    whose payload nests exactly 127 deep is accepted by phx-codec and refused by `serde_json`
//!    ("recursion limit exceeded"); the target checks that the depth is exactly that. Deeper
//!    payloads are refused by both.
//! 3. **Frame length**: phx-codec refuses frames over 10 MB (`FrameTooLarge`); `serde_json` has
//!    no limit.
//! 4. **Envelope types**: `serde_json` reads five arbitrary values; phx-codec also requires
//!    refs to be strings or null and topic and event to be strings. When `serde_json`'s values
//!    break those rules phx-codec must refuse; nothing else is compared.
//! 5. **Float rounding**: `serde_json` without its `float_roundtrip` feature may round a long
//!    decimal to a neighbour of the correctly rounded `f64` that [`RawJson::as_f64`] (Rust's
//!    `str::parse`) gives; floats are equal when at most 1 ULP apart.
//! 6. **`-0`**: an integer (0) for [`RawJson::as_i64`], the float `-0.0` for `serde_json`;
//!    numbers are compared by value, so they match.
//! 7. **Duplicate object keys**: `serde_json`'s map keeps the last value, as
//!    [`RawJson::get`] does; each distinct key is compared through `get`.

use std::collections::{BTreeMap, BTreeSet};

use arbitrary::{Arbitrary, Unstructured};
use phx_codec::encode::SliceSink;
use phx_codec::{
    DecodeError, DecodeErrorKind, DecodeLimits, Decoder, Direction, EncodeError, EnvelopeField,
    ErrorCategory, Event, Frame, JsonKind, JsonStr, Message, Payload, RawJson, Topic, Vsn,
    WireFormat, WsMessage, binary::BinaryKind,
};
use phx_codec_std::OwnedFrame;
use phx_codec_std::arbitrary::FrameSpec;
use serde_json::Value;

/// A fuzz target body.
pub type Body = fn(&[u8]);

/// Every target: its name (as in `fuzz/fuzz_targets/` and `fuzz/corpus/`) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("decode_text", decode_text),
    ("decode_binary_client", decode_binary_client),
    ("decode_binary_server", decode_binary_server),
    ("decode_v1", decode_v1),
    ("typed_message", typed_message),
    ("roundtrip", roundtrip),
    ("differential_serde_json", differential_serde_json),
];

const DIRECTIONS: [Direction; 2] = [Direction::FromClient, Direction::FromServer];

// --- Targets ------------------------------------------------------------------------------------

/// Any bytes as a V2 JSON text frame: decoding never panics, every entry point agrees, and an
/// accepted frame survives re-encoding (V2 and V1) and decoding again.
pub fn decode_text(data: &[u8]) {
    let strict = phx_codec::decode_text(data);
    assert_eq!(
        Decoder::new(Vsn::V2, Direction::FromClient).decode(WsMessage::Text(data)),
        strict,
        "Decoder and decode_text disagree"
    );
    if let Ok(text) = std::str::from_utf8(data) {
        assert_eq!(
            phx_codec::decode_text_str(text),
            strict,
            "decode_text_str disagrees"
        );
    }
    check_limits(data, &strict, phx_codec::decode_text_with);
    let lenient =
        phx_codec::decode_text_with(data, &DecodeLimits::new().with_extra_elements_allowed(true));
    match strict {
        Err(err) => {
            check_error(err, data, true);
            if let Ok(frame) = lenient {
                assert_eq!(
                    err.kind,
                    DecodeErrorKind::TooManyElements,
                    "lenient mode accepted {frame:?} that strict mode refused for another reason"
                );
            }
        }
        Ok(frame) => {
            assert_eq!(
                lenient,
                Ok(frame),
                "lenient mode must accept what strict does"
            );
            check_text_frame(&frame);
            walk_frame(&frame, true);
        }
    }
}

/// Any bytes as a binary frame sent by a client.
pub fn decode_binary_client(data: &[u8]) {
    binary_target(data, Direction::FromClient);
}

/// Any bytes as a binary frame sent by the server.
pub fn decode_binary_server(data: &[u8]) {
    binary_target(data, Direction::FromServer);
}

/// Any bytes as a V1 JSON object frame.
pub fn decode_v1(data: &[u8]) {
    let result = phx_codec::v1::decode_v1(data);
    check_limits(data, &result, phx_codec::v1::decode_v1_with);
    assert_eq!(
        Decoder::new(Vsn::V1, Direction::FromClient).decode(WsMessage::Text(data)),
        result,
        "Decoder and decode_v1 disagree"
    );
    match result {
        Err(err) => check_error(err, data, true),
        Ok(frame) => {
            check_text_frame(&frame);
            walk_frame(&frame, true);
        }
    }
}

/// Any bytes through every decoder; every accepted frame through every typed accessor.
pub fn typed_message(data: &[u8]) {
    one_pass_same_as_two_passes(data);
    if let Ok(frame) = phx_codec::decode_text(data) {
        walk_typed(&frame);
    }
    if let Ok(frame) = phx_codec::v1::decode_v1(data) {
        walk_typed(&frame);
    }
    for direction in DIRECTIONS {
        if let Ok(frame) = phx_codec::binary::decode_binary(data, direction) {
            walk_typed(&frame);
        }
    }
}

/// Structure-aware: builds a frame from the fuzzer's bytes, encodes it in every form it can
/// take, and decodes it back.
pub fn roundtrip(data: &[u8]) {
    // The public generator of `phx_codec_std::arbitrary`, as users' fuzz targets get it.
    let mut u = Unstructured::new(data);
    let Ok(spec) = FrameSpec::arbitrary(&mut u) else {
        return;
    };
    let frame = spec
        .as_frame()
        .unwrap_or_else(|e| panic!("generated frame {spec:?} was refused: {e}"));
    for (s, text) in [
        (frame.join_ref(), spec.join_ref.as_ref()),
        (frame.reference(), spec.reference.as_ref()),
        (Some(frame.topic()), Some(&spec.topic)),
        (Some(frame.event()), Some(&spec.event)),
    ] {
        if let (Some(s), Some(text)) = (s, text) {
            assert!(s.eq_str(&text.text), "{s:?} does not unescape to {text:?}");
        }
    }
    assert_eq!(OwnedFrame::from(&frame), spec.to_owned_frame());
    let payload = frame.payload();
    walk_frame(&frame, false);

    for format in [WireFormat::V2, WireFormat::V1] {
        match (
            payload,
            encode_checked(&frame, format, Direction::FromClient),
        ) {
            (Payload::Json(_), Ok(bytes)) => {
                let decoded = decode_as(format, Direction::FromClient, &bytes);
                assert_eq!(decoded, Ok(frame), "{} round trip", format.name());
            }
            (Payload::Json(_), Err(e)) => panic!("{} encoding failed: {e}", format.name()),
            (_, result) => assert_eq!(result, Err(EncodeError::PayloadNotJson)),
        }
    }

    for direction in DIRECTIONS {
        let kind = frame.binary_kind(direction);
        let expected_kind = match (direction, payload, frame.reference()) {
            (_, Payload::Json(_), _) => Err(EncodeError::PayloadNotBinary),
            (Direction::FromClient, Payload::Binary(_), _) => Ok(BinaryKind::Push),
            (Direction::FromClient, Payload::BinaryReply { .. }, _) => {
                Err(EncodeError::NotRepresentable(EnvelopeField::Status))
            }
            (Direction::FromServer, Payload::BinaryReply { .. }, _) => {
                if frame.event() == phx_codec::binary::REPLY_EVENT {
                    Ok(BinaryKind::Reply)
                } else {
                    Err(EncodeError::NotRepresentable(EnvelopeField::Event))
                }
            }
            (Direction::FromServer, Payload::Binary(_), Some(_)) => {
                Err(EncodeError::NotRepresentable(EnvelopeField::Ref))
            }
            (Direction::FromServer, Payload::Binary(_), None) => {
                Ok(if frame.join_ref().is_some() {
                    BinaryKind::Push
                } else {
                    BinaryKind::Broadcast
                })
            }
        };
        assert_eq!(kind, expected_kind, "binary kind {direction:?}");
        let encoded = encode_checked(&frame, WireFormat::Binary, direction);
        let Ok(kind) = kind else {
            assert_eq!(encoded.map(|_| ()), kind.map(|_| ()));
            continue;
        };
        let expected = binary_expectation(&frame, kind, direction);
        let too_long = [
            (EnvelopeField::JoinRef, expected.join_ref()),
            (EnvelopeField::Ref, expected.reference()),
            (EnvelopeField::Topic, Some(expected.topic())),
            (
                EnvelopeField::Event,
                (kind != BinaryKind::Reply).then(|| expected.event()),
            ),
            (
                EnvelopeField::Status,
                match payload {
                    Payload::BinaryReply { status, .. } => Some(status),
                    _ => None,
                },
            ),
        ]
        .into_iter()
        .find_map(|(field, value)| {
            let len = value?.unescaped_len();
            (len > 255).then_some(EncodeError::FieldTooLong { field, len })
        });
        match (encoded, too_long) {
            (Err(e), Some(expected_err)) => assert_eq!(e, expected_err),
            (Err(e), None) => panic!("binary encoding ({direction:?}) failed: {e}"),
            (Ok(bytes), Some(e)) => panic!("binary encoding ignored {e}: {bytes:?}"),
            (Ok(bytes), None) => {
                let decoded = decode_as(WireFormat::Binary, direction, &bytes);
                assert_eq!(decoded, Ok(expected), "binary round trip ({direction:?})");
            }
        }
    }
}

/// `serde_json` as the reference: it must accept (as five `Value`s) exactly what
/// [`phx_codec::decode_text`] accepts, with the same values, up to the differences listed in
/// the module documentation.
pub fn differential_serde_json(data: &[u8]) {
    type Five = (Value, Value, Value, Value, Value);
    one_pass_same_as_two_passes(data);
    let ours = phx_codec::decode_text(data);
    let theirs = serde_json::from_slice::<Five>(data);
    match (ours, theirs) {
        (Ok(frame), Ok(values)) => {
            compare_with_serde(&frame, &values);
            // The typed paths (`Frame::message`, the per-event `from_frame` entry points, the
            // presence walk) over the same frames serde_json accepted.
            walk_typed(&frame);
        }
        (Ok(frame), Err(e)) => {
            let message = e.to_string();
            let out_of_range = message.starts_with("number out of range")
                && payload_has_number_at_f64_edge(frame.payload_json());
            // serde_json allows one level less than we do (see the module docs).
            let too_deep = message.starts_with("recursion limit exceeded")
                && frame.payload_json().map(json_depth) == Some(SERDE_JSON_MAX_PAYLOAD_DEPTH + 1);
            assert!(
                out_of_range || too_deep,
                "we accepted {frame:?}, serde_json refused: {message}"
            );
        }
        (Err(e), Ok(values)) => {
            let envelope_fits = matches!(values.0, Value::Null | Value::String(_))
                && matches!(values.1, Value::Null | Value::String(_))
                && values.2.is_string()
                && values.3.is_string();
            assert!(
                !envelope_fits || e.kind == DecodeErrorKind::FrameTooLarge,
                "serde_json accepted {values:?}, we refused: {e}"
            );
        }
        (Err(_), Err(_)) => {}
    }
}

// --- Shared checks ------------------------------------------------------------------------------

/// The one-pass typed decoders answer exactly as the two passes do: `decode_text_message`
/// (and `TypedFrame::decode_text`, in place) as `decode_text` then `Frame::message`,
/// `Shout::decode_text` and `Join::decode_text` as `decode_text` then their `from_frame`
/// (same frame, same view, same error and offset).
pub fn one_pass_same_as_two_passes(data: &[u8]) {
    use phx_codec::message::{Join, Shout};
    use phx_codec::{TypedDecodeError, TypedFrame, decode_text, decode_text_message};

    /// The envelope strings' raw text and flags.
    fn parts(frame: &Frame<'_>) -> [Option<(String, bool)>; 4] {
        let part = |s: JsonStr<'_>| (s.raw().to_owned(), s.has_escapes());
        [
            frame.join_ref().map(part),
            frame.reference().map(part),
            Some(part(frame.topic())),
            Some(part(frame.event())),
        ]
    }

    presence_stream_agrees(data, &DecodeLimits::new());
    let two = decode_text(data).map_err(TypedDecodeError::from);
    // In place (`TypedFrame`): what `decode_text_message` returns.
    let mut typed = TypedFrame::new();
    match (typed.decode_text(data), decode_text_message(data)) {
        (Ok(()), Ok((f1, m1))) => {
            assert_eq!(*typed.frame(), f1, "{data:?}");
            assert_eq!(parts(typed.frame()), parts(&f1), "{data:?}");
            assert_eq!(*typed.message(), m1, "{data:?}");
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "{data:?}");
            assert_eq!(typed, TypedFrame::new(), "{data:?}");
        }
        (into, one) => panic!("{data:?}: in place {into:?}, returned {one:?}"),
    }
    match (decode_text_message(data), &two) {
        (Ok((f1, m1)), Ok(f2)) => {
            assert_eq!(f1, *f2, "{data:?}");
            assert_eq!(parts(&f1), parts(f2), "{data:?}");
            assert_eq!(Ok(m1), f2.message(), "{data:?}");
        }
        (Err(TypedDecodeError::Message(e)), Ok(f2)) => {
            assert_eq!(Err(e), f2.message(), "{data:?}");
        }
        (one, Err(e)) => assert_eq!(one.err().as_ref(), Some(e), "{data:?}"),
        (one, Ok(f2)) => panic!("{data:?}: one pass {one:?}, two passes {f2:?}"),
    }
    match (Shout::decode_text(data), &two) {
        (Ok((f1, v1)), Ok(f2)) => {
            assert_eq!(f1, *f2, "{data:?}");
            assert_eq!(Ok(v1), Shout::from_frame(f2), "{data:?}");
        }
        (Err(TypedDecodeError::Message(e)), Ok(f2)) => {
            assert_eq!(Err(e), Shout::from_frame(f2), "{data:?}");
        }
        (one, Err(e)) => assert_eq!(one.err().as_ref(), Some(e), "{data:?}"),
        (one, Ok(f2)) => panic!("{data:?}: one pass {one:?}, two passes {f2:?}"),
    }
    match (Join::decode_text(data), &two) {
        (Ok((f1, v1)), Ok(f2)) => {
            assert_eq!(f1, *f2, "{data:?}");
            assert_eq!(Ok(v1), Join::from_frame(f2), "{data:?}");
        }
        (Err(TypedDecodeError::Message(e)), Ok(f2)) => {
            assert_eq!(Err(e), Join::from_frame(f2), "{data:?}");
        }
        (one, Err(e)) => assert_eq!(one.err().as_ref(), Some(e), "{data:?}"),
        (one, Ok(f2)) => panic!("{data:?}: one pass {one:?}, two passes {f2:?}"),
    }
}

/// Other limits than the defaults: the deepest supported nesting accepts the same frames (and
/// refuses the others with the same error, unless the default refused them for depth), and a
/// frame-length limit one byte short refuses the frame up front.
fn check_limits<'a>(
    data: &'a [u8],
    default: &Result<Frame<'a>, DecodeError>,
    decode: fn(&'a [u8], &DecodeLimits) -> Result<Frame<'a>, DecodeError>,
) {
    let deepest = decode(
        data,
        &DecodeLimits::new().with_max_depth(phx_codec::MAX_SUPPORTED_DEPTH),
    );
    match default {
        Err(e) if e.kind == DecodeErrorKind::DepthLimitExceeded => {}
        other => assert_eq!(&deepest, other, "deepest limit vs default"),
    }
    let shallow = decode(data, &DecodeLimits::new().with_max_depth(1));
    if let Ok(frame) = shallow {
        assert_eq!(
            default,
            &Ok(frame),
            "depth 1 accepted what the default refused"
        );
        let payload = frame
            .payload_json()
            .expect("a text frame has a JSON payload");
        assert_eq!(json_depth(payload), 0, "depth 1 accepted a nested payload");
    }
    if let Some(short) = data.len().checked_sub(1) {
        assert_eq!(
            decode(data, &DecodeLimits::new().with_max_frame_len(short)).map_err(|e| e.kind),
            Err(DecodeErrorKind::FrameTooLarge)
        );
    }
    let exact = decode(data, &DecodeLimits::new().with_max_frame_len(data.len()));
    assert_eq!(&exact, default, "a frame exactly at the length limit");
}

/// An error must point inside the input (or just past its end) and describe itself; a text
/// frame's error is never a binary one, and its UTF-8 errors point where valid UTF-8 ends.
fn check_error(err: DecodeError, input: &[u8], text: bool) {
    let input_len = input.len();
    if err.kind != DecodeErrorKind::FrameTooLarge {
        assert!(
            err.offset <= input_len,
            "{err:?}: offset past the end of a {input_len}-byte input"
        );
    }
    let name = err.kind.name();
    assert!(
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        "error name {name:?} is not snake_case"
    );
    if text {
        assert_ne!(
            err.kind.category(),
            ErrorCategory::Binary,
            "{err:?} from a text frame"
        );
        if err.kind.category() == ErrorCategory::Utf8 {
            assert!(
                std::str::from_utf8(input).is_err(),
                "{err:?} for valid UTF-8"
            );
            assert!(
                input
                    .get(..err.offset)
                    .is_some_and(|ok| std::str::from_utf8(ok).is_ok()),
                "{err:?}: valid UTF-8 does not end there"
            );
        }
    }
    assert!(!err.to_string().is_empty());
}

fn decode_as(
    format: WireFormat,
    direction: Direction,
    bytes: &[u8],
) -> Result<Frame<'_>, DecodeError> {
    match format {
        WireFormat::V2 => phx_codec::decode_text(bytes),
        WireFormat::V1 => phx_codec::v1::decode_v1(bytes),
        WireFormat::Binary => phx_codec::binary::decode_binary(bytes, direction),
    }
}

/// Encodes through every sink kind and checks they agree with `encoded_len`, and that a buffer
/// one byte short fails without writing.
fn encode_checked(
    frame: &Frame<'_>,
    format: WireFormat,
    direction: Direction,
) -> Result<Vec<u8>, EncodeError> {
    let len = frame.encoded_len(format, direction);
    let mut grown = Vec::new();
    let written = frame.encode(format, direction, &mut grown);
    assert_eq!(written, len, "encoded_len vs encode ({format:?})");
    let len = len?;
    assert_eq!(
        grown.len(),
        len,
        "bytes written vs encoded_len ({format:?})"
    );

    let mut exact = vec![0u8; len];
    let mut sink = SliceSink::new(&mut exact);
    assert_eq!(frame.encode(format, direction, &mut sink), Ok(len));
    assert_eq!(sink.written(), &grown[..], "slice sink vs Vec sink");

    if len > 0 {
        let mut short = vec![0u8; len - 1];
        let result = frame.encode(format, direction, &mut SliceSink::new(&mut short));
        assert_eq!(
            result,
            Err(EncodeError::BufferTooSmall {
                needed: len,
                available: len - 1
            })
        );
        assert!(short.iter().all(|&b| b == 0), "a failed encode wrote bytes");
    }
    Ok(grown)
}

/// A decoded V2 or V1 frame: both text encodings decode to an equal frame, the canonical forms
/// are fixed points, and binary encodings are refused.
fn check_text_frame(frame: &Frame<'_>) {
    for format in [WireFormat::V2, WireFormat::V1] {
        let bytes = encode_checked(frame, format, Direction::FromClient)
            .unwrap_or_else(|e| panic!("re-encoding {frame:?} as {format:?} failed: {e}"));
        let again = decode_as(format, Direction::FromClient, &bytes).unwrap_or_else(|e| {
            panic!(
                "re-encoded {format:?} frame {:?} does not decode: {e}",
                String::from_utf8_lossy(&bytes)
            )
        });
        assert_eq!(&again, frame, "{format:?} re-encode changed the frame");
        let canonical = encode_checked(&again, format, Direction::FromClient)
            .unwrap_or_else(|e| panic!("second {format:?} encode failed: {e}"));
        assert_eq!(
            canonical, bytes,
            "{format:?} canonical form is not a fixed point"
        );
    }
    for direction in DIRECTIONS {
        assert_eq!(
            frame.encoded_len_binary(direction),
            Err(EncodeError::PayloadNotBinary)
        );
    }
}

fn binary_target(data: &[u8], direction: Direction) {
    let result = phx_codec::binary::decode_binary(data, direction);
    assert_eq!(
        Decoder::new(Vsn::V2, direction).decode(WsMessage::Binary(data)),
        result,
        "Decoder and decode_binary disagree"
    );
    let shortcut = match direction {
        Direction::FromClient => phx_codec::binary::decode_from_client(data),
        Direction::FromServer => phx_codec::binary::decode_from_server(data),
    };
    assert_eq!(shortcut, result);
    assert_eq!(
        Decoder::new(Vsn::V1, direction)
            .decode(WsMessage::Binary(data))
            .map_err(|e| e.kind),
        Err(DecodeErrorKind::BinaryNotSupportedInV1)
    );
    match result {
        Err(err) => check_error(err, data, false),
        Ok(frame) => {
            let bytes = encode_checked(&frame, WireFormat::Binary, direction)
                .unwrap_or_else(|e| panic!("re-encoding {frame:?} failed: {e}"));
            assert_eq!(
                bytes, data,
                "a decoded binary frame must re-encode to its input"
            );
            for format in [WireFormat::V2, WireFormat::V1] {
                assert_eq!(
                    frame.encoded_len(format, direction),
                    Err(EncodeError::PayloadNotJson)
                );
            }
            walk_frame(&frame, false);
        }
    }
}

/// What a binary decoder gives back for `frame` encoded as `kind`: absent refs that the layout
/// writes come back empty, fields the layout lacks come back absent, and a reply's event is
/// `phx_reply` (the encoder refuses replies with any other event).
fn binary_expectation<'a>(frame: &Frame<'a>, kind: BinaryKind, direction: Direction) -> Frame<'a> {
    let empty = JsonStr::literal("");
    let (join_ref, reference, event) = match (kind, direction) {
        (BinaryKind::Broadcast, _) => (None, None, frame.event()),
        (BinaryKind::Reply, _) => (
            Some(frame.join_ref().unwrap_or(empty)),
            Some(frame.reference().unwrap_or(empty)),
            JsonStr::literal(phx_codec::binary::REPLY_EVENT),
        ),
        (BinaryKind::Push, Direction::FromClient) => (
            Some(frame.join_ref().unwrap_or(empty)),
            Some(frame.reference().unwrap_or(empty)),
            frame.event(),
        ),
        (BinaryKind::Push, Direction::FromServer) => (frame.join_ref(), None, frame.event()),
    };
    Frame::new(join_ref, reference, frame.topic(), event, frame.payload())
}

// --- Walking everything a frame offers ----------------------------------------------------------

/// Every field, every string's unescaping, every JSON value of the payload, the member index,
/// the typed topic and event, and serde serialization.
fn walk_frame(frame: &Frame<'_>, from_json: bool) {
    for s in [frame.join_ref(), frame.reference()].into_iter().flatten() {
        walk_str(s, from_json);
    }
    walk_str(frame.topic(), from_json);
    walk_str(frame.event(), from_json);
    match frame.payload() {
        Payload::Json(raw) => {
            assert_eq!(frame.payload_json(), Some(raw));
            walk_json(raw);
            if let Some(members) = raw.members() {
                for (key, _) in members {
                    let key = key.into_string();
                    assert_eq!(
                        frame.payload_get(&key),
                        raw.get(&key),
                        "indexed and walked lookups of {key:?} disagree"
                    );
                }
            } else {
                assert_eq!(frame.payload_get(""), None);
            }
        }
        Payload::Binary(_) => assert_eq!(frame.payload_json(), None),
        Payload::BinaryReply { status, .. } => {
            assert_eq!(frame.payload_json(), None);
            walk_str(status, false);
        }
    }

    let topic = frame.topic_kind();
    assert_eq!(topic, Topic::parse(frame.topic()));
    assert!(
        frame.topic().eq_str(&topic.to_string()),
        "typed topic {topic:?} does not write back as {:?}",
        frame.topic()
    );
    assert!(!topic.kind_name().is_empty());

    let event = frame.event_kind();
    assert_eq!(event, Event::parse(frame.event()));
    assert_eq!(event.name(), frame.event(), "typed event name");
    match event.known_name() {
        Some(name) => assert!(frame.event().eq_str(name) && Event::KNOWN.contains(&name)),
        None => assert!(!Event::KNOWN.iter().any(|known| frame.event().eq_str(known))),
    }
    let _ = event.is_lifecycle();

    // `to_string`, not `to_value`: numbers are written with their exact text, and
    // `serde_json::Value` cannot hold some of them (`1e999`).
    let text = serde_json::to_string(frame).expect("a frame serializes");
    assert!(text.starts_with('{'));
}

/// One string: every way of reading it gives the same text.
fn walk_str(s: JsonStr<'_>, from_json: bool) {
    let text: String = s.chars().collect();
    assert_eq!(s.unescaped_len(), text.len(), "unescaped_len of {s:?}");
    assert_eq!(s.is_empty(), text.is_empty());
    assert!(s.eq_str(&text));
    assert_eq!(s, JsonStr::literal(&text));
    assert_eq!(s.to_cow(), text.as_str());
    assert_eq!(s.to_string(), text);
    assert_eq!(format!("{s:?}"), format!("{text:?}"), "Debug of {s:?}");
    if s.has_escapes() {
        assert_eq!(s.as_str(), None);
        let again = JsonStr::from_json_body(s.raw())
            .unwrap_or_else(|e| panic!("escaped raw {:?} does not validate: {e}", s.raw()));
        assert_eq!(again, s);
    } else {
        assert_eq!(s.as_str(), Some(s.raw()));
        assert_eq!(s.raw(), text);
    }
    if from_json {
        assert!(
            JsonStr::from_json_body(s.raw()).is_ok(),
            "raw {:?}",
            s.raw()
        );
    }

    let mut buf = vec![0u8; text.len()];
    assert_eq!(
        s.unescape_into(&mut buf).map(str::to_owned),
        Ok(text.clone())
    );
    if !text.is_empty() {
        let mut short = vec![0u8; text.len() - 1];
        assert_eq!(
            s.unescape_into(&mut short),
            Err(EncodeError::BufferTooSmall {
                needed: text.len(),
                available: text.len() - 1
            })
        );
    }

    // Prefixes (cut at every char boundary for short strings, a few otherwise) and splits.
    let cuts: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let step = (cuts.len() / 4).max(1);
    for &cut in cuts.iter().step_by(step) {
        let (head, tail) = text.split_at(cut);
        let rest = s
            .strip_prefix(head)
            .unwrap_or_else(|| panic!("{s:?} does not start with {head:?}"));
        assert_eq!(rest, tail);
        assert_eq!(rest.chars().collect::<String>(), tail);
    }
    let mut longer = text.clone();
    longer.push('\u{1}');
    assert!(s.strip_prefix(&longer).is_none());
    for delimiter in [':', '"', '\u{e9}'] {
        let split = s.split_once(delimiter);
        match text.split_once(delimiter) {
            None => assert!(split.is_none()),
            Some((head, tail)) => {
                let (ours_head, ours_tail) =
                    split.unwrap_or_else(|| panic!("{s:?} split at {delimiter:?}"));
                assert!(
                    ours_head.eq_str(head) && ours_tail.eq_str(tail),
                    "{s:?} split at {delimiter:?}"
                );
                assert_eq!(ours_head.unescaped_len(), head.len());
            }
        }
    }
}

/// Every value inside `root`, without recursion: kinds, scalars, members, items, lookups, and
/// re-validation of every sub-value.
fn walk_json(root: RawJson<'_>) {
    assert_eq!(
        RawJson::parse(root.as_str()),
        Ok(root),
        "payload re-validation"
    );
    serde_json::to_string(&root).expect("RawJson serializes");
    let mut stack = vec![root];
    let mut visited = 0usize;
    while let Some(v) = stack.pop() {
        visited += 1;
        if visited > 20_000 {
            return;
        }
        let first = v.as_bytes().first().copied();
        match v.kind() {
            JsonKind::Null => assert!(v.is_null() && v.as_str() == "null"),
            JsonKind::Bool => assert!(v.as_bool().is_some()),
            JsonKind::String => {
                let s = v.as_json_str().expect("a string value has a body");
                walk_str(s, true);
            }
            JsonKind::Number => check_number(v),
            JsonKind::Array => {
                assert_eq!(first, Some(b'['));
                assert!(v.members().is_none());
                for item in v.items().expect("an array has items") {
                    assert_eq!(RawJson::parse(item.as_str()), Ok(item), "array item");
                    stack.push(item);
                }
            }
            JsonKind::Object => {
                assert_eq!(first, Some(b'{'));
                assert!(v.items().is_none());
                let mut last: BTreeMap<String, RawJson<'_>> = BTreeMap::new();
                for (key, member) in v.members().expect("an object has members") {
                    walk_str(key, true);
                    assert_eq!(RawJson::parse(member.as_str()), Ok(member), "member value");
                    last.insert(key.into_string(), member);
                    stack.push(member);
                }
                for (key, member) in &last {
                    assert_eq!(v.get(key), Some(*member), "get({key:?}): last one wins");
                }
            }
        }
        if v.kind() != JsonKind::Null {
            assert!(!v.is_null());
        }
        if v.kind() != JsonKind::Bool {
            assert_eq!(v.as_bool(), None);
        }
        if v.kind() != JsonKind::String {
            assert!(v.as_json_str().is_none());
        }
        if v.kind() != JsonKind::Number {
            assert!(v.as_i64().is_none() && v.as_u64().is_none() && v.as_f64().is_none());
        }
    }
}

#[allow(clippy::float_cmp)] // exact: both sides round the same decimal
fn check_number(v: RawJson<'_>) {
    let f = v.as_f64().expect("a number converts to f64");
    assert!(!f.is_nan(), "{v:?} became NaN");
    if let Some(i) = v.as_i64() {
        assert!(
            !v.as_str().contains(['.', 'e', 'E']),
            "{v:?} is not an integer"
        );
        #[allow(clippy::cast_precision_loss)]
        let approx = i as f64;
        assert!(approx == f, "{v:?}: as_i64 {i} vs as_f64 {f}");
        if let Some(u) = v.as_u64() {
            assert_eq!(i64::try_from(u).ok(), Some(i));
        }
    }
    if let Some(u) = v.as_u64() {
        assert!(!v.as_str().starts_with('-'));
        if let Ok(i) = i64::try_from(u) {
            assert_eq!(v.as_i64(), Some(i));
        }
    }
}

/// The typed layer over a frame: topic, event, message, and everything they hand out. Every
/// typed field is checked against a plain lookup in the view's JSON object (last duplicate
/// wins, `null` reads as absent), which walks the text instead of using the decode-time index.
fn walk_typed(frame: &Frame<'_>) {
    walk_frame(frame, !frame.payload().is_binary());
    presence_items_agree(frame);
    walk_topic(frame.topic_kind());
    let via_message = frame.message();
    check_entry_point(frame, &via_message);
    let message = match via_message {
        Ok(message) => message,
        Err(e) => {
            check_message_error(frame, e);
            if let Some(payload) = frame.payload_json() {
                let parsed = match frame.event_kind() {
                    Event::PresenceState => {
                        Some(phx_codec::presence::PresenceState::parse(payload).map(|_| ()))
                    }
                    Event::PresenceDiff => {
                        Some(phx_codec::presence::PresenceDiff::parse(payload).map(|_| ()))
                    }
                    _ => None,
                };
                assert!(
                    parsed.is_none_or(|p| p == Err(e)),
                    "parse vs Frame::message: {e:?}"
                );
            }
            return;
        }
    };
    let name = message.name();
    if name == "other" {
        assert!(
            frame.event_kind().known_name().is_none()
                || frame.event().eq_str("heartbeat") && frame.topic_kind() != Topic::Phoenix,
            "known event {:?} typed as other",
            frame.event()
        );
    } else {
        assert!(
            frame.event().eq_str(name),
            "message {name} from event {:?}",
            frame.event()
        );
    }
    let _ = format!("{message:?}");
    serde_json::to_string(&message).expect("a typed message serializes");
    match message {
        Message::Join(join) => {
            assert_eq!(
                phx_codec::message::Join::parse(join.raw()),
                Ok(join),
                "Join::parse vs Frame::message"
            );
            check_strs(join.raw(), &[("customer_id", join.customer_id())]);
        }
        Message::Reply(reply) => walk_reply(frame, &reply),
        Message::Error(error) => check_strs(error.raw(), &[("reason", error.reason())]),
        Message::Shout(shout) => {
            let parsed = phx_codec::message::Shout::parse(shout.raw());
            assert_eq!(parsed, Ok(shout), "Shout::parse vs Frame::message");
            walk_shout(&shout);
        }
        Message::Read(read) => {
            check_strs(read.raw(), &[("conversation_id", read.conversation_id())]);
        }
        Message::Ping(ping) => {
            assert_eq!(ping.payload(), frame.payload());
            assert_eq!(ping.json(), frame.payload_json());
        }
        Message::PresenceState(state) => {
            assert_eq!(Some(state.raw()), frame.payload_json());
            let parsed = phx_codec::presence::PresenceState::parse(state.raw());
            assert_eq!(parsed, Ok(state), "PresenceState::parse vs Frame::message");
            walk_entries(state.raw(), state.entries());
        }
        Message::PresenceDiff(diff) => {
            assert_eq!(Some(diff.raw()), frame.payload_json());
            let parsed = phx_codec::presence::PresenceDiff::parse(diff.raw());
            assert_eq!(parsed, Ok(diff), "PresenceDiff::parse vs Frame::message");
            match present(diff.raw(), "joins") {
                Some(map) => walk_entries(map, diff.joins()),
                None => assert_eq!(diff.joins().count(), 0),
            }
            match present(diff.raw(), "leaves") {
                Some(map) => walk_entries(map, diff.leaves()),
                None => assert_eq!(diff.leaves().count(), 0),
            }
        }
        Message::ConversationCreated(created) => check_strs(created.raw(), &[("id", created.id())]),
        Message::ConversationUpdated(updated) => {
            check_strs(updated.raw(), &[("id", updated.id())]);
            check_objs(updated.raw(), &[("updates", updated.updates())]);
        }
        Message::IssueCreated(issue) | Message::IssueUpdated(issue) => check_strs(
            issue.raw(),
            &[
                ("id", issue.id()),
                ("title", issue.title()),
                ("body", issue.body()),
                ("state", issue.state()),
                ("github_issue_url", issue.github_issue_url()),
                ("account_id", issue.account_id()),
                ("created_at", issue.created_at()),
                ("updated_at", issue.updated_at()),
            ],
        ),
        Message::ReplayEventEmitted(replay) => {
            check_objs(replay.raw(), &[("event", replay.event())]);
        }
        Message::Heartbeat => assert_eq!(frame.topic_kind(), Topic::Phoenix),
        // Nothing to read: the event name was checked above.
        Message::Leave
        | Message::Close
        | Message::MessagesSeen
        | Message::SessionActive
        | Message::SessionInactive
        | Message::Other => {}
    }
}

/// A known field's value in `object`: the last occurrence, `None` when absent or `null`.
/// The per-event entry points (`Shout::from_frame`, ...) give what `Frame::message` gives.
fn check_entry_point(frame: &Frame<'_>, message: &Result<Message<'_>, phx_codec::MessageError>) {
    use phx_codec::message as m;
    let direct = match frame.event_kind() {
        Event::Join => m::Join::from_frame(frame).map(Message::Join),
        Event::Reply => m::Reply::from_frame(frame).map(Message::Reply),
        Event::Error => m::PhxError::from_frame(frame).map(Message::Error),
        Event::Shout => m::Shout::from_frame(frame).map(Message::Shout),
        Event::Read => m::Read::from_frame(frame).map(Message::Read),
        Event::PresenceState => m::PresenceState::from_frame(frame).map(Message::PresenceState),
        Event::PresenceDiff => m::PresenceDiff::from_frame(frame).map(Message::PresenceDiff),
        Event::ConversationCreated => {
            m::ConversationCreated::from_frame(frame).map(Message::ConversationCreated)
        }
        Event::ConversationUpdated => {
            m::ConversationUpdated::from_frame(frame).map(Message::ConversationUpdated)
        }
        Event::IssueCreated => m::Issue::from_frame(frame).map(Message::IssueCreated),
        Event::IssueUpdated => m::Issue::from_frame(frame).map(Message::IssueUpdated),
        Event::ReplayEventEmitted => {
            m::ReplayEvent::from_frame(frame).map(Message::ReplayEventEmitted)
        }
        _ => return,
    };
    assert_eq!(&direct, message, "from_frame vs Frame::message");
}

fn present<'a>(object: RawJson<'a>, key: &str) -> Option<RawJson<'a>> {
    object.get(key).filter(|v| !v.is_null())
}

fn check_strs(object: RawJson<'_>, fields: &[(&str, Option<JsonStr<'_>>)]) {
    for &(key, typed) in fields {
        let plain = present(object, key).map(|v| {
            v.as_json_str()
                .unwrap_or_else(|| panic!("{key} accepted as a string: {v:?}"))
        });
        assert_eq!(typed, plain, "typed {key} vs lookup in {object:?}");
        if let Some(s) = typed {
            walk_str(s, true);
        }
    }
}

fn check_ints(object: RawJson<'_>, fields: &[(&str, Option<i64>)]) {
    for &(key, typed) in fields {
        let plain = present(object, key).map(|v| {
            v.as_i64()
                .unwrap_or_else(|| panic!("{key} accepted as an integer: {v:?}"))
        });
        assert_eq!(typed, plain, "typed {key} vs lookup in {object:?}");
    }
}

fn check_objs(object: RawJson<'_>, fields: &[(&str, Option<RawJson<'_>>)]) {
    for &(key, typed) in fields {
        assert_eq!(
            typed,
            present(object, key),
            "typed {key} vs lookup in {object:?}"
        );
        if let Some(v) = typed {
            assert_eq!(
                v.kind(),
                JsonKind::Object,
                "{key} accepted as an object: {v:?}"
            );
        }
    }
}

/// The non-null items of array `key` in `object`.
fn present_items<'a>(object: RawJson<'a>, key: &str) -> Vec<RawJson<'a>> {
    present(object, key)
        .and_then(|v| v.items())
        .map(|items| items.filter(|v| !v.is_null()).collect())
        .unwrap_or_default()
}

fn walk_reply(frame: &Frame<'_>, reply: &phx_codec::message::Reply<'_>) {
    use phx_codec::message::{ReplyStatus, Response};
    let _ = (reply.is_ok(), reply.is_error());
    if let Some(status) = reply.status() {
        assert_eq!(ReplyStatus::parse(status.as_json_str()), status);
        assert_eq!(reply.is_ok(), status.as_json_str() == "ok");
        assert_eq!(reply.is_error(), status.as_json_str() == "error");
        walk_str(status.as_json_str(), !frame.payload().is_binary());
    }
    match (frame.payload(), reply.response()) {
        (Payload::BinaryReply { status, response }, Response::Binary(bytes)) => {
            assert_eq!(reply.status().map(|s| s.as_json_str()), Some(status));
            assert_eq!(bytes, response);
        }
        (Payload::Json(payload), response) => {
            let status = present(payload, "status").map(|v| {
                v.as_json_str()
                    .unwrap_or_else(|| panic!("status accepted as a string: {v:?}"))
            });
            assert_eq!(reply.status().map(|s| s.as_json_str()), status);
            let expected = present(payload, "response");
            match response {
                Response::Json(raw) => assert_eq!(Some(raw), expected),
                Response::Absent => assert_eq!(expected, None),
                other @ Response::Binary(_) => panic!("JSON reply with response {other:?}"),
            }
            let reason = expected
                .and_then(|r| r.get("reason"))
                .and_then(|r| r.as_json_str());
            assert_eq!(reply.reason(), reason);
        }
        (payload, response) => panic!("reply {response:?} from payload {payload:?}"),
    }
}

fn walk_shout(shout: &phx_codec::message::Shout<'_>) {
    let raw = shout.raw();
    check_strs(
        raw,
        &[
            ("id", shout.id()),
            ("object", shout.object()),
            ("body", shout.body()),
            ("type", shout.message_type()),
            ("content_type", shout.content_type()),
            ("source", shout.source()),
            ("created_at", shout.created_at()),
            ("sent_at", shout.sent_at()),
            ("seen_at", shout.seen_at()),
            ("conversation_id", shout.conversation_id()),
            ("account_id", shout.account_id()),
            ("customer_id", shout.customer_id()),
        ],
    );
    check_ints(raw, &[("user_id", shout.user_id())]);
    assert_eq!(
        shout.private(),
        present(raw, "private").map(|v| v.as_bool().expect("private accepted as a bool"))
    );
    check_objs(raw, &[("metadata", shout.metadata())]);
    assert_eq!(shout.is_from_customer(), shout.customer_id().is_some());
    assert_eq!(shout.is_from_agent(), shout.user_id().is_some());
    assert_eq!(
        shout.is_bot(),
        shout.message_type().is_some_and(|t| t == "bot")
    );

    match (shout.user(), present(raw, "user")) {
        (None, None) => {}
        (Some(user), Some(object)) => {
            assert_eq!(user.raw(), object);
            check_ints(object, &[("id", user.id())]);
            check_strs(
                object,
                &[
                    ("object", user.object()),
                    ("email", user.email()),
                    ("full_name", user.full_name()),
                    ("display_name", user.display_name()),
                    ("profile_photo_url", user.profile_photo_url()),
                    ("created_at", user.created_at()),
                    ("disabled_at", user.disabled_at()),
                    ("archived_at", user.archived_at()),
                    ("role", user.role()),
                ],
            );
        }
        (typed, plain) => panic!("user: typed {typed:?} vs lookup {plain:?}"),
    }
    match (shout.customer(), present(raw, "customer")) {
        (None, None) => {}
        (Some(customer), Some(object)) => {
            assert_eq!(customer.raw(), object);
            check_strs(
                object,
                &[
                    ("id", customer.id()),
                    ("object", customer.object()),
                    ("name", customer.name()),
                    ("email", customer.email()),
                    ("phone", customer.phone()),
                    ("external_id", customer.external_id()),
                    ("profile_photo_url", customer.profile_photo_url()),
                    ("company_id", customer.company_id()),
                    ("host", customer.host()),
                    ("pathname", customer.pathname()),
                    ("current_url", customer.current_url()),
                    ("browser", customer.browser()),
                    ("os", customer.os()),
                    ("created_at", customer.created_at()),
                    ("updated_at", customer.updated_at()),
                    ("title", customer.title()),
                ],
            );
            check_objs(object, &[("metadata", customer.metadata())]);
        }
        (typed, plain) => panic!("customer: typed {typed:?} vs lookup {plain:?}"),
    }

    let attachments: Vec<_> = shout.attachments().collect();
    let objects = present_items(raw, "attachments");
    assert_eq!(attachments.len(), objects.len(), "attachments of {raw:?}");
    for (attachment, object) in attachments.iter().zip(objects) {
        assert_eq!(attachment.raw(), object);
        check_strs(
            object,
            &[
                ("object", attachment.object()),
                ("file_url", attachment.file_url()),
                ("content_type", attachment.content_type()),
                ("filename", attachment.filename()),
            ],
        );
        assert_eq!(attachment.id(), present(object, "id").map(file_id));
    }

    let file_ids: Vec<_> = shout.file_ids().collect();
    let expected: Vec<_> = present_items(raw, "file_ids")
        .into_iter()
        .map(file_id)
        .collect();
    assert_eq!(file_ids, expected, "file_ids of {raw:?}");

    let mentioned: Vec<i64> = shout.mentioned_user_ids().collect();
    let expected: Vec<i64> = present_items(raw, "mentioned_user_ids")
        .into_iter()
        .map(|v| {
            v.as_i64()
                .expect("mentioned_user_ids[] accepted as integers")
        })
        .collect();
    assert_eq!(mentioned, expected, "mentioned_user_ids of {raw:?}");
}

/// An id the typed layer accepted: an integer or a string.
fn file_id(v: RawJson<'_>) -> phx_codec::message::FileId<'_> {
    use phx_codec::message::FileId;
    match (v.as_json_str(), v.as_i64()) {
        (Some(s), _) => FileId::Str(s),
        (None, Some(n)) => FileId::Int(n),
        _ => panic!("id accepted as an integer or a string: {v:?}"),
    }
}

/// Presence entries against the map object they were read from.
fn walk_entries(map: RawJson<'_>, entries: phx_codec::presence::Entries<'_>) {
    use phx_codec::presence::PresenceKey;
    let members: Vec<_> = map.members().into_iter().flatten().collect();
    let entries: Vec<_> = entries.collect();
    assert_eq!(entries.len(), members.len(), "presence entries of {map:?}");
    for ((key, metas), (raw_key, entry)) in entries.into_iter().zip(members) {
        assert_eq!(key, PresenceKey::parse(raw_key));
        assert!(
            raw_key.eq_str(&key.to_string()),
            "{key:?} writes back as {raw_key:?}"
        );
        let text: String = raw_key.chars().collect();
        match key {
            PresenceKey::User(id) => {
                assert_eq!(text, format!("user:{id}"));
                assert_eq!(key.user_id(), Some(id));
            }
            PresenceKey::Customer(id) => {
                assert!(
                    !id.is_empty() && text.strip_prefix("customer:").is_some_and(|t| id.eq_str(t))
                );
                assert_eq!(key.customer_id(), Some(id));
            }
            PresenceKey::Other(_) => {
                let user = text
                    .strip_prefix("user:")
                    .and_then(|t| t.parse::<i64>().ok());
                assert!(
                    user.is_none_or(|id| id < 0 || format!("user:{id}") != text),
                    "{text:?} is a user key"
                );
                assert!(text.strip_prefix("customer:").is_none_or(str::is_empty));
            }
        }
        let metas: Vec<_> = metas.collect();
        let objects = present_items(entry, "metas");
        assert_eq!(metas.len(), objects.len(), "metas of {entry:?}");
        for (meta, object) in metas.into_iter().zip(objects) {
            assert_eq!(meta.raw(), object);
            check_strs(
                object,
                &[
                    ("phx_ref", meta.phx_ref()),
                    ("phx_ref_prev", meta.phx_ref_prev()),
                    ("online_at", meta.online_at()),
                    ("customer_id", meta.customer_id()),
                ],
            );
            check_ints(object, &[("user_id", meta.user_id())]);
            let online: Option<String> = meta.online_at().map(|s| s.chars().collect());
            let expected = online
                .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|t| t.parse::<u64>().ok());
            assert_eq!(
                meta.online_at_secs(),
                expected,
                "online_at_secs of {object:?}"
            );
        }
    }
}

/// A refused typed message: the error points at a value of the type it names.
fn check_message_error(frame: &Frame<'_>, e: phx_codec::MessageError) {
    use phx_codec::MessageErrorKind as M;
    assert!(!e.to_string().is_empty());
    let name = e.kind.name();
    assert!(
        name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
        "{name}"
    );
    let Some(payload) = frame.payload_json() else {
        assert_eq!(
            (e.kind, e.offset),
            (M::BinaryPayload, 0),
            "binary payload error"
        );
        return;
    };
    let text = payload.as_str();
    assert!(
        e.offset < text.len().max(1),
        "{e:?} past the payload {text:?}"
    );
    let kind_at = text.get(e.offset..).and_then(|rest| {
        let end = RawJson::parse(rest)
            .err()
            .map_or(rest.len(), |err| err.offset);
        let value = rest.get(..end)?;
        RawJson::parse(value).ok().map(|v| v.kind())
    });
    match e.kind {
        M::WrongType {
            expected, found, ..
        } => {
            assert_ne!(expected, found, "{e:?}");
            assert_eq!(kind_at, Some(found), "{e:?} in {text:?}");
        }
        M::NotAnInteger { .. } => {
            assert_eq!(kind_at, Some(JsonKind::Number), "{e:?} in {text:?}");
        }
        M::PayloadNotObject { found } => {
            assert_eq!((payload.kind(), e.offset), (found, 0), "{e:?}");
            assert_ne!(found, JsonKind::Object);
        }
        other => panic!("unexpected {other:?} for a JSON payload {text:?}"),
    }
}

fn walk_topic(topic: Topic<'_>) {
    let parts: Vec<JsonStr<'_>> = match topic {
        Topic::Conversation { id } => vec![id],
        Topic::ConversationLobby { customer_id } => customer_id.into_iter().collect(),
        Topic::Room { account_id } | Topic::Notification { account_id } => vec![account_id],
        Topic::EventsAdmin { rest } | Topic::Issue { rest } => vec![rest],
        Topic::Events {
            account_id,
            customer_id,
        } => std::iter::once(account_id).chain(customer_id).collect(),
        Topic::IssueLobby { customer_id } => vec![customer_id],
        Topic::Other(topic) => vec![topic],
        _ => vec![],
    };
    for part in parts {
        walk_str(part, false);
    }
}

// --- Differential helpers -----------------------------------------------------------------------

fn compare_with_serde(frame: &Frame<'_>, values: &(Value, Value, Value, Value, Value)) {
    let nullable = |ours: Option<JsonStr<'_>>, theirs: &Value| match (ours, theirs) {
        (None, Value::Null) => true,
        (Some(s), Value::String(t)) => s.eq_str(t),
        _ => false,
    };
    assert!(
        nullable(frame.join_ref(), &values.0),
        "join_ref: {frame:?} vs {values:?}"
    );
    assert!(
        nullable(frame.reference(), &values.1),
        "ref: {frame:?} vs {values:?}"
    );
    assert!(
        nullable(Some(frame.topic()), &values.2),
        "topic: {frame:?} vs {values:?}"
    );
    assert!(
        nullable(Some(frame.event()), &values.3),
        "event: {frame:?} vs {values:?}"
    );
    let payload = frame
        .payload_json()
        .expect("a text frame has a JSON payload");
    same_json(payload, &values.4);
}

/// Walks our value and serde_json's side by side (no recursion).
fn same_json(root: RawJson<'_>, theirs: &Value) {
    let mut stack = vec![(root, theirs)];
    while let Some((ours, theirs)) = stack.pop() {
        match theirs {
            Value::Null => assert!(ours.is_null(), "{ours:?} vs null"),
            Value::Bool(b) => assert_eq!(ours.as_bool(), Some(*b)),
            Value::String(t) => {
                let Some(s) = ours.as_json_str() else {
                    mismatch(ours, theirs)
                };
                assert!(s.eq_str(t), "{s:?} vs {t:?}");
            }
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    assert_eq!(ours.as_u64(), Some(u), "{ours:?} vs {n}");
                } else if let Some(i) = n.as_i64() {
                    assert_eq!(ours.as_i64(), Some(i), "{ours:?} vs {n}");
                } else {
                    let t = n.as_f64().unwrap_or(f64::NAN);
                    let Some(o) = ours.as_f64() else {
                        mismatch(ours, theirs)
                    };
                    assert!(floats_close(o, t), "{ours:?} = {o:e} vs serde_json's {t:e}");
                }
            }
            Value::Array(items) => {
                let Some(ours_items) = ours.items() else {
                    mismatch(ours, theirs)
                };
                let ours_items: Vec<_> = ours_items.collect();
                assert_eq!(ours_items.len(), items.len(), "{ours:?} vs {theirs:?}");
                stack.extend(ours_items.into_iter().zip(items));
            }
            Value::Object(map) => {
                let Some(members) = ours.members() else {
                    mismatch(ours, theirs)
                };
                let keys: BTreeSet<String> = members.map(|(k, _)| k.into_string()).collect();
                assert_eq!(
                    keys.len(),
                    map.len(),
                    "distinct keys of {ours:?} vs {theirs:?}"
                );
                for (key, value) in map {
                    let Some(member) = ours.get(key) else {
                        mismatch(ours, theirs)
                    };
                    stack.push((member, value));
                }
            }
        }
    }
}

fn mismatch(ours: RawJson<'_>, theirs: &Value) -> ! {
    panic!("{ours:?} differs from serde_json's {theirs:?}")
}

/// Equal, or adjacent `f64`s (serde_json's default float parsing is not always correctly
/// rounded).
#[allow(clippy::float_cmp)] // exact equality first, then by ULP
fn floats_close(a: f64, b: f64) -> bool {
    if a == b {
        return true;
    }
    if a.is_sign_negative() != b.is_sign_negative() || !a.is_finite() || !b.is_finite() {
        return false;
    }
    a.to_bits().abs_diff(b.to_bits()) <= 1
}

/// The deepest nesting `serde_json` accepts inside the envelope (measured with serde_json 1.0).
const SERDE_JSON_MAX_PAYLOAD_DEPTH: usize = 126;

/// How many containers deep `root` nests (a scalar is 0, `[]` is 1).
fn json_depth(root: RawJson<'_>) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(root, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        let children: Vec<RawJson<'_>> = match v.kind() {
            JsonKind::Array => v.items().into_iter().flatten().collect(),
            JsonKind::Object => v.members().into_iter().flatten().map(|(_, m)| m).collect(),
            _ => {
                deepest = deepest.max(depth);
                continue;
            }
        };
        deepest = deepest.max(depth + 1);
        stack.extend(children.into_iter().map(|c| (c, depth + 1)));
    }
    deepest
}

fn payload_has_number_at_f64_edge(payload: Option<RawJson<'_>>) -> bool {
    let mut stack: Vec<RawJson<'_>> = payload.into_iter().collect();
    while let Some(v) = stack.pop() {
        match v.kind() {
            // Beyond f64, or rounding to its largest finite value: serde_json (with
            // `float_roundtrip`) refuses `1.7976931348623158e308`, which Rust and JSON.parse read
            // as f64::MAX.
            JsonKind::Number if v.as_f64().is_some_and(|n| n.abs() >= f64::MAX) => return true,
            JsonKind::Array => stack.extend(v.items().into_iter().flatten()),
            JsonKind::Object => stack.extend(v.members().into_iter().flatten().map(|(_, m)| m)),
            _ => {}
        }
    }
    false
}

// --- Presence read in one walk ------------------------------------------------------------------

/// `PresenceItems` (one walk) against the two-pass views (`from_frame`/`parse`, then
/// `entries()`/`joins()`/`leaves()` and their `Metas`), for the frame's payload read both as
/// a `presence_state` and as a `presence_diff` (whatever its event): the same first error
/// (kind and offset), yielded once and last; otherwise the same keys and metas (metas
/// compared as views, `==`), in the same order. An entry holding `metas` twice makes the
/// reader yield its key again (a restart): there the keys and metas must agree once both
/// are read as `JSON.parse` reads a map (the last of equal keys wins).
pub fn presence_items_agree(frame: &Frame<'_>) {
    use phx_codec::presence::{PresenceDiff, PresenceItems, PresenceSection, PresenceState};
    let Some(payload) = frame.payload_json() else {
        for items in [PresenceItems::state(frame), PresenceItems::diff(frame)] {
            let items: Vec<_> = items.collect();
            let expected = PresenceState::from_frame(frame).expect_err("a binary payload");
            assert_eq!(items, [Err(expected)]);
        }
        return;
    };
    let dup = has_duplicate_metas(payload);
    // As a presence_state, from the frame and from the payload alone.
    for (items, two_pass) in [
        (
            PresenceItems::state(frame),
            PresenceState::from_frame(frame).map(|s| entries_of(s.entries())),
        ),
        (
            PresenceItems::state_json(payload),
            PresenceState::parse(payload).map(|s| entries_of(s.entries())),
        ),
    ] {
        let groups = match (read_items(items), two_pass) {
            ((_, Some(e)), Err(expected)) => {
                assert_eq!(e, expected, "presence_state error of {payload:?}");
                continue;
            }
            ((mut groups, None), Ok(expected)) => {
                if groups.is_empty() {
                    groups.push((None, Vec::new()));
                }
                assert_eq!(groups.len(), 1, "a state has no sections: {payload:?}");
                same_entries(&groups[0].1, &expected, dup, payload);
                groups
            }
            (got, expected) => {
                panic!("presence_state of {payload:?}: {got:?} vs two-pass {expected:?}")
            }
        };
        assert!(groups[0].0.is_none());
    }
    // As a presence_diff.
    for (items, two_pass) in [
        (PresenceItems::diff(frame), PresenceDiff::from_frame(frame)),
        (
            PresenceItems::diff_json(payload),
            PresenceDiff::parse(payload),
        ),
    ] {
        match (read_items(items), two_pass) {
            ((_, Some(e)), Err(expected)) => {
                assert_eq!(e, expected, "presence_diff error of {payload:?}");
            }
            ((groups, None), Ok(diff)) => {
                // Sections: one per `joins`/`leaves` member, in payload order; the last wins.
                let names: Vec<_> = payload
                    .members()
                    .into_iter()
                    .flatten()
                    .filter_map(|(key, _)| {
                        if key.eq_str("joins") {
                            Some(Some(PresenceSection::Joins))
                        } else if key.eq_str("leaves") {
                            Some(Some(PresenceSection::Leaves))
                        } else {
                            None
                        }
                    })
                    .collect();
                let got: Vec<_> = groups.iter().map(|(section, _)| *section).collect();
                assert_eq!(got, names, "sections of {payload:?}");
                for (section, expected) in [
                    (PresenceSection::Joins, entries_of(diff.joins())),
                    (PresenceSection::Leaves, entries_of(diff.leaves())),
                ] {
                    let last = groups.iter().rev().find(|(s, _)| *s == Some(section));
                    let got = last.map(|(_, entries)| entries.clone()).unwrap_or_default();
                    same_entries(&got, &expected, dup, payload);
                }
            }
            (got, expected) => {
                panic!("presence_diff of {payload:?}: {got:?} vs two-pass {expected:?}")
            }
        }
    }
}

type PresenceEntry<'a> = (
    phx_codec::presence::PresenceKey<'a>,
    Vec<phx_codec::presence::Meta<'a>>,
);
type PresenceGroup<'a> = (
    Option<phx_codec::presence::PresenceSection>,
    Vec<PresenceEntry<'a>>,
);

/// Two-pass entries, with their metas.
fn entries_of(entries: phx_codec::presence::Entries<'_>) -> Vec<PresenceEntry<'_>> {
    entries.map(|(key, metas)| (key, metas.collect())).collect()
}

/// Everything a reader yields, grouped by section (each `Key` starts an entry), and its
/// error, which must be the last item; the reader stays finished after it.
fn read_items(
    mut items: phx_codec::presence::PresenceItems<'_>,
) -> (Vec<PresenceGroup<'_>>, Option<phx_codec::MessageError>) {
    use phx_codec::presence::PresenceItem;
    let mut groups: Vec<PresenceGroup<'_>> = Vec::new();
    let mut error = None;
    for item in items.by_ref() {
        assert!(
            error.is_none(),
            "an item after the error {error:?}: {item:?}"
        );
        match item {
            Ok(PresenceItem::Section(section)) => groups.push((Some(section), Vec::new())),
            Ok(PresenceItem::Key(key)) => {
                if groups.is_empty() {
                    groups.push((None, Vec::new()));
                }
                if let Some((_, entries)) = groups.last_mut() {
                    entries.push((key, Vec::new()));
                }
            }
            Ok(PresenceItem::Meta(meta)) => {
                let entry = groups.last_mut().and_then(|(_, e)| e.last_mut());
                entry.expect("a meta after its key").1.push(meta);
            }
            Err(e) => error = Some(e),
        }
    }
    assert!(items.next().is_none(), "fused");
    (groups, error)
}

/// The reader's entries against the two-pass ones: equal; with an entry holding `metas`
/// twice (`dup`), equal once both are read as `JSON.parse` reads a map.
fn same_entries(
    got: &[PresenceEntry<'_>],
    expected: &[PresenceEntry<'_>],
    dup: bool,
    payload: RawJson<'_>,
) {
    // Each meta as the generic typed-view fill reads its object alone (`Meta::parse`).
    for meta in got.iter().flat_map(|(_, metas)| metas) {
        let generic = phx_codec::presence::Meta::parse(meta.raw()).expect("a checked meta");
        assert_eq!(
            (
                generic.phx_ref(),
                generic.phx_ref_prev(),
                generic.online_at()
            ),
            (meta.phx_ref(), meta.phx_ref_prev(), meta.online_at()),
            "{meta:?}"
        );
        assert_eq!(
            (generic.user_id(), generic.customer_id()),
            (meta.user_id(), meta.customer_id()),
            "{meta:?}"
        );
    }
    if !dup {
        assert_eq!(got, expected, "presence entries of {payload:?}");
        return;
    }
    assert_eq!(
        as_map(got),
        as_map(expected),
        "presence entries of {payload:?}"
    );
}

/// Presence entries as `JSON.parse` reads a map: each key once, in the order of its first
/// appearance, with its last metas.
fn as_map<'a>(entries: &[PresenceEntry<'a>]) -> Vec<(String, Vec<phx_codec::presence::Meta<'a>>)> {
    let mut map: Vec<(String, Vec<phx_codec::presence::Meta<'a>>)> = Vec::new();
    for (key, metas) in entries {
        let key = key.to_string();
        match map.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1.clone_from(metas),
            None => map.push((key, metas.clone())),
        }
    }
    map
}

/// Whether some object two levels down (an entry of the payload, or of its `joins` or
/// `leaves`) holds the key `metas` more than once.
fn has_duplicate_metas(payload: RawJson<'_>) -> bool {
    let twice = |entry: RawJson<'_>| {
        entry
            .members()
            .into_iter()
            .flatten()
            .filter(|(key, _)| key.eq_str("metas"))
            .count()
            > 1
    };
    payload.members().into_iter().flatten().any(|(_, value)| {
        twice(value)
            || value
                .members()
                .into_iter()
                .flatten()
                .any(|(_, entry)| twice(entry))
    })
}

/// `PresenceStream` (a presence frame decoded and read in one walk) answers as `decode_text_with`
/// then `PresenceItems` (as a `presence_state` and as a `presence_diff`, whatever the event):
/// the same envelope error from the constructor; on a frame `decode_text_with` rejects, items
/// (well formed) then exactly its error, last; on a frame it accepts, the same envelope, the
/// same items in the same order (each key's text, each meta's accessors' strings with their
/// flags), and the same message error, last.
pub fn presence_stream_agrees(data: &[u8], limits: &DecodeLimits) {
    use phx_codec::TypedDecodeError;
    use phx_codec::presence::{PresenceItem, PresenceItems, PresenceStream};

    /// A string's raw text and flags.
    fn part(s: JsonStr<'_>) -> (String, bool) {
        (s.raw().to_owned(), s.has_escapes())
    }
    /// What an item shows: the item (equal metas: equal text and fields), the key text after
    /// it, each meta string with its flags (and unescaped).
    type MetaStrs = [Option<((String, bool), String)>; 4];
    fn shown<'a>(
        item: PresenceItem<'a>,
        key_text: JsonStr<'_>,
    ) -> (PresenceItem<'a>, (String, bool), Option<MetaStrs>) {
        let strs = match &item {
            PresenceItem::Meta(meta) => Some(
                [
                    meta.phx_ref(),
                    meta.phx_ref_prev(),
                    meta.online_at(),
                    meta.customer_id(),
                ]
                .map(|s| s.map(|s| (part(s), s.to_string()))),
            ),
            _ => None,
        };
        (item, part(key_text), strs)
    }

    let two = phx_codec::decode_text_with(data, limits);
    for diff in [false, true] {
        let stream = if diff {
            PresenceStream::decode_diff_with(data, limits)
        } else {
            PresenceStream::decode_state_with(data, limits)
        };
        let mut stream = match (stream, &two) {
            (Err(a), Err(b)) => {
                assert_eq!(&a, b, "envelope error of {data:?}");
                continue;
            }
            (Err(a), Ok(_)) => panic!("{data:?}: the stream refused ({a}), decode_text accepted"),
            (Ok(stream), _) => stream,
        };
        let mut got = Vec::new();
        let mut error = None;
        while let Some(item) = stream.next() {
            match item {
                Ok(item) => got.push(shown(item, stream.key_text())),
                Err(e) => {
                    assert!(error.is_none(), "a second error from {data:?}");
                    error = Some(e);
                }
            }
        }
        assert!(stream.next().is_none(), "fused");
        let frame = match &two {
            Err(e) => {
                assert_eq!(error, Some(TypedDecodeError::Decode(*e)), "{data:?}");
                continue;
            }
            Ok(frame) => frame,
        };
        let envelope = |j: Option<JsonStr<'_>>, r: Option<JsonStr<'_>>, t, e| {
            [j.map(part), r.map(part), Some(part(t)), Some(part(e))]
        };
        assert_eq!(
            envelope(
                stream.join_ref(),
                stream.reference(),
                stream.topic(),
                stream.event()
            ),
            envelope(
                frame.join_ref(),
                frame.reference(),
                frame.topic(),
                frame.event()
            ),
            "{data:?}"
        );
        assert_eq!(stream.event_kind(), frame.event_kind());
        if let Some(payload) = frame.payload_json() {
            let at = payload.as_str().as_ptr() as usize - data.as_ptr() as usize;
            assert_eq!(stream.payload_offset(), at, "{data:?}");
        }
        let mut items = if diff {
            PresenceItems::diff(frame)
        } else {
            PresenceItems::state(frame)
        };
        let mut expected = Vec::new();
        let mut expected_error = None;
        while let Some(item) = items.next() {
            match item {
                Ok(item) => expected.push(shown(item, items.key_text())),
                Err(e) => expected_error = Some(TypedDecodeError::Message(e)),
            }
        }
        assert_eq!(got, expected, "items of {data:?} (diff: {diff})");
        assert_eq!(error, expected_error, "error of {data:?} (diff: {diff})");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!(
            "[null,null,\"t\",\"e\",{}{}]",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    }

    #[test]
    fn serde_json_nests_one_level_less_than_we_do() {
        type Five = (Value, Value, Value, Value, Value);
        let ok = nested(SERDE_JSON_MAX_PAYLOAD_DEPTH);
        let one_more = nested(SERDE_JSON_MAX_PAYLOAD_DEPTH + 1);
        let two_more = nested(SERDE_JSON_MAX_PAYLOAD_DEPTH + 2);
        assert!(serde_json::from_str::<Five>(&ok).is_ok());
        assert!(serde_json::from_str::<Five>(&one_more).is_err());
        assert!(phx_codec::decode_text(one_more.as_bytes()).is_ok());
        assert_eq!(
            phx_codec::decode_text(two_more.as_bytes()).map_err(|e| e.kind),
            Err(DecodeErrorKind::DepthLimitExceeded)
        );
        let frame = phx_codec::decode_text(one_more.as_bytes()).expect("accepted");
        assert_eq!(
            frame.payload_json().map(json_depth),
            Some(SERDE_JSON_MAX_PAYLOAD_DEPTH + 1)
        );
    }

    #[test]
    fn the_differential_target_tolerates_only_the_documented_differences() {
        differential_serde_json(nested(SERDE_JSON_MAX_PAYLOAD_DEPTH + 1).as_bytes());
        differential_serde_json(br#"[null,null,"t","e",{"a":[1e999999]}]"#);
        differential_serde_json(br#"[null,null,"t","e",-0]"#);
        differential_serde_json(br#"[null,null,"t","e",{"a":1,"a":2}]"#);
        // A number serde_json refuses for range, in a frame we refuse for another reason.
        differential_serde_json(br#"[null,null,"t",1,1e999]"#);
    }
}
