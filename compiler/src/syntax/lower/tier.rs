//! `tier NAME ["Label"] { … }`: approved, limited or banned channels.

use super::block::{
    Block, Keyword,
    Occurs::{Many, Once},
};
use super::statement::{extend, label, opening, push, report};
use super::values::{allows, enforcement, feed, for_media, requirements};
use crate::syntax::args::Args;
use crate::syntax::ast::{Decl, Instead, Tier};
use crate::syntax::cst::Stmt;
use crate::syntax::error::SyntaxError;

const TIER: Block<Tier> = Block {
    context: "a tier",
    keywords: &[
        Keyword::new("channels", Many, |t, a| {
            extend(&mut t.channels, a.list(|a| a.name("a channel's name")))
        }),
        Keyword::new("allows", Many, |t, a| push(&mut t.allows, allows(a))),
        Keyword::new("requires", Once, |t, a| {
            extend(&mut t.requires, requirements(a))
        }),
        Keyword::new("block", Once, |t, a| {
            extend(&mut t.block, a.list(enforcement))
        }),
        Keyword::new("monitor", Once, |t, a| {
            t.monitor = Some(a.keyword_span());
            Ok(())
        }),
        Keyword::new("instead", Many, |t, a| {
            extend(&mut t.instead, a.list(instead))
        }),
        Keyword::new("carve-out", Many, |t, a| {
            extend(
                &mut t.carve_out,
                a.list(|a| a.name("an approved channel's name")),
            )
        }),
        Keyword::new("feed", Many, |t, a| push(&mut t.feeds, feed(a))),
    ],
};

pub fn lower(stmt: &Stmt, errors: &mut Vec<SyntaxError>) -> Option<Decl> {
    let (name, label) = report(
        errors,
        opening(
            stmt,
            "`tier approved \"Tier 1\" { channels signal }`",
            |a| Ok((a.simple_name("the tier's name")?, label(a)?)),
        ),
    )?;
    let mut tier = Tier {
        name,
        label,
        channels: Vec::new(),
        allows: Vec::new(),
        requires: Vec::new(),
        block: Vec::new(),
        monitor: None,
        instead: Vec::new(),
        carve_out: Vec::new(),
        feeds: Vec::new(),
        docs: stmt.docs.clone(),
        span: stmt.span,
    };
    TIER.read(stmt, &mut tier, errors);
    Some(Decl::Tier(tier))
}

/// `CHANNEL [for MEDIUM [and MEDIUM …]]`.
fn instead(a: &mut Args) -> Result<Instead, SyntaxError> {
    let channel = a.name("an approved channel's name")?;
    let media = for_media(a)?;
    let span = media
        .last()
        .map_or(channel.span, |m| channel.span.to(m.span));
    Ok(Instead {
        channel,
        media,
        span,
    })
}
