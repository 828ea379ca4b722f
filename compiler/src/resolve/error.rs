//! Errors of the resolve stage (codes E101–E112, and E220 for a tier's feed channel), each
//! explained in `error/<CODE>.md` beside this file.

use crate::diagnostics::{did_you_mean, quote, stage_error, Code, Diagnostic};
use crate::source::Span;

stage_error!(
    /// A problem found while loading imports and connecting names to declarations.
    ResolveError
);

// E101–E104 concern every file a policy names: `what` is "import" or "feed".

pub fn import_unreadable(span: Span, path: &str, why: &str, what: &str) -> ResolveError {
    ResolveError(
        Diagnostic::new(
            Code::E101,
            format!("cannot read the {what} {}", quote(path)),
        )
        .label(span, why.to_string())
        .help(format!(
            "check the file name; a {what} path is relative to the file that names it"
        )),
    )
}

pub fn import_outside_root(span: Span, path: &str, what: &str) -> ResolveError {
    ResolveError(
        Diagnostic::new(
            Code::E102,
            format!("the {what} {} leaves the policy's directory", quote(path)),
        )
        .label(span, "this path goes outside the policy root")
        .help(format!(
            "a {what} must be in the directory of the policy you compile, or below it"
        )),
    )
}

pub fn import_absolute(span: Span, path: &str, what: &str) -> ResolveError {
    ResolveError(
        Diagnostic::new(Code::E103, format!("the {what} {} is an absolute path", quote(path)))
            .label(span, "absolute paths are not allowed")
            .help("write the path relative to this file, e.g. `import \"partners.msgpol\"` or `feed hosts \"feeds/banned.txt\"`"),
    )
}

pub fn import_directory(span: Span, path: &str, what: &str) -> ResolveError {
    ResolveError(
        Diagnostic::new(
            Code::E104,
            format!("the {what} {} is a directory", quote(path)),
        )
        .label(span, "not a file")
        .help("name a file inside the directory, e.g. `import \"partners/main.msgpol\"`"),
    )
}

pub fn bad_feed_line(span: Span, line: &str, why: &str, help: &str) -> ResolveError {
    ResolveError(
        Diagnostic::new(
            Code::E112,
            format!("cannot use the feed line {}", quote(line)),
        )
        .label(span, why.to_string())
        .help(help.to_string()),
    )
}

pub fn unknown_module(span: Span, name: &str, known: &[&str]) -> ResolveError {
    let help = did_you_mean(name, known.iter().copied())
        .unwrap_or_else(|| format!("the standard library has: {}", known.join(", ")));
    ResolveError(
        Diagnostic::new(
            Code::E105,
            format!("no standard-library module or class named {}", quote(name)),
        )
        .label(span, "unknown module or class")
        .help(help),
    )
}

pub fn import_cycle(span: Span, cycle: &[String]) -> ResolveError {
    ResolveError(
        Diagnostic::new(Code::E106, format!("import cycle: {}", cycle.join(" → ")))
            .label(span, "this import closes the cycle")
            .help("remove one of these imports; move what both files need into a third file"),
    )
}

pub fn unresolved(span: Span, kind: &str, name: &str, help: String) -> ResolveError {
    ResolveError(
        Diagnostic::new(Code::E107, format!("no {kind} named {}", quote(name)))
            .label(span, format!("not a {kind}"))
            .help(help),
    )
}

pub fn duplicate(span: Span, first: Span, kind: &str, name: &str) -> ResolveError {
    ResolveError(
        Diagnostic::new(
            Code::E108,
            format!("the {kind} {} is declared twice", quote(name)),
        )
        .label(span, "declared again here")
        .label(first, "first declared here")
        .help(format!("rename one of them or merge them into one {kind}")),
    )
}

pub fn inheritance_cycle(span: Span, cycle: &[String]) -> ResolveError {
    ResolveError(
        Diagnostic::new(
            Code::E109,
            format!(
                "channels inherit from each other in a cycle: {}",
                cycle.join(" → ")
            ),
        )
        .label(span, "this `:` closes the cycle")
        .help("a channel cannot be its own ancestor; remove one of the `: parent` links"),
    )
}

pub fn class_cycle(span: Span, cycle: &[String]) -> ResolveError {
    ResolveError(
        Diagnostic::new(Code::E110, format!("classes are ordered in a cycle: {}", cycle.join(" → ")))
            .label(span, "this `:` closes the cycle")
            .help("`class a : b` puts `a` above `b`; the order must run from the lowest class to the highest without returning"),
    )
}

/// E113: a declaration `depth` levels below the top of its chain, past `MAX_DEPTH`.
pub fn too_deep(span: Span, kind: &str, name: &str, max: usize) -> ResolveError {
    ResolveError(
        Diagnostic::new(
            Code::E113,
            format!("the {kind} {} is more than {max} levels below the top of its chain", quote(name)),
        )
        .label(span, format!("{max} {} lie above this one already", if kind == "class" { "classes" } else { "channels" }))
        .help("a chain this deep is almost always generated by mistake: let the declarations name the same parent instead of each the one before"),
    )
}

pub fn missing_policy(span: Span) -> ResolveError {
    ResolveError(
        Diagnostic::new(Code::E111, "the policy has no `policy` header")
            .label(span, "this file is compiled, so it needs the header")
            .help("start the file with `policy \"Name\" { organisation …  size …  version …  effective …  owner …  support …  briefing … }`"),
    )
}

pub fn extra_policy(span: Span, first: Span) -> ResolveError {
    ResolveError(
        Diagnostic::new(Code::E111, "a second `policy` header")
            .label(
                span,
                "only the compiled file may have a header, and only one",
            )
            .label(first, "the header")
            .help("remove this header; imported files hold declarations only"),
    )
}

pub fn feed_channel_taken(span: Span, existing: Span, name: &str, tier: &str) -> ResolveError {
    ResolveError(
        Diagnostic::new(
            Code::E220,
            format!(
                "the feed of tier {} needs the channel name {}, which is taken",
                quote(tier),
                quote(name)
            ),
        )
        .label(
            span,
            format!("this feed's names go into a channel named `{name}`"),
        )
        .label(existing, "but a channel of that name is declared here")
        .help(format!(
            "rename the channel `{name}`, or move the feed into it and list it in tier `{tier}`"
        )),
    )
}
