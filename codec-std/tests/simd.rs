//! The simd-json payload path gives exactly what the serde_json path gives.
#![cfg(feature = "simd-json")]

mod common;

use phx_codec::Frame;
use phx_codec_std::{FrameExt, simd};
use proptest::prelude::*;

/// Both paths succeed with equal values, or both fail.
fn assert_paths_agree(frame: &Frame<'_>) {
    let default = frame.payload_value();
    let fast = simd::payload_value(frame);
    let auto = simd::payload_value_auto(frame);
    let mut parser = simd::SimdParser::new();
    let reused = parser.payload_value(frame);
    let again = parser.payload_value(frame);
    match (&default, &fast) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "payload {:?}", frame.payload_json());
            for other in [&auto, &reused, &again] {
                assert_eq!(other.as_ref().expect("same path"), a);
            }
        }
        (Err(_), Err(_)) => assert!(auto.is_err() && reused.is_err()),
        _ => panic!(
            "paths disagree on {:?}: {default:?} vs {fast:?}",
            frame.payload_json()
        ),
    }
}

fn frame_with_payload(payload: &str) -> String {
    format!(r#"[null,null,"t","e",{payload}]"#)
}

#[test]
fn simd_and_default_paths_agree_on_every_conformance_vector() {
    let mut json_payloads = 0;
    for v in common::vectors().iter().filter(|v| v.valid) {
        let frame = common::core_decode(&v.input, v.format, v.direction).expect("valid");
        if frame.payload_json().is_some() {
            json_payloads += 1;
        }
        assert_paths_agree(&frame);
    }
    assert!(json_payloads > 30, "only {json_payloads} JSON payloads");
}

#[test]
fn simd_and_default_paths_agree_on_numbers_at_the_edges() {
    for payload in [
        "1e999",
        "-1e999",
        "123456789012345678901234567890",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "-0",
        "-0.0",
        "1e-400",
        "2.2250738585072011e-308",
        "0.1000000000000000055511151231257827",
        "1.7976931348623157e308",
        r#""\ud83d\ude00 \u00e9 \/""#,
        r#"{"a":1,"a":2}"#,
    ] {
        let text = frame_with_payload(payload);
        let frame = phx_codec::decode_text(text.as_bytes()).expect("valid frame");
        assert_paths_agree(&frame);
    }
}

#[test]
fn simd_and_default_paths_agree_on_a_large_payload() {
    let long = format!(
        r#"{{"body":"{}","n":[1.5,-2,3e10]}}"#,
        "x\\u00e9".repeat(20_000)
    );
    let text = frame_with_payload(&long);
    let frame = phx_codec::decode_text(text.as_bytes()).expect("valid");
    assert_paths_agree(&frame);
}

fn number_text() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        "[0-9]{1,25}",
        prop::option::of("[0-9]{1,20}"),
        prop::option::of((any::<bool>(), 0u32..400)),
    )
        .prop_map(|(neg, int, frac, exp)| {
            let int = int.trim_start_matches('0');
            let int = if int.is_empty() { "0" } else { int };
            let mut s = String::new();
            if neg {
                s.push('-');
            }
            s.push_str(int);
            if let Some(frac) = frac {
                s.push('.');
                s.push_str(&frac);
            }
            if let Some((neg, e)) = exp {
                s.push_str(if neg { "e-" } else { "e" });
                s.push_str(&e.to_string());
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn simd_and_default_paths_agree_on_proptest_payloads(value in common::json_value()) {
        let text = frame_with_payload(&value.to_string());
        let frame = phx_codec::decode_text(text.as_bytes()).expect("valid");
        assert_paths_agree(&frame);
    }

    #[test]
    fn simd_and_default_paths_agree_on_proptest_number_texts(numbers in prop::collection::vec(number_text(), 1..8)) {
        let text = frame_with_payload(&format!("[{}]", numbers.join(",")));
        let frame = phx_codec::decode_text(text.as_bytes()).expect("valid");
        assert_paths_agree(&frame);
    }
}
