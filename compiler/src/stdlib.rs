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

/// How a module is named in diagnostics and the manifest.
pub fn display_name(module: &str) -> String {
    format!("<{}>", module)
}
