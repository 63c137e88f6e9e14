//! `phx inspect`: one row per frame line, then a summary; as a table for people, or as JSON
//! or CSV for programs.
//!
//! In the table, text from the capture is [cleaned](crate::display::clean) (a capture is
//! untrusted: it must not drive or fool the terminal), UUIDs are shortened to their first 8
//! digits, and long values cut with `…` to columns measured in terminal cells. JSON and CSV
//! carry the text as it is (decoded, whole).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use phx_codec::JsonStr;
use std::io::{self, Write};

use phx_codec::{Direction, Event, Frame, JsonKind, Payload, RawJson, Topic, WireFormat};

use crate::capture::{Failure, Input, decode_line};
use crate::commands::Outcome;
use crate::display::{clean, fit, show, width, wrap};
use crate::filter::Filter;
use crate::json::{message_name, put_str};
use crate::output::Output;

const TOPIC_WIDTH: usize = 28;
const EVENT_WIDTH: usize = 20;
const DETAIL_WIDTH: usize = 52;
/// Summary lines wrap at this column.
const SUMMARY_WIDTH: usize = 100;
/// Distinct event names counted one by one; more are pooled (hostile captures stay small).
const MAX_NAMES: usize = 256;

/// The table's colours. They are always written: the output stream (`anstream`) drops them
/// unless colour is wanted (`--color`, NO_COLOR, CLICOLOR_FORCE, a terminal).
mod colors {
    use anstyle::{AnsiColor, Effects, Style};

    pub(super) const PLAIN: Style = Style::new();
    pub(super) const BOLD: Style = Style::new().effects(Effects::BOLD);
    pub(super) const DIM: Style = Style::new().effects(Effects::DIMMED);
    pub(super) const CLIENT: Style =
        Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));
    pub(super) const SERVER: Style =
        Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Magenta)));
    pub(super) const SHOUT: Style = Style::new()
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)))
        .effects(Effects::BOLD);
    pub(super) const WARN: Style =
        Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
    pub(super) const ERROR: Style =
        Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
    pub(super) const ERROR_BOLD: Style = ERROR.effects(Effects::BOLD);
}

