//! `briefing`: the onboarding checklist and refresher schedule, as a printable HTML page and
//! as Markdown.

use super::guide::GuideTarget;
use crate::emit::guide::{Audience, Format};
use crate::emit::TargetInfo;
use crate::ir::Size;

pub const BRIEFING: GuideTarget = GuideTarget {
    info: TargetInfo {
        name: "briefing",
        description: "the onboarding checklist and refresher schedule (HTML and Markdown)",
        outputs: &["briefing.html", "briefing.md"],
        default_for: &[Size::Small, Size::Medium, Size::Large],
        controls: &[],
        templates: &[&Format::HTML.template, &Format::MARKDOWN.template],
        reader: None,
        rules_reader: None,
    },
    audiences: &[Audience::Briefing],
    formats: &[Format::HTML, Format::MARKDOWN],
};
