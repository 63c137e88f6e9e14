//! Zero-copy, allocation-free codec for the Phoenix Channels wire protocol, as spoken by the
//! Papercups live chat (`/socket/websocket`).
//!
//! - **Three wire forms, one [`Frame`]**: V2 JSON text `[join_ref, ref, topic, event,
//!   payload]` ([`decode_text`]), V2 binary push/reply/broadcast ([`binary`]) and the V1 JSON
//!   object ([`v1`]); [`Decoder`] takes whatever a WebSocket delivers.
//! - **Borrowed**: strings are [`JsonStr`]s pointing into the input, unescaped lazily; the
//!   payload is a validated [`RawJson`] slice. `#![no_std]`, no allocator.
//! - **Typed**: [`Topic`], [`Event`] and Papercups messages ([`message`]) over a decoded frame.
//! - **Encoding** into caller memory ([`encode::Sink`]: `&mut [u8]`, `heapless::Vec` with
//!   `heapless08` / `heapless09`, `Vec<u8>` with `alloc`, or your own buffer in two methods),
//!   with the exact length known ahead.
//! - **Hostile input is cheap**: one validating pass, no recursion, no allocation, typed
//!   errors with byte offsets ([`DecodeError`]), configurable [`DecodeLimits`].
//!
//! ```
//! use phx_codec::{decode_text, Payload};
//!
//! let input = br#"[null,"3","conversation:1a2b3c","shout",{"body":"Hi, I need help with my order","customer_id":"cus_123","conversation_id":"1a2b3c"}]"#;
//! let frame = decode_text(input)?;
//! assert_eq!(frame.topic(), "conversation:1a2b3c");
//! assert_eq!(frame.event(), "shout");
//! assert_eq!(frame.payload_get("body").unwrap().as_json_str().unwrap(), "Hi, I need help with my order");
//!
//! // Re-encode into a stack buffer: compact input comes back byte for byte.
//! let mut buf = [0u8; 256];
//! let n = frame.encode_v2_into(&mut buf).unwrap();
//! assert_eq!(&buf[..n], &input[..]);
//! # Ok::<(), phx_codec::DecodeError>(())
//! ```
//!
//! # Feature flags
//!
//! None is on by default: the core builds for `thumbv7em-none-eabihf` without an allocator.
//!
//! | feature | adds |
//! |---|---|
//! | `alloc` | owned conversions ([`JsonStr::to_cow`], [`JsonStr::into_string`]) and `Vec<u8>` as an [`encode::Sink`] |
//! | `serde` | `serde::Serialize` for [`Frame`], [`JsonStr`], [`RawJson`] and every typed [`message`] |
//!
//! On docs.rs every feature is on and feature-gated items are labelled.
#![no_std]
#![deny(unsafe_code)] // allowed in `simd` alone, where the benchmark shows it pays
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(test)]
extern crate std;
// Unit tests use heapless 0.9 containers (a dev-dependency) whatever the features.
#[cfg(test)]
extern crate heapless09 as heapless;

// Layers, bottom-up (ARCHITECTURE.md; `.ci/check-module-cycles` keeps the graph acyclic):
// errors, limits and wire-level names; the string-stop search; the scanner; strings and raw
// JSON; the encoder's sinks; the `Frame` type; the wire forms side by side over one envelope
// reader/writer; the dispatch that alone knows all three; typed views on top.
mod error;
mod escape;
mod limits;
mod simd;
mod wire;

mod sink;
mod stop;

mod scan;

mod raw;
mod string;

pub mod encode;

mod frame;

pub mod binary;
mod envelope;
mod text;
pub mod v1;

mod dispatch;
mod spans;

pub mod event;
pub mod message;
pub mod outgoing;
pub mod topic;

// Sans-IO sessions (client and server) over the codec: the top layer.
pub mod session;

pub use crate::dispatch::Decoder;
pub use crate::error::{DecodeError, DecodeErrorKind, EncodeError, EnvelopeField, ErrorCategory};
pub use crate::event::Event;
pub use crate::frame::{Frame, Payload};
pub use crate::limits::{DecodeLimits, MAX_SUPPORTED_DEPTH};
pub use crate::message::onepass::{
    TypedDecodeError, TypedFrame, decode_text_message, decode_text_message_with,
};
pub use crate::message::presence;
pub use crate::message::{Message, MessageError, MessageErrorKind};
pub use crate::raw::{ArrayItems, JsonKind, ObjectMembers, RawJson};
pub use crate::spans::FrameSpans;
pub use crate::string::{Chars, JsonStr};
pub use crate::text::{decode_text, decode_text_str, decode_text_str_with, decode_text_with};
pub use crate::topic::Topic;
pub use crate::wire::{Direction, Vsn, WireFormat, WsMessage};
