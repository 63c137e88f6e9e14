//! Where encoded bytes go: the [`Sink`] trait and its implementations (byte slices, counters,
//! `heapless::Vec` 0.8 or 0.9 by feature, `Vec<u8>`). Re-exported from [`encode`](crate::encode), where encoders
//! use them.

use crate::error::EncodeError;

/// A destination for encoded bytes.
///
/// Implemented for `&mut [u8]` (through [`SliceSink`]), [`LenCounter`], `Vec<u8>` (feature
/// `alloc`) and heapless' `Vec<u8, N>`: feature `heapless08` for heapless 0.8, `heapless09`
/// for heapless 0.9 (both may be on). For any other buffer, two methods suffice:
///
/// ```
/// use phx_codec::{EncodeError, encode::Sink};
///
/// /// A fixed-capacity buffer of your own (here 64 bytes on the stack).
/// struct Buf { bytes: [u8; 64], len: usize }
///
/// impl Sink for Buf {
///     fn remaining(&self) -> usize { self.bytes.len() - self.len }
///     fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
///         let (needed, available) = (bytes.len(), self.remaining());
///         let dst = self.bytes.get_mut(self.len..self.len + needed)
///             .ok_or(EncodeError::BufferTooSmall { needed, available })?;
///         dst.copy_from_slice(bytes);
///         self.len += bytes.len();
///         Ok(())
///     }
/// }
///
/// let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#)?;
/// let mut buf = Buf { bytes: [0; 64], len: 0 };
/// frame.encode(phx_codec::WireFormat::V2, phx_codec::Direction::FromClient, &mut buf)?;
/// assert_eq!(&buf.bytes[..buf.len], br#"[null,"1","phoenix","heartbeat",{}]"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With heapless 0.9 (`phx-codec = { version = "0.1", features = ["heapless09"] }`):
///
/// ```
/// # #[cfg(feature = "heapless09")] {
/// # extern crate heapless09 as heapless;
/// let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#).unwrap();
/// let mut out = heapless::Vec::<u8, 64>::new();
/// frame.encode(phx_codec::WireFormat::V2, phx_codec::Direction::FromClient, &mut out).unwrap();
/// assert_eq!(&out[..], br#"[null,"1","phoenix","heartbeat",{}]"#);
/// # }
/// ```
///
/// With heapless 0.8 (`features = ["heapless08"]`), the same code on a 0.8 `Vec`:
///
/// ```
/// # #[cfg(feature = "heapless08")] {
/// # extern crate heapless08 as heapless;
/// let frame = phx_codec::decode_text(br#"[null,"1","phoenix","heartbeat",{}]"#).unwrap();
/// let mut out = heapless::Vec::<u8, 64>::new();
/// frame.encode(phx_codec::WireFormat::V2, phx_codec::Direction::FromClient, &mut out).unwrap();
/// assert_eq!(&out[..], br#"[null,"1","phoenix","heartbeat",{}]"#);
/// # }
/// ```
pub trait Sink {
    /// How many more bytes this sink can take (`usize::MAX` when it grows). A bounded sink's
    /// room shrinks by exactly what it takes: encoders that write in one pass report the
    /// difference as the number of bytes written.
    fn remaining(&self) -> usize;

    /// Appends `bytes`, or fails with [`EncodeError::BufferTooSmall`] without writing when
    /// they do not fit.
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError>;

    /// Appends `len` bytes (of unspecified value) and returns them for the caller to fill
    /// completely, when the sink stores bytes contiguously and has room; `None` otherwise (the
    /// default), and encoders fall back to [`put`](Self::put). Encoders that know their exact
    /// length use this to write with one capacity check instead of one per piece.
    fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
        let _ = len;
        None
    }

    /// The sink's free room as one contiguous slice, lent to an encoder that writes into it
    /// and then [`commit`](Self::commit)s what it wrote (a string escaped straight into the
    /// buffer, with no capacity check per escape); empty (the default) when the sink stores
    /// bytes elsewhere, and encoders fall back to [`put`](Self::put). Bytes written there
    /// but not committed are not part of the output.
    ///
    /// ```
    /// use phx_codec::encode::{Sink, SliceSink};
    /// let mut buf = [0u8; 8];
    /// let mut sink = SliceSink::new(&mut buf);
    /// sink.put(b"ab").unwrap();
    /// let spare = sink.spare();
    /// assert_eq!(spare.len(), 6);
    /// spare[..2].copy_from_slice(b"cd");
    /// sink.commit(2);
    /// assert_eq!(sink.written(), b"abcd");
    /// ```
    fn spare(&mut self) -> &mut [u8] {
        &mut []
    }

    /// Appends the first `len` bytes of [`spare`](Self::spare), as the encoder wrote them;
    /// a `len` beyond the spare room appends only what there is. The default (for sinks
    /// with no spare room to lend) does nothing.
    fn commit(&mut self, len: usize) {
        let _ = len;
    }

    /// Whether [`spare`](Self::spare) lends all the room this sink has, so that a write that
    /// does not fit there fails instead of falling back to [`put`](Self::put) (the crate's
    /// one-pass frame writer, whose writers then need no fallback path). `false` (the
    /// default) for every other sink.
    #[doc(hidden)]
    #[inline]
    fn lends_all(&self) -> bool {
        false
    }

    /// The count of a sink that only counts ([`LenCounter`]), so that firmware builds count a
    /// string's bytes with one shared function instead of a counting copy of every string
    /// writer; `None` (the default) for every sink that stores bytes.
    #[doc(hidden)]
    #[inline]
    fn tally(&mut self) -> Option<&mut usize> {
        None
    }
}

