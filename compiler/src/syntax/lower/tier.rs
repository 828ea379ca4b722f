//! `tier NAME ["Label"] { … }`: approved, limited or banned channels.

use super::block::{
    Block, Keyword,
    Occurs::{Many, Once},
};
use super::statement::{extend, label, opening, push, report, set};
use super::values::{
    allows, delete_after, enforcement, feed, for_media, keep_at_least, requirements,
};
use crate::syntax::args::Args;
use crate::syntax::ast::{DatedChannels, Decl, Instead, Tier};
use crate::syntax::cst::Stmt;
use crate::syntax::error::SyntaxError;

const TIER: Block<Tier> = Block {
    context: "a tier",
    keywords: &[
        Keyword::new("channels", Many, channels),
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
        Keyword::new("keep", Once, |t, a| {
            set(&mut t.retention.keep_at_least, keep_at_least(a))
        }),
        Keyword::new("delete", Once, |t, a| {
            set(&mut t.retention.delete_after, delete_after(a))
        }),
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
        dated: Vec::new(),
        retention: Default::default(),
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

/// `channels a, b [from DATE] [until DATE]`: with a date, the channels are in the tier for
/// that period only.
fn channels(tier: &mut Tier, a: &mut Args) -> Result<(), SyntaxError> {
    let channels = a.list(|a| a.name("a channel's name"))?;
    let from = a.eat("from").map(|_| a.date()).transpose()?;
    let until = a.eat("until").map(|_| a.date()).transpose()?;
    if from.is_none() && until.is_none() {
        tier.channels.extend(channels);
    } else {
        tier.dated.push(DatedChannels {
            channels,
            from,
            until,
        });
    }
    Ok(())
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
