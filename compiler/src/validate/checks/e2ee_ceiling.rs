//! W210 a class that requires end-to-end encryption, allowed by a tier's ceiling on a tier
//! that holds a channel without it (`decide` denies that cell; the tier reads as if it allowed).

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::syntax::ast::Ceiling;
use crate::validate::{Context, ValidateError};
use crate::vocabulary::{E2ee, Requirement};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let program = ctx.program;
    for tier in &program.tiers {
        if !tier.block.is_empty() {
            continue;
        }
        let needing = |ceiling: &str| -> Vec<&str> {
            program
                .classes
                .iter()
                .filter(|(name, def)| {
                    def.requires.contains(&Requirement::E2ee)
                        && program.class_at_most(name, ceiling)
                })
                .map(|(name, _)| name.as_str())
                .collect()
        };
        // The first ceiling, of any medium, that includes such a class.
        let Some((ceiling, needing)) = tier.allows.iter().find_map(|a| match &a.ceiling {
            Ceiling::UpTo(class) => {
                Some((class, needing(&class.text))).filter(|(_, n)| !n.is_empty())
            }
            Ceiling::Nothing(_) => None,
        }) else {
            continue;
        };
        let first = needing[0];
        for channel in &tier.channels {
            let e2ee = program.channels[&channel.text]
                .decl
                .body
                .e2ee
                .map_or(E2ee::No, |e| e.value);
            if e2ee != E2ee::Yes {
                out.push(ValidateError(
                    Diagnostic::new(
                        Code::W210,
                        format!("tier {} allows {} but {} is not end-to-end encrypted by default", quote(&tier.name.text), quote(first), quote(&channel.text)),
                    )
                    .label(channel.span, format!("`{}` data will be denied on this channel", needing.join("`, `")))
                    .label(ceiling.span, "the tier's ceiling includes classes that require e2ee")
                    .help("lower the tier's ceiling, or move the channel to a tier that allows only classes it can carry"),
                ));
            }
        }
    }
}
