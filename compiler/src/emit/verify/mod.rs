//! Translation validation: each target's written bytes are read back by an independent reader
//! of its format (parsing the files as their consumer would, never reusing what the writer
//! was given), asked about every name and address the policy mentions, and every answer is
//! compared with what the policy decides (`Oracle`). A file that blocks what the policy allows
//! is an error; one that lets through what the policy blocks is an error too, unless the
//! target declares that its format cannot say it (the build then already warns, W308).
//!
//! The readers live in `readers/`, one per format; they may use the IR's types and this
//! module, never the writers (`tests/architecture.rs` checks it).

pub mod detectors;
mod oracle;
pub mod readers;

use super::{EmitError, OutputFile};
pub use oracle::{Answer, Oracle, Reach};
use std::net::IpAddr;

/// What a probe meets: a block, or nothing that stops it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Blocked,
    Allowed,
}

/// The tier control a format puts into effect, which fixes what the policy expects of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Question {
    /// Names blocked by tiers that `block dns`.
    Dns,
    /// Names blocked by tiers that `block browser`.
    Browser,
    /// Addresses blocked by tiers that `block firewall`.
    Firewall,
}

/// What a format's files, as read back, do to a name or an address.
pub trait Reading {
    /// What happens to `name` itself, or (`child`) to a name one label below it that the
    /// policy does not mention.
    fn name(&self, _name: &str, _child: bool) -> Option<Effect> {
        None
    }
    /// What happens to `name` and to a fresh label under it. Readers that can look a name up
    /// once for both say so here (a feed asks this a million times).
    fn name_and_child(&self, name: &str) -> [Option<Effect>; 2] {
        [self.name(name, false), self.name(name, true)]
    }
    fn address(&self, _address: IpAddr) -> Option<Effect> {
        None
    }
}

/// A reader's parser: what the files say, borrowing from their bytes (a feed's million names
/// are not copied again).
pub type Read = for<'f> fn(&'f [OutputFile]) -> Result<Box<dyn Reading + 'f>, String>;

/// How a target's files are read back, and what their format cannot say.
pub struct Reader {
    pub question: Question,
    /// Parses the files as their consumer would; `Err` says what in them it cannot read.
    pub read: Read,
    /// How the policy may reach a blocked name that this format cannot block: such names
    /// may stay open (the target's W308 warning says so). Any other open name is an error.
    pub leaves_open: &'static [Reach],
}

/// What verifying one target found.
pub struct Verified {
    /// How many questions were asked of its files.
    pub probes: usize,
    /// How many of them got the answer the policy gives; the rest are declared limits.
    pub agreed: usize,
}

/// At most this many disagreements are named in one error: the first ones show the pattern.
const MAX_NAMED: usize = 5;

/// Read `files` back with `reader` and ask them about every probe of the policy.
pub fn verify(
    target: &str,
    reader: &Reader,
    oracle: &Oracle,
    files: &[OutputFile],
) -> Result<Verified, EmitError> {
    let reading = (reader.read)(files).map_err(|why| super::error::unreadable(target, &why))?;
    let mut verified = Verified {
        probes: 0,
        agreed: 0,
    };
    let mut over: Vec<String> = Vec::new();
    let mut under: Vec<String> = Vec::new();
    let mut over_count = 0;
    let mut under_count = 0;
    let mut judge = |probe: &dyn Fn() -> String, expected: Answer, got: Option<Effect>| {
        verified.probes += 1;
        let Some(got) = got else {
            return;
        };
        match (expected.0, got) {
            (want, got) if want == got => verified.agreed += 1,
            (Effect::Allowed, Effect::Blocked) => {
                over_count += 1;
                if over.len() < MAX_NAMED {
                    over.push(probe());
                }
            }
            (_, _) => {
                let declared = expected
                    .1
                    .is_some_and(|reach| reader.leaves_open.contains(&reach));
                if !declared {
                    under_count += 1;
                    if under.len() < MAX_NAMED {
                        under.push(probe());
                    }
                }
            }
        }
    };
    match reader.question {
        Question::Dns | Question::Browser => {
            for (name, expected) in oracle.name_probes(reader.question) {
                let got = reading.name_and_child(name);
                judge(&|| name_probe(name, false), expected[0], got[0]);
                judge(&|| name_probe(name, true), expected[1], got[1]);
            }
        }
        Question::Firewall => {
            for address in oracle.address_probes() {
                let expected = (oracle.address(address), None);
                judge(&|| address.to_string(), expected, reading.address(address));
            }
        }
    }
    if over_count > 0 {
        return Err(super::error::blocks_what_the_policy_allows(
            target, over_count, &over,
        ));
    }
    if under_count > 0 {
        return Err(super::error::lets_through_what_the_policy_blocks(
            target,
            under_count,
            &under,
        ));
    }
    Ok(verified)
}

/// A name probe as a diagnostic shows it: the name, or a label under it.
fn name_probe(name: &str, child: bool) -> String {
    if child {
        format!("a name under {name}")
    } else {
        name.to_string()
    }
}
