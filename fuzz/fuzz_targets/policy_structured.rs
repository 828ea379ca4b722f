//! Arbitrary declarations rendered to source, with their feed files: checked, and when the
//! policy compiles, the target the input chooses (now and then every target) built in memory
//! and read back as every build does. A target may refuse or disagree with the policy (an
//! error), never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msgpol::emit::verify::Oracle;
use msgpol_fuzz::structured::Input;

fuzz_target!(|input: Input| {
    let compilation = msgpol_fuzz::check(&input.policy.files);
    let Some(ir) = &compilation.ir else {
        return;
    };
    match input.target {
        Some(target) => msgpol_fuzz::build_and_verify_one(ir, target, &Oracle::new(ir)),
        None => msgpol_fuzz::build_and_verify(ir),
    }
});
