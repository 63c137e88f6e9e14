//! Link proof: what a firmware using phx-codec links for one round trip.
//!
//! Decodes a V2 text frame from a runtime slice (hidden behind `black_box`, so nothing is
//! constant-folded), reads the typed shout through the per-event entry point
//! `Shout::from_frame` (so only the shout's parser is linked: `body`, `customer_id`,
//! `sent_at`, `conversation_id`), and encodes an outgoing shout built from those fields with
//! `phx_codec::outgoing` into the firmware's transmit buffer. Built by `.ci/embedded-size` for
//! `thumbv7em-none-eabihf` with opt-level "z", LTO, panic=abort and one codegen unit; its
//! `.text` size and largest stack frames are what firmware pays for this path.
//!
//! The transmit buffer is a `static` (in `.bss`), as firmware keeps its DMA and transmit
//! buffers, so the stack measured is the codec's path and not the probe's own 512 bytes (with
//! the buffer on `_start`'s stack the deepest chain is 512 bytes more).
//!
//! No allocator. Two `unsafe` items: the exported entry point a bare-metal binary needs, and
//! the one borrow of the transmit buffer.

#![no_std]
#![no_main]
#![warn(clippy::pedantic, missing_docs, unreachable_pub)]

use core::hint::black_box;
use core::panic::PanicInfo;

use phx_codec::decode_text;
use phx_codec::encode::SliceSink;
use phx_codec::message::Shout;
use phx_codec::outgoing::{OutgoingFrame, ShoutPush};

/// The frame "received": the widget's shout (as in `benches/src/cases.rs`).
static RECEIVED: &[u8] = br#"["1","5","conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f","shout",{"body":"Hi, I need help with my order #4521, the tracking link in your email is broken.","customer_id":"c6f1e2d3-4b5a-6978-8a9b-0c1d2e3f4a5b","sent_at":"2026-11-24T15:01:02.003Z"}]"#;

/// The transmit buffer the outgoing frame is encoded into.
static mut TX: [u8; 512] = [0; 512];

/// One round trip: 0 on success, an error code otherwise.
fn round_trip(input: &[u8], out: &mut [u8]) -> u32 {
    let Ok(frame) = decode_text(input) else {
        return 1;
    };
    let Ok(shout) = Shout::from_frame(&frame) else {
        return 2;
    };
    let Some(body) = shout.body() else {
        return 3;
    };
    let reply = OutgoingFrame {
        join_ref: Some("1"),
        reference: Some("6"),
        topic: "conversation:5c9b7a1e-2f3a-4c1d-9e8f-0a1b2c3d4e5f",
        event: "shout",
        payload: ShoutPush {
            customer_id: shout.customer_id(),
            conversation_id: shout.conversation_id(),
            sent_at: shout.sent_at(),
            ..ShoutPush::new(body)
        },
    };
    match reply.encode_v2(&mut SliceSink::new(out)) {
        Ok(n) => {
            black_box(out.get(..n));
            0
        }
        Err(_) => 4,
    }
}

/// The entry point: runs the round trip forever on an input the compiler cannot see.
#[allow(unsafe_code)] // the entry symbol's attribute (edition 2024) and the buffer's borrow
#[unsafe(no_mangle)]
pub extern "C" fn _start() -> ! {
    let tx = &raw mut TX;
    // SAFETY: `tx` points to a live, aligned `static`; `_start` is entered once and never
    // returns, nothing else names `TX`, and this is the only reference made to it, so it is
    // unique for the rest of the program.
    let out: &mut [u8; 512] = unsafe { &mut *tx };
    loop {
        let input: &[u8] = black_box(RECEIVED);
        black_box(round_trip(input, out));
    }
}

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    loop {
        black_box(());
    }
}
