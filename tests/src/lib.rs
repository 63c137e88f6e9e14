//! Tests for the phx-codec workspace live in `tests/`; this library is empty.
