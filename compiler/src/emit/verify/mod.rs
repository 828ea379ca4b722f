//! Translation validation: each target's written bytes are read back by an independent reader
//! of its format (parsing the files as each program that consumes them would, never reusing
//! what the writer was given), asked about every name, address and program the policy
//! mentions, and every answer is compared with what the policy decides (`Oracle`). A file that
//! goes further than the policy (blocks, or alerts on, what it allows) is an error; one that
//! stops short of it is an error too, unless the target declares that its format cannot say it
//! (the build then already warns, W308 or W309).
//!
//! The readers live in `readers/`, one per format; they may use the IR's types and this
//! module, never the writers (`tests/architecture.rs` checks it).

pub mod detectors;
pub mod names;
mod oracle;
mod program;
mod ranges;
pub mod readers;

use super::{EmitError, OutputFile};
pub use names::{Name, NameIndex};
pub use oracle::{Answer, Oracle, Reach};
pub use program::{Identifier, Identifiers, Program};
use std::net::IpAddr;

/// What a probe meets, from nothing to a block: a file that goes further than the policy
/// (a block, or an alert, where the policy allows) or stops short of it is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    /// Nothing stops it or reports it.
    Allowed,
    /// Let through and reported: an alert, an audit event.
    Reported,
    Blocked,
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
    /// Programs blocked by tiers that `block endpoint`.
    Endpoint,
    /// What the policy wants seen: the names and programs of tiers that `monitor`, and the
    /// names tiers `block dns` (the detection targets alert on what the block stops).
    Alert,
}

/// What a format's files, as one of their consumers reads them, do to a name, an address or a
/// program; `None` for what it does not read.
pub trait Reading {
    /// What happens to `name` itself, or (`child`) to a name one label below it that the
    /// policy does not mention.
    fn name(&self, _name: &str, _child: bool) -> Option<Effect> {
        None
    }
    /// What happens to `name` and to a fresh label under it. Readers that can look a name up
    /// once for both say so here (a feed asks this a million times), by its number in the
    /// index they were given when it has one.
    fn name_and_child(&self, name: Name<'_>) -> [Option<Effect>; 2] {
        [self.name(name.text, false), self.name(name.text, true)]
    }
    fn address(&self, _address: IpAddr) -> Option<Effect> {
        None
    }
    fn program(&self, _program: &Program) -> Option<Effect> {
        None
    }
}

/// One program's reading of a target's files: most files have one consumer, a Group Policy
/// has four (Chrome, Edge, Firefox, the Windows Firewall), and each must agree with the policy.
pub struct Consumer<'f> {
    /// Its name, when the files have more than one.
    pub name: Option<&'static str>,
    /// The questions it is asked.
    pub questions: &'static [Question],
    pub reading: Box<dyn Reading + 'f>,
}

impl<'f> Consumer<'f> {
    /// The only consumer of a target's files.
    pub fn only(questions: &'static [Question], reading: impl Reading + 'f) -> Vec<Consumer<'f>> {
        vec![Consumer {
            name: None,
            questions,
            reading: Box::new(reading),
        }]
    }
}

/// A reader's parser: what the files say to each of their consumers, borrowing from their
/// bytes (a feed's million names are not copied again). The index numbers the names it will
/// be asked about, so that what the files say of them is kept by number.
pub type Read =
    for<'f> fn(&'f [OutputFile], &'f NameIndex<'f>) -> Result<Vec<Consumer<'f>>, String>;

/// How a target's files are read back, and what their format cannot say.
pub struct Reader {
    /// Parses the files as their consumers would; `Err` says what in them it cannot read.
    pub read: Read,
    /// How the policy may reach a name that this format cannot answer for as the policy does:
    /// a blocked name it cannot block may stay open, a carved-out name a detection format
    /// cannot except may be alerted on (the target's W308 warning says so); and
    /// `Reach::InUserProfile`, a program named only by paths in a user's profile, which its
    /// rules cannot match (W309). Any other disagreement is an error.
    pub leaves_open: &'static [Reach],
    /// The identifiers its rules name programs by: a program the policy names by none of
    /// them may stay open (the target's W309 warning names its channel).
    pub programs_by: &'static [Identifier],
}

