//! Normal forms of the values that reach deployable files. Validation reports what does not
//! normalise; the IR keeps only normalised values, so no target sees raw policy text here.

pub mod domain;
pub mod network;
pub mod value;
