//! The detectors' examples, asked of the DLP targets' files. A reader of a DLP format
//! (`readers/yara.rs`, `readers/google_dlp.rs`, `readers/purview.rs`) compiles each rule from
//! the written bytes, in the format's own dialect, and says whether the rule the files hold
//! for a detector finds a text. Every `example` must be found; every `not-example` must not,
//! unless all that rejects it is a part of the detector the format cannot check (a checksum,
//! context words, `min-count`): the target's W310 warning already says so. What the policy
//! rejects is worked out by the scanner `msgpol scan` uses (`dlp::engine`) on the detector
//! with those parts taken out, so the limits a format declares are exactly what it may miss.

use super::Verified;
use crate::dlp::engine::{self, Scanner};
use crate::emit::{error, EmitError, OutputFile};
use crate::ir::{Checksum, Ir};

/// The rule a DLP format's files hold for one detector, compiled from the bytes.
pub trait Rule {
    /// The rule's name in the files, for diagnostics.
    fn name(&self) -> &str;
    /// Whether the files say this rule is the one for the detector `class/detector`.
    fn is_for(&self, class: &str, detector: &str) -> bool;
    /// Whether it reports `text`, a document of its own (UTF-8).
    fn finds(&self, text: &str) -> bool;
}

/// A reader's parser: the files' rules, in their order.
pub type ReadRules = for<'f> fn(&'f [OutputFile]) -> Result<Vec<Box<dyn Rule + 'f>>, String>;

/// What a format cannot check of a detector.
pub struct Unchecked {
    /// The checksums it cannot compute.
    pub checks: fn(&Checksum) -> bool,
    /// Whether it cannot weigh `near` context words.
    pub near: bool,
    /// Whether it cannot count matches as `min-count` does.
    pub min_count: bool,
}

/// How a DLP target's files are read back, and what the format cannot check.
pub struct RulesReader {
    /// Parses the files as their engine would; `Err` says what in them it cannot read.
    pub read: ReadRules,
    pub unchecked: Unchecked,
}

/// At most this many disagreements are named in one error.
const MAX_NAMED: usize = 5;

/// Read `files` back with `reader` and ask the rule of each of the policy's detectors about
/// its examples and non-examples.
pub fn verify(
    target: &str,
    reader: &RulesReader,
    ir: &Ir,
    files: &[OutputFile],
) -> Result<Verified, EmitError> {
    let rules = (reader.read)(files).map_err(|why| error::unreadable(target, &why))?;
    let detectors: Vec<_> = crate::dlp::detectors(ir).collect();
    let mut paired: Vec<&dyn Rule> = Vec::with_capacity(detectors.len());
    let mut used = vec![false; rules.len()];
    for (class, d) in &detectors {
        let found = (0..rules.len()).find(|&i| !used[i] && rules[i].is_for(&class.name, &d.name));
        let Some(i) = found else {
            return Err(error::unreadable(
                target,
                &format!(
                    "they hold no rule for the detector `{}/{}`",
                    class.name, d.name
                ),
            ));
        };
        used[i] = true;
        paired.push(&*rules[i]);
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(error::unreadable(
            target,
            &format!(
                "their rule `{}` is for no detector of the policy",
                rules[i].name()
            ),
        ));
    }
    let mut verified = Verified {
        probes: 0,
        agreed: 0,
    };
    let (mut missed, mut found) = (Vec::new(), Vec::new());
    for ((class, d), rule) in detectors.iter().zip(paired) {
        // The detector without what the format cannot check (what the rule may also find),
        // compiled only when the rule finds a non-example. A detector's hits do not depend
        // on the other detectors, so it is compiled alone.
        let mut within_limits: Option<Scanner> = None;
        let shown = |text: &str| (text.to_string(), format!("{}/{}", class.name, d.name));
        for example in &d.examples {
            verified.probes += 1;
            if rule.finds(example) {
                verified.agreed += 1;
            } else {
                missed.push(shown(example));
            }
        }
        for non_example in &d.not_examples {
            verified.probes += 1;
            if !rule.finds(non_example) {
                verified.agreed += 1;
                continue;
            }
            if within_limits.is_none() {
                let weakened = weaken(crate::dlp::scanned(class, d), &reader.unchecked);
                within_limits = Some(
                    Scanner::new(&[weakened]).map_err(|why| error::render_failed(target, why))?,
                );
            }
            let scanner = within_limits.as_ref().expect("compiled above");
            if scanner.scan(non_example.as_bytes()).is_empty() {
                found.push(shown(non_example));
            }
        }
    }
    let named =
        |list: &[(String, String)]| list.iter().take(MAX_NAMED).cloned().collect::<Vec<_>>();
    if !missed.is_empty() {
        return Err(error::misses_examples(
            target,
            missed.len(),
            &named(&missed),
        ));
    }
    if !found.is_empty() {
        return Err(error::finds_non_examples(
            target,
            found.len(),
            &named(&found),
        ));
    }
    Ok(verified)
}

/// `d` without the parts a format cannot check.
fn weaken<'a>(mut d: engine::Detector<'a>, unchecked: &Unchecked) -> engine::Detector<'a> {
    d.checks.retain(|c| !(unchecked.checks)(c));
    if unchecked.near {
        d.near = None;
    }
    if unchecked.min_count {
        d.min_count = 1;
    }
    d
}

/// Every checksum: what a format that computes none cannot check.
pub fn every_check(_: &Checksum) -> bool {
    true
}
