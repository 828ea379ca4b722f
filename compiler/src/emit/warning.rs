//! Warnings of the emit stage (codes W308–W312), each explained in `warning/<CODE>.md` beside
//! this file: what a build wrote differently from what the policy says, or could not write.
//! They are diagnostics like any other: printed with the others, in JSON under
//! `--error-format json`, and `--deny-warnings` refuses a build that has one.

use crate::diagnostics::{quote, stage_error, Code, Diagnostic};

stage_error!(
    /// Something a target could not write as the policy says it.
    EmitWarning
);

impl EmitWarning {
    pub fn code(&self) -> Code {
        self.0.code
    }
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

/// W308: rules of the policy that a format cannot write exactly, and what happens to them.
pub fn cannot_express(target: &str, count: usize, consequence: &str) -> EmitWarning {
    EmitWarning(
        Diagnostic::new(
            Code::W308,
            format!(
                "`{target}`: {consequence} ({count} {})",
                if count == 1 { "rule" } else { "rules" }
            ),
        )
        .help(format!(
            "docs/targets/{target}.md says what this format cannot express and which target can"
        )),
    )
}

/// W309: channels a target cannot act on for want of an identifier.
pub fn missing_identifiers(
    target: &str,
    channels: &[&str],
    fields: &str,
    consequence: &str,
) -> EmitWarning {
    let (noun, verb) = if channels.len() == 1 {
        ("channel", "has")
    } else {
        ("channels", "have")
    };
    let named: Vec<String> = channels.iter().map(|c| quote(c)).collect();
    EmitWarning(
        Diagnostic::new(
            Code::W309,
            format!(
                "`{target}`: {noun} {} {verb} no {fields}, so {consequence}",
                named.join(", ")
            ),
        )
        .help("add the identifiers to the channels (docs/language.md lists them), or leave this control to another target"),
    )
}

/// W309: programs the Windows Firewall cannot block because their paths lie in a user's
/// profile, each `(channel, path)`.
pub fn programs_in_user_profile(target: &str, paths: &[(&str, &str)]) -> EmitWarning {
    let named: Vec<String> = paths
        .iter()
        .map(|(channel, path)| format!("{} (channel {})", quote(path), quote(channel)))
        .collect();
    let (them, lie) = if paths.len() == 1 {
        ("it", "lies")
    } else {
        ("them", "lie")
    };
    EmitWarning(
        Diagnostic::new(
            Code::W309,
            format!(
                "`{target}`: {} {lie} in the user's profile, which the firewall cannot match (it expands a path's variables as itself, not as the user), so no firewall rule blocks {them}; `applocker` blocks {them} by name or publisher",
                named.join(", ")
            ),
        )
        .help("block these programs with the `applocker` target, or give the channel a `windows-path` outside the user's profile if it also installs there"),
    )
}

/// W310: what a DLP format cannot check of a detector, and what that costs.
pub fn detector_not_checked(
    target: &str,
    class: &str,
    detector: &str,
    what: &str,
    cost: &str,
) -> EmitWarning {
    EmitWarning(
        Diagnostic::new(
            Code::W310,
            format!("`{target}`: detector `{class}/{detector}`: {what} cannot be expressed; {cost}"),
        )
        .help("`msgpol scan` checks everything a detector says; review this engine's findings with that in mind"),
    )
}

/// W311: a `harden` block that no target applies.
pub fn harden_not_applied(channel: &str) -> EmitWarning {
    EmitWarning(
        Diagnostic::new(
            Code::W311,
            format!("the `harden {channel}` block is not applied by any target"),
        )
        .help("msgpol writes settings for Microsoft Teams only (`teams`, or a channel that inherits it): apply this channel's settings by hand"),
    )
}

/// W312: a banned channel known to get around DNS, which nothing else in the policy stops.
pub fn dns_bypass_uncovered(channel: &str, how: &str) -> EmitWarning {
    EmitWarning(
        Diagnostic::new(
            Code::W312,
            format!("DNS alone cannot stop `{channel}` ({how}), and nothing else in this policy does"),
        )
        .help("add `block firewall` (with the channel's `networks`) or `block endpoint` (with its program identifiers) to its tier"),
    )
}
