//! The one-pass typed decoders (`decode_text_message`, `Shout::decode_text`...) against the two
//! passes (`decode_text` then `Frame::message` or `from_frame`): the same frame, message and
//! error, for every conformance vector and every prefix of each, and for the typed vectors
//! with a mistyped field followed by a syntax error.

// Test code: an unwrap that fails is a failing test.
#![allow(clippy::unwrap_used)]

mod support;

use phx_codec::{TypedDecodeError, WireFormat, decode_text_message};
use phx_tests::fuzz::one_pass_same_as_two_passes;

#[test]
fn every_vector_and_every_prefix_reads_as_the_two_passes_read_it() {
    let cases = support::load_cases();
    let mut compared = 0;
    for case in &cases {
        for end in 0..=case.input.len() {
            one_pass_same_as_two_passes(&case.input[..end]);
            compared += 1;
        }
    }
    assert!(compared > 1000, "only {compared} inputs compared");
}

#[test]
fn typed_vectors_with_a_mistyped_field_then_a_syntax_error_report_the_syntax_error() {
    let mut checked = 0;
    for case in support::valid_cases() {
        if case.format != WireFormat::V2 || case.message.is_none() {
            continue;
        }
        let text = String::from_utf8(case.input.clone()).unwrap();
        let Some(open) = text.find(",{") else {
            continue;
        };
        // A mistyped known field first in the payload (`body`, `customer_id`...: strings in
        // every view that has them), then the payload as it was.
        for key in [
            "body",
            "customer_id",
            "reason",
            "conversation_id",
            "user_id",
        ] {
            let typed = format!("{}{{\"{key}\":[1],{}", &text[..=open], &text[open + 2..]);
            let typed = typed.replace(",}", "}");
            one_pass_same_as_two_passes(typed.as_bytes());
            // The same with the frame's last byte cut: a syntax error after the type error.
            let cut = &typed[..typed.len() - 1];
            one_pass_same_as_two_passes(cut.as_bytes());
            assert!(
                matches!(
                    decode_text_message(cut.as_bytes()),
                    Err(TypedDecodeError::Decode(_))
                ),
                "{cut}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} vectors checked");
}
