//! A hosts file: `ADDRESS NAME…` lines, `#` comments. A name listed with an unroutable
//! address (`0.0.0.0`, `::`, `127.0.0.1`, `::1`) is blocked, that name only: resolvers and
//! the system's resolver match hosts entries exactly, never their subdomains.

use super::domains::folded;
use super::{blocked_if, text};
use crate::emit::verify::names::{Name, NameMap};
use crate::emit::verify::{Consumer, Effect, NameIndex, Question, Reading};
use crate::emit::OutputFile;

/// Whether each name is listed.
struct Hosts<'t>(NameMap<'t, bool>);

impl Reading for Hosts<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        self.name_and_child(Name::text(name))[usize::from(child)]
    }
    fn name_and_child(&self, name: Name<'_>) -> [Option<Effect>; 2] {
        [Some(blocked_if(self.0.get(name))), Some(Effect::Allowed)]
    }
}

pub fn read<'f>(
    files: &'f [OutputFile],
    names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let text = text(files, "hosts")?;
    let mut blocked = NameMap::new(names);
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
        for name in words {
            *blocked.entry(folded(name)) = true;
        }
    }
    Ok(Consumer::only(&[Question::Dns], Hosts(blocked)))
}
