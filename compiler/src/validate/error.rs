//! Errors and warnings of the validate stage (codes E201–E216, W206–W210).

use crate::diagnostics::stage_error;

stage_error!(
    /// A problem with what a well-formed, fully resolved policy says.
    ValidateError
);
