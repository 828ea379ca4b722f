//! One file per check. Each is `fn check(&Context, &mut Vec<ValidateError>)`. The codes a
//! check reports are explained beside it, in `<check>/<CODE>.md` (see `diagnostics::Code`).

mod alternatives;
mod carve_outs;
mod detectors;
mod domains;
mod e2ee_ceiling;
mod examples;
mod exception_effect;
mod exceptions;
mod hardening;
mod identifiers;
mod mfa;
mod networks;
mod retention;
mod reviews;
mod security_team;
mod shared_infrastructure;
mod shared_signers;
mod tier_feeds;
mod tier_membership;
mod tier_shape;
mod vetting;

use super::{Context, ValidateError};

type Check = fn(&Context, &mut Vec<ValidateError>);

pub const ALL: &[Check] = &[
    domains::check,
    networks::check,
    identifiers::check,
    detectors::check,
    examples::check,
    tier_shape::check,
    tier_feeds::check,
    tier_membership::check,
    alternatives::check,
    exceptions::check,
    exception_effect::check,
    security_team::check,
    reviews::check,
    retention::check,
    vetting::check,
    mfa::check,
    e2ee_ceiling::check,
    carve_outs::check,
    shared_infrastructure::check,
    shared_signers::check,
    hardening::check,
];
