//! The `msgpol` command line. One file per subcommand under `cli/`.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
