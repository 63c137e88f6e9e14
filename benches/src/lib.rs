//! Benchmark cases for phx-codec (work in progress).
