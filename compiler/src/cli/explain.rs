//! `msgpol explain FILE CLASS CHANNEL [--medium MEDIUM] [--who GROUP] [--expect VERDICT]`: the
//! decision and why; one per medium where the channel's tier decides by medium and no
//! `--medium` is given. With `--expect`, exit 1 unless every decision has that verdict.

use super::{Session, EXIT_OK, EXIT_POLICY};
use msgpol::diagnostics::{did_you_mean, quote, Code, Diagnostic};
use msgpol::ir::{Medium, Verdict};

pub fn run(
    session: &Session,
    file: &std::path::Path,
    class: &str,
    channel: &str,
    medium: Option<Medium>,
    who: Option<&str>,
    expect: Option<Verdict>,
) -> i32 {
    let compilation = match msgpol::compile(file, session.today) {
        Ok(c) => c,
        Err(diag) => return session.fail(diag),
    };
    session.report(&compilation.diagnostics, &compilation.sources);
    let Some(ir) = &compilation.ir else {
        return EXIT_POLICY;
    };
    let unknown = |kind: &str, kinds: &str, name: &str, known: Vec<&str>| {
        let help = did_you_mean(name, known.iter().copied())
            .unwrap_or_else(|| format!("the policy's {kinds}: {}", known.join(", ")));
        Diagnostic::new(
            Code::E306,
            format!("the policy declares no {kind} named {}", quote(name)),
        )
        .help(help)
    };
    if ir.class(class).is_none() {
        return session.fail(unknown(
            "class",
            "classes",
            class,
            ir.classes.iter().map(|c| c.name.as_str()).collect(),
        ));
    }
    let answer = match medium {
        Some(m) => ir.decide(class, channel, Some(m), who).map(|d| vec![d]),
        None => ir.decisions(class, channel, who),
    };
    let Some(decisions) = answer else {
        return session.fail(unknown(
            "channel",
            "channels",
            channel,
            ir.channels.iter().map(|c| c.name.as_str()).collect(),
        ));
    };
    let exit = match expect {
        Some(verdict) if decisions.iter().any(|d| d.verdict != verdict) => EXIT_POLICY,
        _ => EXIT_OK,
    };
    if session.format == msgpol::diagnostics::ErrorFormat::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&decisions).expect("a decision serialises")
        );
        return exit;
    }
    let who = who
        .map(|w| format!(" for group {}", quote(w)))
        .unwrap_or_default();
    for decision in &decisions {
        let verdict = match decision.verdict {
            Verdict::Allow => "allow",
            Verdict::Warn => "warn (allowed with conditions)",
            Verdict::Deny => "deny",
        };
        let medium = decision
            .medium
            .map(|m| format!(" as {}", m.as_str()))
            .unwrap_or_default();
        println!(
            "{} on {}{medium}{who}: {verdict}",
            quote(class),
            quote(channel)
        );
        for reason in &decision.reasons {
            println!("  - {} ({})", reason.message, reason.at);
        }
    }
    exit
}
