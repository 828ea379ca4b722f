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
        names.extend(declared(text, "class").map(|class| format!("{module}.{class}")));
    }
    names
}

/// The names a module's source declares as `kind` (`class`, `channel`), read off the lines
/// that start a declaration.
fn declared<'t>(text: &'t str, kind: &'t str) -> impl Iterator<Item = &'t str> {
    text.lines().filter_map(move |line| {
        let mut words = line.split_whitespace();
        (words.next() == Some(kind)).then(|| words.next()).flatten()
    })
}

/// How a module is named in diagnostics and the manifest.
pub fn display_name(module: &str) -> String {
    format!("<{}>", module)
}

/// The standard-library module that declares `kind NAME` (e.g. `channel signal`), if any:
/// for the hint "add `import std.channels`" when a policy forgets the import.
pub fn module_declaring(kind: &str, name: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|(_, text)| declared(text, kind).any(|declared| declared == name))
        .map(|(module, _)| *module)
}
