//! Identifiers that reach endpoint configuration (executables, publishers, bundle ids, team
//! ids, packages, URLs). Each kind has a narrow character set, so no policy string can carry
//! quotes, line breaks or shell syntax into an output.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    WindowsExe,
    WindowsPublisher,
    WindowsStore,
    WindowsPath,
    MacosBundle,
    MacosTeam,
    MacosSigningId,
    EntraApp,
    AndroidPackage,
    WebApp,
}

impl ValueKind {
    pub fn describe(self) -> &'static str {
        match self {
            ValueKind::WindowsExe => "a Windows executable name such as `Signal.exe`",
            ValueKind::WindowsPublisher => "an AppLocker publisher such as `O=SLACK TECHNOLOGIES, INC., L=SAN FRANCISCO, S=CALIFORNIA, C=US`",
            ValueKind::WindowsStore => "a Store package family name such as `5319275A.WhatsAppDesktop_cv1g1gvanyjgm`",
            ValueKind::WindowsPath => {
                "a full program path such as `%ProgramFiles%\\Example\\chat.exe`, starting with a drive or a folder variable every target can name (`%ProgramFiles%`, `%ProgramData%`, `%USERPROFILE%`, `%LOCALAPPDATA%`, `%APPDATA%`, … as docs/language.md lists; not `%OneDrive%`, which users can move)"
            }
            ValueKind::MacosBundle => "a bundle id such as `com.tinyspeck.slackmacgap`",
            ValueKind::MacosTeam => "a 10-character Apple Team ID such as `BQR82RBBHL`",
            ValueKind::MacosSigningId => {
                "a Team ID, `:` and a bundle id, such as `UBF8T346G9:com.skype.skype`"
            }
            ValueKind::EntraApp => {
                "a Microsoft Entra application id (a GUID) such as `cc15fd57-2c6c-4117-a88c-83b1d56b4bbe`"
            }
            ValueKind::AndroidPackage => "an Android package name such as `com.whatsapp`",
            ValueKind::WebApp => "an `https://` URL such as `https://web.whatsapp.com`",
        }
    }
}

/// The variables a `windows-path` may start with: those whose folder every Windows target can
/// name (AppLocker knows only its own variables, so it maps each of these to a pattern; one
/// such as `%OneDrive%`, which users can move, it could not, and an approved program there
/// would be refused by AppLocker's default rules).
pub const WINDOWS_PATH_VARIABLES: &[&str] = &[
    "ProgramFiles",
    "ProgramFiles(x86)",
    "ProgramW6432",
    "WINDIR",
    "SystemRoot",
    "SystemDrive",
    "HOMEDRIVE",
    "ProgramData",
    "ALLUSERSPROFILE",
    "PUBLIC",
    "USERPROFILE",
    "APPDATA",
    "LOCALAPPDATA",
    "TEMP",
    "TMP",
];

fn dotted(value: &str, extra: &[char]) -> bool {
    !value.is_empty()
        && value.len() <= 255
        && value.split('.').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
        })
}

