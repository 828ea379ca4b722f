//! `msgpol check FILE…`: every problem in every file; exit 1 if any has errors.

use super::{Session, EXIT_OK, EXIT_USAGE};

pub fn run(session: &Session, files: &[std::path::PathBuf]) -> i32 {
    let mut worst = EXIT_OK;
    for file in files {
        let code = match msgpol::compile(file, session.today) {
            Err(diag) => session.fail(diag),
            Ok(compilation) => {
                session.report(&compilation.diagnostics, &compilation.sources);
                let code = session.exit_code(&compilation.diagnostics);
                super::release(compilation);
                code
            }
        };
        // Usage problems (2) outrank policy errors (1).
        worst = if code == EXIT_USAGE || worst == EXIT_USAGE {
            EXIT_USAGE
        } else {
            worst.max(code)
        };
    }
    worst
}
