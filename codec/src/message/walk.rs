//! A pull cursor over validated JSON text, for views that read nested containers (presence
//! maps) in place: each member and item is visited as the cursor passes it, instead of first
//! being measured (`value_end`) and then walked again as its own text.

use crate::raw::{RawJson, skip_ws, value_end};
use crate::stop::find_string_stop;
use crate::string::JsonStr;

/// A position in validated JSON text. After [`next_key`](Self::next_key) or a `true`
/// [`next_item`](Self::next_item) the cursor stands at a value, which the caller consumes with
/// [`value`](Self::value) or by [`enter`](Self::enter)ing it and draining it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Walk<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Walk<'a> {
    /// Inside the container `raw` (just past its `{` or `[`).
    pub(crate) fn inside(raw: RawJson<'a>) -> Self {
        Self {
            text: raw.as_str(),
            pos: 1,
        }
    }

    /// Where the cursor stands.
    #[inline]
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The text from `start` to the cursor.
    #[inline]
    pub(crate) fn text_from(&self, start: usize) -> &'a str {
        self.text.get(start..self.pos).unwrap_or_default()
    }

    /// The text from `start` to the end.
    #[inline]
    pub(crate) fn rest_from(&self, start: usize) -> &'a str {
        self.text.get(start..).unwrap_or_default()
    }

    /// The first byte of the value at the cursor.
    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Steps into the container at the cursor.
    #[inline]
    pub(crate) fn enter(&mut self) {
        self.pos += 1;
    }

    /// Consumes the value at the cursor.
    #[inline]
    pub(crate) fn value(&mut self) -> RawJson<'a> {
        let start = self.pos;
        self.pos = value_end(self.text.as_bytes(), start);
        RawJson::from_validated(self.text.get(start..self.pos).unwrap_or("null"))
    }

    /// Inside an object: the next member's key (the cursor then stands at its value), or
    /// `None` after stepping out of the object.
    pub(crate) fn next_key(&mut self) -> Option<JsonStr<'a>> {
        let bytes = self.text.as_bytes();
        let mut at = skip_ws(bytes, self.pos);
        if bytes.get(at) == Some(&b',') {
            at = skip_ws(bytes, at + 1);
        }
        if bytes.get(at) != Some(&b'"') {
            self.pos = at + 1;
            return None;
        }
        // The key's end, noting escapes on the way (no second search for a backslash).
        let mut end = at + 1;
        let mut escaped = false;
        loop {
            end = find_string_stop(bytes, end);
            match bytes.get(end) {
                Some(b'\\') => {
                    escaped = true;
                    end += 2;
                }
                Some(b'"') | None => break,
                // Validated text has no raw control characters; step over one regardless.
                Some(_) => end += 1,
            }
        }
        self.pos = skip_ws(bytes, skip_ws(bytes, end + 1) + 1);
        let body = self.text.get(at + 1..end)?;
        Some(if escaped {
            JsonStr::from_validated_escaped(body)
        } else {
            JsonStr::from_validated_plain(body)
        })
    }

    /// Inside an array: whether there is a next item (the cursor then stands at it); `false`
    /// after stepping out of the array.
    pub(crate) fn next_item(&mut self) -> bool {
        let bytes = self.text.as_bytes();
        let mut at = skip_ws(bytes, self.pos);
        if bytes.get(at) == Some(&b',') {
            at = skip_ws(bytes, at + 1);
        }
        match bytes.get(at) {
            None => {
                self.pos = at;
                false
            }
            Some(b']') => {
                self.pos = at + 1;
                false
            }
            Some(_) => {
                self.pos = at;
                true
            }
        }
    }
}

/// The members of the object the cursor has entered, as `(key, value)` pairs; drained, it
/// leaves the cursor just past the object.
pub(crate) struct Members<'w, 'a>(pub(crate) &'w mut Walk<'a>);

impl<'a> Iterator for Members<'_, 'a> {
    type Item = (JsonStr<'a>, RawJson<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let key = self.0.next_key()?;
        Some((key, self.0.value()))
    }
}
