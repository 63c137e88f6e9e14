//! Owned and shared frames on top of `phx-codec` (work in progress).