/// `text` in `style` (nothing added for the plain style).
fn paint(style: anstyle::Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Who sent a frame. Text frames do not say, so it is inferred: replies, closes, errors,
/// presence and anything without a ref (broadcasts, server pushes) come from the server.
/// Binary frames were decoded as sent by `direction`.
pub(crate) fn sender(frame: &Frame<'_>, format: WireFormat, direction: Direction) -> Direction {
    if format == WireFormat::Binary {
        return direction;
    }
    let server_event = matches!(
        frame.event_kind(),
        Event::Reply | Event::Close | Event::Error | Event::PresenceState | Event::PresenceDiff
    );
    if server_event || frame.reference().is_none() {
        Direction::FromServer
    } else {
        Direction::FromClient
    }
}

/// A JSON value in a few characters: strings as their text, containers as `{…}`/`[n]`.
fn brief(value: RawJson<'_>) -> String {
    match value.kind() {
        JsonKind::String => value
            .as_json_str()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        JsonKind::Object if value.members().is_some_and(|mut m| m.next().is_none()) => {
            "{}".to_owned()
        }
        JsonKind::Object => "{…}".to_owned(),
        JsonKind::Array => format!("[{}]", value.items().map_or(0, Iterator::count)),
        _ => value.as_str().to_owned(),
    }
}

/// An object as `key=value, …`; anything else as its brief form.
fn members_brief(value: RawJson<'_>) -> String {
    match value.members() {
        Some(members) => {
            let mut out = String::new();
            for (key, v) in members {
                // As many members as the table shows (and one more, to be cut with `…`).
                if width(&show(&out)) > DETAIL_WIDTH {
                    break;
                }
                if !out.is_empty() {
                    out.push_str(", ");
                }
                let _ = write!(out, "{key}={}", brief(v));
            }
            out
        }
        None => brief(value),
    }
}

fn keys(value: Option<RawJson<'_>>) -> Vec<String> {
    value
        .and_then(|v| v.members())
        .map(|m| m.map(|(k, _)| k.to_string()).collect())
        .unwrap_or_default()
}

fn non_null(value: Option<RawJson<'_>>) -> bool {
    value.is_some_and(|v| !v.is_null())
}

/// The message's key fields, for the DETAIL column: capture text as it is (the table
/// [shows](show) it, cleaned and shortened).
pub(crate) fn detail(frame: &Frame<'_>) -> String {
    let raw = match frame.payload() {
        Payload::Json(raw) => raw,
        Payload::Binary(bytes) => return format!("binary payload, {}", byte_count(bytes.len())),
        Payload::BinaryReply { status, response } => {
            return format!("{} binary response, {}", status, byte_count(response.len()));
        }
    };
    let get = |key| frame.payload_get(key);
    match frame.event_kind() {
        Event::Shout => {
            let from = if get("type")
                .and_then(|t| t.as_json_str())
                .is_some_and(|t| t == "bot")
            {
                "bot: "
            } else if non_null(get("user_id")) {
                "agent: "
            } else if non_null(get("customer_id")) {
                "customer: "
            } else if matches!(frame.topic_kind(), Topic::Notification { .. }) {
                // Only agents push on notification: (the dashboard's composer).
                "agent: "
            } else {
                ""
            };
            match get("body").and_then(|b| b.as_json_str()) {
                Some(body) => format!("{from}\"{body}\""),
                None => format!("{from}{}", members_brief(raw)),
            }
        }
        Event::Reply => {
            let status = get("status").map_or_else(|| "-".to_owned(), brief);
            match get("response") {
                Some(r) if r.members().is_some_and(|mut m| m.next().is_none()) => status,
                Some(r) => format!("{status} {}", members_brief(r)),
                None => status,
            }
        }
        Event::PresenceState => {
            let present = keys(Some(raw));
            format!("{} present: {}", present.len(), present.join(", "))
        }
        Event::PresenceDiff => {
            let joins = keys(get("joins"));
            let leaves = keys(get("leaves"));
            let mut parts: Vec<String> = joins.iter().map(|k| format!("+{k}")).collect();
            parts.extend(leaves.iter().map(|k| format!("-{k}")));
            if parts.is_empty() {
                "no change".to_owned()
            } else {
                parts.join(" ")
            }
        }
        _ => members_brief(raw),
    }
}

fn byte_count(n: usize) -> String {
    if n == 1 {
        "1 byte".to_owned()
    } else {
        format!("{} bytes", thousands(n as u64))
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Counts by name, most frequent first (ties by name).
#[derive(Default)]
struct Tally {
    counts: BTreeMap<String, u64>,
    pooled: u64,
}

impl Tally {
    fn add(&mut self, name: &str) {
        if let Some(n) = self.counts.get_mut(name) {
            *n += 1;
        } else if self.counts.len() < MAX_NAMES {
            self.counts.insert(name.to_owned(), 1);
        } else {
            self.pooled += 1;
        }
    }

    fn sorted(&self) -> Vec<(&str, u64)> {
        let mut sorted: Vec<(&str, u64)> =
            self.counts.iter().map(|(k, &n)| (k.as_str(), n)).collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        sorted
    }

    /// `name n, name n, …` with names [shown](show) for people.
    fn line(&self) -> String {
        if self.counts.is_empty() && self.pooled == 0 {
            return "-".to_owned();
        }
        let mut parts: Vec<String> = self
            .sorted()
            .iter()
            .map(|(k, n)| format!("{} {n}", show(k)))
            .collect();
        if self.pooled > 0 {
            parts.push(format!("(more names) {}", self.pooled));
        }
        parts.join(", ")
    }

    /// A JSON object `{"name":n,…}`, most frequent first.
    fn put_json(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        for (i, (name, n)) in self.sorted().into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            put_str(out, JsonStr::literal(name));
            out.extend_from_slice(format!(":{n}").as_bytes());
        }
        out.push(b'}');
    }
}

#[derive(Default)]
struct Summary {
    events: Tally,
    topics: Tally,
    formats: Tally,
    senders: Tally,
    errors: Tally,
    /// Frames whose JSON payload does not fit their event's typed message.
    misfits: u64,
    /// Frames left out by `--topic`/`--event`.
    filtered: u64,
    bytes: u64,
    largest: u64,
}

/// How `phx inspect` writes what it found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum InspectFormat {
    /// A table and a summary, for people
    Table,
    /// JSON Lines: an object per frame line, then a summary object
    Json,
    /// CSV (RFC 4180): a header row, then a row per frame line; no summary
    Csv,
}

/// One frame line that decoded.
struct Row<'a> {
    number: u64,
    from: Direction,
    format: WireFormat,
    frame: Frame<'a>,
    bytes: u64,
    /// Why a JSON payload does not fit its event's typed message (`decode` says "other").
    untyped: Option<String>,
}

