//! Lists the benchmark cases, one `<name> <bytes>` line each (used by `callgrind.sh`).

use phx_benches::cases::Case;

fn main() {
    for case in Case::all() {
        println!("{} {}", case.name, case.bytes.len());
    }
}
