//! Fuzz target bodies (work in progress).
