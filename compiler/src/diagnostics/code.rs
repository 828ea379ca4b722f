//! Every diagnostic code, in one table. A code's letter gives its severity (`E` error, `W`
//! warning) and its stage gives the exit code, so no call site can disagree with the table.

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

/// Declares `Code` from the table: each row is the code, its stage and a one-line summary.
macro_rules! codes {
    ($($code:ident $stage:ident $summary:literal;)*) => {
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
        }
    };
}

codes! {
    E001 Syntax "the file is not valid UTF-8";
    E002 Syntax "a NUL byte or other control character in the file";
    E003 Syntax "unterminated string (a line ends inside \"…\")";
    E004 Syntax "unexpected text where a statement, value or `{`/`}` was expected";
    E005 Syntax "a block is not closed, or a `}` closes nothing";
    E006 Syntax "unknown keyword (with \"did you mean\")";
    E007 Syntax "a statement has the wrong arguments (e.g. expected a string, got a name)";
    E008 Syntax "invalid name (lowercase ASCII letters, digits, `-`; starts with a letter; at most 64 characters)";
    E009 Syntax "invalid date (not YYYY-MM-DD, or not a real calendar date)";
    E010 Syntax "invalid number";
    E011 Syntax "blocks nested too deeply (more than three levels)";
    E012 Syntax "a statement that may appear once appears twice in one block";
    E013 Syntax "a required statement is missing from a block";
    E014 Syntax "invalid escape in a string (only `\\\"` and `\\\\`)";
    E015 Syntax "the file is too large (over 64 MiB)";
    E101 Resolve "an imported file or feed cannot be found or read";
    E102 Resolve "an import or feed leaves the policy root directory";
    E103 Resolve "an import or feed uses an absolute path";
    E104 Resolve "an import or feed names a directory";
    E105 Resolve "unknown standard-library module";
    E106 Resolve "import cycle (the cycle is printed)";
    E107 Resolve "a name does not refer to a declaration of the right kind (with \"did you mean\")";
    E108 Resolve "two declarations with the same name";
    E109 Resolve "channel inheritance cycle";
    E110 Resolve "class order cycle";
    E111 Resolve "the `policy` header is missing, repeated, or in an imported file";
    E112 Resolve "a line of a feed file cannot be used (not a hosts line, an adblock exception or modifier)";
    E201 Validate "invalid domain name";
    E202 Validate "invalid IPv4/IPv6 network";
    E203 Syntax "invalid port or port range";
    E204 Validate "a channel is in two tiers";
    E205 Validate "an exception is past its `until` date";
    W206 Validate "an exception expires within 30 days";
    W207 Validate "a vendor review is past its `next` date";
    E208 Validate "a banned channel has no approved alternative for one of its media";
    W209 Validate "an approved tier does not require mfa";
    W210 Validate "a class that requires e2ee is allowed on a tier holding a channel without e2ee";
    E211 Validate "shared infrastructure: a blocked domain covers an endpoint of a channel that is not blocked";
    E212 Validate "an `instead` alternative is not approved or does not carry that medium";
    E213 Validate "invalid detector (no pattern or keywords, or a pattern that is not a regular expression or is too long)";
    E214 Validate "a domain is too broad to block (a top-level domain, a public suffix, or a parent shared by many services)";
    E215 Validate "an invalid identifier value (executable, publisher, bundle id, team id, package, URL)";
    E216 Validate "a tier both blocks its channels and allows data on them, or says neither";
    E217 Validate "a carve-out names a channel that is not approved or limited, or its tier blocks nothing by DNS";
    E218 Validate "a channel blocked on endpoints shares its Apple Team ID or Windows publisher with an allowed channel";
    E219 Validate "`harden` names a channel that is not in an approved or limited tier";
    E220 Resolve "a tier's feed needs the channel name `TIER-feed`, and a channel of that name is declared";
    E221 Validate "a tier takes names from a feed but neither blocks nor monitors them";
    E230 Validate "a detector pattern is outside the portable regex subset (the offending part is shown)";
    E231 Validate "a detector's keyword list is not usable (term over 50 characters, control character, over 2048 terms)";
    E232 Validate "a weighted checksum can never pass (no pattern, or fewer digits than weights)";
    E301 Build "a file given on the command line cannot be read";
    E302 Build "the output directory exists and is not an msgpol output directory";
    E303 Build "the output cannot be written";
    E304 Build "unknown target name";
    E305 Build "invalid --today value or SOURCE_DATE_EPOCH";
    E306 Build "`explain` names a class or channel the policy does not declare";
    E307 Build "a browser list would exceed the browser's limit of 1000 entries";
    E313 Build "`scan` cannot read a path, or a file is not in its announced format";
    E314 Build "`scan` cannot compile the policy's detectors (size limits)";
    E315 Build "the policy version cannot be a Purview rule package version (up to four numbers of at most 65535)";
    E316 Build "a detector's patterns exceed Purview's 1024-character regex limit once translated";
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
