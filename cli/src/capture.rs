//! Reading a capture: one frame per line, text (`[…]` V2, `{…}` V1) or binary (`hex:…`,
//! `base64:…`); blank lines and `#` comments are skipped but counted.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;

use phx_codec::{DecodeError, DecodeLimits, Direction, Frame, WireFormat, binary, decode_text, v1};

use crate::base64::{self, Base64Error};
use crate::hex::{self, HexError};
use crate::output::Output;
use crate::progress::Progress;

/// The UTF-8 byte order mark some editors put at the start of a text file.
pub(crate) const BOM: &[u8] = b"\xef\xbb\xbf";

/// Where a capture comes from: a file or standard input.
pub(crate) struct Input {
    reader: BufReader<Box<dyn Read>>,
    /// The file's length when known (for the progress bar).
    len: Option<u64>,
}

impl Input {
    /// Opens `path`; `None` or `-` reads standard input.
    pub(crate) fn open(path: Option<&Path>) -> io::Result<Self> {
        match path {
            None => Ok(Self::stdin()),
            Some(p) if p.as_os_str() == "-" => Ok(Self::stdin()),
            Some(p) => {
                let file = File::open(p)?;
                let meta = file.metadata()?;
                if meta.is_dir() {
                    return Err(io::Error::other("is a directory"));
                }
                Ok(Self {
                    reader: BufReader::with_capacity(1 << 16, Box::new(file)),
                    len: Some(meta.len()),
                })
            }
        }
    }

    fn stdin() -> Self {
        Self {
            reader: BufReader::with_capacity(1 << 16, Box::new(io::stdin().lock())),
            len: None,
        }
    }

    /// Calls `f` with each line's 1-based number and the line (without `\n` or `\r\n`), in
    /// order. Memory stays bounded: at most [`MAX_LINE`] bytes of a line are kept.
    ///
    /// `out` is flushed whenever the next read may wait for input (so a live pipeline sees
    /// every result as soon as its line is in, while a file is written in large blocks), and
    /// after every line when it asks for that. A UTF-8 byte order mark at the very start is
    /// skipped, with a note on standard error.
    pub(crate) fn for_each_line(
        mut self,
        out: &mut Output,
        mut f: impl FnMut(u64, Line<'_>, &mut Output) -> io::Result<()>,
    ) -> io::Result<()> {
        let progress = Progress::for_input(self.len);
        let mut buf = Vec::new();
        let mut number = 0u64;
        loop {
            buf.clear();
            let (read, too_long) = read_line(&mut self.reader, &mut buf, MAX_LINE, || out.flush())?;
            if read == 0 {
                break;
            }
            number += 1;
            progress.advance(read);
            let mut bytes = buf.strip_suffix(b"\n").unwrap_or(&buf);
            bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            if number == 1
                && let Some(rest) = bytes.strip_prefix(BOM)
            {
                bytes = rest;
                let _ = writeln!(
                    io::stderr(),
                    "phx: note: the input starts with a UTF-8 byte order mark (EF BB BF); it was \
                     skipped, and byte offsets on line 1 count from after it"
                );
            }
            f(number, Line { bytes, too_long }, out)?;
            out.end_of_line()?;
        }
        progress.finish();
        Ok(())
    }

    /// Reads everything (for tests of small inputs).
    #[cfg(test)]
    pub(crate) fn from_bytes(bytes: &'static [u8]) -> Self {
        Self {
            reader: BufReader::new(Box::new(bytes)),
            len: Some(bytes.len() as u64),
        }
    }
}

/// The longest line kept: room for the largest frame the codec accepts by default, written
/// as hex (two digits a byte) behind its prefix. Longer lines fail as `line_too_long` without
/// being held in memory.
pub(crate) const MAX_LINE: usize = 2 * DecodeLimits::DEFAULT_MAX_FRAME_LEN + 64;

/// One line of a capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// The line's bytes, without its line end (only the first [`MAX_LINE`] when too long).
    pub(crate) bytes: &'a [u8],
    /// Whether the line was longer than [`MAX_LINE`].
    pub(crate) too_long: bool,
}

/// Reads up to and including the next `\n` (or to the end of input), keeping at most `cap`
/// bytes in `buf`; calls `before_wait` before each read that goes past what is buffered.
/// Returns the bytes consumed and whether some were dropped.
fn read_line<R: Read>(
    reader: &mut BufReader<R>,
    buf: &mut Vec<u8>,
    cap: usize,
    mut before_wait: impl FnMut() -> io::Result<()>,
) -> io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut too_long = false;
    loop {
        if reader.buffer().is_empty() {
            before_wait()?;
        }
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((consumed, too_long));
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(end) => (&available[..=end], true),
            None => (available, false),
        };
        let room = cap.saturating_sub(buf.len());
        if chunk.len() > room {
            too_long = true;
        }
        buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let n = chunk.len();
        reader.consume(n);
        consumed += n;
        if done {
            return Ok((consumed, too_long));
        }
    }
}