/// `phx inspect`.
pub(crate) fn inspect(
    input: Input,
    direction: Direction,
    filter: &Filter,
    format: InspectFormat,
    out: &mut Output,
) -> io::Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut summary = Summary::default();
    let mut scratch = Vec::new();
    match format {
        InspectFormat::Table => table_header(out)?,
        InspectFormat::Csv => out.write_all(CSV_HEADER.as_bytes())?,
        InspectFormat::Json => {}
    }
    input.for_each_line(out, |number, line, out| {
        outcome.lines = number;
        match decode_line(line, &mut scratch, direction) {
            None => Ok(()),
            Some(Ok(decoded)) if !filter.matches(&decoded.frame) => {
                summary.filtered += 1;
                Ok(())
            }
            Some(Ok(decoded)) => {
                outcome.frames += 1;
                let frame = decoded.frame;
                // A JSON payload that does not fit its event's typed message is shown as such:
                // `decode` calls it "other", a person wants to know why.
                let untyped = match (frame.message(), frame.payload()) {
                    (Err(e), Payload::Json(_)) => Some(e.kind.to_string()),
                    _ => None,
                };
                let row = Row {
                    number,
                    from: sender(&frame, decoded.format, direction),
                    format: decoded.format,
                    frame,
                    bytes: line.bytes.len() as u64,
                    untyped,
                };
                summary.bytes += row.bytes;
                summary.largest = summary.largest.max(row.bytes);
                summary.events.add(&frame.event().to_cow());
                summary.topics.add(frame.topic_kind().kind_name());
                summary.formats.add(row.format.name());
                summary.senders.add(row.from.name());
                summary.misfits += u64::from(row.untyped.is_some());
                match format {
                    InspectFormat::Table => table_row(out, &row),
                    InspectFormat::Json => json_row(out, &row),
                    InspectFormat::Csv => csv_row(out, &row),
                }
            }
            Some(Err(failure)) => {
                outcome.failures += 1;
                summary.errors.add(failure.kind);
                match format {
                    InspectFormat::Table => table_error(out, number, &failure),
                    InspectFormat::Json => json_error(out, number, &failure),
                    InspectFormat::Csv => csv_error(out, number, &failure),
                }
            }
        }
    })?;
    match format {
        InspectFormat::Table => table_summary(out, &outcome, &summary)?,
        InspectFormat::Json => json_summary(out, &outcome, &summary)?,
        InspectFormat::Csv => {}
    }
    Ok(outcome)
}

// --- table ----------------------------------------------------------------------------

fn table_header(out: &mut Output) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        paint(
            colors::BOLD,
            &format!(
                "{:>5} {:<7} {:<TOPIC_WIDTH$} {:<EVENT_WIDTH$} {:>6} DETAIL",
                "LINE", "FROM", "TOPIC", "EVENT", "BYTES"
            )
        )
    )
}

