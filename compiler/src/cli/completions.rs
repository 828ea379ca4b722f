//! `msgpol completions SHELL` and `msgpol man --out DIR`: the shell completion script and the
//! manual pages, both made from the clap definitions, so they never disagree with `--help`.

use super::{Cli, Session, EXIT_OK};
use clap::CommandFactory;
use std::path::Path;

pub fn completions(shell: clap_complete::Shell) -> i32 {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "msgpol", &mut std::io::stdout());
    EXIT_OK
}

/// `msgpol.1`, and `msgpol-COMMAND.1` for each command.
pub fn man(session: &Session, out: &Path) -> i32 {
    let command = Cli::command();
    let mut pages = vec![("msgpol.1".to_string(), command.clone())];
    for sub in command.get_subcommands() {
        let name = format!("msgpol-{}", sub.get_name());
        pages.push((format!("{name}.1"), sub.clone().name(name)));
    }
    if let Err(e) = std::fs::create_dir_all(out) {
        return session.fail(msgpol::emit::error::write_failed(out, &e).0);
    }
    for (file, page) in pages {
        let mut roff = Vec::new();
        let path = out.join(file);
        let written = clap_mangen::Man::new(page)
            .render(&mut roff)
            .and_then(|()| std::fs::write(&path, roff));
        if let Err(e) = written {
            return session.fail(msgpol::emit::error::write_failed(&path, &e).0);
        }
    }
    EXIT_OK
}
