//! Raw bytes as a policy file: `msgpol check` reports coded diagnostics, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let compilation = msgpol_fuzz::check(&msgpol_fuzz::one_file(data));
    std::hint::black_box(compilation.ir);
});
