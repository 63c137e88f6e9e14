//! Hostile input: huge, deep, malformed and truncated frames are handled without panics,
//! allocation or recursion, with the behaviour documented here.
//!
//! Decisions this file pins down (see also `PROTOCOL.md` section 7):
//! - numbers outside the range of `f64` (`1e999999`, a 10,000-digit integer) are **accepted**:
//!   the JSON grammar allows them and the codec validates grammar; `RawJson::as_f64` gives
//!   infinity (as `JSON.parse`) and `as_i64`/`as_u64` give `None`. serde_json and Jason refuse
//!   them, so the differential fuzz target and `properties.rs` skip them;
//! - duplicate object keys are **accepted** in payloads (valid JSON; the raw text keeps both)
//!   and the last one wins in `payload_get` / `RawJson::get`, as with `JSON.parse` and Jason;
//!   in the V1 envelope a duplicate key is **rejected** (`DuplicateField`);
//! - `\u0000` is accepted and unescapes to U+0000;
//! - a UTF-8 byte order mark is rejected: JSON text has no BOM on the wire.

// Test code: an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

mod counting;
mod support;

use counting::{HeapUse, count};
use phx_codec::{
    DecodeError, DecodeErrorKind as K, DecodeLimits, Direction, EnvelopeField, JsonStr, Payload,
    RawJson, WireFormat, binary, decode_text, decode_text_with, v1,
};

#[global_allocator]
static ALLOCATOR: counting::CountingAllocator = counting::CountingAllocator;

const MB100: usize = 100 * 1024 * 1024;

fn kind_of(text: &str) -> Result<(), K> {
    decode_text(text.as_bytes()).map(|_| ()).map_err(|e| e.kind)
}

/// Runs `f` on a thread with a 256 KiB stack: a decoder that recursed in proportion to the
/// input would overflow it (and abort the test binary, failing loudly).
fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the small-stack thread panicked")
}

#[test]
fn a_million_levels_of_nesting_fail_on_a_small_stack() {
    on_small_stack(|| {
        for (open, close, n) in [
            ("[", "]", 1_000_000),
            ("{\"a\":", "}", 1_000_000),
            ("[{\"\":", "}]", 500_000),
        ] {
            let text = format!(
                "[null,\"1\",\"t\",\"e\",{}{}]",
                open.repeat(n),
                close.repeat(n)
            );
            let limits = DecodeLimits::new().with_max_depth(u32::MAX);
            for limits in [DecodeLimits::new(), limits] {
                let (result, used) =
                    count(|| decode_text_with(text.as_bytes(), &limits).map(|_| ()));
                assert_eq!(result.unwrap_err().kind, K::DepthLimitExceeded, "{open}");
                assert_eq!(used, HeapUse::NONE);
            }
        }
    });
}

