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

/// How a checksum is named in warnings and documentation.
pub fn checksum_name(c: &Checksum) -> String {
    match c {
        Checksum::Luhn => "luhn".into(),
        Checksum::Iban => "iban".into(),
        Checksum::Weighted { modulus, .. } => format!("weighted mod {modulus}"),
    }
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
