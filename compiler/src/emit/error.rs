//! Errors of the emit stage (codes E302–E304, E307, E315–E321), each explained in
//! `error/<CODE>.md` beside this file.

use crate::diagnostics::{quote, stage_error, Code, Diagnostic};
use std::path::Path;

stage_error!(
    /// A problem writing the compiled outputs.
    EmitError
);

pub fn not_an_output_dir(dir: &Path) -> EmitError {
    EmitError(
        Diagnostic::new(Code::E302, format!("{} exists and is not an msgpol output directory", quote(&dir.display().to_string())))
            .help("choose a new or empty directory; msgpol replaces only directories it wrote, holding nothing but its manifest.json and the files that lists"),
    )
}

pub fn write_failed(path: &Path, error: &std::io::Error) -> EmitError {
    EmitError(
        Diagnostic::new(
            Code::E303,
            format!(
                "cannot write {}: {}",
                quote(&path.display().to_string()),
                crate::diagnostics::describe_io(error)
            ),
        )
        .help(
            "check that the output's parent directory exists and is writable; nothing was changed",
        ),
    )
}

pub fn unknown_target(name: &str, known: &[&str]) -> EmitError {
    let help = crate::diagnostics::did_you_mean(name, known.iter().copied())
        .unwrap_or_else(|| format!("run `msgpol targets` to list them: {}", known.join(", ")));
    EmitError(Diagnostic::new(Code::E304, format!("unknown target {}", quote(name))).help(help))
}

pub fn render_failed(target: &str, detail: String) -> EmitError {
    EmitError(
        Diagnostic::new(
            Code::E303,
            format!("the `{target}` target failed: {detail}"),
        )
        .help("this is a bug in msgpol; please report it with the policy that caused it"),
    )
}

pub fn too_many_entries(target: &str, list: &str, count: usize, max: usize) -> EmitError {
    EmitError(
        Diagnostic::new(Code::E307, format!("the `{target}` {list} would hold {count} entries; the browser accepts at most {max}"))
            .help("block long lists (feeds) with a DNS target such as dnsmasq, unbound or rpz, and keep `block browser` for the channels' own web apps"),
    )
}

pub fn purview_version(version: &str) -> EmitError {
    EmitError(
        Diagnostic::new(Code::E315, format!("the policy version {} cannot be a Purview rule package version", quote(version)))
            .help("write the version as up to four numbers of at most 65535, e.g. `version \"2026.2\"`; Purview deploys a rule package only when its version increases"),
    )
}

pub fn purview_pattern_too_long(
    class: &str,
    detector: &str,
    length: usize,
    max: usize,
) -> EmitError {
    EmitError(
        Diagnostic::new(Code::E316, format!("the patterns of detector `{class}/{detector}` become a {length}-character Purview regex; Purview accepts at most {max}"))
            .help("shorten the patterns or split them over several detectors; letters in patterns of detectors without `case-sensitive` are written twice (`[Aa]`)"),
    )
}

/// The probes a disagreement is about, as a diagnostic lists them: each value quoted after
/// how it is asked (`a name under`, `windows-exe`).
fn listed(count: usize, shown: &[(&str, String)]) -> String {
    let mut list = shown
        .iter()
        .map(|(how, value)| match how {
            &"" => quote(value),
            how => format!("{how} {}", quote(value)),
        })
        .collect::<Vec<_>>()
        .join(", ");
    if count > shown.len() {
        list.push_str(&format!(" and {} more", count - shown.len()));
    }
    list
}

/// The files of `target`, and which of their readers disagrees when they have several.
fn files_of(target: &str, reader: Option<&str>) -> String {
    match reader {
        Some(reader) => format!("the `{target}` files ({reader})"),
        None => format!("the `{target}` files"),
    }
}

/// E317: a written file blocks (or, for a detection format, alerts on) what the policy allows.
pub fn blocks_what_the_policy_allows(
    target: &str,
    reader: Option<&str>,
    alerts: bool,
    count: usize,
    shown: &[(&str, String)],
) -> EmitError {
    let does = if alerts { "alert on" } else { "block" };
    EmitError(
        Diagnostic::new(
            Code::E317,
            format!(
                "{} {does} what the policy allows: {}",
                files_of(target, reader),
                listed(count, shown)
            ),
        )
        .help("from `msgpol build`: nothing was written, this format cannot leave these names open; build another target and report the case. From `msgpol verify`: the files changed after the build; build and deploy them again"),
    )
}

/// E318: a written file lets through what the policy blocks (or, for a detection format, does
/// not report what it watches), beyond its format's declared limits.
pub fn lets_through_what_the_policy_blocks(
    target: &str,
    reader: Option<&str>,
    alerts: bool,
    count: usize,
    shown: &[(&str, String)],
) -> EmitError {
    let does = if alerts {
        "do not report what the policy watches"
    } else {
        "let through what the policy blocks"
    };
    EmitError(
        Diagnostic::new(
            Code::E318,
            format!(
                "{} {does}: {}",
                files_of(target, reader),
                listed(count, shown)
            ),
        )
        .help("from `msgpol build`: nothing was written, and this is a bug in msgpol; please report it with the policy. From `msgpol verify`: the files changed after the build; build and deploy them again"),
    )
}

/// E319: a written file cannot be read back as its format.
pub fn unreadable(target: &str, why: &str) -> EmitError {
    EmitError(
        Diagnostic::new(
            Code::E319,
            format!("the `{target}` files cannot be read back: {why}"),
        )
        .help("from `msgpol build`: nothing was written, and this is a bug in msgpol; please report it with the policy. From `msgpol verify`: keep your own settings in a file of your own beside msgpol's"),
    )
}

/// Examples or non-examples as a diagnostic lists them: the texts of each detector, then the
/// detector (`shown` is in detector order).
fn listed_examples(count: usize, shown: &[(String, String)]) -> String {
    let mut groups: Vec<(Vec<String>, &str)> = Vec::new();
    for (text, detector) in shown {
        match groups.last_mut() {
            Some((texts, d)) if *d == detector => texts.push(quote(text)),
            _ => groups.push((vec![quote(text)], detector)),
        }
    }
    let mut list = groups
        .iter()
        .map(|(texts, detector)| format!("{} of `{detector}`", texts.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    if count > shown.len() {
        list.push_str(&format!(" and {} more", count - shown.len()));
    }
    list
}

/// The help of E320 and E321: a build's files read differently from `msgpol scan`, or files
/// changed since.
const DLP_HELP: &str = "from `msgpol build`: nothing was written; this engine reads the detector differently from `msgpol scan` (the target's page in docs/targets lists where): change the detector or the example, build without this target, or report the case. From `msgpol verify`: the files changed after the build; build and deploy them again";

/// E320: a DLP target's files do not find a detector's example.
pub fn misses_examples(target: &str, count: usize, shown: &[(String, String)]) -> EmitError {
    EmitError(
        Diagnostic::new(
            Code::E320,
            format!(
                "the `{target}` files do not find {}: {}",
                if count == 1 { "an example" } else { "examples" },
                listed_examples(count, shown)
            ),
        )
        .help(DLP_HELP),
    )
}

/// E321: a DLP target's files find a detector's non-example, beyond what the format cannot
/// check.
pub fn finds_non_examples(target: &str, count: usize, shown: &[(String, String)]) -> EmitError {
    EmitError(
        Diagnostic::new(
            Code::E321,
            format!(
                "the `{target}` files find {}: {}",
                if count == 1 {
                    "a non-example"
                } else {
                    "non-examples"
                },
                listed_examples(count, shown)
            ),
        )
        .help(DLP_HELP),
    )
}