/// Whether a value is well-formed for its kind.
pub fn is_valid(kind: ValueKind, value: &str) -> bool {
    match kind {
        ValueKind::WindowsExe => {
            value.len() <= 255
                && value.to_ascii_lowercase().ends_with(".exe")
                && value.len() > 4
                && value.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ' | '(' | ')')
                })
        }
        ValueKind::WindowsPublisher => {
            value.len() <= 1024
                && value.contains('=')
                && value.chars().all(|c| {
                    c.is_alphanumeric()
                        || matches!(c, ' ' | '=' | ',' | '.' | '-' | '&' | '\'' | '(' | ')')
                })
        }
        ValueKind::WindowsStore => {
            value.len() <= 255
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                && !value.is_empty()
        }
        ValueKind::WindowsPath => {
            let rooted = value.get(1..3) == Some(":\\")
                && value.starts_with(|c: char| c.is_ascii_alphabetic())
                || value.starts_with('%')
                    && value[1..].split_once('%').is_some_and(|(var, rest)| {
                        WINDOWS_PATH_VARIABLES
                            .iter()
                            .any(|known| var.eq_ignore_ascii_case(known))
                            && rest.starts_with('\\')
                    });
            rooted
                && value.len() <= 259
                && value.to_ascii_lowercase().ends_with(".exe")
                && !value.contains("\\\\")
                && !value.split('\\').any(|part| part == "..")
                && value.chars().all(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, '\\' | ':' | '%' | '.' | '-' | '_' | ' ' | '(' | ')')
                })
        }
        ValueKind::MacosBundle => dotted(value, &['-', '_']),
        ValueKind::MacosTeam => {
            value.len() == 10
                && value
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        }
        ValueKind::MacosSigningId => value.split_once(':').is_some_and(|(team, bundle)| {
            is_valid(ValueKind::MacosTeam, team) && is_valid(ValueKind::MacosBundle, bundle)
        }),
        ValueKind::EntraApp => {
            value.len() == 36
                && value.char_indices().all(|(i, c)| match i {
                    8 | 13 | 18 | 23 => c == '-',
                    _ => c.is_ascii_hexdigit(),
                })
        }
        ValueKind::AndroidPackage => {
            dotted(value, &['_'])
                && value.contains('.')
                && value
                    .split('.')
                    .all(|p| p.starts_with(|c: char| c.is_ascii_alphabetic()))
        }
        ValueKind::WebApp => match value.strip_prefix("https://") {
            Some(rest) => {
                let host = rest.split('/').next().unwrap_or_default();
                // A web app may live at an address (`https://10.0.0.5/`); only a name
                // `domains` takes must not end in a number.
                !host.is_empty()
                    && (super::domain::normalize(host).is_ok()
                        || host.parse::<std::net::Ipv4Addr>().is_ok())
                    && rest.len() <= 2000
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-._~/%?=&+#:".contains(c))
            }
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_catalogue_values() {
        assert!(is_valid(ValueKind::WindowsExe, "Signal.exe"));
        assert!(is_valid(
            ValueKind::WindowsPublisher,
            "O=SLACK TECHNOLOGIES, INC., L=SAN FRANCISCO, S=CALIFORNIA, C=US"
        ));
        assert!(is_valid(
            ValueKind::WindowsStore,
            "5319275A.WhatsAppDesktop_cv1g1gvanyjgm"
        ));
        assert!(is_valid(
            ValueKind::MacosBundle,
            "org.whispersystems.signal-desktop"
        ));
        assert!(is_valid(ValueKind::MacosTeam, "U68MSDN6DR"));
        assert!(is_valid(
            ValueKind::WindowsPath,
            "%ProgramFiles(x86)%\\Example\\chat.exe"
        ));
        assert!(is_valid(ValueKind::WindowsPath, "C:\\Tools\\chat.exe"));
        assert!(is_valid(
            ValueKind::EntraApp,
            "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"
        ));
        assert!(is_valid(
            ValueKind::MacosSigningId,
            "UBF8T346G9:com.skype.skype"
        ));
        assert!(is_valid(ValueKind::AndroidPackage, "com.whatsapp.w4b"));
        assert!(is_valid(ValueKind::WebApp, "https://web.whatsapp.com"));
    }

    #[test]
    fn rejects_hostile_values() {
        assert!(!is_valid(
            ValueKind::WindowsExe,
            "a.exe\"; Remove-Item C:\\ -Recurse; \""
        ));
        assert!(!is_valid(ValueKind::WindowsPublisher, "O=X\nC=US"));
        assert!(!is_valid(ValueKind::MacosTeam, "u68msdn6dr"));
        assert!(!is_valid(ValueKind::MacosSigningId, "com.skype.skype"));
        assert!(!is_valid(ValueKind::WindowsPath, "Telegram.exe"));
        assert!(!is_valid(
            ValueKind::WindowsPath,
            "C:\\a.exe|Action=Allow|x.exe"
        ));
        assert!(!is_valid(ValueKind::WindowsPath, "%APPDATA%\\..\\x.exe"));
        assert!(!is_valid(
            ValueKind::EntraApp,
            "cc15fd57-2c6c-4117-a88c-83b1d56b4bb\""
        ));
        assert!(!is_valid(
            ValueKind::MacosSigningId,
            "UBF8T346G9:a</string><string>b"
        ));
        assert!(!is_valid(ValueKind::WebApp, "javascript:alert(1)"));
        assert!(!is_valid(ValueKind::WebApp, "https://a.com/`$(id)`"));
    }
}
