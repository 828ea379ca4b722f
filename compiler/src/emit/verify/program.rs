//! Program probes: every program identifier the policy gives a channel, with what the channel
//! says of the program it names, so that a format matching programs by another identifier (a
//! publisher rather than a file name, a full path) can be asked about it.

use crate::ir::ChannelInfo;

/// A kind of program identifier, as the policy's keywords name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Identifier {
    WindowsExe,
    WindowsPublisher,
    WindowsStore,
    WindowsPath,
    MacosTeam,
    MacosSigningId,
    MacosBundle,
}

impl Identifier {
    pub fn keyword(self) -> &'static str {
        match self {
            Identifier::WindowsExe => "windows-exe",
            Identifier::WindowsPublisher => "windows-publisher",
            Identifier::WindowsStore => "windows-store",
            Identifier::WindowsPath => "windows-path",
            Identifier::MacosTeam => "macos-team",
            Identifier::MacosSigningId => "macos-signing-id",
            Identifier::MacosBundle => "macos-bundle",
        }
    }

    /// Windows compares file names, paths, publishers and package names in any case; Apple's
    /// identifiers are compared as written.
    pub fn ignores_case(self) -> bool {
        !matches!(
            self,
            Identifier::MacosTeam | Identifier::MacosSigningId | Identifier::MacosBundle
        )
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of identifier kinds: those the policy gives for one program; and whether every
/// path it gives lies in a user's profile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Identifiers(u8);

/// The bit after the kinds': the program's paths all lie in a user's profile.
const IN_PROFILE: u8 = 1 << 7;

impl Identifiers {
    fn with(self, kind: Identifier, given: bool) -> Self {
        if given {
            Identifiers(self.0 | kind.bit())
        } else {
            self
        }
    }

    /// Whether any of `kinds` is in the set.
    pub fn any_of(self, kinds: &[Identifier]) -> bool {
        kinds.iter().any(|k| self.0 & k.bit() != 0)
    }

    /// Whether the policy gives paths for the program and every one of them lies in a
    /// user's profile.
    pub fn in_profile_only(self) -> bool {
        self.0 & IN_PROFILE != 0
    }

    /// The set without the paths, for a format that cannot match a path in a user's profile,
    /// if they all lie there.
    pub fn without_profile_paths(self) -> Self {
        if self.in_profile_only() {
            Identifiers(self.0 & !Identifier::WindowsPath.bit() & !IN_PROFILE)
        } else {
            self
        }
    }
}

/// Whether a Windows path lies in a user's profile: it starts with a variable each user has
/// their own value of (`%LOCALAPPDATA%`, `%APPDATA%`, `%USERPROFILE%`, `%TEMP%`, `%TMP%`).
fn in_user_profile(path: &str) -> bool {
    let Some((variable, _)) = path.strip_prefix('%').and_then(|rest| rest.split_once('%')) else {
        return false;
    };
    ["localappdata", "appdata", "userprofile", "temp", "tmp"]
        .iter()
        .any(|v| variable.eq_ignore_ascii_case(v))
}

/// The program one identifier of a channel names, as far as the policy describes it. A
/// Windows program (named by `windows-exe`, `windows-path` or `windows-publisher`) has the
/// channel's file names, paths and publishers that fit it: an executable's paths are those
/// ending in its name, a path's file name is its last part, a publisher signs all the
/// channel's programs. A Store app is its package family alone. A macOS program (team, signing
/// id, bundle id) has the channel's teams, its signing ids (of that team, for a team) and its
/// bundle ids. Lists the policy does not fill are empty: a format whose rules need them cannot
/// match the program.
#[derive(Debug)]
pub struct Program<'ir> {
    pub kind: Identifier,
    pub identifier: &'ir str,
    pub file_names: Vec<&'ir str>,
    pub paths: Vec<&'ir str>,
    pub publishers: Vec<&'ir str>,
    /// A Store app's package family name, `Name_PublisherId`.
    pub package: Option<&'ir str>,
    pub teams: Vec<&'ir str>,
    /// `TEAMID:signing.id`.
    pub signing_ids: Vec<&'ir str>,
    pub bundles: Vec<&'ir str>,
    /// The kinds of identifier the policy gives for it.
    given: Identifiers,
}

/// The file name at the end of a Windows path.
fn file_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

