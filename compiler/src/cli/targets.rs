//! `msgpol targets`: every target with what it is, the files it writes, the tier controls it
//! enforces and the sizes that build it by default; as text, as the README's Markdown table,
//! or as JSON for pipelines.

use msgpol::emit::{all_targets, targets_markdown, TargetInfo};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(clap::Args)]
pub struct TargetsArgs {
    /// text (one target a line), markdown (the README's table) or json (for pipelines)
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub fn run(args: &TargetsArgs) -> i32 {
    let infos: Vec<&TargetInfo> = all_targets().iter().map(|t| t.info()).collect();
    match args.format {
        Format::Text => {
            let width = infos.iter().map(|i| i.name.len()).max().unwrap_or(0);
            for info in &infos {
                let sizes: Vec<&str> = info.default_for.iter().map(|s| s.as_str()).collect();
                println!(
                    "{:<width$}  {} [default for: {}]",
                    info.name,
                    info.description,
                    sizes.join(", ")
                );
            }
        }
        Format::Markdown => print!("{}", targets_markdown("docs/targets/")),
        Format::Json => {
            let json = msgpol::emit::pretty_json(&infos);
            print!("{}", String::from_utf8_lossy(&json));
        }
    }
    super::EXIT_OK
}
