//! Every diagnostic code, in one table. A code's letter gives its severity (`E` error, `W`
//! warning) and its stage gives the exit code, so no call site can disagree with the table.
//! Each code's explanation (what it means, an example, how to fix it) is a Markdown file in
//! the folder named after the module that reports it; `docs/errors/<CODE>.md` is generated
//! from it by `tests/docs.rs`, which runs the example and embeds what msgpol prints.

use super::Severity;
use serde::{Serialize, Serializer};
use std::fmt;

/// The part of msgpol that reports a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading a file's text into a syntax tree.
    Syntax,
    /// Loading imports and feeds, and connecting names to declarations.
    Resolve,
    /// Checking what a well-formed, resolved policy says.
    Validate,
    /// The command line and the output: usage and I/O problems (exit code 2).
    Build,
}

impl Stage {
    pub const fn name(self) -> &'static str {
        match self {
            Stage::Syntax => "syntax",
            Stage::Resolve => "resolve",
            Stage::Validate => "validate",
            Stage::Build => "build",
        }
    }
}

/// Declares `Code` from the table: each row is the code, its stage, the folder (under
/// `compiler/src`) of the explanation `<CODE>.md`, and a one-line summary.
macro_rules! codes {
    ($($code:ident $stage:ident $folder:literal $summary:literal;)*) => {
        /// A stable diagnostic code. Codes are never reused.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $summary] $code,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            pub const fn stage(self) -> Stage {
                match self {
                    $(Code::$code => Stage::$stage,)*
                }
            }

            /// One line saying what the code reports (the index of `docs/errors`).
            pub const fn summary(self) -> &'static str {
                match self {
                    $(Code::$code => $summary,)*
                }
            }

            /// The explanation in Markdown: a title, then "What it means", "Example" and
            /// "How to fix".
            pub const fn explanation(self) -> &'static str {
                match self {
                    $(Code::$code => include_str!(concat!("../", $folder, "/", stringify!($code), ".md")),)*
                }
            }

            /// Where the explanation is, relative to the repository.
            pub const fn explanation_path(self) -> &'static str {
                match self {
                    $(Code::$code => concat!("compiler/src/", $folder, "/", stringify!($code), ".md"),)*
                }
            }
        }
    };
}

