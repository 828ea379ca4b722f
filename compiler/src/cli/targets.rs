//! `msgpol targets`: the target names with one line each, and the sizes that build them by default.

pub fn run() -> i32 {
    for target in msgpol::emit::all_targets() {
        let sizes: Vec<String> = target
            .default_for()
            .iter()
            .map(|s| format!("{s:?}").to_lowercase())
            .collect();
        println!(
            "{:<10} {} [default for: {}]",
            target.name(),
            target.description(),
            sizes.join(", ")
        );
    }
    super::EXIT_OK
}
