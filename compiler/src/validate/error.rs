//! Errors and warnings of the validate stage (the E2xx and W2xx codes but E203 and E220),
//! reported and explained by the checks in `checks/`.

use crate::diagnostics::stage_error;

stage_error!(
    /// A problem with what a well-formed, fully resolved policy says.
    ValidateError
);
