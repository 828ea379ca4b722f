//! `hosts`: a hosts file sinking banned names to 0.0.0.0. Hosts files match exact names only:
//! what they cannot block is said in the file and in a build warning.

use super::templated::{Family, NameFormat, Rules, TemplatedTarget};
use crate::emit::verify::{readers, Reach, Reader};
use crate::emit::templates::template;
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::{Scope, Size};

const TEMPLATE: Template = template!("hosts/hosts.j2");

// A hosts file matches names exactly: it blocks no name for lying under another.
const READER: Reader = Reader {
    read: readers::hosts::read,
    leaves_open: &[
        Reach::UnderDomain,
        Reach::UnderSubdomainsOnly,
        Reach::UnderCarvedOutName,
        Reach::AboveCarvedOutSubdomains,
    ],
    programs_by: &[],
};

pub const HOSTS: TemplatedTarget = TemplatedTarget {
    info: TargetInfo {
        name: "hosts",
        description: "a hosts file (0.0.0.0 for each banned name; exact names only)",
        outputs: &["hosts"],
        default_for: &[Size::Small, Size::Medium, Size::Large],
        controls: &[Control::BlockDns],
        templates: &[&TEMPLATE],
        reader: Some(&READER),
        rules_reader: None,
    },
    family: Family::Names(NameFormat {
        tree: &["0.0.0.0 {name}", ":: {name}"],
        exact: &["0.0.0.0 {name}", ":: {name}"],
        subdomains: &["#   *.{name}"],
        // A hosts file blocks exact names only, so names inside a blocked domain are not blocked.
        allow_tree: &[],
        allow_exact: &[],
        allow_subdomains: &[],
        covered: &["0.0.0.0 {name}", ":: {name}"],
        dns_wildcards: false,
    }),
    cannot_express: &[
        (Rules::Blocked, Scope::Tree, "blocked domains also cover their subdomains, which a hosts file cannot block; use a DNS resolver target for those"),
        (Rules::Blocked, Scope::Subdomains, "subdomain-only (`*.`) entries cannot be written to a hosts file and are listed as comments"),
        (Rules::CarvedOut, Scope::Exact, "carved-out names cannot be written to a hosts file; one that is itself a blocked name stays blocked here"),
    ],
};