fn table_row(out: &mut Output, row: &Row<'_>) -> io::Result<()> {
    let frame = &row.frame;
    let (arrow, color) = match row.from {
        Direction::FromClient => ("c>s", colors::CLIENT),
        Direction::FromServer => ("s>c", colors::SERVER),
    };
    let format = match row.format {
        WireFormat::Binary => "bin",
        other => other.name(),
    };
    let event_color = match frame.event_kind() {
        e if e.is_lifecycle() => colors::DIM,
        Event::Shout => colors::SHOUT,
        _ => colors::PLAIN,
    };
    let detail_cell = match &row.untyped {
        Some(reason) => paint(
            colors::WARN,
            fit(&show(&format!("! {reason}")), DETAIL_WIDTH).trim_end(),
        ),
        None => fit(&show(&detail(frame)), DETAIL_WIDTH)
            .trim_end()
            .to_owned(),
    };
    let line = format!(
        "{:>5} {} {} {} {} {}",
        row.number,
        paint(color, &fit(&format!("{arrow} {format}"), 7)),
        fit(&show(&frame.topic().to_cow()), TOPIC_WIDTH),
        paint(
            event_color,
            &fit(&show(&frame.event().to_cow()), EVENT_WIDTH)
        ),
        paint(colors::DIM, &format!("{:>6}", row.bytes)),
        detail_cell,
    );
    writeln!(out, "{}", line.trim_end())
}

fn table_error(out: &mut Output, number: u64, failure: &Failure) -> io::Result<()> {
    writeln!(
        out,
        "{number:>5} {} {}",
        paint(colors::ERROR_BOLD, &fit("ERROR", 7)),
        paint(
            colors::ERROR,
            &format!("{}: {}", failure.kind, clean(&failure.message))
        ),
    )
}

fn table_summary(out: &mut Output, outcome: &Outcome, summary: &Summary) -> io::Result<()> {
    let skipped = outcome.lines - outcome.frames - outcome.failures - summary.filtered;
    let average = summary.bytes.checked_div(outcome.frames).unwrap_or(0);
    let frames = if summary.filtered > 0 {
        format!(
            "{} frames shown, {} filtered out",
            outcome.frames, summary.filtered
        )
    } else {
        format!("{} frames", outcome.frames)
    };
    let rows = [
        (
            "lines",
            format!(
                "{} ({frames}, {} errors, {skipped} blank or comment)",
                outcome.lines, outcome.failures
            ),
        ),
        (
            "bytes",
            format!(
                "{} in frames (average {}, largest {})",
                thousands(summary.bytes),
                thousands(average),
                thousands(summary.largest)
            ),
        ),
        ("formats", summary.formats.line()),
        ("from", summary.senders.line()),
        ("topics", summary.topics.line()),
        ("events", summary.events.line()),
        ("errors", summary.errors.line()),
    ];
    let misfits = (summary.misfits > 0).then(|| {
        (
            "untyped",
            format!(
                "{} whose payload does not fit their event's message (rows marked !)",
                if summary.misfits == 1 {
                    "1 frame".to_owned()
                } else {
                    format!("{} frames", summary.misfits)
                }
            ),
        )
    });
    writeln!(out)?;
    writeln!(out, "{}", paint(colors::BOLD, "SUMMARY"))?;
    for (name, value) in rows.into_iter().chain(misfits) {
        let value = wrap(&value, SUMMARY_WIDTH, 12);
        let value = if name == "errors" && outcome.failures > 0 {
            paint(colors::ERROR, &value)
        } else {
            value
        };
        writeln!(out, "  {name:<9} {value}")?;
    }
    Ok(())
}

// --- JSON Lines -----------------------------------------------------------------------

fn put_key(out: &mut Vec<u8>, key: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    put_str(out, JsonStr::literal(text));
}

