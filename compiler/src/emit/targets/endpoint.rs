//! What the endpoint targets (gpo, reg, windows-firewall, applocker, santa) share: which
//! channels they act on, the warning for a channel that lacks the identifier a target needs
//! (reported, never silently dropped), and the check that refuses text XML cannot hold.
//! (Identifiers derived from content are in `ids`.)

use crate::emit::{warning, EmitWarning};
use crate::ir::{ChannelInfo, Enforcement, Ir};
use std::io;

/// Channels of tiers that block with `how`, in tier order.
pub fn blocked_by(ir: &Ir, how: Enforcement) -> Vec<&ChannelInfo> {
    ir.channels_where(|t| t.block.contains(&how)).collect()
}

/// Whether the channel has an identifier some endpoint target writes a rule from (AppLocker:
/// executable, publisher, Store app; firewall program rules: path; Santa: team or signing
/// id). An Android package or a macOS bundle id alone blocks nothing.
pub fn has_identifiers(channel: &ChannelInfo) -> bool {
    let e = &channel.endpoints;
    [
        &e.windows_exe,
        &e.windows_publisher,
        &e.windows_store,
        &e.windows_path,
        &e.macos_team,
        &e.macos_signing_id,
    ]
    .iter()
    .any(|list| !list.is_empty())
}

/// Whether a Windows path lies in a user's profile: it starts with a variable each user has
/// their own value of. The Windows Firewall expands a rule's variables as itself, not as the
/// user, so a rule for such a path matches no user's program.
pub fn in_user_profile(path: &str) -> bool {
    let Some((variable, _)) = path.strip_prefix('%').and_then(|rest| rest.split_once('%')) else {
        return false;
    };
    ["LOCALAPPDATA", "APPDATA", "USERPROFILE", "TEMP", "TMP"]
        .iter()
        .any(|v| variable.eq_ignore_ascii_case(v))
}

/// The channels of tiers that `block endpoint` whose programs the Windows Firewall can block,
/// each with the paths it can match: it matches a program by its full path, expanded as the
/// firewall service, so the `windows-path`s outside a user's profile. A channel named only by
/// `windows-exe`, and one with a path in a user's profile, are reported in `target`'s
/// warnings.
pub fn windows_programs<'a>(
    ir: &'a Ir,
    target: &str,
    warnings: &mut Vec<EmitWarning>,
) -> Vec<(&'a ChannelInfo, Vec<&'a str>)> {
    let mut without_path = Missing::new(
        "`windows-path`",
        "no firewall rule blocks their programs (the firewall needs a full path; `applocker` blocks them by name)",
    );
    let mut in_profile = Vec::new();
    let mut with_path = Vec::new();
    for channel in blocked_by(ir, Enforcement::Endpoint) {
        let e = &channel.endpoints;
        let (profile, machine): (Vec<&str>, Vec<&str>) = e
            .windows_path
            .iter()
            .map(String::as_str)
            .partition(|p| in_user_profile(p));
        in_profile.extend(profile.iter().map(|p| (channel.name.as_str(), *p)));
        if !machine.is_empty() {
            with_path.push((channel, machine));
        } else if e.windows_path.is_empty() && !e.windows_exe.is_empty() {
            without_path.add(channel);
        }
    }
    without_path.report(target, warnings);
    if !in_profile.is_empty() {
        warnings.push(warning::programs_in_user_profile(target, &in_profile));
    }
    with_path
}

/// Channels of tiers that `monitor` (audited on endpoints, never blocked), in tier order.
pub fn monitored(ir: &Ir) -> Vec<&ChannelInfo> {
    ir.channels_where(|t| t.monitor).collect()
}

/// The channels a target cannot act on for want of one kind of identifier, reported as one
/// warning that names each channel, the missing fields, and what is therefore not written.
pub struct Missing<'ir> {
    fields: &'static str,
    consequence: String,
    channels: Vec<&'ir str>,
}

impl<'ir> Missing<'ir> {
    pub fn new(fields: &'static str, consequence: impl Into<String>) -> Self {
        Missing {
            fields,
            consequence: consequence.into(),
            channels: Vec::new(),
        }
    }
    pub fn add(&mut self, channel: &'ir ChannelInfo) {
        self.channels.push(&channel.name);
    }
    /// Adds the warning to `warnings` if any channel lacks the fields.
    pub fn report(self, target: &str, warnings: &mut Vec<EmitWarning>) {
        if !self.channels.is_empty() {
            warnings.push(warning::missing_identifiers(
                target,
                &self.channels,
                self.fields,
                &self.consequence,
            ));
        }
    }
}

/// `value`, if it may be written into XML: XML 1.0 cannot hold most control characters, and no
/// label or identifier should have one, so such text is refused rather than altered. (The XML
/// writer escapes the markup characters.)
pub fn printable(value: &str) -> io::Result<&str> {
    if value.chars().any(char::is_control) {
        return Err(io::Error::other(format!(
            "refusing to write {value:?} into XML"
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn printable_refuses_control_characters_and_keeps_markup() {
        assert_eq!(printable("O=A & B's <x>").unwrap(), "O=A & B's <x>");
        assert!(printable("a\nb").is_err());
        assert!(printable("a\u{7}b").is_err());
    }
}
