//! The `std::error::Error` convention: an error that returns its cause from `source()` does
//! not repeat it in `Display`, so printing the chain shows each message once.

use std::error::Error as StdError;
use std::io;

use phx_codec::{Direction, WireFormat};
use phx_codec_std::{Error, FrameExt, OwnedFrame, OwnedPayload};

/// Every error of the chain, as displayed.
fn chain(err: &(dyn StdError + 'static)) -> Vec<String> {
    let mut out = vec![err.to_string()];
    let mut next = err.source();
    while let Some(cause) = next {
        out.push(cause.to_string());
        next = cause.source();
    }
    out
}

fn errors() -> Vec<Error> {
    let decode =
        Error::from(phx_codec::decode_text(br#"[null,null,"t","e",{"#).expect_err("fails"));
    let encode = phx_codec::decode_text(br#"[null,null,"t","e",{}]"#)
        .expect("valid")
        .encode_to_vec(WireFormat::Binary, Direction::FromServer)
        .map(|_| ())
        .map_err(Error::from);
    let json = phx_codec::decode_text(br#"[null,null,"t","e",{"n":"x"}]"#)
        .expect("valid")
        .deserialize_payload::<std::collections::BTreeMap<String, u32>>()
        .map(|_| ());
    let held = OwnedFrame::new("t", "e", OwnedPayload::Json("{".into()))
        .encode_to_vec(WireFormat::V2, Direction::FromServer)
        .map(|_| ());
    let mut out = vec![
        decode,
        Error::from(io::Error::other("disk full")),
        Error::PayloadNotJson,
    ];
    out.extend(encode.err());
    out.extend(json.err());
    out.extend(held.err());
    assert_eq!(out.len(), 6, "every error case fails");
    out
}

#[test]
fn no_error_repeats_its_source_in_display() {
    for err in errors() {
        let chain = chain(&err);
        for (i, message) in chain.iter().enumerate() {
            for cause in &chain[i + 1..] {
                assert!(
                    !message.contains(cause.as_str()),
                    "{message:?} repeats its cause {cause:?} (chain {chain:?})"
                );
            }
        }
        let joined = chain.join(": ");
        assert_eq!(
            joined
                .matches(chain.last().expect("non-empty").as_str())
                .count(),
            1,
            "{joined}"
        );
    }
}

#[test]
fn the_chain_still_says_what_and_where() {
    let err = Error::from(phx_codec::decode_text(br#"[null,null,"t","e",{"#).expect_err("fails"));
    assert_eq!(
        chain(&err),
        ["decode error", "unexpected end of input at byte 20"]
    );
}
