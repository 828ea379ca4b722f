//! `guide-html`: the guides as self-contained HTML pages (inline CSS, no external fetches).

use super::guide::GuideTarget;
use crate::emit::guide::{Audience, Format};
use crate::emit::TargetInfo;
use crate::ir::Size;

pub const GUIDE_HTML: GuideTarget = GuideTarget {
    info: TargetInfo {
        name: "guide-html",
        description:
            "the guides as self-contained HTML pages for staff, executives and the security team",
        outputs: &["staff.html", "executives.html", "security.html"],
        default_for: &[Size::Small, Size::Medium, Size::Large],
        controls: &[],
        templates: &[&Format::HTML.template],
        reader: None,
        rules_reader: None,
    },
    audiences: &Audience::GUIDES,
    formats: &[Format::HTML],
};