fn json_row(out: &mut Output, row: &Row<'_>) -> io::Result<()> {
    let mut record = format!(r#"{{"type":"frame","line":{}"#, row.number).into_bytes();
    put_key(&mut record, "from");
    put_text(&mut record, row.from.name());
    put_key(&mut record, "format");
    put_text(&mut record, row.format.name());
    put_key(&mut record, "topic");
    put_str(&mut record, row.frame.topic());
    put_key(&mut record, "event");
    put_str(&mut record, row.frame.event());
    put_key(&mut record, "bytes");
    record.extend_from_slice(row.bytes.to_string().as_bytes());
    put_key(&mut record, "message");
    put_text(&mut record, message_name(&row.frame));
    put_key(&mut record, "detail");
    put_text(&mut record, &detail(&row.frame));
    put_key(&mut record, "untyped");
    match &row.untyped {
        Some(reason) => put_text(&mut record, reason),
        None => record.extend_from_slice(b"null"),
    }
    record.extend_from_slice(b"}\n");
    out.write_all(&record)
}

fn json_error(out: &mut Output, number: u64, failure: &Failure) -> io::Result<()> {
    let mut record = format!(r#"{{"type":"error","line":{number}"#).into_bytes();
    put_key(&mut record, "kind");
    put_text(&mut record, failure.kind);
    put_key(&mut record, "offset");
    record.extend_from_slice(failure.offset.to_string().as_bytes());
    put_key(&mut record, "message");
    put_text(&mut record, &failure.message);
    record.extend_from_slice(b"}\n");
    out.write_all(&record)
}

fn json_summary(out: &mut Output, outcome: &Outcome, summary: &Summary) -> io::Result<()> {
    let skipped = outcome.lines - outcome.frames - outcome.failures - summary.filtered;
    let mut record = format!(
        r#"{{"type":"summary","lines":{},"frames":{},"errors":{},"blank_or_comment":{skipped},"filtered_out":{},"untyped":{},"bytes":{},"largest":{}"#,
        outcome.lines,
        outcome.frames,
        outcome.failures,
        summary.filtered,
        summary.misfits,
        summary.bytes,
        summary.largest
    )
    .into_bytes();
    for (key, tally) in [
        ("formats", &summary.formats),
        ("from", &summary.senders),
        ("topics", &summary.topics),
        ("events", &summary.events),
        ("error_kinds", &summary.errors),
    ] {
        put_key(&mut record, key);
        tally.put_json(&mut record);
    }
    // Past MAX_NAMES distinct event names, the rest are only counted.
    put_key(&mut record, "events_not_named");
    record.extend_from_slice(summary.events.pooled.to_string().as_bytes());
    record.extend_from_slice(b"}\n");
    out.write_all(&record)
}

// --- CSV ------------------------------------------------------------------------------

const CSV_HEADER: &str = "line,from,format,topic,event,bytes,message,untyped,detail,error_kind,error_offset,error_message\r\n";

/// Appends `field`, quoted (RFC 4180: `"` doubled) when it holds a comma, quote or line
/// break; other text, control characters included, is written as it is.
fn put_csv_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

fn csv_record(out: &mut Output, fields: &[&str]) -> io::Result<()> {
    let mut record = String::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            record.push(',');
        }
        put_csv_field(&mut record, field);
    }
    record.push_str("\r\n");
    out.write_all(record.as_bytes())
}

fn csv_row(out: &mut Output, row: &Row<'_>) -> io::Result<()> {
    csv_record(
        out,
        &[
            &row.number.to_string(),
            row.from.name(),
            row.format.name(),
            &row.frame.topic().to_cow(),
            &row.frame.event().to_cow(),
            &row.bytes.to_string(),
            message_name(&row.frame),
            row.untyped.as_deref().unwrap_or(""),
            &detail(&row.frame),
            "",
            "",
            "",
        ],
    )
}

fn csv_error(out: &mut Output, number: u64, failure: &Failure) -> io::Result<()> {
    csv_record(
        out,
        &[
            &number.to_string(),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            failure.kind,
            &failure.offset.to_string(),
            &failure.message,
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shout_shows_who_sent_it_and_its_body() {
        let frame = phx_codec::decode_text(
            br#"[null,null,"conversation:1","shout",{"body":"Hello there","user_id":7,"customer_id":null}]"#,
        )
        .unwrap();
        assert_eq!(detail(&frame), "agent: \"Hello there\"");
        let push =
            phx_codec::decode_text(br#"["1","5","notification:a","shout",{"body":"On it"}]"#)
                .unwrap();
        assert_eq!(detail(&push), "agent: \"On it\"");
        assert_eq!(
            sender(&frame, WireFormat::V2, Direction::FromClient),
            Direction::FromServer
        );
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        let mut out = String::new();
        for field in ["plain", "a,b", "say \"hi\"", "two\nlines", "日本"] {
            put_csv_field(&mut out, field);
            out.push('|');
        }
        assert_eq!(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|日本|");
    }
}
