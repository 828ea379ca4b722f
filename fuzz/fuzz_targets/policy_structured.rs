//! Arbitrary declarations rendered to source, with their feed files: checked, and when the
//! policy compiles, every target built in memory and read back as every build does. A target
//! may refuse or disagree with the policy (an error), never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msgpol_fuzz::structured::Policy;

fuzz_target!(|policy: Policy| {
    let compilation = msgpol_fuzz::check(&policy.files);
    if let Some(ir) = &compilation.ir {
        msgpol_fuzz::build_and_verify(ir);
    }
});
