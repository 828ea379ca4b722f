//! `unbound`: a configuration fragment for the Unbound resolver (`local-zone` rules).

use super::templated::{Family, NameFormat, Rules, TemplatedTarget};
use crate::emit::verify::{readers, Reach, Reader};
use crate::emit::templates::template;
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::{Scope, Size};

const TEMPLATE: Template = template!("unbound/msgpol.conf.j2");

// Unbound zones cover whole subtrees: no block of subdomains alone, no carve-out of one name.
const READER: Reader = Reader {
    read: readers::unbound::read,
    leaves_open: &[Reach::UnderSubdomainsOnly, Reach::UnderCarvedOutName],
    programs_by: &[],
};

pub const UNBOUND: TemplatedTarget = TemplatedTarget {
    info: TargetInfo {
        name: "unbound",
        description: "an Unbound resolver fragment: NXDOMAIN for banned domains and the DoH canary",
        outputs: &["msgpol.conf"],
        default_for: &[Size::Medium, Size::Large],
        controls: &[Control::BlockDns],
        templates: &[&TEMPLATE],
        reader: Some(&READER),
        rules_reader: None,
    },
    family: Family::Names(NameFormat {
        tree: &["    local-zone: \"{name}.\" always_nxdomain  # {channels}"],
        // One line per name: Unbound puts a name that has local data but no zone of its own
        // in a transparent zone, which answers the name from the data (0.0.0.0 for A, no data
        // for every other type) and resolves its subdomains normally. No blocked tree or
        // carve-out zone can enclose the name: the IR drops names under a blocked tree.
        exact: &["    local-data: \"{name}. A 0.0.0.0\"  # {channels}"],
        subdomains: &["    # not expressible (subdomains only), NOT blocked: *.{name}"],
        allow_tree: &["    local-zone: \"{name}.\" always_transparent  # carve-out for {channels}"],
        allow_exact: &[
            "    local-zone: \"{name}.\" always_transparent  # carve-out for {channels} (its subdomains resolve too)",
        ],
        // A `transparent` zone resolves the names under it normally and answers its own name
        // from its local data (unbound.conf(5), local-zone): the name itself, which lies inside
        // a blocked name, stays blocked as exact names are. `always_transparent` would ignore
        // the data.
        allow_subdomains: &[
            "    local-zone: \"{name}.\" transparent  # carve-out for {channels}: the names under it resolve",
            "    local-data: \"{name}. A 0.0.0.0\"  # the name itself stays banned",
        ],
        // A name the policy blocks under a block of subdomains only (`*.x`), which Unbound
        // cannot write, is collapsed into that block in the IR: it is written here, or nothing
        // would block it. Under a blocked domain the zone is the domain's again, and harmless.
        covered: &["    local-zone: \"{name}.\" always_nxdomain  # {channels}"],
        dns_wildcards: false,
    }),
    cannot_express: &[
        (Rules::Blocked, Scope::Subdomains, "subdomain-only (`*.`) entries cannot be expressed without also blocking the name itself; they are listed as comments"),
        (Rules::CarvedOut, Scope::Exact, "carve-outs of a single name also let its subdomains resolve (an Unbound zone covers its subtree)"),
    ],
};