fn all(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

impl<'ir> Program<'ir> {
    fn new(kind: Identifier, identifier: &'ir str) -> Self {
        Program {
            kind,
            identifier,
            file_names: Vec::new(),
            paths: Vec::new(),
            publishers: Vec::new(),
            package: None,
            teams: Vec::new(),
            signing_ids: Vec::new(),
            bundles: Vec::new(),
            given: Identifiers::default(),
        }
    }

    /// A program the policy names by `identifier` alone, as a channel listing only it gives:
    /// the readers' tests ask about such programs, adding what they need.
    #[cfg(test)]
    pub fn alone(kind: Identifier, identifier: &'ir str) -> Program<'ir> {
        let mut program = Program::new(kind, identifier);
        match kind {
            Identifier::WindowsExe => program.file_names.push(identifier),
            Identifier::WindowsPath => {
                program.paths.push(identifier);
                program.file_names.push(file_name(identifier));
            }
            Identifier::WindowsPublisher => program.publishers.push(identifier),
            Identifier::WindowsStore => program.package = Some(identifier),
            Identifier::MacosTeam => program.teams.push(identifier),
            Identifier::MacosSigningId => {
                program.signing_ids.push(identifier);
                program
                    .teams
                    .extend(identifier.split_once(':').map(|(t, _)| t));
            }
            Identifier::MacosBundle => program.bundles.push(identifier),
        }
        program
    }

    /// One probe per program identifier of `channel`.
    pub fn of(channel: &'ir ChannelInfo) -> Vec<Program<'ir>> {
        let e = &channel.endpoints;
        let mut out = Vec::new();
        for exe in &e.windows_exe {
            out.push(Program {
                file_names: vec![exe],
                paths: all(&e.windows_path)
                    .into_iter()
                    .filter(|p| file_name(p).eq_ignore_ascii_case(exe))
                    .collect(),
                publishers: all(&e.windows_publisher),
                ..Program::new(Identifier::WindowsExe, exe)
            });
        }
        for path in &e.windows_path {
            let named = e
                .windows_exe
                .iter()
                .any(|exe| exe.eq_ignore_ascii_case(file_name(path)));
            out.push(Program {
                given: Identifiers::default().with(Identifier::WindowsExe, named),
                file_names: vec![file_name(path)],
                paths: vec![path],
                publishers: all(&e.windows_publisher),
                ..Program::new(Identifier::WindowsPath, path)
            });
        }
        for publisher in &e.windows_publisher {
            out.push(Program {
                file_names: all(&e.windows_exe),
                paths: all(&e.windows_path),
                publishers: vec![publisher],
                ..Program::new(Identifier::WindowsPublisher, publisher)
            });
        }
        for family in &e.windows_store {
            out.push(Program {
                package: Some(family),
                ..Program::new(Identifier::WindowsStore, family)
            });
        }
        for team in &e.macos_team {
            out.push(Program {
                teams: vec![team],
                signing_ids: all(&e.macos_signing_id)
                    .into_iter()
                    .filter(|s| s.split_once(':').is_some_and(|(t, _)| t == team))
                    .collect(),
                bundles: all(&e.macos_bundle),
                ..Program::new(Identifier::MacosTeam, team)
            });
        }
        for signing_id in &e.macos_signing_id {
            out.push(Program {
                teams: signing_id
                    .split_once(':')
                    .map(|(t, _)| t)
                    .into_iter()
                    .collect(),
                signing_ids: vec![signing_id],
                bundles: all(&e.macos_bundle),
                ..Program::new(Identifier::MacosSigningId, signing_id)
            });
        }
        for bundle in &e.macos_bundle {
            out.push(Program {
                teams: all(&e.macos_team),
                signing_ids: all(&e.macos_signing_id),
                bundles: vec![bundle],
                ..Program::new(Identifier::MacosBundle, bundle)
            });
        }
        out
    }

    /// The kinds of identifier the policy gives for this program: those of its lists that
    /// are filled, but not a file name read off a path the policy gives; and whether its
    /// paths all lie in a user's profile.
    pub fn given(&self) -> Identifiers {
        let in_profile = !self.paths.is_empty() && self.paths.iter().all(|p| in_user_profile(p));
        let given = self
            .given
            .with(self.kind, true)
            .with(
                Identifier::WindowsExe,
                self.kind != Identifier::WindowsPath && !self.file_names.is_empty(),
            )
            .with(Identifier::WindowsPath, !self.paths.is_empty())
            .with(Identifier::WindowsPublisher, !self.publishers.is_empty())
            .with(Identifier::WindowsStore, self.package.is_some())
            .with(Identifier::MacosTeam, !self.teams.is_empty())
            .with(Identifier::MacosSigningId, !self.signing_ids.is_empty())
            .with(Identifier::MacosBundle, !self.bundles.is_empty());
        Identifiers(given.0 | if in_profile { IN_PROFILE } else { 0 })
    }
}
