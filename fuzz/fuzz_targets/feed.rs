//! Raw bytes as a feed file, in each format the loader reads (hosts, adblock, domains), both
//! for a channel and for a tier: coded diagnostics (E112) or names, never a panic.
//!
//! The policy declares its classes rather than importing `std.classes`: a feed changes no
//! detector, and reading back the DLP rules of its detectors (what `policy_structured` and
//! `readers` fuzz) took most of each input's time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

const POLICY: &str = r#"policy "Feed" {
  organisation "O"
  size large
  version "1"
  effective 2026-01-01
  owner "security@example.org"
  support "desk"
  briefing every 6 months
}

class public "Public" {
}

class confidential : public "Confidential" {
  requires e2ee
}

channel chat "Chat" {
  media text, file
  e2ee
  mfa
  domains "chat.example.org"
}

channel fed "Fed" {
  media text
  feed FORMAT "feed.txt"
}

tier approved "Approved" {
  channels chat
  allows up to confidential
  requires mfa
}

tier banned "Banned" {
  channels fed
  allows nothing
  block dns
  instead chat
  feed FORMAT "feed.txt"
  carve-out chat
}

review chat {
  reviewed 2026-10-01 by "security team"
  finding "Vetted"
  next 2027-10-01
}
"#;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, feed)) = data.split_first() else {
        return;
    };
    let format = ["hosts", "adblock", "domains"][usize::from(selector % 3)];
    let files = BTreeMap::from([
        (
            msgpol_fuzz::ROOT.to_string(),
            POLICY.replace("FORMAT", format).into_bytes(),
        ),
        ("feed.txt".to_string(), feed.to_vec()),
    ]);
    let compilation = msgpol_fuzz::check(&files);
    // What the names become: the DNS targets' files, read back.
    if let Some(ir) = &compilation.ir {
        if selector & 0x80 != 0 {
            msgpol_fuzz::build_and_verify(ir);
        }
    }
});