#[test]
fn the_deepest_supported_nesting_decodes_on_a_small_stack() {
    on_small_stack(|| {
        let depth = phx_codec::MAX_SUPPORTED_DEPTH as usize;
        let limits = DecodeLimits::new().with_max_depth(phx_codec::MAX_SUPPORTED_DEPTH);
        // The envelope is one level.
        let ok = format!(
            "[null,\"1\",\"t\",\"e\",{}{}]",
            "[".repeat(depth - 1),
            "]".repeat(depth - 1)
        );
        let (result, used) = count(|| {
            decode_text_with(ok.as_bytes(), &limits)
                .map(|f| f.payload_json().map(|p| p.as_str().len()))
        });
        assert_eq!(result.unwrap(), Some(2 * (depth - 1)));
        assert_eq!(used, HeapUse::NONE);
        let too_deep = format!(
            "[null,\"1\",\"t\",\"e\",{}{}]",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert_eq!(
            decode_text_with(too_deep.as_bytes(), &limits)
                .unwrap_err()
                .kind,
            K::DepthLimitExceeded
        );
    });
}

#[test]
fn a_hundred_megabytes_of_whitespace_decode_without_allocating_or_recursing() {
    on_small_stack(|| {
        let limits = DecodeLimits::new().with_max_frame_len(usize::MAX);
        let mut text = String::with_capacity(MB100 + 64);
        text.push_str("[null,\"1\",\"t\",\"e\",{\"a\":");
        text.push_str(&" \n\t\r".repeat(MB100 / 4));
        text.push_str("1}]");
        let (result, used) = count(|| {
            decode_text_with(text.as_bytes(), &limits)
                .map(|f| f.payload_get("a").and_then(|v| v.as_i64()))
        });
        assert_eq!(result, Ok(Some(1)));
        assert_eq!(used, HeapUse::NONE);
        // Only whitespace: an unexpected end, at the end.
        let blank = " ".repeat(MB100);
        let (result, used) = count(|| decode_text_with(blank.as_bytes(), &limits).map(|_| ()));
        assert_eq!(result, Err(DecodeError::new(K::UnexpectedEnd, MB100)));
        assert_eq!(used, HeapUse::NONE);
    });
}

#[test]
fn a_hundred_megabyte_string_decodes_without_allocating_or_recursing() {
    on_small_stack(|| {
        let limits = DecodeLimits::new().with_max_frame_len(usize::MAX);
        let body = "héllo wörld 😀 ".repeat(MB100 / 20);
        let text = format!("[null,\"1\",\"t\",\"e\",{{\"body\":\"{body}\"}}]");
        let (result, used) = count(|| {
            decode_text_with(text.as_bytes(), &limits).map(|f| {
                f.payload_get("body")
                    .and_then(|b| b.as_json_str())
                    .and_then(|s| s.as_str().map(str::len))
            })
        });
        assert_eq!(result, Ok(Some(body.len())));
        assert_eq!(used, HeapUse::NONE);
        // As an envelope string too (a 10 MB topic).
        let topic = "héllo wörld 😀 ".repeat(MB100 / 200);
        let text = format!("[null,\"1\",\"{topic}\",\"e\",{{}}]");
        let (result, used) = count(|| {
            decode_text_with(text.as_bytes(), &limits).map(|f| f.topic().as_str().map(str::len))
        });
        assert_eq!(result, Ok(Some(topic.len())));
        assert_eq!(used, HeapUse::NONE);
        // Escapes all the way (10 MB: each escape is validated and unescaped one by one, slow
        // in debug builds): `\n` and `\u00e9`, walked lazily.
        let escaped = "\\n\\u00e9".repeat(MB100 / 80);
        let text = format!("[null,\"1\",\"t\",\"e\",{{\"body\":\"{escaped}\"}}]");
        let (result, used) = count(|| {
            decode_text_with(text.as_bytes(), &limits).map(|f| {
                f.payload_get("body")
                    .and_then(|b| b.as_json_str())
                    .map(|s| s.unescaped_len())
            })
        });
        assert_eq!(result, Ok(Some(MB100 / 80 * 3)));
        assert_eq!(used, HeapUse::NONE);
        // Unterminated: an unexpected end, at the end.
        let open = format!("[null,\"1\",\"t\",\"e\",{{\"body\":\"{body}");
        let (result, used) = count(|| decode_text_with(open.as_bytes(), &limits).map(|_| ()));
        assert_eq!(result.unwrap_err().kind, K::UnexpectedEnd);
        assert_eq!(used, HeapUse::NONE);
    });
}

#[test]
fn the_default_limit_rejects_frames_over_ten_megabytes() {
    let limit = DecodeLimits::DEFAULT_MAX_FRAME_LEN;
    assert_eq!(limit, 10_000_000);
    let head = "[null,\"1\",\"t\",\"e\",{}]";
    let at_limit = format!("{head}{}", " ".repeat(limit - head.len()));
    assert_eq!(at_limit.len(), limit);
    assert!(decode_text(at_limit.as_bytes()).is_ok());
    let over = format!("{at_limit} ");
    let (result, used) = count(|| decode_text(over.as_bytes()).map(|_| ()));
    assert_eq!(result, Err(DecodeError::new(K::FrameTooLarge, limit)));
    assert_eq!(used, HeapUse::NONE);
    assert_eq!(
        v1::decode_v1(over.as_bytes()).unwrap_err().kind,
        K::FrameTooLarge
    );
    let big_binary = vec![2u8; limit + 1];
    assert_eq!(
        binary::decode_from_server(&big_binary).unwrap_err(),
        DecodeError::new(K::FrameTooLarge, limit)
    );
    // Invalid bytes past the limit are never looked at: the size is checked first.
    let mut garbage = vec![0xffu8; limit + 1];
    garbage[0] = b'[';
    assert_eq!(decode_text(&garbage).unwrap_err().kind, K::FrameTooLarge);
}

#[test]
fn lone_and_reversed_surrogates_are_rejected() {
    for body in [
        r"\ud800",
        r"\udbff",
        r"\udc00",
        r"\udfff",
        r"\ud800x",
        r"\ud800\n",
        r"\ud800\u0041",
        r"\ud800\ud800",
        r"\udc00\ud800",
        r"\udfff\udbff",
        r"x\ud83d",
    ] {
        let text = format!(r#"[null,"1","t","e",{{"body":"{body}"}}]"#);
        assert_eq!(kind_of(&text), Err(K::LoneSurrogate), "{body}");
        assert!(JsonStr::from_json_body(body).is_err(), "{body}");
    }
    // A proper pair, in either case of hex digits, is fine.
    let ok = decode_text(br#"[null,"1","t","e",{"body":"\uD83D\uDE00\ud83d\ude00"}]"#).unwrap();
    let body = ok.payload_get("body").unwrap().as_json_str().unwrap();
    assert_eq!(body, "😀😀");
}

#[test]
fn overlong_surrogate_and_truncated_utf8_is_rejected() {
    for bad in [
        &[0xc0, 0xaf][..],
        &[0xc1, 0xbf],
        &[0xe0, 0x80, 0x80],
        &[0xf0, 0x80, 0x80, 0x80],
        &[0xed, 0xa0, 0x80],
        &[0xed, 0xbf, 0xbf],
        &[0xc3],
        &[0xe4, 0xbd],
        &[0xf0, 0x9f, 0x98],
        &[0xf8, 0x88, 0x80, 0x80, 0x80],
        &[0xff],
        &[0xfe],
    ] {
        for place in ["topic", "payload", "outside"] {
            let mut input = b"[null,\"1\",\"t".to_vec();
            match place {
                "topic" => {
                    input.extend_from_slice(bad);
                    input.extend_from_slice(b"\",\"e\",{}]");
                }
                "payload" => {
                    input.extend_from_slice(b"\",\"e\",{\"b\":\"");
                    input.extend_from_slice(bad);
                    input.extend_from_slice(b"\"}]");
                }
                _ => {
                    input.extend_from_slice(b"\",\"e\",{}]");
                    input.extend_from_slice(bad);
                }
            }
            let err = decode_text(&input).unwrap_err();
            assert_eq!(err.kind, K::InvalidUtf8, "{bad:x?} in {place}");
            assert!(err.offset < input.len());
            assert_eq!(v1::decode_v1(&input).unwrap_err().kind, K::InvalidUtf8);
        }
    }
}

#[test]
fn escaped_nul_is_accepted_and_unescapes_to_nul() {
    let frame = decode_text(br#"[null,"1","a\u0000b","e",{"body":"\u0000"}]"#).unwrap();
    assert_eq!(frame.topic(), "a\0b");
    let mut buf = [0xffu8; 3];
    assert_eq!(
        frame.topic().unescape_into(&mut buf).unwrap().as_bytes(),
        b"a\0b"
    );
    let body = frame.payload_get("body").unwrap().as_json_str().unwrap();
    assert_eq!(body.chars().collect::<Vec<_>>(), ['\0']);
    // And it is written back escaped.
    let mut out = Vec::new();
    frame.encode_v2(&mut out).unwrap();
    assert!(out.windows(6).any(|w| w == br"\u0000"));
    assert!(!out.contains(&0));
}

#[test]
fn malformed_numbers_are_rejected() {
    for n in [
        "-", "01", "1e", "1e+", "1.", ".5", "-.5", "+1", "0x10", "1.5.2", "--1", "-01", "00",
        "1e1.5", "١",
    ] {
        let text = format!(r#"[null,"1","t","e",{{"n":{n}}}]"#);
        assert!(kind_of(&text).is_err(), "{n} accepted");
        assert!(RawJson::parse(n).is_err(), "{n} accepted");
    }
}

#[test]
fn numbers_beyond_f64_are_accepted_as_the_grammar_allows() {
    let digits = format!("1{}", "0".repeat(9_999));
    assert_eq!(digits.len(), 10_000);
    for n in [
        "1e999999",
        "-1e999999",
        "1E+999999999999999999999",
        "1e-999999",
        digits.as_str(),
    ] {
        let text = format!(r#"[null,"1","t","e",{{"n":{n}}}]"#);
        let (frame, used) = count(|| decode_text(text.as_bytes()));
        let frame = frame.unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(used, HeapUse::NONE);
        let value = frame.payload_get("n").unwrap();
        assert_eq!(value.as_str(), n);
        assert_eq!(value.as_i64(), None);
        assert_eq!(value.as_u64(), None);
        let f = value.as_f64().unwrap();
        assert!(f.is_infinite() || f == 0.0, "{n} -> {f}");
        // serde_json refuses what the codec accepts here: the documented difference.
        assert!(serde_json::from_str::<serde_json::Value>(&text).is_err() || f == 0.0);
    }
    let negative = format!("-{digits}");
    assert!(RawJson::parse(&negative).is_ok());
}

#[test]
fn duplicate_keys_are_kept_in_payloads_and_the_last_one_wins() {
    let frame = decode_text(br#"[null,"1","t","e",{"a":1,"b":2,"a":3}]"#).unwrap();
    assert_eq!(frame.payload_get("a").unwrap().as_i64(), Some(3));
    let raw = frame.payload_json().unwrap();
    assert_eq!(raw.get("a").unwrap().as_i64(), Some(3));
    assert_eq!(raw.members().unwrap().count(), 3);
    // Escaped spelling of the same key counts as the same key.
    let frame = decode_text(br#"[null,"1","t","e",{"a":1,"\u0061":2}]"#).unwrap();
    assert_eq!(frame.payload_get("a").unwrap().as_i64(), Some(2));
    // Nested objects too.
    let frame = decode_text(br#"[null,"1","t","e",{"o":{"k":"x","k":"y"}}]"#).unwrap();
    let inner = frame.payload_get("o").unwrap();
    assert_eq!(inner.get("k").unwrap().as_json_str().unwrap(), "y");
}

#[test]
fn duplicate_keys_in_the_v1_envelope_are_rejected() {
    for key in ["topic", "event", "payload", "ref", "join_ref"] {
        let text = format!(
            r#"{{"topic":"t","event":"e","payload":{{}},"ref":"1","join_ref":"1","{key}":null}}"#
        );
        let err = v1::decode_v1(text.as_bytes()).unwrap_err();
        assert!(matches!(err.kind, K::DuplicateField(_)), "{key}: {err}");
    }
    let err = v1::decode_v1(br#"{"topic":"a","event":"e","payload":{},"ref":"1","topic":"b"}"#)
        .unwrap_err();
    assert_eq!(err.kind, K::DuplicateField(EnvelopeField::Topic));
}

#[test]
fn a_utf8_byte_order_mark_is_rejected() {
    let mut with_bom = b"\xef\xbb\xbf".to_vec();
    with_bom.extend_from_slice(br#"[null,"1","t","e",{}]"#);
    let err = decode_text(&with_bom).unwrap_err();
    assert_eq!(err, DecodeError::new(K::ExpectedValue, 0));
    assert!(v1::decode_v1(&with_bom).is_err());
    // Between tokens it is not whitespace either.
    assert!(decode_text("[null,\"1\",\"t\",\"e\",\u{feff}{}]".as_bytes()).is_err());
    // Inside a string it is an ordinary character.
    assert!(decode_text("[null,\"1\",\"t\u{feff}\",\"e\",{}]".as_bytes()).is_ok());
}

#[test]
fn nan_and_infinity_are_rejected() {
    for n in [
        "NaN",
        "Infinity",
        "-Infinity",
        "+Infinity",
        "nan",
        "inf",
        "-inf",
    ] {
        let text = format!(r#"[null,"1","t","e",{{"n":{n}}}]"#);
        assert!(kind_of(&text).is_err(), "{n}");
        assert!(RawJson::parse(n).is_err(), "{n}");
    }
}

#[test]
fn trailing_commas_are_rejected_everywhere() {
    for text in [
        r#"[null,"1","t","e",{},]"#,
        r#"[null,"1","t","e",{"a":1,}]"#,
        r#"[null,"1","t","e",[1,]]"#,
        r#"[null,"1","t","e",{"a":[{},]}]"#,
        r#"[null,"1","t","e",{}],"#,
    ] {
        let err = kind_of(text).unwrap_err();
        assert_eq!(
            phx_codec::ErrorCategory::Syntax,
            err.category(),
            "{text}: {err:?}"
        );
    }
    let err = v1::decode_v1(br#"{"topic":"t","event":"e","payload":{},"ref":"1",}"#).unwrap_err();
    assert_eq!(err.kind, K::ExpectedObjectKey);
    // The lenient mode still needs a value after a comma.
    let lenient = DecodeLimits::new().with_extra_elements_allowed(true);
    assert!(decode_text_with(br#"[null,"1","t","e",{},]"#, &lenient).is_err());
}

#[test]
fn every_truncation_of_every_text_vector_is_an_error_and_never_panics() {
    let mut prefixes = 0usize;
    for case in support::load_cases() {
        if case.format == WireFormat::Binary {
            continue;
        }
        // Trailing whitespace is optional, so cutting it off leaves a valid frame.
        let content_end = case
            .input
            .iter()
            .rposition(|b| !b" \t\n\r".contains(b))
            .map_or(0, |i| i + 1);
        for cut in 0..case.input.len() {
            let prefix = &case.input[..cut];
            let (result, used) = count(|| case_decode(case.format, case.direction, prefix));
            assert_eq!(used, HeapUse::NONE, "{} cut at {cut}", case.id());
            match result {
                Err(err) => assert!(err.offset <= cut, "{} cut at {cut}: {err}", case.id()),
                // A prefix of an invalid vector may well be valid (`[...]x` cut before `x`).
                Ok(()) => assert!(
                    !case.valid || cut >= content_end,
                    "{} cut at {cut} is accepted",
                    case.id()
                ),
            }
            prefixes += 1;
        }
    }
    assert!(prefixes > 5_000, "only {prefixes} prefixes checked");
}

fn case_decode(format: WireFormat, direction: Direction, bytes: &[u8]) -> Result<(), DecodeError> {
    support::decode_as(format, direction, bytes).map(|_| ())
}

#[test]
fn every_truncation_of_every_binary_vector_is_an_error_or_a_shorter_payload() {
    // A binary frame's payload is the rest of the message: no length says where it ends, so a
    // cut inside the payload is a shorter payload. Every cut inside the header is an error.
    for case in support::load_cases() {
        if case.format != WireFormat::Binary {
            continue;
        }
        for direction in [Direction::FromClient, Direction::FromServer] {
            for cut in 0..case.input.len() {
                let prefix = &case.input[..cut];
                let (result, used) = count(|| {
                    binary::decode_binary(prefix, direction).map(|f| payload_len(f.payload()))
                });
                assert_eq!(used, HeapUse::NONE);
                if let Err(err) = result {
                    assert!(err.offset <= cut, "{} cut at {cut}: {err}", case.id());
                }
            }
        }
        if !case.valid {
            continue;
        }
        let frame = case.decode().unwrap();
        let payload = payload_len(frame.payload());
        let header_len = case.input.len() - payload;
        for cut in 0..case.input.len() {
            let result = binary::decode_binary(&case.input[..cut], case.direction);
            if cut < header_len {
                assert_eq!(
                    result.unwrap_err(),
                    DecodeError::new(K::Truncated, cut),
                    "{} cut at {cut}",
                    case.id()
                );
            } else {
                assert_eq!(payload_len(result.unwrap().payload()), cut - header_len);
            }
        }
    }
}

fn payload_len(payload: Payload<'_>) -> usize {
    match payload {
        Payload::Json(raw) => raw.as_str().len(),
        Payload::Binary(bytes)
        | Payload::BinaryReply {
            response: bytes, ..
        } => bytes.len(),
    }
}

#[test]
fn every_single_byte_corruption_of_every_vector_never_panics_or_allocates() {
    // Not an accept/reject check (properties.rs does that against serde_json): only that any
    // byte anywhere is handled.
    for case in support::load_cases() {
        if case.input.len() > 600 {
            continue;
        }
        for i in 0..case.input.len() {
            for b in [0x00, b'"', b'\\', b'[', b'{', b'}', b']', b',', 0x80, 0xff] {
                let mut bytes = case.input.clone();
                bytes[i] = b;
                let (result, used) = count(|| case_decode(case.format, case.direction, &bytes));
                assert_eq!(used, HeapUse::NONE, "{} byte {i} = {b:#x}", case.id());
                if let Err(err) = result {
                    assert!(err.offset <= bytes.len());
                }
            }
        }
    }
}
