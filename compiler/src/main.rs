//! The `msgpol` command line. One file per subcommand under `cli/`.

mod cli;

/// mimalloc: a feed of a million names means millions of small allocations, some made on a
/// second thread; mimalloc is faster at both and reuses memory freed across threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's headers (15 in versions 2 and 3; the crate does not
/// export it as a constant).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // Give freed memory back at once rather than 10 ms later: a build frees large lists
    // (sort buffers) just before it allocates others, and would otherwise hold both (measured
    // for a million-name feed: 271 MB peak, against 277–281 MB with 10 ms and 292 MB never
    // purging, at the same speed).
    // SAFETY: sets a plain integer option; mimalloc allows it at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    std::process::exit(cli::run());
}
