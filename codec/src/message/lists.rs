//! Ids and lazily walked lists shared by several views.

use crate::raw::{ArrayItems, RawJson};
use crate::string::JsonStr;

/// A file id: Papercups writes integers; strings are accepted too.
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
#[derive(Clone, Debug, Default)]
pub struct FileIds<'a> {
    pub(crate) items: Option<ArrayItems<'a>>,
}

impl<'a> Iterator for FileIds<'a> {
    type Item = FileId<'a>;

    fn next(&mut self) -> Option<FileId<'a>> {
        loop {
            let raw = self.items.as_mut()?.next()?;
            if let Some(id) = FileId::from_raw(raw) {
                return Some(id);
            }
        }
    }
}

/// The integers of an array such as `mentioned_user_ids`, walked lazily. Created by
/// [`Shout::mentioned_user_ids`](crate::message::Shout::mentioned_user_ids).
#[derive(Clone, Debug, Default)]
pub struct Integers<'a> {
    pub(crate) items: Option<ArrayItems<'a>>,
}

impl Iterator for Integers<'_> {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        loop {
            let raw = self.items.as_mut()?.next()?;
            if let Some(n) = raw.as_i64() {
                return Some(n);
            }
        }
    }
}
