//! A counting global allocator for the no-allocation tests.
//!
//! Counting is per thread and only while [`count`] runs its closure, so the test harness (which
//! allocates freely on its own threads) and test setup do not disturb the measurement.
//!
//! `GlobalAlloc` is an `unsafe` trait: implementing it is the only way to observe allocations,
//! and no allowed dependency offers a counting allocator. The implementation only forwards to
//! [`System`] and bumps thread-local counters.
#![allow(unsafe_code)]
// Each test file uses a different subset.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Forwards to the system allocator and counts calls made on a measuring thread.
pub(crate) struct CountingAllocator;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static FREES: Cell<usize> = const { Cell::new(0) };
}

fn bump(counter: &'static std::thread::LocalKey<Cell<usize>>) {
    // `try_with`: during thread teardown the thread-locals may be gone; nothing is measured
    // then. Const-initialized `Cell`s need no allocation to access.
    if MEASURING.try_with(Cell::get).unwrap_or(false) {
        let _ = counter.try_with(|c| c.set(c.get() + 1));
    }
}

// SAFETY: every method forwards its arguments unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counters are thread-local `Cell`s that never allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump(&ALLOCATIONS);
        // SAFETY: the caller's `layout` obligations are passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump(&ALLOCATIONS);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump(&ALLOCATIONS);
        // SAFETY: `ptr` was allocated by `System` with `layout` (every allocation goes through
        // this forwarding allocator), as the caller guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        bump(&FREES);
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Heap activity seen while a closure ran on this thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HeapUse {
    /// `alloc`, `alloc_zeroed` and `realloc` calls.
    pub(crate) allocations: usize,
    /// `dealloc` calls.
    pub(crate) frees: usize,
}

impl HeapUse {
    pub(crate) const NONE: Self = Self {
        allocations: 0,
        frees: 0,
    };
}

/// Runs `f` and reports the heap calls it made on this thread.
pub(crate) fn count<R>(f: impl FnOnce() -> R) -> (R, HeapUse) {
    ALLOCATIONS.with(|c| c.set(0));
    FREES.with(|c| c.set(0));
    MEASURING.with(|m| m.set(true));
    let result = f();
    MEASURING.with(|m| m.set(false));
    let used = HeapUse {
        allocations: ALLOCATIONS.with(Cell::get),
        frees: FREES.with(Cell::get),
    };
    (result, used)
}

/// Checks that the allocator is installed and counting: a `Vec` allocation is seen.
pub(crate) fn assert_counter_works() {
    let ((), used) = count(|| {
        let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(16));
        std::hint::black_box(&v);
    });
    assert_eq!(
        used,
        HeapUse {
            allocations: 1,
            frees: 1
        },
        "the counting allocator does not see allocations"
    );
}

/// A `fmt::Write` / `io::Write` sink that only counts bytes (formatting into it never
/// allocates).
#[derive(Default)]
pub(crate) struct CountingWriter(pub(crate) usize);

impl std::fmt::Write for CountingWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

impl std::io::Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
