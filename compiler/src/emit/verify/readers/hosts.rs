//! A hosts file: `ADDRESS NAME…` lines, `#` comments. A name listed with an unroutable
//! address (`0.0.0.0`, `::`, `127.0.0.1`, `::1`) is blocked, that name only: resolvers and
//! the system's resolver match hosts entries exactly, never their subdomains.

use super::domains::folded;
use super::text;
use crate::emit::verify::{Consumer, Effect, Question, Reading};
use crate::emit::OutputFile;
use rustc_hash::FxHashSet;
use std::borrow::Cow;

struct Hosts<'t>(FxHashSet<Cow<'t, str>>);

impl Reading for Hosts<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        Some(if !child && self.0.contains(name) {
            Effect::Blocked
        } else {
            Effect::Allowed
        })
    }
    fn name_and_child(&self, name: &str) -> [Option<Effect>; 2] {
        [self.name(name, false), Some(Effect::Allowed)]
    }
}

pub fn read(files: &[OutputFile]) -> Result<Vec<Consumer<'_>>, String> {
    let text = text(files, "hosts")?;
    let mut blocked = FxHashSet::with_capacity_and_hasher(super::lines(text), Default::default());
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default();
        let mut words = line.split_whitespace();
        let Some(address) = words.next() else {
            continue;
        };
        if !matches!(address, "0.0.0.0" | "::" | "127.0.0.1" | "::1") {
            return Err(format!(
                "line {} maps names to {address}, not to an unroutable address",
                number + 1
            ));
        }
        // Hosts lookups ignore case.
        blocked.extend(words.map(folded));
    }
    Ok(Consumer::only(&[Question::Dns], Hosts(blocked)))
}
