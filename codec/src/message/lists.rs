//! Ids and lazily walked lists shared by several views.

use crate::raw::{ArrayItems, RawJson};
use crate::string::JsonStr;

/// A file id: Papercups writes integers; strings are accepted too.
///
/// ```
/// use phx_codec::{decode_text, message::Message};
/// let frame = decode_text(br#"[null,"1","conversation:9","shout",{"body":"","file_ids":[3,"f4"]}]"#)?;
/// let Message::Shout(shout) = frame.message()? else { unreachable!() };
/// use phx_codec::message::FileId;
/// let ids: Vec<_> = shout.file_ids().collect();
/// assert_eq!(ids, [FileId::Int(3), FileId::Str("f4".into())]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(untagged))]
pub enum FileId<'a> {
    /// An integer id (`3`).
    Int(i64),
    /// A string id (`"8b1f..."`).
    Str(JsonStr<'a>),
}

impl<'a> FileId<'a> {
    /// An id from a checked value (`None` for anything else).
    pub(crate) fn from_raw(raw: RawJson<'a>) -> Option<Self> {
        match raw.as_json_str() {
            Some(s) => Some(Self::Str(s)),
            None => raw.as_i64().map(Self::Int),
        }
    }
}

/// The ids of an array such as `file_ids`, walked lazily. Created by [`Shout::file_ids`](crate::message::Shout::file_ids).
///
/// ```
/// use phx_codec::{decode_text, message::Message};
/// let frame = decode_text(br#"[null,"1","conversation:9","shout",{"body":"","file_ids":[1,2]}]"#)?;
/// let Message::Shout(shout) = frame.message()? else { unreachable!() };
/// assert_eq!(shout.file_ids().count(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct FileIds<'a> {
    pub(crate) items: Option<ArrayItems<'a>>,
}

impl<'a> Iterator for FileIds<'a> {
    type Item = FileId<'a>;

    /// Absent lists end here, inline; the items are read out of line.
    #[inline]
    fn next(&mut self) -> Option<FileId<'a>> {
        let items = self.items.as_mut()?;
        next_file_id(items)
    }
}

/// The integers of an array such as `mentioned_user_ids`, walked lazily. Created by
/// [`Shout::mentioned_user_ids`](crate::message::Shout::mentioned_user_ids).
///
/// ```
/// use phx_codec::{decode_text, message::Message};
/// let frame = decode_text(br#"[null,"1","notification:a","shout",{"body":"","mentioned_user_ids":[8]}]"#)?;
/// let Message::Shout(shout) = frame.message()? else { unreachable!() };
/// assert_eq!(shout.mentioned_user_ids().sum::<i64>(), 8);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Integers<'a> {
    pub(crate) items: Option<ArrayItems<'a>>,
}

impl Iterator for Integers<'_> {
    type Item = i64;

    /// Absent lists end here, inline; the items are read out of line.
    #[inline]
    fn next(&mut self) -> Option<i64> {
        let items = self.items.as_mut()?;
        next_integer(items)
    }
}

/// The next item of `items` that is a file id.
fn next_file_id<'a>(items: &mut ArrayItems<'a>) -> Option<FileId<'a>> {
    loop {
        if let Some(id) = FileId::from_raw(items.next()?) {
            return Some(id);
        }
    }
}

/// The next item of `items` that is an integer.
fn next_integer(items: &mut ArrayItems<'_>) -> Option<i64> {
    loop {
        if let Some(n) = items.next()?.as_i64() {
            return Some(n);
        }
    }
}
