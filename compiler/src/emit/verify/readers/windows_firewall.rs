//! The Windows Defender Firewall's outbound block rules, and the `windows-firewall` target's
//! PowerShell script that creates them. A rule blocks what matches all its conditions: the
//! remote addresses it lists (none: any address) and the program at its path (none: any
//! program); block rules take precedence over allow rules ("Windows Firewall rules", rule
//! precedence), and the firewall compares program paths in any case. So an address is blocked
//! by a rule for any program that lists it, and a program by a rule for any address that names
//! its path; a rule naming both blocks neither everywhere. The firewall service expands a
//! program path's environment variables as itself, not as the user (docs/targets/gpo.md): a
//! path under a per-user variable (`%APPDATA%`, `%LOCALAPPDATA%`, `%USERPROFILE%`, `%TEMP%`,
//! `%TMP%`) names no user's program.
//!
//! The script: `New-NetFirewallRule` (its documentation) creates an enabled rule for every
//! profile and protocol; this reader knows the parameters the target writes (`-Group`,
//! `-DisplayName`, `-Direction`, `-Action`, `-RemoteAddress`, `-Program`) and its other lines
//! (`#` comments, `$ErrorActionPreference`, removing the group's earlier rules), single-quoted
//! strings with `''` for a quote, and nothing else.

use super::{blocked_if, text, Cidr};
use crate::emit::verify::ranges::Ranges;
use crate::emit::verify::{Consumer, Effect, Identifier, NameIndex, Program, Question, Reading};
use crate::emit::OutputFile;
use rustc_hash::FxHashSet;
use std::net::IpAddr;
use std::sync::OnceLock;

/// Variables the firewall cannot expand to a user's folders.
const PER_USER: [&str; 5] = [
    "%appdata%",
    "%localappdata%",
    "%userprofile%",
    "%temp%",
    "%tmp%",
];

/// The outbound block rules that block an address or a program everywhere.
#[derive(Default)]
pub struct FirewallRules {
    /// Ranges blocked for every program.
    ranges: Vec<Cidr>,
    /// The same, merged for looking addresses up once all rules are read.
    merged: OnceLock<Ranges>,
    /// Paths of programs blocked from every address, lowercased.
    programs: FxHashSet<String>,
    /// A rule with neither condition blocks all outbound traffic.
    everything: bool,
}

impl FirewallRules {
    /// An enabled outbound block rule for `ranges` (empty: any address) and `program`.
    pub fn block(&mut self, ranges: Vec<Cidr>, program: Option<&str>) {
        match (ranges.is_empty(), program) {
            (true, None) => self.everything = true,
            (true, Some(path)) => {
                let path = path.to_lowercase();
                if !PER_USER.iter().any(|v| path.starts_with(v)) {
                    self.programs.insert(path);
                }
            }
            (false, None) => self.ranges.extend(ranges),
            (false, Some(_)) => {}
        }
    }
}

impl Reading for FirewallRules {
    fn address(&self, address: IpAddr) -> Option<Effect> {
        Some(blocked_if(
            self.everything
                || self
                    .merged
                    .get_or_init(|| Ranges::new(self.ranges.iter().map(Cidr::bounds)))
                    .contains(address),
        ))
    }

    fn program(&self, program: &Program) -> Option<Effect> {
        let windows = matches!(
            program.kind,
            Identifier::WindowsExe | Identifier::WindowsPath | Identifier::WindowsPublisher
        );
        // The rules' paths are kept lowercased: a probe's path matches with its ASCII letters
        // in any case.
        let at_a_blocked_path = program
            .paths
            .iter()
            .any(|p| self.programs.contains(&p.to_ascii_lowercase()));
        Some(blocked_if(
            windows && (self.everything || at_a_blocked_path),
        ))
    }
}

/// The words of a PowerShell command line: bare words, single-quoted strings (`''` is a quote)
/// and `@( … , … )` arrays of them, each array as one word of its items.
fn words(line: &str) -> Result<Vec<Vec<String>>, String> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut chars = line.chars().peekable();
    let mut array: Option<Vec<String>> = None;
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' | ',' => {
                chars.next();
            }
            '\'' => {
                chars.next();
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            value.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => value.push(c),
                        None => return Err(format!("a string is not closed: {line:?}")),
                    }
                }
                match &mut array {
                    Some(items) => items.push(value),
                    None => out.push(vec![value]),
                }
            }
            '@' => {
                chars.next();
                if chars.next() != Some('(') || array.is_some() {
                    return Err(format!("an `@` that opens no array: {line:?}"));
                }
                array = Some(Vec::new());
            }
            ')' => {
                chars.next();
                out.push(
                    array
                        .take()
                        .ok_or_else(|| format!("a stray `)`: {line:?}"))?,
                );
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if matches!(c, ' ' | '\t' | ',' | '\'' | '@' | '(' | ')') {
                        break;
                    }
                    if matches!(c, '"' | '$' | '`' | ';') {
                        return Err(format!("`{c}` is not in the script's forms: {line:?}"));
                    }
                    word.push(c);
                    chars.next();
                }
                if word.is_empty() {
                    return Err(format!("`{c}` is not in the script's forms: {line:?}"));
                }
                if array.is_some() {
                    return Err(format!("a bare word inside an array: {line:?}"));
                }
                out.push(vec![word]);
            }
        }
    }
    if array.is_some() {
        return Err(format!("an array is not closed: {line:?}"));
    }
    Ok(out)
}

