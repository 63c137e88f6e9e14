//! The phx runners allocate nothing per operation (decode, typed access, encode into a
//! reused buffer), on every case.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use phx_benches::cases::Case;
use phx_benches::{Impl, Op, prepare};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        // SAFETY: the caller's contract is passed on as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn phx_decodes_reads_and_encodes_every_case_without_allocating() {
    for case in Case::all() {
        for op in Op::ALL {
            let mut run = prepare(Impl::Phx, &case, op).unwrap();
            let before = allocations();
            for _ in 0..3 {
                std::hint::black_box(run());
            }
            assert_eq!(allocations() - before, 0, "{} {}", case.name, op.name());
        }
    }
}

#[test]
fn the_counter_sees_serde_json_allocate() {
    let case = Case::by_name("shout").unwrap();
    let mut run = prepare(Impl::SerdeJsonValue, &case, Op::Decode).unwrap();
    let before = allocations();
    std::hint::black_box(run());
    assert!(allocations() - before > 0);
}
