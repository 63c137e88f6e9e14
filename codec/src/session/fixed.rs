//! Fixed-capacity storage for the sessions: a string and a vector whose capacity is a const
//! generic, with no allocator, no `unsafe` and no public dependency (heapless is an optional,
//! versioned feature of the core, so the sessions cannot rely on it).

use core::fmt;
use core::ops::Deref;

/// A string of at most `N` bytes, stored inline.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct FixedString<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

/// The string does not fit in its capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CapacityError;

impl<const N: usize> FixedString<N> {
    /// An empty string.
    pub(crate) const fn new() -> Self {
        Self {
            bytes: [0; N],
            len: 0,
        }
    }

    /// Appends `s`, or fails without changing anything when it does not fit.
    pub(crate) fn push_str(&mut self, s: &str) -> Result<(), CapacityError> {
        let end = self.len.checked_add(s.len()).ok_or(CapacityError)?;
        let slot = self.bytes.get_mut(self.len..end).ok_or(CapacityError)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }

    /// Appends one character.
    pub(crate) fn push(&mut self, c: char) -> Result<(), CapacityError> {
        self.push_str(c.encode_utf8(&mut [0; 4]))
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        // Only whole `&str`s are ever appended, so the bytes are always UTF-8.
        self.bytes
            .get(..self.len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl<const N: usize> Deref for FixedString<N> {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> fmt::Debug for FixedString<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A vector of at most `N` items, stored inline.
pub(crate) struct FixedVec<T, const N: usize> {
    items: [Option<T>; N],
    len: usize,
}

impl<T, const N: usize> FixedVec<T, N> {
    /// An empty vector.
    pub(crate) const fn new() -> Self {
        Self {
            items: [const { None }; N],
            len: 0,
        }
    }

    /// How many items it holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds `N` items.
    pub(crate) fn is_full(&self) -> bool {
        self.len >= N
    }

    /// Appends `item`, or gives it back when full.
    pub(crate) fn push(&mut self, item: T) -> Result<(), T> {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = Some(item);
                self.len += 1;
                Ok(())
            }
            None => Err(item),
        }
    }

    /// The item at `index`.
    pub(crate) fn get(&self, index: usize) -> Option<&T> {
        self.items.get(..self.len)?.get(index)?.as_ref()
    }

    /// Removes and returns the item at `index`, shifting the later ones down.
    pub(crate) fn remove(&mut self, index: usize) -> Option<T> {
        let live = self.items.get_mut(..self.len)?;
        let tail = live.get_mut(index..)?;
        let item = tail.first_mut()?.take();
        tail.rotate_left(1);
        self.len -= 1;
        item
    }

    /// The items in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter().take(self.len).filter_map(Option::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_keeps_what_fits_and_refuses_the_rest() {
        let mut s = FixedString::<4>::new();
        s.push_str("ab").unwrap();
        s.push('é').unwrap();
        assert_eq!(s.as_str(), "abé");
        assert_eq!(s.push('x'), Err(CapacityError));
        assert_eq!(&*s, "abé");
    }

    #[test]
    fn vec_pushes_removes_and_shifts() {
        let mut v = FixedVec::<u8, 3>::new();
        for i in 0..3 {
            v.push(i).unwrap();
        }
        assert!(v.is_full());
        assert_eq!(v.push(9), Err(9));
        assert_eq!(v.remove(0), Some(0));
        assert_eq!(v.iter().copied().collect::<std::vec::Vec<_>>(), [1, 2]);
        assert_eq!(v.remove(5), None);
        assert_eq!(v.get(1), Some(&2));
        assert_eq!(v.get(2), None);
    }
}