codes! {
    E001 Syntax "syntax/error" "the file is not valid UTF-8";
    E002 Syntax "syntax/error" "a control character, line separator, bidirectional control or noncharacter in the file";
    E003 Syntax "syntax/error" "unterminated string (a line ends inside \"…\")";
    E004 Syntax "syntax/error" "unexpected text where a statement, value or `{`/`}` was expected";
    E005 Syntax "syntax/error" "a block is not closed, or a `}` closes nothing";
    E006 Syntax "syntax/error" "unknown keyword (with \"did you mean\")";
    E007 Syntax "syntax/error" "a statement has the wrong arguments (e.g. expected a string, got a name)";
    E008 Syntax "syntax/error" "invalid name (lowercase ASCII letters, digits, `-`; starts with a letter; at most 64 characters)";
    E009 Syntax "syntax/error" "invalid date (not YYYY-MM-DD, or not a real calendar date)";
    E010 Syntax "syntax/error" "invalid number";
    E011 Syntax "syntax/error" "blocks nested too deeply (more than three levels)";
    E012 Syntax "syntax/error" "a statement that may appear once appears twice in one block";
    E013 Syntax "syntax/error" "a required statement is missing from a block";
    E014 Syntax "syntax/error" "invalid escape in a string (only `\\\"` and `\\\\`)";
    E015 Syntax "syntax/error" "the file is too large (over 64 MiB)";
    E016 Syntax "syntax/error" "a text people read (a title, label, contact, reason, note) is empty or only white space";
    E101 Resolve "resolve/error" "an imported file or feed cannot be found or read";
    E102 Resolve "resolve/error" "an import or feed leaves the policy root directory";
    E103 Resolve "resolve/error" "an import or feed uses an absolute path";
    E104 Resolve "resolve/error" "an import or feed names a directory";
    E105 Resolve "resolve/error" "unknown standard-library module or class";
    E106 Resolve "resolve/error" "import cycle (the cycle is printed)";
    E107 Resolve "resolve/error" "a name does not refer to a declaration of the right kind (with \"did you mean\")";
    E108 Resolve "resolve/error" "two declarations with the same name";
    E109 Resolve "resolve/error" "channel inheritance cycle";
    E110 Resolve "resolve/error" "class order cycle";
    E111 Resolve "resolve/error" "the `policy` header is missing, repeated, or in an imported file";
    E112 Resolve "resolve/error" "a line of a feed file cannot be used (not a hosts line, an adblock exception or modifier)";
    E113 Resolve "resolve/error" "a chain of channels inheriting from each other, or of classes above each other, is deeper than 32";
    E201 Validate "validate/checks/domains" "invalid domain name";
    E202 Validate "validate/checks/networks" "invalid IPv4/IPv6 network";
    E203 Syntax "syntax/error" "invalid port or port range";
    E204 Validate "validate/checks/tier_membership" "a channel is in two tiers";
    E205 Validate "validate/checks/exceptions" "an exception is past its `until` date";
    W206 Validate "validate/checks/exceptions" "an exception expires within 30 days";
    W207 Validate "validate/checks/reviews" "a vendor review is past its `next` date";
    E208 Validate "validate/checks/alternatives" "a banned channel has no approved alternative for one of its media";
    W209 Validate "validate/checks/mfa" "an approved tier does not require mfa";
    W210 Validate "validate/checks/e2ee_ceiling" "a class that requires e2ee is allowed on a tier holding a channel without e2ee";
    E211 Validate "validate/checks/shared_infrastructure" "shared infrastructure: a blocked domain covers an endpoint of a channel that is not blocked";
    E212 Validate "validate/checks/alternatives" "an `instead` alternative is not approved or does not carry that medium";
    E213 Validate "validate/checks/detectors" "invalid detector (no pattern or keywords, or a pattern that is not a regular expression or is too long)";
    E214 Validate "validate/checks/domains" "a domain is too broad to block (a top-level domain, a public suffix, or a parent shared by many services)";
    E215 Validate "validate/checks/identifiers" "an invalid identifier value (executable, publisher, bundle id, team id, package, URL)";
    E216 Validate "validate/checks/tier_shape" "a tier both blocks its channels and allows data on them, or says neither";
    E217 Validate "validate/checks/carve_outs" "a carve-out names a channel that is not approved or limited, or its tier blocks nothing by DNS";
    E218 Validate "validate/checks/shared_signers" "a channel blocked on endpoints shares its Apple Team ID or Windows publisher with an allowed channel";
    E219 Validate "validate/checks/hardening" "`harden` names a channel that is not in an approved or limited tier";
    E220 Resolve "resolve/error" "a tier's feed needs the channel name `TIER-feed`, and a channel of that name is declared";
    E221 Validate "validate/checks/tier_feeds" "a tier takes names from a feed but neither blocks nor monitors them";
    E222 Validate "validate/checks/exception_effect" "an exception names a channel that is banned or in no tier, where it can never apply";
    W223 Validate "validate/checks/exception_effect" "an exception never applies: it allows nothing above its tier's ceiling, or every class it would allow is denied on the channel";
    W224 Validate "validate/checks/carve_outs" "a carve-out carves nothing: the tier blocks none of the channel's names";
    W225 Validate "validate/checks/security_team" "an exception is for the policy's own security team";
    W226 Validate "validate/checks/vetting" "a medium policy approves a channel with no vendor security review";
    E227 Validate "validate/checks/vetting" "a large policy approves a channel with no vendor security review";
    E228 Validate "validate/checks/tier_shape" "a tier has two `allows` statements for the same medium, or two for every medium";
    W229 Validate "validate/checks/alternatives" "an `instead` names a medium its tier allows: staff would be sent elsewhere for what the tier permits";
    E230 Validate "validate/checks/detectors" "a detector pattern is outside the portable regex subset (the offending part is shown)";
    E231 Validate "validate/checks/detectors" "a detector's keyword list is not usable (term over 50 characters, control character, over 2048 terms)";
    E232 Validate "validate/checks/detectors" "a weighted checksum can never pass (no pattern, or no match of a pattern has one digit per weight)";
    E233 Validate "validate/checks/detectors" "a detector part can never match: no match of a pattern is a whole word within one line, or a keyword has no letter or digit";
    E234 Validate "validate/checks/examples" "a detector does not find one of its `example`s (the part of the detector that fails is named)";
    E235 Validate "validate/checks/examples" "a detector finds one of its `not-example`s (what matches is named)";
    E236 Validate "validate/checks/detectors" "a detector pattern compiles to more automaton states than a scan may take, alone or with the policy's other patterns";
    E237 Validate "validate/checks/tier_membership" "a dated `channels` statement ends before it starts";
    E238 Validate "validate/checks/retention" "messages would have to be deleted before they may be: `keep at least` longer than `delete after`, in one declaration or for a tier's channels";
    W239 Validate "validate/checks/retention" "a retention applies to a channel whose retention no target can set";
    E301 Build "diagnostics" "a file given on the command line cannot be read";
    E302 Build "emit/error" "the output directory exists and is not an msgpol output directory";
    E303 Build "emit/error" "the output cannot be written";
    E304 Build "emit/error" "unknown target name";
    E305 Build "cli" "invalid --today value or SOURCE_DATE_EPOCH";
    E306 Build "cli/explain" "`explain` names a class or channel the policy does not declare";
    E307 Build "emit/error" "a browser list would exceed the browser's limit of 1000 entries";
    W308 Build "emit/warning" "a format cannot write some rules of the policy exactly";
    W309 Build "emit/warning" "a target cannot act on a channel that lacks the identifier it needs";
    W310 Build "emit/warning" "a DLP format cannot check everything a detector says";
    W311 Build "emit/warning" "a `harden` block that no target applies";
    W312 Build "emit/warning" "a banned channel gets around DNS and nothing else in the policy stops it";
    E313 Build "cli/scan" "`scan` cannot read a path, or a file is not in its announced format";
    E315 Build "emit/error" "the policy version cannot be a Purview rule package version (up to four numbers of at most 65535)";
    E316 Build "emit/error" "a detector's patterns exceed Purview's 1024-character regex limit once translated";
    E317 Build "emit/error" "a written file blocks what the policy allows (checked when it is read back)";
    E318 Build "emit/error" "a written file lets through what the policy blocks, beyond its format's declared limits";
    E319 Build "emit/error" "a written file cannot be read back as its format";
    E320 Build "emit/error" "a written DLP file does not find a detector's `example` (checked when it is read back)";
    E321 Build "emit/error" "a written DLP file finds a detector's `not-example`, beyond what its format cannot check";
}

impl Code {
    /// `E` codes are errors, `W` codes warnings.
    pub const fn severity(self) -> Severity {
        match self.as_str().as_bytes()[0] {
            b'W' => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The exit code of a run that stops on this code: 0 for a warning, 2 for a usage or I/O
    /// problem, 1 for an error in the policy. (`msgpol scan` exits 2 on any error: a scan
    /// with a broken policy did not run.)
    pub const fn exit_code(self) -> i32 {
        match (self.severity(), self.stage()) {
            (Severity::Warning, _) => 0,
            (Severity::Error, Stage::Build) => 2,
            (Severity::Error, _) => 1,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// As its string, `"E204"`: the JSON output's `code`.
impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_a_letter_and_three_digits_each_number_once_in_order() {
        let numbers: Vec<u32> = Code::ALL
            .iter()
            .map(|code| {
                let (letter, digits) = code.as_str().split_at(1);
                assert!(matches!(letter, "E" | "W"), "{code}");
                assert!(digits.len() == 3, "{code}");
                digits.parse().unwrap()
            })
            .collect();
        // A number is never used with both letters, and the table is in numeric order, so
        // diagnostics of one severity sort by their code as written.
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
    }
}
