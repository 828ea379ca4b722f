//! Shared by the DLP targets (`purview`, `google-dlp`, `yara`): each detector's patterns
//! printed in an engine's dialect (whole words, the case rule folded in, see `dlp::pattern`),
//! and the warning for what an engine cannot express. The detectors themselves, in order,
//! come from `crate::dlp::detectors`, as the scanner's do.

use crate::dlp::pattern::{self, Dialect};
use crate::emit::error::render_failed;
use crate::emit::EmitError;
use crate::ir::{ClassInfo, DetectorInfo};
use crate::syntax::ast::Checksum;

/// A detector's patterns as an engine runs them.
pub fn patterns(
    target: &str,
    d: &DetectorInfo,
    dialect: Dialect,
) -> Result<Vec<String>, EmitError> {
    let hirs = crate::dlp::detector_hirs(d).map_err(|e| {
        render_failed(
            target,
            format!("pattern {:?}: {}", e.pattern, e.error.problem),
        )
    })?;
    Ok(hirs.iter().map(|h| pattern::print(h, dialect)).collect())
}

/// Checksums as warnings and rule metadata name them: `luhn, weighted mod 11`.
pub fn checksum_names<'a>(checks: impl IntoIterator<Item = &'a Checksum>) -> String {
    let names: Vec<String> = checks
        .into_iter()
        .map(|c| match c {
            Checksum::Luhn => "luhn".into(),
            Checksum::Iban => "iban".into(),
            Checksum::Weighted { modulus, .. } => format!("weighted mod {modulus}"),
        })
        .collect();
    names.join(", ")
}

/// The warning for the checksums an engine leaves unchecked, and what that costs; none if
/// there are none.
pub fn unchecked_checksums<'a>(
    target: &str,
    class: &ClassInfo,
    d: &DetectorInfo,
    unchecked: impl IntoIterator<Item = &'a Checksum>,
    cost: &str,
) -> Option<String> {
    let names = checksum_names(unchecked);
    (!names.is_empty())
        .then(|| cannot_express(target, class, d, &format!("checksum {names}"), cost))
}

/// A construct the engine cannot express, and what it costs.
pub fn cannot_express(
    target: &str,
    class: &ClassInfo,
    d: &DetectorInfo,
    what: &str,
    cost: &str,
) -> String {
    format!(
        "{target}: detector `{}/{}`: {what} cannot be expressed; {cost}",
        class.name, d.name
    )
}

/// At most `max` characters of `text` (engines limit names and descriptions by length).
pub fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