/// What a capture line holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineKind<'a> {
    /// Blank, or a `#` comment.
    Skip,
    /// A JSON text frame: V2 when it starts with `[`, V1 with `{`.
    Text(WireFormat),
    /// `hex:` followed by the frame's bytes; `data_at` is where the digits start.
    Hex { data: &'a [u8], data_at: usize },
    /// `base64:` followed by the frame's bytes.
    Base64 { data: &'a [u8], data_at: usize },
    /// Anything else.
    Unrecognized,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Classifies a line by its first non-blank bytes.
pub(crate) fn classify(line: &[u8]) -> LineKind<'_> {
    let start = line
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(line.len());
    let rest = &line[start..];
    let binary = |prefix: &[u8]| {
        rest.strip_prefix(prefix).map(|data| {
            let data_at = start + prefix.len();
            let end = data
                .iter()
                .rposition(|&b| !is_space(b))
                .map_or(0, |i| i + 1);
            (&data[..end], data_at)
        })
    };
    match rest.first() {
        None | Some(b'#') => LineKind::Skip,
        Some(b'[') => LineKind::Text(WireFormat::V2),
        Some(b'{') => LineKind::Text(WireFormat::V1),
        Some(_) => {
            if let Some((data, data_at)) = binary(b"hex:") {
                LineKind::Hex { data, data_at }
            } else if let Some((data, data_at)) = binary(b"base64:") {
                LineKind::Base64 { data, data_at }
            } else {
                LineKind::Unrecognized
            }
        }
    }
}

/// Why a line did not give a frame: the `kind`, `offset` and `message` of the JSON output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    /// A stable snake_case name: a [`phx_codec::DecodeErrorKind::name`], or one of the CLI's
    /// own (`unrecognized_line`, `invalid_hex`, `invalid_base64`, …).
    pub(crate) kind: &'static str,
    /// Byte offset: into the line for text frames and hex/base64 text, into the decoded bytes
    /// for binary frames.
    pub(crate) offset: usize,
    /// A sentence a person can act on.
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(kind: &'static str, offset: usize, message: impl Into<String>) -> Self {
        Self {
            kind,
            offset,
            message: message.into(),
        }
    }
}

impl From<DecodeError> for Failure {
    fn from(e: DecodeError) -> Self {
        Self::new(e.kind.name(), e.offset, e.to_string())
    }
}

/// A frame decoded from a line, and the wire form it came in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decoded<'a> {
    pub(crate) format: WireFormat,
    pub(crate) frame: Frame<'a>,
}

/// Decodes one capture line. `None` for skipped lines. Binary frames are first turned into
/// bytes in `scratch`, then decoded as sent in `direction`.
pub(crate) fn decode_line<'a>(
    line: Line<'a>,
    scratch: &'a mut Vec<u8>,
    direction: Direction,
) -> Option<Result<Decoded<'a>, Failure>> {
    let kind = classify(line.bytes);
    if kind != LineKind::Skip && line.too_long {
        return Some(Err(Failure::new(
            "line_too_long",
            MAX_LINE,
            format!("line longer than {MAX_LINE} bytes: longer than any frame the codec accepts"),
        )));
    }
    let line = line.bytes;
    let result = match kind {
        LineKind::Skip => return None,
        LineKind::Text(format @ WireFormat::V1) => v1::decode_v1(line)
            .map(|frame| Decoded { format, frame })
            .map_err(Failure::from),
        LineKind::Text(format) => decode_text(line)
            .map(|frame| Decoded { format, frame })
            .map_err(Failure::from),
        LineKind::Hex { data, data_at } => {
            scratch.clear();
            match hex::decode(data, scratch) {
                Ok(()) => decode_bytes(scratch, direction),
                Err(HexError::InvalidDigit(at)) => Err(Failure::new(
                    "invalid_hex",
                    data_at + at,
                    format!("invalid hex digit at byte {}", data_at + at),
                )),
                Err(HexError::OddLength(at)) => Err(Failure::new(
                    "invalid_hex",
                    data_at + at,
                    format!(
                        "odd number of hex digits (the line ends at byte {})",
                        data_at + at
                    ),
                )),
            }
        }
        LineKind::Base64 { data, data_at } => {
            scratch.clear();
            match base64::decode(data, scratch) {
                Ok(()) => decode_bytes(scratch, direction),
                Err(Base64Error::InvalidCharacter(at)) => Err(Failure::new(
                    "invalid_base64",
                    data_at + at,
                    format!("invalid base64 character at byte {}", data_at + at),
                )),
                Err(Base64Error::Truncated(at)) => Err(Failure::new(
                    "invalid_base64",
                    data_at + at,
                    format!("base64 data ends inside a byte at byte {}", data_at + at),
                )),
            }
        }
        LineKind::Unrecognized if line.starts_with(BOM) => Err(Failure::new(
            "unrecognized_line",
            0,
            "not a frame: the line starts with a UTF-8 byte order mark (EF BB BF); remove it \
             (only one at the very start of the input is skipped)",
        )),
        LineKind::Unrecognized => Err(Failure::new(
            "unrecognized_line",
            0,
            "not a frame: a line must start with `[` (V2), `{` (V1), `hex:` or `base64:` (binary), or `#` (comment)",
        )),
    };
    Some(result)
}

