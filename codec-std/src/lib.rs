//! Owned and shared Phoenix Channels frames on top of [`phx_codec`], with `serde_json`
//! interop, presence sync and WebSocket adapters.
//!
//! - [`OwnedFrame`]: `String`s and an owned payload; keep it, send it across threads, build
//!   replies ([`OwnedFrame::reply_to`]) and pushes from `serde::Serialize` values.
//! - [`SharedFrame`]: the received [`bytes::Bytes`] plus the spans of its fields:
//!   `'static + Send + Sync`, O(1) clone, [`Frame`] views without copying. Decode once, fan
//!   out.
//! - [`FrameExt`]: serde and std encoding on the borrowed [`Frame`]
//!   ([`deserialize_payload`](FrameExt::deserialize_payload), `Vec`, `BytesMut`, `io::Write`).
//! - [`PresenceTracker`]: `presence_state` / `presence_diff` applied as the `phoenix` JS
//!   client does; who is online. [`PresenceTracker::apply`] takes any decoded form
//!   ([`FrameSource`]: [`Frame`], [`SharedFrame`], [`OwnedFrame`]).
//! - Features: `tungstenite` ([`ws`]: frames ⇄ `tungstenite::Message`), `simd-json` ([`simd`]:
//!   payload parsing with simd-json).
//!
//! ```
//! use phx_codec::{Direction, WireFormat};
//! use phx_codec_std::{FrameExt, OwnedFrame};
//!
//! let join = phx_codec::decode_text(br#"["1","1","conversation:42","phx_join",{"customer_id":"c1"}]"#)?;
//! #[derive(serde::Deserialize)]
//! struct JoinParams<'a> { customer_id: &'a str }
//! let params: JoinParams<'_> = join.deserialize_payload()?;
//! assert_eq!(params.customer_id, "c1");
//!
//! let reply = OwnedFrame::reply_to(&join, "ok", &serde_json::json!({}))?;
//! assert_eq!(reply.encode_to_vec(WireFormat::V2, Direction::FromServer)?,
//!            br#"["1","1","conversation:42","phx_reply",{"response":{},"status":"ok"}]"#);
//! # Ok::<(), phx_codec_std::Error>(())
//! ```
//!
//! # Feature flags
//!
//! None is on by default.
//!
//! | feature | adds |
//! |---|---|
//! | `tungstenite` | the [`ws`] module: frames to and from `tungstenite::Message` |
//! | `simd-json` | the [`simd`] module: payload parsing with simd-json |
//!
//! On docs.rs every feature is on and feature-gated items are labelled.
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::io;

use bytes::{Bytes, BytesMut};
use phx_codec::{Direction, EncodeError, Frame, WireFormat};
use serde::Deserialize;

#[cfg(feature = "arbitrary")]
pub mod arbitrary;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "client")]
pub mod client;
mod encode;
mod error;
#[cfg(feature = "fastwebsockets")]
pub mod fastwebsockets;
pub mod mutation;
mod owned;
pub mod presence;
#[cfg(feature = "proptest")]
pub mod proptest;
pub mod raw_value;
mod shared;
#[cfg(feature = "simd-json")]
pub mod simd;
pub mod transport;
pub mod typed;
#[cfg(feature = "tungstenite")]
pub mod ws;

pub use crate::encode::BytesMutSink;
pub use crate::error::Error;
pub use crate::owned::{OwnedFrame, OwnedPayload};
pub use crate::presence::{FrameSource, PresenceTracker};
pub use crate::shared::SharedFrame;

