//! Shared by the DLP targets (`purview`, `google-dlp`, `yara`): each detector's patterns
//! printed in an engine's dialect (whole words, the case rule folded in, see `dlp::pattern`),
//! the detectors' names as engines limit them, and the warning for what an engine cannot
//! express. The detectors themselves, in order, come from `crate::dlp::detectors`, as the
//! scanner's do.

use crate::dlp::pattern::{self, Dialect};
use crate::emit::error::render_failed;
use crate::emit::write::sha256_hex;
use crate::emit::{warning, EmitError, EmitWarning};
use crate::ir::{Checksum, ClassInfo, DetectorInfo, Ir};
use std::collections::HashMap;

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
) -> Option<EmitWarning> {
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
) -> EmitWarning {
    warning::detector_not_checked(target, &class.name, &d.name, what, cost)
}

/// At most `max` characters of `text` (engines limit names and descriptions by length).
pub fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// 8 hex digits of a hash of `text`: what tells apart names that would otherwise be the same.
fn short_hash(text: &str) -> String {
    sha256_hex(text.as_bytes())[..8].to_string()
}

/// `full` if it has at most `max` characters; else its start, `_` and a hash of all of it,
/// `max` characters in all, so that names sharing a long start stay distinct.
pub fn fit_name(full: &str, max: usize) -> String {
    if full.chars().count() <= max {
        return full.to_string();
    }
    format!("{}_{}", cut(full, max - 9), short_hash(full))
}

/// Identifiers of `[a-z0-9_]` for the detectors (YARA rules, Google info types), in
/// `crate::dlp::detectors` order: `{class}_{detector}`, `-` written `_`. That hides where the
/// class name ends (`a-b`/`c` and `a`/`b-c` are both `a_b_c`); when detectors meet so, each
/// one whose class name has a `-` gets a hash of its names appended. Only those change, so
/// every other identifier stays as it is whatever detectors are added.
pub fn detector_identifiers(ir: &Ir) -> Vec<String> {
    let plain: Vec<String> = crate::dlp::detectors(ir)
        .map(|(class, d)| format!("{}_{}", class.name, d.name).replace('-', "_"))
        .collect();
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for identifier in &plain {
        *uses.entry(identifier).or_default() += 1;
    }
    crate::dlp::detectors(ir)
        .zip(&plain)
        .map(|((class, d), identifier)| {
            if uses[identifier.as_str()] > 1 && class.name.contains('-') {
                let names = format!("{}/{}", class.name, d.name);
                format!("{identifier}_{}", short_hash(&names))
            } else {
                identifier.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_name_cuts_long_names_apart() {
        assert_eq!(fit_name("short", 8), "short");
        let (a, b) = (
            fit_name("abcdefghij-one", 12),
            fit_name("abcdefghij-two", 12),
        );
        assert_eq!(a.chars().count(), 12);
        assert!(a.starts_with("abc_"), "{a}");
        assert_ne!(a, b);
    }
}