fn decode_bytes(bytes: &[u8], direction: Direction) -> Result<Decoded<'_>, Failure> {
    binary::decode_binary(bytes, direction)
        .map(|frame| Decoded {
            format: WireFormat::Binary,
            frame,
        })
        .map_err(Failure::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(bytes: &[u8]) -> Line<'_> {
        Line {
            bytes,
            too_long: false,
        }
    }

    #[test]
    fn classifies_every_kind_of_line() {
        assert_eq!(classify(b""), LineKind::Skip);
        assert_eq!(classify(b"  \t"), LineKind::Skip);
        assert_eq!(classify(b"# phase 1"), LineKind::Skip);
        assert_eq!(classify(b"[null]"), LineKind::Text(WireFormat::V2));
        assert_eq!(classify(b" {}"), LineKind::Text(WireFormat::V1));
        assert_eq!(
            classify(b"hex:00ff "),
            LineKind::Hex {
                data: b"00ff",
                data_at: 4
            }
        );
        assert_eq!(
            classify(b"base64:AAE="),
            LineKind::Base64 {
                data: b"AAE=",
                data_at: 7
            }
        );
        assert_eq!(classify(b"hello"), LineKind::Unrecognized);
    }

    #[test]
    fn decodes_a_binary_push_given_as_hex_or_base64() {
        // kind 0 from a client: join_ref "1", ref "2", topic "t", event "e", payload 0xff.
        let mut scratch = Vec::new();
        let hex = decode_line(
            whole(b"hex:0001010101313274 65ff"),
            &mut scratch,
            Direction::FromClient,
        );
        assert!(matches!(
            hex,
            Some(Err(Failure {
                kind: "invalid_hex",
                offset: 20,
                ..
            }))
        ));
        let hex = decode_line(
            whole(b"hex:000101010131327465ff"),
            &mut scratch,
            Direction::FromClient,
        )
        .unwrap()
        .unwrap();
        assert_eq!(hex.format, WireFormat::Binary);
        assert_eq!(hex.frame.topic(), "t");
        let mut scratch2 = Vec::new();
        let b64 = decode_line(
            whole(b"base64:AAEBAQExMnRl/w=="),
            &mut scratch2,
            Direction::FromClient,
        )
        .unwrap()
        .unwrap();
        assert_eq!(b64.frame, hex.frame);
    }

    #[test]
    fn numbers_lines_from_one_and_strips_line_ends() {
        let mut seen = Vec::new();
        let mut out = Output::new(Box::new(io::sink()), false);
        Input::from_bytes(b"a\r\n\nb")
            .for_each_line(&mut out, |n, line, _| {
                seen.push((n, line.bytes.to_vec()));
                Ok(())
            })
            .unwrap();
        assert_eq!(
            seen,
            [(1, b"a".to_vec()), (2, Vec::new()), (3, b"b".to_vec())]
        );
    }

    #[test]
    fn a_line_over_the_cap_is_cut_and_flagged_and_the_next_line_is_whole() {
        let input: &[u8] = b"0123456789\nabc\n";
        let mut reader = io::BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        let mut waits = 0;
        let mut wait = || {
            waits += 1;
            Ok(())
        };
        assert_eq!(
            read_line(&mut reader, &mut buf, 5, &mut wait).unwrap(),
            (11, true)
        );
        assert_eq!(buf, b"01234");
        buf.clear();
        assert_eq!(
            read_line(&mut reader, &mut buf, 5, &mut wait).unwrap(),
            (4, false)
        );
        assert_eq!(buf, b"abc\n");
        buf.clear();
        assert_eq!(
            read_line(&mut reader, &mut buf, 5, &mut wait).unwrap(),
            (0, false)
        );
        // 15 bytes through a 4-byte buffer: 4 refills, and one more to see the end.
        assert_eq!(waits, 5);
    }

    #[test]
    fn a_line_too_long_for_any_frame_is_a_failure_but_a_long_comment_is_not() {
        let mut scratch = Vec::new();
        let long = Line {
            bytes: b"[null",
            too_long: true,
        };
        assert!(matches!(
            decode_line(long, &mut scratch, Direction::FromClient),
            Some(Err(Failure {
                kind: "line_too_long",
                ..
            }))
        ));
        let comment = Line {
            bytes: b"# long",
            too_long: true,
        };
        assert!(decode_line(comment, &mut scratch, Direction::FromClient).is_none());
    }
}
