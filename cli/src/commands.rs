//! `decode`, `encode`, `validate` and `convert`: line in, line out.

use std::io::{self, Write};

use phx_codec::{Direction, Frame, WireFormat};

use crate::capture::{Failure, Input, LineKind, MAX_LINE, classify, decode_line};
use crate::filter::Filter;
use crate::json::{RecordScratch, parse_record, put_error_record, put_frame_record};
use crate::output::Output;
use crate::transcode::{BinaryText, put_line};

/// What a run found: lines that failed make the exit status 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Lines read (blank and comment lines included).
    pub(crate) lines: u64,
    /// Lines that held a frame (decoded or written).
    pub(crate) frames: u64,
    /// Lines that failed.
    pub(crate) failures: u64,
}

/// Reports a failed line on standard error (for commands whose standard output is frames).
/// A closed standard error is no reason to stop (unlike `eprintln!`, this never panics).
fn report(line: u64, failure: &Failure) {
    let _ = writeln!(
        io::stderr(),
        "phx: line {line}: {} ({})",
        failure.message,
        failure.kind
    );
}

/// Reports on standard error what a frame lost in `to` (the line is still written).
fn warn(line: u64, to: WireFormat, losses: &[String]) {
    if !losses.is_empty() {
        let _ = writeln!(
            io::stderr(),
            "phx: line {line}: warning: a {} frame cannot carry this one exactly: {}",
            to.name(),
            losses.join("; ")
        );
    }
}

/// Writes `decode`'s records: one per frame that passes the filter, one per failure.
///
/// Independent of where frames come from: a capture's lines here, the messages `phx listen`
/// receives (numbered in arrival order) in [`crate::listen`].
pub(crate) struct RecordWriter<'f> {
    filter: &'f Filter,
    record: Vec<u8>,
}

impl<'f> RecordWriter<'f> {
    pub(crate) fn new(filter: &'f Filter) -> Self {
        Self {
            filter,
            record: Vec::new(),
        }
    }

    /// Writes frame number `number`'s record if it passes the filter; returns whether it did.
    pub(crate) fn frame(
        &mut self,
        out: &mut Output,
        number: u64,
        format: WireFormat,
        frame: &Frame<'_>,
    ) -> io::Result<bool> {
        if !self.filter.matches(frame) {
            return Ok(false);
        }
        self.record.clear();
        put_frame_record(&mut self.record, number, format, frame);
        out.write_all(&self.record)?;
        Ok(true)
    }

    /// Writes the error record of number `number` (failures are never filtered out).
    pub(crate) fn failure(
        &mut self,
        out: &mut Output,
        number: u64,
        failure: &Failure,
    ) -> io::Result<()> {
        self.record.clear();
        put_error_record(&mut self.record, number, failure);
        out.write_all(&self.record)
    }
}

/// `phx decode`: one JSON record per frame line that passes `filter`, and per failed line.
pub(crate) fn decode(
    input: Input,
    direction: Direction,
    filter: &Filter,
    out: &mut Output,
) -> io::Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut scratch = Vec::new();
    let mut records = RecordWriter::new(filter);
    input.for_each_line(out, |number, line, out| {
        outcome.lines = number;
        match decode_line(line, &mut scratch, direction) {
            None => Ok(()),
            Some(Ok(decoded)) => {
                if records.frame(out, number, decoded.format, &decoded.frame)? {
                    outcome.frames += 1;
                }
                Ok(())
            }
            Some(Err(failure)) => {
                outcome.failures += 1;
                records.failure(out, number, &failure)
            }
        }
    })?;
    Ok(outcome)
}

/// `phx validate`: only the errors, then a summary line.
pub(crate) fn validate(
    input: Input,
    direction: Direction,
    out: &mut Output,
) -> io::Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut scratch = Vec::new();
    input.for_each_line(out, |number, line, out| {
        outcome.lines = number;
        match decode_line(line, &mut scratch, direction) {
            None => Ok(()),
            Some(Ok(_)) => {
                outcome.frames += 1;
                Ok(())
            }
            Some(Err(failure)) => {
                outcome.failures += 1;
                writeln!(out, "line {number}: {} ({})", failure.message, failure.kind)
            }
        }
    })?;
    let valid = outcome.frames;
    let invalid = outcome.failures;
    let skipped = outcome.lines - valid - invalid;
    writeln!(
        out,
        "{}: {valid} valid, {invalid} invalid, {skipped} blank or comment ({} lines)",
        if invalid == 0 { "ok" } else { "FAILED" },
        outcome.lines
    )?;
    Ok(outcome)
}

/// `phx convert`: every frame in `to`; blank and comment lines are kept, failed lines
/// reported on standard error and left out.
pub(crate) fn convert(
    input: Input,
    to: WireFormat,
    direction: Direction,
    binary_text: BinaryText,
    out: &mut Output,
) -> io::Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut scratch = Vec::new();
    let mut buf = Vec::new();
    input.for_each_line(out, |number, line, out| {
        outcome.lines = number;
        buf.clear();
        let result = match decode_line(line, &mut scratch, direction) {
            None => {
                buf.extend_from_slice(line.bytes);
                buf.push(b'\n');
                Ok(Vec::new())
            }
            Some(Ok(decoded)) => put_line(
                &mut buf,
                &decoded.frame,
                decoded.format,
                to,
                direction,
                binary_text,
            ),
            Some(Err(failure)) => Err(failure),
        };
        match result {
            Ok(losses) => {
                outcome.frames += u64::from(classify(line.bytes) != LineKind::Skip);
                out.write_all(&buf)?;
                warn(number, to, &losses);
                Ok(())
            }
            Err(failure) => {
                outcome.failures += 1;
                report(number, &failure);
                Ok(())
            }
        }
    })?;
    Ok(outcome)
}

/// `phx encode`: `decode`'s records back to frames, in each record's format or in `format`.
pub(crate) fn encode(
    input: Input,
    format: Option<WireFormat>,
    direction: Direction,
    binary_text: BinaryText,
    out: &mut Output,
) -> io::Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut scratch = RecordScratch::default();
    let mut buf = Vec::new();
    input.for_each_line(out, |number, line, out| {
        outcome.lines = number;
        if classify(line.bytes) == LineKind::Skip {
            return Ok(());
        }
        buf.clear();
        let text = if line.too_long {
            Err(Failure::new(
                "line_too_long",
                MAX_LINE,
                format!("line longer than {MAX_LINE} bytes"),
            ))
        } else {
            std::str::from_utf8(line.bytes).map_err(|e| {
                Failure::new(
                    "invalid_utf8",
                    e.valid_up_to(),
                    format!("invalid UTF-8 at byte {}", e.valid_up_to()),
                )
            })
        };
        let result = text
            .and_then(|text| parse_record(text, &mut scratch))
            .and_then(|(own, frame)| {
                let to = format.unwrap_or(own);
                put_line(&mut buf, &frame, own, to, direction, binary_text)
                    .map(|losses| (to, losses))
            });
        match result {
            Ok((to, losses)) => {
                outcome.frames += 1;
                out.write_all(&buf)?;
                warn(number, to, &losses);
                Ok(())
            }
            Err(failure) => {
                outcome.failures += 1;
                report(number, &failure);
                Ok(())
            }
        }
    })?;
    Ok(outcome)
}
