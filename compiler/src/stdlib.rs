//! The standard library: `.msgpol` source embedded in the binary, loaded as `std.<module>`.

pub const MODULES: &[(&str, &str)] = &[
    ("std.channels", include_str!("../../stdlib/channels.msgpol")),
    ("std.classes", include_str!("../../stdlib/classes.msgpol")),
];

pub fn source(module: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, text)| *text)
}

/// Every name `import` takes: each module, and each class of a module (`std.classes.internal`).
pub fn importable() -> Vec<String> {
    let mut names = Vec::new();
    for (module, text) in MODULES {
        names.push(module.to_string());
        for line in text.lines() {
            let mut words = line.split_whitespace();
            if let (Some("class"), Some(class)) = (words.next(), words.next()) {
                names.push(format!("{module}.{class}"));
            }
        }
    }
    names
}

/// How a module is named in diagnostics and the manifest.
pub fn display_name(module: &str) -> String {
    format!("<{}>", module)
}

/// The standard-library module that declares `kind NAME` (e.g. `channel signal`), if any:
/// for the hint "add `import std.channels`" when a policy forgets the import.
pub fn module_declaring(kind: &str, name: &str) -> Option<&'static str> {
    MODULES.iter().find_map(|(module, text)| {
        text.lines()
            .any(|line| {
                let mut words = line.split_whitespace();
                words.next() == Some(kind) && words.next() == Some(name)
            })
            .then_some(*module)
    })
}