/// Checks that `sink` can take `needed` bytes.
pub(crate) fn reserve<S: Sink + ?Sized>(sink: &S, needed: usize) -> Result<(), EncodeError> {
    let available = sink.remaining();
    if needed > available {
        Err(EncodeError::BufferTooSmall { needed, available })
    } else {
        Ok(())
    }
}

/// A cursor that writes into a borrowed byte slice.
///
/// ```
/// use phx_codec::encode::{SliceSink, WriteJson};
/// let mut buf = [0u8; 16];
/// let mut sink = SliceSink::new(&mut buf);
/// phx_codec::RawJson::parse("[1]")?.write_json(&mut sink).unwrap();
/// assert_eq!(sink.written(), b"[1]");
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
pub struct SliceSink<'b> {
    buf: &'b mut [u8],
    len: usize,
    /// Only counts, as a [`LenCounter`] does ([`SliceSink::counting`]).
    #[cfg(any(target_os = "none", test))]
    counting: bool,
}

impl core::fmt::Debug for SliceSink<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SliceSink")
            .field("buf", &self.buf)
            .field("len", &self.len)
            .finish()
    }
}

impl<'b> SliceSink<'b> {
    /// A sink writing at the start of `buf`.
    ///
    /// ```
    /// let mut buf = [0u8; 4];
    /// assert!(phx_codec::encode::SliceSink::new(&mut buf).is_empty());
    /// ```
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self {
            buf,
            len: 0,
            #[cfg(any(target_os = "none", test))]
            counting: false,
        }
    }

    /// A sink that stores nothing and counts what it is given, as a [`LenCounter`] does
    /// (the length in [`len`](Self::len)): bare metal measures an encoding with it, so that
    /// every writer is compiled once, for `SliceSink`, not a second time for a counter
    /// (`.ci/embedded-size`).
    #[cfg(any(target_os = "none", test))]
    pub(crate) fn counting() -> Self {
        Self {
            buf: &mut [],
            len: 0,
            counting: true,
        }
    }

    /// Bytes written so far.
    ///
    /// ```
    /// let mut buf = [0u8; 8];
    /// let mut sink = phx_codec::encode::SliceSink::new(&mut buf);
    /// phx_codec::encode::write_escaped(&mut sink, "ab").unwrap();
    /// assert_eq!(sink.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written yet.
    ///
    /// ```
    /// use phx_codec::encode::{SliceSink, Sink};
    /// let mut buf = [0u8; 2];
    /// let mut sink = SliceSink::new(&mut buf);
    /// assert!(sink.put(b"too long").is_err());
    /// assert!(sink.is_empty()); // a failed put writes nothing
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written so far.
    ///
    /// ```
    /// let mut buf = [0u8; 8];
    /// let mut sink = phx_codec::encode::SliceSink::new(&mut buf);
    /// phx_codec::encode::write_json_str(&mut sink, "a\"b".into()).unwrap();
    /// assert_eq!(sink.written(), br#""a\"b""#);
    /// ```
    pub fn written(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

impl Sink for SliceSink<'_> {
    fn remaining(&self) -> usize {
        #[cfg(any(target_os = "none", test))]
        if self.counting {
            return usize::MAX - self.len;
        }
        self.buf.len() - self.len
    }

    // Bare metal: one copy, called (a call is smaller than the copy inlined at each site).
    #[cfg_attr(not(target_os = "none"), inline)]
    #[cfg_attr(target_os = "none", inline(never))]
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        #[cfg(any(target_os = "none", test))]
        if self.counting {
            self.len = self.len.saturating_add(bytes.len());
            return Ok(());
        }
        let end = self.len + bytes.len();
        match self.buf.get_mut(self.len..end) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                self.len = end;
                Ok(())
            }
            None => Err(EncodeError::BufferTooSmall {
                needed: bytes.len(),
                available: self.remaining(),
            }),
        }
    }

    #[inline]
    fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
        let end = self.len.checked_add(len)?;
        let claimed = self.buf.get_mut(self.len..end)?;
        self.len = end;
        Some(claimed)
    }

    #[inline]
    fn spare(&mut self) -> &mut [u8] {
        self.buf.get_mut(self.len..).unwrap_or_default()
    }

    #[inline]
    fn commit(&mut self, len: usize) {
        self.len = self.len.saturating_add(len).min(self.buf.len());
    }

    // A counting slice (bare metal's measure) counts strings as a `LenCounter` does. (Its
    // `spare` and `claim` lend nothing: its slice is empty.)
    #[cfg(any(target_os = "none", test))]
    #[inline]
    fn tally(&mut self) -> Option<&mut usize> {
        if self.counting {
            Some(&mut self.len)
        } else {
            None
        }
    }
}

