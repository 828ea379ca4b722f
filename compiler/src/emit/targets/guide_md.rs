//! `guide-md`: the guides in Markdown, for wikis.

use super::guide::GuideTarget;
use crate::emit::guide::{Audience, Format};
use crate::emit::TargetInfo;
use crate::ir::Size;

pub const GUIDE_MD: GuideTarget = GuideTarget {
    info: TargetInfo {
        name: "guide-md",
        description: "the guides in Markdown (staff, executives, security): what to use for what, the matrix, the register",
        outputs: &["staff.md", "executives.md", "security.md"],
        default_for: &[Size::Small, Size::Medium, Size::Large],
        controls: &[],
        templates: &[&Format::MARKDOWN.template],
        reader: None,
        rules_reader: None,
    },
    audiences: &Audience::GUIDES,
    formats: &[Format::MARKDOWN],
};
