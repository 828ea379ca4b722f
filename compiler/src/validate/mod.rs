//! Stage 3, validate: checks on the resolved program, one file per check under `checks/`.
//! Every check runs, so one run reports every problem.

pub mod checks;
pub mod error;

pub use error::ValidateError;

use crate::resolve::Program;
use crate::source::SourceMap;
use time::Date;

pub struct Context<'a> {
    pub program: &'a Program,
    pub map: &'a SourceMap,
    /// The evaluation date (`--today`), against which expiry is judged.
    pub today: Date,
}

pub fn validate(ctx: &Context) -> Vec<ValidateError> {
    let mut out = Vec::new();
    for check in checks::ALL {
        check(ctx, &mut out);
    }
    out
}