/// The room an encoder writes a whole frame into in one pass, once an upper bound of its
/// length fits ([`encode_exact`](crate::encode)): the unwritten rest of a buffer, which every
/// write shortens from the front. Its position lives in the slice itself, so a frame writer
/// inlined whole keeps it in registers; it lends all its room ([`Sink::lends_all`]), so the
/// writers take no fallback path that would need its address.
#[derive(Debug)]
#[cfg_attr(
    not(any(test, all(target_arch = "x86_64", target_feature = "sse2"))),
    allow(dead_code)
)]
pub(crate) struct Room<'b> {
    rest: &'b mut [u8],
}

#[cfg_attr(
    not(any(test, all(target_arch = "x86_64", target_feature = "sse2"))),
    allow(dead_code)
)]
impl<'b> Room<'b> {
    /// Room over all of `buf`.
    #[inline]
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Self { rest: buf }
    }
}

impl Sink for Room<'_> {
    #[inline]
    fn remaining(&self) -> usize {
        self.rest.len()
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        let available = self.rest.len();
        if bytes.len() > available {
            return Err(EncodeError::BufferTooSmall {
                needed: bytes.len(),
                available,
            });
        }
        let (dst, tail) = core::mem::take(&mut self.rest).split_at_mut(bytes.len());
        dst.copy_from_slice(bytes);
        self.rest = tail;
        Ok(())
    }

    #[inline]
    fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
        if len > self.rest.len() {
            return None;
        }
        let (claimed, tail) = core::mem::take(&mut self.rest).split_at_mut(len);
        self.rest = tail;
        Some(claimed)
    }

    #[inline]
    fn spare(&mut self) -> &mut [u8] {
        self.rest
    }

    #[inline]
    fn commit(&mut self, len: usize) {
        let rest = core::mem::take(&mut self.rest);
        let at = len.min(rest.len());
        self.rest = rest.get_mut(at..).unwrap_or_default();
    }

    #[inline]
    fn lends_all(&self) -> bool {
        true
    }
}

/// A sink that only counts: the exact length of an encoding.
///
/// ```
/// use phx_codec::encode::{LenCounter, WriteJson};
/// let mut counter = LenCounter::default();
/// phx_codec::RawJson::parse(r#"{"a":[1,2]}"#)?.write_json(&mut counter).unwrap();
/// assert_eq!(counter.len, 11);
/// # Ok::<(), phx_codec::DecodeError>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct LenCounter {
    /// Bytes counted so far.
    pub len: usize,
}

impl Sink for LenCounter {
    fn remaining(&self) -> usize {
        usize::MAX - self.len
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.len = self.len.saturating_add(bytes.len());
        Ok(())
    }

    #[inline]
    fn tally(&mut self) -> Option<&mut usize> {
        Some(&mut self.len)
    }
}

/// `Sink` for one major version of heapless' `Vec<u8, N>`.
macro_rules! heapless_sink {
    ($feature:literal, $heapless:ident) => {
        #[cfg(feature = $feature)]
        impl<const N: usize> Sink for $heapless::Vec<u8, N> {
            fn remaining(&self) -> usize {
                N - self.len()
            }

            fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
                let available = N - self.len();
                self.extend_from_slice(bytes)
                    .map_err(|_| EncodeError::BufferTooSmall {
                        needed: bytes.len(),
                        available,
                    })
            }

            fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
                let start = self.len();
                self.resize(start.checked_add(len)?, 0).ok()?;
                self.get_mut(start..)
            }
        }
    };
}

heapless_sink!("heapless08", heapless08);
heapless_sink!("heapless09", heapless09);

#[cfg(feature = "alloc")]
impl Sink for alloc::vec::Vec<u8> {
    fn remaining(&self) -> usize {
        usize::MAX - self.len()
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.extend_from_slice(bytes);
        Ok(())
    }

    fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
        let start = self.len();
        self.resize(start.checked_add(len)?, 0);
        self.get_mut(start..)
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn remaining(&self) -> usize {
        (**self).remaining()
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        (**self).put(bytes)
    }

    fn claim(&mut self, len: usize) -> Option<&mut [u8]> {
        (**self).claim(len)
    }

    fn spare(&mut self) -> &mut [u8] {
        (**self).spare()
    }

    fn commit(&mut self, len: usize) {
        (**self).commit(len);
    }

    fn lends_all(&self) -> bool {
        (**self).lends_all()
    }

    fn tally(&mut self) -> Option<&mut usize> {
        (**self).tally()
    }
}