impl Reader {
    /// Whether the format declares that it cannot act on what the policy reaches this way.
    fn declares(&self, reach: Reach) -> bool {
        match reach {
            Reach::Program(given) => {
                let given = if self.leaves_open.contains(&Reach::InUserProfile) {
                    given.without_profile_paths()
                } else {
                    given
                };
                !given.any_of(self.programs_by)
            }
            reach => self.leaves_open.contains(&reach),
        }
    }
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

/// A probe as a diagnostic names it: how it is asked (`a name under`, `windows-exe`), and
/// the name, address or identifier.
type Shown = (&'static str, String);

/// The disagreements of one consumer on one question: the files go further than the policy
/// (over) or stop short of it beyond their declared limits (under).
struct Tally {
    consumer: Option<&'static str>,
    question: Question,
    over: (usize, Vec<Shown>),
    under: (usize, Vec<Shown>),
}

impl Tally {
    fn note(side: &mut (usize, Vec<Shown>), probe: &dyn Fn() -> Shown) {
        side.0 += 1;
        if side.1.len() < MAX_NAMED {
            side.1.push(probe());
        }
    }
}

/// Read `files` back with `reader` and ask each of their consumers every probe of the policy
/// for its questions.
pub fn verify(
    target: &str,
    reader: &Reader,
    oracle: &Oracle,
    files: &[OutputFile],
) -> Result<Verified, EmitError> {
    let consumers = (reader.read)(files, oracle.names())
        .map_err(|why| super::error::unreadable(target, &why))?;
    let mut verified = Verified {
        probes: 0,
        agreed: 0,
    };
    let mut tallies = Vec::new();
    for consumer in &consumers {
        for &question in consumer.questions {
            let mut tally = Tally {
                consumer: consumer.name,
                question,
                over: (0, Vec::new()),
                under: (0, Vec::new()),
            };
            let mut judge = |probe: &dyn Fn() -> Shown, expected: Answer, got: Option<Effect>| {
                let Some(got) = got else {
                    return;
                };
                verified.probes += 1;
                if got == expected.0 {
                    verified.agreed += 1;
                } else if expected.1.is_some_and(|reach| reader.declares(reach)) {
                    // A declared limit of the format: the build already warns.
                } else if got > expected.0 {
                    Tally::note(&mut tally.over, probe);
                } else {
                    Tally::note(&mut tally.under, probe);
                }
            };
            let reading = &consumer.reading;
            if matches!(
                question,
                Question::Dns | Question::Browser | Question::Alert
            ) {
                for (name, expected) in oracle.name_probes(question) {
                    let got = reading.name_and_child(name);
                    judge(&|| name_probe(name.text, false), expected[0], got[0]);
                    judge(&|| name_probe(name.text, true), expected[1], got[1]);
                }
            }
            if question == Question::Firewall {
                for address in oracle.address_probes() {
                    let expected = (oracle.address(address), None);
                    judge(
                        &|| ("", address.to_string()),
                        expected,
                        reading.address(address),
                    );
                }
            }
            if matches!(question, Question::Endpoint | Question::Alert) {
                for (program, expected) in oracle.program_probes(question) {
                    let got = reading.program(program);
                    let shown = || (program.kind.keyword(), program.identifier.to_string());
                    judge(&shown, expected, got);
                }
            }
            tallies.push(tally);
        }
    }
    let alerts = |tally: &Tally| tally.question == Question::Alert;
    if let Some(t) = tallies.iter().find(|t| t.over.0 > 0) {
        return Err(super::error::blocks_what_the_policy_allows(
            target,
            t.consumer,
            alerts(t),
            t.over.0,
            &t.over.1,
        ));
    }
    if let Some(t) = tallies.iter().find(|t| t.under.0 > 0) {
        return Err(super::error::lets_through_what_the_policy_blocks(
            target,
            t.consumer,
            alerts(t),
            t.under.0,
            &t.under.1,
        ));
    }
    Ok(verified)
}

/// A name probe as a diagnostic shows it: the name, or a label under it.
fn name_probe(name: &str, child: bool) -> Shown {
    (if child { "a name under" } else { "" }, name.to_string())
}
