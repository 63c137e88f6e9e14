//! Fixed-capacity storage for the client and server sessions: the core has no allocator, and
//! no container crate is required (heapless is an optional, versioned feature of the core).

use core::ops::{Deref, DerefMut};

use crate::EncodeError;
use crate::encode::Sink;

/// Up to `N` bytes (a string when filled by [`push_str`](Self::push_str) only).
#[derive(Clone, Copy)]
pub(crate) struct Buf<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Buf<N> {
    pub(crate) const fn new() -> Self {
        Self {
            bytes: [0; N],
            len: 0,
        }
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Result<Self, ()> {
        let mut buf = Self::new();
        buf.extend_from_slice(bytes)?;
        Ok(buf)
    }

    pub(crate) fn extend_from_slice(&mut self, bytes: &[u8]) -> Result<(), ()> {
        let end = self.len.checked_add(bytes.len()).ok_or(())?;
        let dst = self.bytes.get_mut(self.len..end).ok_or(())?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    pub(crate) fn push_str(&mut self, text: &str) -> Result<(), ()> {
        self.extend_from_slice(text.as_bytes())
    }

    /// The text, when the bytes came from `push_str` (empty otherwise).
    pub(crate) fn as_str(&self) -> &str {
        core::str::from_utf8(self).unwrap_or("")
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }
}

impl<const N: usize> Deref for Buf<N> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl<const N: usize> DerefMut for Buf<N> {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.bytes.get_mut(..self.len).unwrap_or(&mut [])
    }
}

impl<const N: usize> PartialEq for Buf<N> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<const N: usize> core::fmt::Debug for Buf<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Buf({} of {N} bytes)", self.len)
    }
}

impl<const N: usize> Sink for Buf<N> {
    fn remaining(&self) -> usize {
        N.saturating_sub(self.len)
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        let available = self.remaining();
        self.extend_from_slice(bytes)
            .map_err(|()| EncodeError::BufferTooSmall {
                needed: bytes.len(),
                available,
            })
    }
}

/// Up to `N` copyable items.
pub(crate) struct List<T: Copy, const N: usize> {
    items: [T; N],
    len: usize,
}

impl<T: Copy, const N: usize> List<T, N> {
    /// An empty list; `fill` only initialises the unused slots.
    pub(crate) const fn filled(fill: T) -> Self {
        Self {
            items: [fill; N],
            len: 0,
        }
    }

    /// Appends `item`; a full list stays as it is.
    pub(crate) fn push(&mut self, item: T) -> Result<(), T> {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = item;
                self.len += 1;
                Ok(())
            }
            None => Err(item),
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len >= N
    }

    pub(crate) fn pop_front(&mut self) -> Option<T> {
        self.remove(0)
    }

    /// Removes and returns the item at `index`, shifting the later ones down.
    pub(crate) fn remove(&mut self, index: usize) -> Option<T> {
        let item = *self.get(index)?;
        self.items.copy_within(index + 1..self.len, index);
        self.len -= 1;
        Some(item)
    }
}

impl<T: Copy, const N: usize> Deref for List<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.items.get(..self.len).unwrap_or(&[])
    }
}

impl<T: Copy, const N: usize> DerefMut for List<T, N> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.items.get_mut(..self.len).unwrap_or(&mut [])
    }
}

impl<T: Copy, const N: usize> IntoIterator for List<T, N> {
    type Item = T;
    type IntoIter = core::iter::Take<core::array::IntoIter<T, N>>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter().take(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buf_keeps_what_fits_and_refuses_the_rest() {
        let mut s = Buf::<4>::new();
        s.push_str("ab").unwrap();
        s.push_str("é").unwrap();
        assert_eq!(s.as_str(), "abé");
        assert_eq!(s.push_str("x"), Err(()));
        assert_eq!(s.as_str(), "abé");
    }

    #[test]
    fn list_pushes_removes_and_shifts() {
        let mut v = List::<u8, 3>::filled(0);
        for i in 1..=3 {
            v.push(i).unwrap();
        }
        assert!(v.is_full());
        assert_eq!(v.push(9), Err(9));
        assert_eq!(v.remove(1), Some(2));
        assert_eq!(&*v, [1, 3]);
        assert_eq!(v.remove(5), None);
        assert_eq!(v.pop_front(), Some(1));
        assert_eq!(&*v, [3]);
    }
}