/// One `New-NetFirewallRule` command, its parameters after the command name.
fn new_rule(rules: &mut FirewallRules, parameters: &[Vec<String>]) -> Result<(), String> {
    let mut outbound = false;
    let mut block = false;
    let mut ranges = Vec::new();
    let mut program: Option<&str> = None;
    let mut rest = parameters.iter();
    while let Some(name) = rest.next() {
        let value = rest
            .next()
            .ok_or_else(|| format!("{name:?} has no value"))?;
        let single = || match value.as_slice() {
            [one] => Ok(one.as_str()),
            _ => Err(format!("{name:?} takes one value")),
        };
        match name.first().map(String::as_str).unwrap_or_default() {
            "-Group" | "-DisplayName" => {}
            "-Direction" => outbound = single()?.eq_ignore_ascii_case("Outbound"),
            "-Action" => block = single()?.eq_ignore_ascii_case("Block"),
            "-RemoteAddress" => {
                for address in value {
                    ranges.push(Cidr::parse(address)?);
                }
            }
            "-Program" => program = Some(single()?),
            other => return Err(format!("`New-NetFirewallRule {other}` is not read here")),
        }
    }
    if outbound && block {
        rules.block(ranges, program);
    }
    Ok(())
}

pub fn read<'f>(
    files: &'f [OutputFile],
    _names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let script = text(files, "msgpol-firewall.ps1")?;
    let script = script.strip_prefix('\u{feff}').unwrap_or(script);
    let mut rules = FirewallRules::default();
    for (number, line) in script.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "$ErrorActionPreference = 'Stop'" {
            continue;
        }
        let at = |why: String| format!("line {}: {why}", number + 1);
        let (command, piped) = line.split_once(" | ").unwrap_or((line, ""));
        let words = words(command).map_err(at)?;
        match (words.first().map(|w| w[0].as_str()), piped) {
            (Some("Get-NetFirewallRule"), "Remove-NetFirewallRule") => {}
            (Some("New-NetFirewallRule"), "Out-Null" | "") => {
                new_rule(&mut rules, &words[1..]).map_err(at)?
            }
            _ => return Err(at(format!("a command this reader does not know: {line:?}"))),
        }
    }
    Ok(Consumer::only(
        &[Question::Firewall, Question::Endpoint],
        rules,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(script: &str) -> FirewallRules {
        let mut rules = FirewallRules::default();
        for line in script.lines() {
            let words = words(line).unwrap();
            new_rule(&mut rules, &words[1..]).unwrap();
        }
        rules
    }

    fn path(path: &'static str) -> Program<'static> {
        Program::alone(Identifier::WindowsPath, path)
    }

    #[test]
    fn a_rule_blocks_an_address_or_a_program_only_for_every_program_or_address() {
        let r = rules(concat!(
            "New-NetFirewallRule -DisplayName 'a' -Direction Outbound -Action Block -RemoteAddress @('10.0.0.0/8', '2001:db8::/32')\n",
            "New-NetFirewallRule -Direction Outbound -Action Block -Program 'C:\\Chat\\Chat.exe'\n",
            "New-NetFirewallRule -Direction Outbound -Action Block -RemoteAddress '192.0.2.0/24' -Program 'C:\\Other.exe'\n",
            "New-NetFirewallRule -Direction Inbound -Action Block -RemoteAddress '198.51.100.0/24'\n",
            "New-NetFirewallRule -Direction Outbound -Action Allow -RemoteAddress '203.0.113.0/24'",
        ));
        let blocked = |a: &str| r.address(a.parse().unwrap()).unwrap();
        assert_eq!(blocked("10.1.2.3"), Effect::Blocked);
        assert_eq!(blocked("2001:db8::1"), Effect::Blocked);
        assert_eq!(blocked("192.0.2.1"), Effect::Allowed);
        assert_eq!(blocked("198.51.100.1"), Effect::Allowed);
        assert_eq!(blocked("203.0.113.1"), Effect::Allowed);
        assert_eq!(
            r.program(&path("c:\\chat\\CHAT.exe")),
            Some(Effect::Blocked)
        );
        assert_eq!(r.program(&path("C:\\Other.exe")), Some(Effect::Allowed));
    }

    #[test]
    fn a_program_under_a_per_user_folder_is_not_matched() {
        let r = rules(
            "New-NetFirewallRule -Direction Outbound -Action Block -Program '%LocalAppData%\\Chat\\Chat.exe'",
        );
        let program = path("%LOCALAPPDATA%\\Chat\\Chat.exe");
        assert_eq!(r.program(&program), Some(Effect::Allowed));
    }

    #[test]
    fn quoted_strings_double_their_quotes_and_other_forms_are_refused() {
        assert_eq!(
            words("New-NetFirewallRule -DisplayName 'it''s' -RemoteAddress @('a', 'b')").unwrap(),
            [
                vec!["New-NetFirewallRule".to_string()],
                vec!["-DisplayName".into()],
                vec!["it's".into()],
                vec!["-RemoteAddress".into()],
                vec!["a".into(), "b".into()],
            ]
        );
        assert!(words("New-NetFirewallRule -DisplayName \"$(evil)\"").is_err());
        assert!(words("New-NetFirewallRule -DisplayName 'open").is_err());
        let mut r = FirewallRules::default();
        let unknown = words("New-NetFirewallRule -Enabled False").unwrap();
        assert!(new_rule(&mut r, &unknown[1..]).is_err());
    }
}
