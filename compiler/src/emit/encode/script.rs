//! Script contexts: PowerShell.

/// A PowerShell single-quoted string literal: `'` and its Unicode variants (U+2018–U+201B,
/// which PowerShell also reads as single quotes) doubled; control characters, which validation
/// already refuses in policy text, dropped. Nothing else is special inside single quotes: no
/// `$(`, no backtick escape.
pub fn powershell(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars().filter(|c| !c.is_control()) {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powershell_strings_cannot_be_escaped() {
        assert_eq!(powershell("it's $(Get-Item)"), "'it''s $(Get-Item)'");
        assert_eq!(powershell("a\u{2019}b\nc"), "'a\u{2019}\u{2019}bc'");
        assert_eq!(
            powershell("\u{201a}\u{201b}\u{2018}"),
            "'\u{201a}\u{201a}\u{201b}\u{201b}\u{2018}\u{2018}'"
        );
    }
}
