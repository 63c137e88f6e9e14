//! `--topic PATTERN` and `--event NAME`: which frames `decode` and `inspect` show.

use clap::Args;
use phx_codec::Frame;

/// Which frames to show. Lines that fail to decode are always shown: they have no topic or
/// event to test.
#[derive(Args, Clone, Debug, Default)]
pub(crate) struct Filter {
    /// Only frames whose topic matches PATTERN: the exact topic (`phoenix`), or a prefix
    /// followed by `*` (`room:*`, `conversation:*`; a lone `*` matches every topic). A `*`
    /// anywhere else is an ordinary character. Compared with the decoded topic (escapes
    /// resolved). Repeat to allow several.
    #[arg(long = "topic", value_name = "PATTERN")]
    topics: Vec<String>,
    /// Only frames whose event is exactly NAME (`shout`, `phx_reply`...). Repeat to allow
    /// several.
    #[arg(long = "event", value_name = "NAME")]
    events: Vec<String>,
}

/// Whether `topic` matches one `--topic` pattern.
fn topic_matches(pattern: &str, topic: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => topic.starts_with(prefix),
        None => topic == pattern,
    }
}

impl Filter {
    /// Whether `frame` passes: its topic matches one of the patterns (when any was given) and
    /// its event is one of the names (when any was given).
    pub(crate) fn matches(&self, frame: &Frame<'_>) -> bool {
        let topic_ok = self.topics.is_empty() || {
            let topic = frame.topic().to_cow();
            self.topics.iter().any(|p| topic_matches(p, &topic))
        };
        topic_ok && (self.events.is_empty() || self.events.iter().any(|e| frame.event().eq_str(e)))
    }

    #[cfg(test)]
    pub(crate) fn new(topics: &[&str], events: &[&str]) -> Self {
        Self {
            topics: topics.iter().map(|&t| t.to_owned()).collect(),
            events: events.iter().map(|&e| e.to_owned()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &str) -> Frame<'_> {
        phx_codec::decode_text(text.as_bytes()).unwrap()
    }

    #[test]
    fn topics_match_exactly_or_by_prefix() {
        assert!(topic_matches("room:1", "room:1"));
        assert!(!topic_matches("room:1", "room:10"));
        assert!(topic_matches("room:*", "room:10"));
        assert!(topic_matches("room:*", "room:"));
        assert!(!topic_matches("room:*", "rooms"));
        assert!(topic_matches("*", "anything"));
        assert!(!topic_matches("r*m", "room"));
    }

    #[test]
    fn a_frame_must_pass_both_kinds_of_filter() {
        let shout = frame(r#"[null,null,"room:\u0031","shout",{}]"#);
        assert!(Filter::default().matches(&shout));
        assert!(
            Filter::new(&["room:1"], &[]).matches(&shout),
            "escapes resolved"
        );
        assert!(Filter::new(&["room:*"], &["shout"]).matches(&shout));
        assert!(Filter::new(&["lobby", "room:*"], &["ping", "shout"]).matches(&shout));
        assert!(!Filter::new(&["room:*"], &["ping"]).matches(&shout));
        assert!(!Filter::new(&["lobby"], &["shout"]).matches(&shout));
    }
}
