//! `channel NAME [: PARENT] ["Label"] { … }`: a messaging service.

use super::block::{
    Block, Keyword,
    Occurs::{Many, Once},
};
use super::statement::{named_head, push, report, set};
use super::values::{e2ee, feed, flag, medium, property, protocol, strings};
use crate::syntax::args::Args;
use crate::syntax::ast::{Channel, ChannelBody, Decl, Spanned};
use crate::syntax::cst::Stmt;
use crate::syntax::error::{self, SyntaxError};
use crate::vocabulary::{PortRange, Protocol};

const CHANNEL: Block<ChannelBody> = Block {
    context: "a channel",
    keywords: &[
        Keyword::new("vendor", Once, |c, a| {
            set(
                &mut c.vendor,
                a.text("e.g. `vendor \"Signal Messenger LLC\"`"),
            )
        }),
        Keyword::new("media", Many, |c, a| add(&mut c.media, a.list(medium))),
        Keyword::new("e2ee", Once, |c, a| set(&mut c.e2ee, e2ee(a))),
        Keyword::new("open-source", Once, |c, a| set(&mut c.open_source, flag(a))),
        Keyword::new("self-hostable", Once, |c, a| {
            set(&mut c.self_hostable, flag(a))
        }),
        Keyword::new("mfa", Once, |c, a| set(&mut c.mfa, flag(a))),
        Keyword::new("managed", Once, |c, a| set(&mut c.managed, flag(a))),
        Keyword::new("unconfirmed", Many, |c, a| {
            // `unconfirmed none`: nothing is in doubt, whatever the channel inherits.
            if a.eat("none").is_some() {
                if !a.at_end() {
                    return Err(a.fail(
                        "the end of the statement",
                        "`unconfirmed none` clears the list the channel inherits: write it \
                         alone, or list the unconfirmed properties without `none`",
                    ));
                }
                return add(&mut c.unconfirmed, Ok(Vec::new()));
            }
            add(&mut c.unconfirmed, a.list(property))
        }),
        Keyword::new("source", Many, |c, a| {
            add(
                &mut c.sources,
                strings(a, "e.g. `source \"vendor documentation\"`"),
            )
        }),
        Keyword::new("note", Many, |c, a| {
            add(&mut c.notes, a.text("e.g. `note \"…\"`").map(|n| vec![n]))
        }),
        Keyword::new("admin-note", Many, |c, a| {
            let note = a.text("e.g. `admin-note \"Block the app on devices too.\"`");
            add(&mut c.admin_notes, note.map(|n| vec![n]))
        }),
        Keyword::new("domains", Many, |c, a| {
            add(&mut c.domains, strings(a, "e.g. `domains \"signal.org\"`"))
        }),
        Keyword::new("hosts", Many, |c, a| {
            add(
                &mut c.hosts,
                strings(a, "e.g. `hosts \"web.whatsapp.com\"`"),
            )
        }),
        Keyword::new("networks", Many, |c, a| {
            add(
                &mut c.networks,
                strings(a, "e.g. `networks \"149.154.160.0/20\"`"),
            )
        }),
        Keyword::new("ports", Many, |c, a| add(&mut c.ports, ports(a))),
        Keyword::new("windows-exe", Many, |c, a| {
            add(
                &mut c.windows_exe,
                strings(a, "e.g. `windows-exe \"Signal.exe\"`"),
            )
        }),
        Keyword::new("windows-publisher", Many, |c, a| {
            add(
                &mut c.windows_publisher,
                strings(a, "e.g. `windows-publisher \"O=…, L=…, C=US\"`"),
            )
        }),
        Keyword::new("windows-store", Many, |c, a| {
            add(
                &mut c.windows_store,
                strings(a, "a Store package family name"),
            )
        }),
        Keyword::new("windows-path", Many, |c, a| {
            add(
                &mut c.windows_path,
                strings(
                    a,
                    "e.g. `windows-path \"%ProgramFiles%\\\\Example\\\\chat.exe\"`",
                ),
            )
        }),
        Keyword::new("macos-bundle", Many, |c, a| {
            add(
                &mut c.macos_bundle,
                strings(a, "e.g. `macos-bundle \"com.tinyspeck.slackmacgap\"`"),
            )
        }),
        Keyword::new("macos-team", Many, |c, a| {
            add(
                &mut c.macos_team,
                strings(a, "e.g. `macos-team \"BQR82RBBHL\"`"),
            )
        }),
        Keyword::new("macos-signing-id", Many, |c, a| {
            add(
                &mut c.macos_signing_id,
                strings(a, "e.g. `macos-signing-id \"UBF8T346G9:com.skype.skype\"`"),
            )
        }),
        Keyword::new("entra-app", Many, |c, a| {
            add(
                &mut c.entra_app,
                strings(
                    a,
                    "e.g. `entra-app \"cc15fd57-2c6c-4117-a88c-83b1d56b4bbe\"`",
                ),
            )
        }),
        Keyword::new("android-package", Many, |c, a| {
            add(
                &mut c.android_package,
                strings(a, "e.g. `android-package \"com.whatsapp\"`"),
            )
        }),
        Keyword::new("web-app", Many, |c, a| {
            add(
                &mut c.web_app,
                strings(a, "e.g. `web-app \"https://web.whatsapp.com\"`"),
            )
        }),
        Keyword::new("feed", Many, |c, a| push(&mut c.feeds, feed(a))),
        Keyword::new("dns-bypass", Many, |c, a| {
            add(
                &mut c.dns_bypass,
                a.text("e.g. `dns-bypass \"clients connect to built-in IP addresses\"`")
                    .map(|b| vec![b]),
            )
        }),
    ],
};

pub fn lower(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Option<Decl> {
    let (name, parent, label) = report(errors, named_head(stmt, "channel"))?;
    let mut body = ChannelBody::default();
    CHANNEL.read(stmt, &mut body, errors);
    Some(Decl::Channel(Box::new(Channel {
        name,
        parent,
        label,
        body,
        docs: stmt.docs.clone(),
        span: stmt.span,
    })))
}

/// Adds to one of the channel's lists, which stays `None` until a statement writes it, so
/// that a child channel inherits the lists it does not write.
fn add<T>(
    list: &mut Option<Vec<T>>,
    items: Result<Vec<T>, SyntaxError>,
) -> Result<(), SyntaxError> {
    list.get_or_insert_with(Vec::new).extend(items?);
    Ok(())
}

/// `tcp|udp N[-M], …`.
fn ports(a: &mut Args) -> Result<Vec<Spanned<PortRange>>, SyntaxError> {
    let protocol = protocol(a)?;
    a.list(|a| port_range(a, protocol.value))
}

fn port_range(a: &mut Args, protocol: Protocol) -> Result<Spanned<PortRange>, SyntaxError> {
    let (text, span) = a.raw_word(
        "a port or a range such as `3478-3481`",
        "ports are numbers from 1 to 65535",
    )?;
    let parse = |s: &str| {
        s.parse::<u16>()
            .ok()
            .filter(|p| *p > 0 && s.bytes().all(|b| b.is_ascii_digit()))
    };
    let range = match text.split_once('-') {
        Some((a, b)) => parse(a).zip(parse(b)).filter(|(a, b)| a <= b),
        None => parse(text).map(|p| (p, p)),
    };
    match range {
        Some((first, last)) => Ok(Spanned {
            value: PortRange {
                protocol,
                first,
                last,
            },
            span,
        }),
        None => Err(error::invalid_port(span, text)),
    }
}
