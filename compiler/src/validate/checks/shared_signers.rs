//! E218 a channel blocked on endpoints names the same signer (Apple Team ID or Windows
//! publisher) as a channel that is approved or limited: a signer rule (Santa TEAMID, AppLocker
//! publisher) would also block the allowed app (Microsoft signs both Skype and Teams).

use crate::diagnostics::{quote, Code, Diagnostic};
use crate::resolve::ChannelDef;
use crate::syntax::ast::Str;
use crate::validate::{Context, ValidateError};
use crate::vocabulary::Enforcement;
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// (keyword, the channel's values of it, whether case matters, what to use instead).
type Signers<'a> = [(&'static str, &'a Option<Vec<Str>>, bool, &'static str); 2];

fn signers(def: &ChannelDef) -> Signers<'_> {
    let b = &def.decl.body;
    [
        (
            "macos-team",
            &b.macos_team,
            true,
            "name the banned programs with `macos-signing-id \"TEAMID:bundle.id\"` (Santa then blocks those programs only)",
        ),
        (
            "windows-publisher",
            &b.windows_publisher,
            false,
            "remove the channel's `windows-publisher` and name its programs with `windows-exe` (AppLocker then writes file-name rules)",
        ),
    ]
}

/// A signer as it is compared: a publisher in any case of its ASCII letters.
fn key(value: &str, case_matters: bool) -> Cow<'_, str> {
    if case_matters {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(value.to_ascii_lowercase())
    }
}

pub fn check(ctx: &Context, out: &mut Vec<ValidateError>) {
    let program = ctx.program;
    let blocked = program.blocked_channels(Enforcement::Endpoint);
    let allowed = program.open_channels();
    // The allowed channels that name each signer, in their order: a blocked channel's signers
    // are looked up, not compared with every allowed channel's (thousands of each).
    let mut naming: [FxHashMap<Cow<str>, Vec<usize>>; 2] = Default::default();
    for (at, a) in allowed.iter().enumerate() {
        for (i, (_, values, case_matters, _)) in signers(a).into_iter().enumerate() {
            for value in values.iter().flatten() {
                let channels = naming[i]
                    .entry(key(&value.value, case_matters))
                    .or_default();
                if channels.last() != Some(&at) {
                    channels.push(at);
                }
            }
        }
    }
    for def in &blocked {
        for (i, (keyword, values, case_matters, instead)) in signers(def).into_iter().enumerate() {
            for value in values.iter().flatten() {
                let shared_with = naming[i]
                    .get(&key(&value.value, case_matters))
                    .into_iter()
                    .flatten()
                    .map(|&at| allowed[at])
                    .find(|a| a.decl.name.text != def.decl.name.text);
                let Some(shared_with) = shared_with else {
                    continue;
                };
                out.push(ValidateError(
                    Diagnostic::new(
                        Code::E218,
                        format!(
                            "blocking {} by its `{keyword}` {} would also block {}, which is allowed",
                            quote(&def.decl.name.text),
                            quote(&value.value),
                            quote(&shared_with.decl.name.text)
                        ),
                    )
                    .label(value.span, format!("`{}` also has this `{keyword}`", shared_with.decl.name.text))
                    .help(instead),
                ));
            }
        }
    }
}
