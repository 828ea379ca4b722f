//! E216 tiers that contradict themselves: blocking while allowing data, or saying neither.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::syntax::ast::Ceiling;
use crate::validate::{Context, ValidateError};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    for tier in &ctx.program.tiers {
        match (&tier.allows, tier.block.first()) {
            (Some(Ceiling::UpTo(class)), Some(block)) => out.push(ValidateError(
                Diagnostic::new(Code::E216, format!("tier {} both blocks its channels and allows data on them", quote(&tier.name.text)))
                    .label(block.span, "this blocks the tier's channels")
                    .label(class.span, "but this allows data on them")
                    .help("a banned tier says `allows nothing`; to watch a channel without blocking it, use `monitor`"),
            )),
            (None, None) => out.push(ValidateError(
                Diagnostic::new(Code::E216, format!("tier {} does not say what data it allows", quote(&tier.name.text)))
                    .label(tier.name.span, "add `allows up to CLASS` or `allows nothing`")
                    .help("e.g. `allows up to internal` for an approved tier, `allows nothing` with `block dns` for a banned one"),
            )),
            _ => {}
        }
    }
}
