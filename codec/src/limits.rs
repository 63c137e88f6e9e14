//! Limits that make hostile input cheap to reject.
//!
//! ```
//! use phx_codec::{decode_text_with, DecodeErrorKind, DecodeLimits};
//! let limits = DecodeLimits::new().with_max_depth(3);
//! let err = decode_text_with(br#"[null,null,"t","e",{"a":[[1]]}]"#, &limits).unwrap_err();
//! assert_eq!(err.kind, DecodeErrorKind::DepthLimitExceeded);
//! ```

/// The deepest nesting any [`DecodeLimits`] can allow. The scanner tracks open containers in a
/// fixed 128-byte bit stack instead of recursing, so this is a hard cap.
pub const MAX_SUPPORTED_DEPTH: u32 = 1024;

/// Bounds applied while decoding.
///
/// The defaults accept everything a Phoenix server with default settings accepts, and nothing
/// that would make decoding expensive:
/// - nesting depth 128 (the envelope array counts as one level), as `serde_json`;
/// - frame length 10 MB (10,000,000 bytes), the largest common server default
///   (websock_adapter);
/// - exactly five envelope elements.
///
/// ```
/// use phx_codec::{decode_text_with, DecodeErrorKind, DecodeLimits};
/// let limits = DecodeLimits::new().with_max_frame_len(1024).with_max_depth(8);
/// let err = decode_text_with(&[b' '; 2048], &limits).unwrap_err();
/// assert_eq!(err.kind, DecodeErrorKind::FrameTooLarge);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DecodeLimits {
    max_depth: u32,
    max_frame_len: usize,
    allow_extra_elements: bool,
}

impl DecodeLimits {
    /// The default nesting depth.
    pub const DEFAULT_MAX_DEPTH: u32 = 128;
    /// The default maximum frame length in bytes.
    pub const DEFAULT_MAX_FRAME_LEN: usize = 10_000_000;

    /// The default limits.
    ///
    /// ```
    /// use phx_codec::DecodeLimits;
    /// let limits = DecodeLimits::new();
    /// assert_eq!(limits.max_depth(), DecodeLimits::DEFAULT_MAX_DEPTH);
    /// assert!(!limits.extra_elements_allowed());
    /// ```
    pub const fn new() -> Self {
        Self {
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_frame_len: Self::DEFAULT_MAX_FRAME_LEN,
            allow_extra_elements: false,
        }
    }

    /// Limits nesting of arrays and objects to `depth` levels, the envelope included; values
    /// above [`MAX_SUPPORTED_DEPTH`] are lowered to it.
    ///
    /// ```
    /// use phx_codec::{DecodeLimits, MAX_SUPPORTED_DEPTH};
    /// assert_eq!(DecodeLimits::new().with_max_depth(4).max_depth(), 4);
    /// assert_eq!(DecodeLimits::new().with_max_depth(u32::MAX).max_depth(), MAX_SUPPORTED_DEPTH);
    /// ```
    #[must_use]
    pub const fn with_max_depth(mut self, depth: u32) -> Self {
        self.max_depth = if depth > MAX_SUPPORTED_DEPTH {
            MAX_SUPPORTED_DEPTH
        } else {
            depth
        };
        self
    }

    /// Rejects frames longer than `len` bytes before looking at them.
    ///
    /// ```
    /// assert_eq!(phx_codec::DecodeLimits::new().with_max_frame_len(64).max_frame_len(), 64);
    /// ```
    #[must_use]
    pub const fn with_max_frame_len(mut self, len: usize) -> Self {
        self.max_frame_len = len;
        self
    }

    /// Accepts (and validates, then ignores) V2 envelope elements after the fifth, as
    /// Phoenix's own decoder does. Strict (off) by default, as the AsyncAPI contract says.
    ///
    /// ```
    /// use phx_codec::{decode_text_with, DecodeLimits};
    /// let text = br#"[null,"1","t","e",{},{"extra":true}]"#;
    /// assert!(decode_text_with(text, &DecodeLimits::new()).is_err());
    /// assert!(decode_text_with(text, &DecodeLimits::new().with_extra_elements_allowed(true)).is_ok());
    /// ```
    #[must_use]
    pub const fn with_extra_elements_allowed(mut self, allow: bool) -> Self {
        self.allow_extra_elements = allow;
        self
    }

    /// The nesting limit.
    ///
    /// ```
    /// assert_eq!(phx_codec::DecodeLimits::new().max_depth(), 128);
    /// ```
    pub const fn max_depth(&self) -> u32 {
        self.max_depth
    }

    /// The frame length limit in bytes.
    ///
    /// ```
    /// assert_eq!(phx_codec::DecodeLimits::new().max_frame_len(), 10_000_000);
    /// ```
    pub const fn max_frame_len(&self) -> usize {
        self.max_frame_len
    }

    /// Whether extra V2 envelope elements are accepted.
    ///
    /// ```
    /// assert!(phx_codec::DecodeLimits::new().with_extra_elements_allowed(true).extra_elements_allowed());
    /// ```
    pub const fn extra_elements_allowed(&self) -> bool {
        self.allow_extra_elements
    }
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self::new()
    }
}