/// std conveniences on the borrowed [`Frame`]: serde payloads, owned copies, encoding into
/// `Vec<u8>`, [`BytesMut`] and [`io::Write`].
///
/// ```
/// use phx_codec::{Direction, WireFormat};
/// use phx_codec_std::FrameExt;
/// let frame = phx_codec::decode_text(br#"[null,"3","conversation:1","shout",{"body":"hi"}]"#)?;
/// assert_eq!(frame.payload_value()?["body"], "hi");
/// let mut out = Vec::new();
/// frame.encode_to_writer(WireFormat::V2, Direction::FromClient, &mut out)?;
/// assert_eq!(out, frame.encode_to_vec(WireFormat::V2, Direction::FromClient)?);
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
pub trait FrameExt<'a>: sealed::Sealed {
    /// Deserializes the JSON payload into `T` with `serde_json`; `T` may borrow from the
    /// frame's input (`&'a str` fields work when the JSON string has no escapes, as with
    /// `serde_json::from_str`).
    ///
    /// ```
    /// use phx_codec_std::FrameExt;
    /// #[derive(serde::Deserialize)]
    /// struct Shout<'a> { body: &'a str }
    /// let frame = phx_codec::decode_text(br#"[null,"3","conversation:1","shout",{"body":"hi"}]"#)?;
    /// let shout: Shout<'_> = frame.deserialize_payload()?; // borrows from the input
    /// assert_eq!(shout.body, "hi");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn deserialize_payload<T: Deserialize<'a>>(&self) -> Result<T, Error>;

    /// The JSON payload as a [`serde_json::Value`].
    ///
    /// ```
    /// use phx_codec_std::FrameExt;
    /// let frame = phx_codec::decode_text(br#"[null,"3","conversation:1","shout",{"body":"hi","n":2}]"#)?;
    /// let value = frame.payload_value()?;
    /// assert_eq!(value, serde_json::json!({"body": "hi", "n": 2}));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn payload_value(&self) -> Result<serde_json::Value, Error>;

    /// An owned copy ([`OwnedFrame::from`]).
    ///
    /// ```
    /// use phx_codec_std::FrameExt;
    /// let input = br#"["1","1","room:1","phx_join",{}]"#.to_vec();
    /// let owned = phx_codec::decode_text(&input)?.to_owned_frame();
    /// drop(input); // the owned copy outlives the input
    /// assert_eq!((owned.topic.as_str(), owned.event.as_str()), ("room:1", "phx_join"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn to_owned_frame(&self) -> OwnedFrame;

    /// Encodes into a new `Vec<u8>` of exactly the encoded length.
    ///
    /// ```
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::FrameExt;
    /// let frame = phx_codec::decode_text(br#"["1","1","room:1","phx_join",{}]"#)?;
    /// let v1 = frame.encode_to_vec(WireFormat::V1, Direction::FromClient)?;
    /// assert_eq!(v1, br#"{"topic":"room:1","event":"phx_join","payload":{},"ref":"1","join_ref":"1"}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn encode_to_vec(
        &self,
        format: WireFormat,
        direction: Direction,
    ) -> Result<Vec<u8>, EncodeError>;

    /// Encodes into a new [`Bytes`] (to share or send as a WebSocket message).
    ///
    /// ```
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::FrameExt;
    /// let frame = phx_codec::decode_text(br#"[null,"5","phoenix","heartbeat",{}]"#)?;
    /// let bytes: bytes::Bytes = frame.encode_to_bytes(WireFormat::V2, Direction::FromClient)?;
    /// let copy = bytes.clone(); // O(1): shares the buffer
    /// assert_eq!(&copy[..], br#"[null,"5","phoenix","heartbeat",{}]"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn encode_to_bytes(
        &self,
        format: WireFormat,
        direction: Direction,
    ) -> Result<Bytes, EncodeError>;

    /// Appends the encoding to `out` (reserving the exact length first); returns the bytes
    /// written.
    ///
    /// ```
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::FrameExt;
    /// let frame = phx_codec::decode_text(br#"[null,"5","phoenix","heartbeat",{}]"#)?;
    /// let mut out = bytes::BytesMut::from(&b"prefix "[..]);
    /// let n = frame.encode_into_bytes_mut(WireFormat::V2, Direction::FromClient, &mut out)?;
    /// assert_eq!(n, out.len() - 7);
    /// assert_eq!(&out[..], br#"prefix [null,"5","phoenix","heartbeat",{}]"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn encode_into_bytes_mut(
        &self,
        format: WireFormat,
        direction: Direction,
        out: &mut BytesMut,
    ) -> Result<usize, EncodeError>;

    /// Streams the encoding into `writer` (no intermediate buffer; wrap unbuffered writers in
    /// a [`std::io::BufWriter`]); returns the bytes written.
    ///
    /// ```
    /// use std::io::Write;
    /// use phx_codec::{Direction, WireFormat};
    /// use phx_codec_std::FrameExt;
    /// let frame = phx_codec::decode_text(br#"[null,"5","phoenix","heartbeat",{}]"#)?;
    /// let mut writer = std::io::BufWriter::new(Vec::new());
    /// let n = frame.encode_to_writer(WireFormat::V2, Direction::FromClient, &mut writer)?;
    /// writer.flush()?;
    /// assert_eq!(n, writer.get_ref().len());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn encode_to_writer<W: io::Write>(
        &self,
        format: WireFormat,
        direction: Direction,
        writer: W,
    ) -> Result<usize, Error>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for phx_codec::Frame<'_> {}
}

impl<'a> FrameExt<'a> for Frame<'a> {
    fn deserialize_payload<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        let raw = self.payload_json().ok_or(Error::PayloadNotJson)?;
        Ok(serde_json::from_str(raw.as_str())?)
    }

    fn payload_value(&self) -> Result<serde_json::Value, Error> {
        self.deserialize_payload()
    }

    fn to_owned_frame(&self) -> OwnedFrame {
        OwnedFrame::from(self)
    }

    fn encode_to_vec(
        &self,
        format: WireFormat,
        direction: Direction,
    ) -> Result<Vec<u8>, EncodeError> {
        encode::to_vec(self, format, direction)
    }

    fn encode_to_bytes(
        &self,
        format: WireFormat,
        direction: Direction,
    ) -> Result<Bytes, EncodeError> {
        encode::to_vec(self, format, direction).map(Bytes::from)
    }

    fn encode_into_bytes_mut(
        &self,
        format: WireFormat,
        direction: Direction,
        out: &mut BytesMut,
    ) -> Result<usize, EncodeError> {
        encode::into_bytes_mut(self, format, direction, out)
    }

    fn encode_to_writer<W: io::Write>(
        &self,
        format: WireFormat,
        direction: Direction,
        writer: W,
    ) -> Result<usize, Error> {
        encode::to_writer(self, format, direction, writer)
    }
}

/// Compile-time proof that the owned types can cross threads and outlive their input.
const _: () = {
    const fn assert_send_sync_static<T: Send + Sync + 'static>() {}
    assert_send_sync_static::<OwnedFrame>();
    assert_send_sync_static::<OwnedPayload>();
    assert_send_sync_static::<SharedFrame>();
    assert_send_sync_static::<PresenceTracker>();
    assert_send_sync_static::<Error>();
};
