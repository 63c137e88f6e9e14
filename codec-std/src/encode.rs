//! Encoding frames into growable std buffers: `Vec<u8>`, [`bytes::BytesMut`] (through
//! [`BytesMutSink`]) and any [`std::io::Write`].
//!
//! ```
//! use bytes::BytesMut;
//! use phx_codec::{Direction, WireFormat};
//! use phx_codec_std::FrameExt;
//!
//! let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#)?;
//! let mut buf = BytesMut::new();
//! frame.encode_into_bytes_mut(WireFormat::V1, Direction::FromClient, &mut buf)?;
//! assert_eq!(&buf[..], br#"{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}"#);
//! # Ok::<(), phx_codec_std::Error>(())
//! ```

use std::io;

use bytes::{BufMut, BytesMut};
use phx_codec::encode::Sink;
use phx_codec::{Direction, EncodeError, Frame, WireFormat};

/// A [`Sink`] that appends to a [`BytesMut`], growing it as needed.
///
/// ```
/// use bytes::BytesMut;
/// use phx_codec_std::BytesMutSink;
/// let frame = phx_codec::decode_text(br#"[null,null,"t","e",{}]"#)?;
/// let mut buf = BytesMut::with_capacity(64);
/// let n = frame.encode_v2(&mut BytesMutSink(&mut buf))?;
/// assert_eq!(n, buf.len());
/// # Ok::<(), phx_codec_std::Error>(())
/// ```
#[derive(Debug)]
pub struct BytesMutSink<'b>(pub &'b mut BytesMut);

impl Sink for BytesMutSink<'_> {
    fn remaining(&self) -> usize {
        self.0.remaining_mut()
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
        let start = self.0.len();
        self.0.resize(start.checked_add(len)?, 0);
        self.0.get_mut(start..)
    }
}

/// Encodes into a new `Vec<u8>` of exactly the right capacity.
pub(crate) fn to_vec(
    frame: &Frame<'_>,
    format: WireFormat,
    direction: Direction,
) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(frame.encoded_len(format, direction)?);
    frame.encode(format, direction, &mut out)?;
    Ok(out)
}

/// Appends to `out`, reserving the exact length first.
pub(crate) fn into_bytes_mut(
    frame: &Frame<'_>,
    format: WireFormat,
    direction: Direction,
    out: &mut BytesMut,
) -> Result<usize, EncodeError> {
    out.reserve(frame.encoded_len(format, direction)?);
    frame.encode(format, direction, &mut BytesMutSink(out))
}

/// Streams the encoding into `writer` without an intermediate buffer (wrap unbuffered writers
/// in a [`std::io::BufWriter`]: the encoder writes field by field).
pub(crate) fn to_writer<W: io::Write>(
    frame: &Frame<'_>,
    format: WireFormat,
    direction: Direction,
    writer: W,
) -> Result<usize, crate::Error> {
    let mut sink = WriteSink {
        writer,
        error: None,
    };
    match frame.encode(format, direction, &mut sink) {
        Ok(n) => Ok(n),
        Err(e) => Err(sink
            .error
            .take()
            .map_or(crate::Error::Encode(e), crate::Error::Io)),
    }
}

/// Adapts `io::Write` to [`Sink`]: an I/O failure is kept aside and reported as a full
/// buffer, which stops the encoder; [`to_writer`] turns it back into the I/O error.
struct WriteSink<W> {
    writer: W,
    error: Option<io::Error>,
}

impl<W: io::Write> Sink for WriteSink<W> {
    fn remaining(&self) -> usize {
        usize::MAX
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.writer.write_all(bytes).map_err(|e| {
            self.error = Some(e);
            EncodeError::BufferTooSmall {
                needed: bytes.len(),
                available: 0,
            }
        })
    }
}
