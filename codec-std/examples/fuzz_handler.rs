//! Fuzzing your own Phoenix message handler with phx-codec-std's generators (feature
//! `arbitrary`).
//!
//! `fuzz_one` is what a cargo-fuzz target runs: in your crate's `fuzz/fuzz_targets/handler.rs`
//!
//! ```ignore
//! #![no_main]
//! libfuzzer_sys::fuzz_target!(|data: &[u8]| my_app::fuzz_one(data));
//! ```
//!
//! (or `fuzz_target!(|input: (PapercupsFrame, NearValid)| ..)`, letting libFuzzer drive
//! `Arbitrary` directly). This example runs the same body over pseudo-random inputs without
//! libFuzzer, so it works on stable Rust:
//!
//! ```text
//! cargo run -p phx-codec-std --example fuzz_handler --features arbitrary -- 2000
//! ```

use arbitrary::{Arbitrary, Unstructured};
use phx_codec::message::Message;
use phx_codec_std::arbitrary::{NearValid, PapercupsFrame};
use phx_codec_std::{FrameExt, OwnedFrame, OwnedPayload};

/// The handler under test: a small Papercups-like server. It must never panic, and every
/// reply it builds must encode.
fn handle(frame: &OwnedFrame) -> Option<OwnedFrame> {
    let view = frame.as_frame().ok()?;
    match view.message() {
        Ok(Message::Join(join)) => {
            let status = if join.customer_id().is_some() {
                "ok"
            } else {
                "error"
            };
            OwnedFrame::reply_to(&view, status, &serde_json::json!({})).ok()
        }
        Ok(Message::Heartbeat) => OwnedFrame::reply_to(&view, "ok", &serde_json::json!({})).ok(),
        Ok(Message::Ping(ping)) => match ping.json() {
            Some(payload) => OwnedFrame::reply_to(&view, "ok", &payload).ok(),
            None => None,
        },
        Ok(Message::Shout(shout)) => {
            let body = shout.body().map(|b| b.to_cow().into_owned())?;
            let payload = OwnedPayload::json(&serde_json::json!({ "body": body })).ok()?;
            Some(OwnedFrame::new(frame.topic.clone(), "shout", payload))
        }
        // Other typed messages, frames that are no typed message, and payloads that do not
        // fit their event: nothing to answer.
        _ => None,
    }
}

/// One fuzz input: a well-formed Papercups frame, then near-valid bytes decoded as a socket
/// would.
fn fuzz_one(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok((typed, near)) = <(PapercupsFrame, NearValid)>::arbitrary(&mut u) else {
        return;
    };
    for frame in [Some(typed.frame), decoded(&near)].into_iter().flatten() {
        if let Some(reply) = handle(&frame) {
            let bytes = reply
                .encode_to_vec(phx_codec::WireFormat::V2, phx_codec::Direction::FromServer)
                .expect("a reply the handler built encodes");
            assert!(phx_codec::decode_text(&bytes).is_ok());
        }
    }
}

fn decoded(near: &NearValid) -> Option<OwnedFrame> {
    let frame = match near.format {
        phx_codec::WireFormat::V2 => phx_codec::decode_text(&near.bytes),
        phx_codec::WireFormat::V1 => phx_codec::v1::decode_v1(&near.bytes),
        phx_codec::WireFormat::Binary => {
            phx_codec::binary::decode_binary(&near.bytes, near.direction)
        }
    };
    frame.ok().map(|f| f.to_owned_frame())
}

fn main() {
    let runs: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(500);
    // xorshift64: reproducible inputs without an RNG crate.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut data = vec![0u8; 4096];
    for _ in 0..runs {
        for byte in &mut data {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *byte = state.to_le_bytes()[0];
        }
        fuzz_one(&data);
    }
    println!("{runs} inputs handled without a panic");
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_handler_survives_generated_inputs() {
        let mut data = vec![0u8; 2048];
        for seed in 0..64u8 {
            for (i, byte) in data.iter_mut().enumerate() {
                *byte = u8::try_from((i * 131 + usize::from(seed) * 977) % 253).unwrap_or(0);
            }
            super::fuzz_one(&data);
        }
    }
}
