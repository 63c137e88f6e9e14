//! `phx inspect`: a table for people, one row per frame line, then a summary.
//!
//! Text from the capture is shown with control characters replaced (a capture is untrusted:
//! it must not drive the terminal), UUIDs shortened to their first 8 digits, and long values
//! cut with `…`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use phx_codec::{Direction, Event, Frame, JsonKind, Payload, RawJson, Topic, WireFormat};

use crate::capture::{Failure, Input, decode_line};
use crate::commands::Outcome;
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

/// Replaces control characters (terminal escapes included) with `·`.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '·' } else { c })
        .collect()
}

fn is_uuid(bytes: &[u8]) -> bool {
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Shortens every UUID in `text` to its first 8 digits and `…`.
pub(crate) fn shorten_uuids(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i + 36 <= bytes.len() {
        if is_uuid(&bytes[i..i + 36]) {
            out.push_str(&text[copied..i + 8]);
            out.push('…');
            i += 36;
            copied = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// `text` cut to `width` characters (the last one `…`) and padded to it.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() > width {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        format!("{text:<width$}")
    }
}

/// Text for people: cleaned and UUIDs shortened.
fn show(text: &str) -> String {
    shorten_uuids(&clean(text))
}

/// A JSON value in a few characters: strings as their text, containers as `{…}`/`[n]`.
fn brief(value: RawJson<'_>) -> String {
    match value.kind() {
        JsonKind::String => value
            .as_json_str()
            .map(|s| show(&s.to_string()))
            .unwrap_or_default(),
        JsonKind::Object if value.members().is_some_and(|mut m| m.next().is_none()) => {
            "{}".to_owned()
        }
        JsonKind::Object => "{…}".to_owned(),
        JsonKind::Array => format!("[{}]", value.items().map_or(0, Iterator::count)),
        _ => show(value.as_str()),
    }
}

/// An object as `key=value, …`; anything else as its brief form.
fn members_brief(value: RawJson<'_>) -> String {
    match value.members() {
        Some(members) => {
            let mut out = String::new();
            for (key, v) in members {
                if out.chars().count() > DETAIL_WIDTH {
                    break;
                }
                if !out.is_empty() {
                    out.push_str(", ");
                }
                let _ = write!(out, "{}={}", show(&key.to_string()), brief(v));
            }
            out
        }
        None => brief(value),
    }
}

fn keys(value: Option<RawJson<'_>>) -> Vec<String> {
    value
        .and_then(|v| v.members())
        .map(|m| m.map(|(k, _)| show(&k.to_string())).collect())
        .unwrap_or_default()
}

fn non_null(value: Option<RawJson<'_>>) -> bool {
    value.is_some_and(|v| !v.is_null())
}

/// The message's key fields, for the DETAIL column.
pub(crate) fn detail(frame: &Frame<'_>) -> String {
    let raw = match frame.payload() {
        Payload::Json(raw) => raw,
        Payload::Binary(bytes) => return format!("binary payload, {}", byte_count(bytes.len())),
        Payload::BinaryReply { status, response } => {
            return format!(
                "{} binary response, {}",
                show(&status.to_string()),
                byte_count(response.len())
            );
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
                Some(body) => format!("{from}\"{}\"", show(&body.to_string())),
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

/// `text` broken after `, ` so that lines stay within `width` characters; continuation lines
/// are indented by `indent`.
fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut column = indent;
    for (i, part) in text.split(", ").enumerate() {
        let len = part.chars().count();
        if i > 0 {
            if column + 2 + len > width {
                out.push_str(",\n");
                out.push_str(&" ".repeat(indent));
                column = indent;
            } else {
                out.push_str(", ");
                column += 2;
            }
        }
        out.push_str(part);
        column += len;
    }
    out
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

    fn line(&self) -> String {
        if self.counts.is_empty() && self.pooled == 0 {
            return "-".to_owned();
        }
        let mut sorted: Vec<(&String, &u64)> = self.counts.iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let mut parts: Vec<String> = sorted.iter().map(|(k, n)| format!("{k} {n}")).collect();
        if self.pooled > 0 {
            parts.push(format!("(more names) {}", self.pooled));
        }
        parts.join(", ")
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
    bytes: u64,
    largest: u64,
}

/// `phx inspect`.
pub(crate) fn inspect(input: Input, direction: Direction, out: &mut Output) -> io::Result<Outcome> {
    let mut outcome = Outcome::default();
    let mut summary = Summary::default();
    let mut scratch = Vec::new();
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
    )?;
    input.for_each_line(out, |number, line, out| {
        outcome.lines = number;
        match decode_line(line, &mut scratch, direction) {
            None => Ok(()),
            Some(Ok(decoded)) => {
                outcome.frames += 1;
                let frame = decoded.frame;
                let from = sender(&frame, decoded.format, direction);
                let size = line.bytes.len() as u64;
                summary.bytes += size;
                summary.largest = summary.largest.max(size);
                let event = show(&frame.event().to_string());
                let topic_kind = frame.topic_kind().kind_name();
                summary.events.add(&event);
                summary.topics.add(topic_kind);
                summary.formats.add(decoded.format.name());
                summary.senders.add(from.name());
                let (arrow, color) = match from {
                    Direction::FromClient => ("c>s", colors::CLIENT),
                    Direction::FromServer => ("s>c", colors::SERVER),
                };
                let format = match decoded.format {
                    WireFormat::Binary => "bin",
                    other => other.name(),
                };
                let event_color = match frame.event_kind() {
                    e if e.is_lifecycle() => colors::DIM,
                    Event::Shout => colors::SHOUT,
                    _ => colors::PLAIN,
                };
                // A JSON payload that does not fit its event's typed message is shown as such:
                // `decode` calls it "other", a person wants to know why.
                let misfit = match (frame.message(), frame.payload()) {
                    (Err(e), Payload::Json(_)) => Some(e),
                    _ => None,
                };
                let detail_cell = match misfit {
                    Some(e) => {
                        summary.misfits += 1;
                        paint(
                            colors::WARN,
                            fit(&format!("! {}", e.kind), DETAIL_WIDTH).trim_end(),
                        )
                    }
                    None => fit(&detail(&frame), DETAIL_WIDTH).trim_end().to_owned(),
                };
                let row = format!(
                    "{number:>5} {} {} {} {} {}",
                    paint(color, &fit(&format!("{arrow} {format}"), 7)),
                    fit(&show(&frame.topic().to_string()), TOPIC_WIDTH),
                    paint(event_color, &fit(&event, EVENT_WIDTH)),
                    paint(colors::DIM, &format!("{size:>6}")),
                    detail_cell,
                );
                writeln!(out, "{}", row.trim_end())
            }
            Some(Err(failure)) => {
                outcome.failures += 1;
                summary.errors.add(failure.kind);
                write_error_row(out, number, &failure)
            }
        }
    })?;
    let skipped = outcome.lines - outcome.frames - outcome.failures;
    let average = summary.bytes.checked_div(outcome.frames).unwrap_or(0);
    let rows = [
        (
            "lines",
            format!(
                "{} ({} frames, {} errors, {skipped} blank or comment)",
                outcome.lines, outcome.frames, outcome.failures
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
        let value = if name == "errors" && outcome.failures > 0 {
            paint(colors::ERROR, &value)
        } else {
            value
        };
        writeln!(out, "  {name:<9} {}", wrap(&value, SUMMARY_WIDTH, 12))?;
    }
    Ok(outcome)
}

fn write_error_row(out: &mut Output, number: u64, failure: &Failure) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_uuids_anywhere_in_a_string() {
        assert_eq!(
            shorten_uuids("conversation:lobby:5c9b0e1a-7d3f-4a8e-9b2c-1f0e3d4c5b6a"),
            "conversation:lobby:5c9b0e1a…"
        );
        assert_eq!(shorten_uuids("user:7"), "user:7");
        assert_eq!(
            shorten_uuids("é5c9b0e1a-7d3f-4a8e-9b2c-1f0e3d4c5b6aé"),
            "é5c9b0e1a…é"
        );
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(clean("a\x1b[31mb\n"), "a·[31mb·");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("ab", 4), "ab  ");
    }

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
    fn summary_lines_wrap_between_items() {
        assert_eq!(
            wrap("aaa 1, bbb 2, ccc 3", 12, 2),
            "aaa 1,\n  bbb 2,\n  ccc 3"
        );
        assert_eq!(wrap("aaa 1, bbb 2", 40, 2), "aaa 1, bbb 2");
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
