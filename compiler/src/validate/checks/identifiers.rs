//! E215 malformed endpoint identifiers (executables, publishers, bundle ids, team ids,
//! packages, web-app URLs): the values that reach endpoint configuration.

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::normalize::value::{is_valid, ValueKind};
use crate::validate::{Context, ValidateError};

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    for def in ctx.program.channels.values() {
        let b = &def.decl.body;
        let lists = [
            (&b.windows_exe, ValueKind::WindowsExe, "windows-exe"),
            (
                &b.windows_publisher,
                ValueKind::WindowsPublisher,
                "windows-publisher",
            ),
            (&b.windows_store, ValueKind::WindowsStore, "windows-store"),
            (&b.windows_path, ValueKind::WindowsPath, "windows-path"),
            (&b.macos_bundle, ValueKind::MacosBundle, "macos-bundle"),
            (&b.macos_team, ValueKind::MacosTeam, "macos-team"),
            (&b.entra_app, ValueKind::EntraApp, "entra-app"),
            (
                &b.macos_signing_id,
                ValueKind::MacosSigningId,
                "macos-signing-id",
            ),
            (
                &b.android_package,
                ValueKind::AndroidPackage,
                "android-package",
            ),
            (&b.web_app, ValueKind::WebApp, "web-app"),
        ];
        for (list, kind, keyword) in lists {
            for value in list.iter().flatten() {
                if !is_valid(kind, &value.value) {
                    out.push(ValidateError(
                        Diagnostic::new(Code::E215, format!("invalid `{keyword}` value {}", quote(&value.value)))
                            .label(value.span, format!("expected {}", kind.describe()))
                            .help("these values reach endpoint configuration, so only their usual characters are accepted"),
                    ));
                }
            }
        }
    }
}
