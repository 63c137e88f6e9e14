//! Where a command's results go, and when they reach the reader.
//!
//! Output is buffered, and flushed whenever the input would make `phx` wait (see
//! [`crate::capture::Input::for_each_line`]): a live pipeline (`websocat … | phx decode | jq`)
//! sees each result as soon as its line is in, and a large file is still written in large
//! blocks. `--line-buffered`, or standard output being a terminal, also flushes after every
//! line, so standard output and standard error (warnings) interleave in order.

use std::io::{self, Write};

/// A command's standard output.
pub(crate) struct Output {
    writer: Box<dyn Write>,
    every_line: bool,
}

impl Output {
    /// Writes to `writer`; flushes after every line when `every_line`.
    pub(crate) fn new(writer: Box<dyn Write>, every_line: bool) -> Self {
        Self { writer, every_line }
    }

    /// Called after each input line's results are written.
    pub(crate) fn end_of_line(&mut self) -> io::Result<()> {
        if self.every_line {
            self.writer.flush()
        } else {
            Ok(())
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}
