//! `squid`: a dstdomain ACL file (`.x` is x and its subdomains, `x` exactly x) and the
//! configuration snippet that denies it, with carve-outs for approved names (an ACL file, and
//! ACLs in the snippet for the blocks and carve-outs of subdomains only).

use super::templated::{Family, NameFormat, TemplatedTarget};
use crate::emit::verify::{readers, Reader};
use crate::emit::templates::template;
use crate::emit::{Control, TargetInfo, Template};
use crate::ir::Size;

const MSGPOL_BANNED_TXT: Template = template!("squid/msgpol-banned.txt.j2");
const MSGPOL_ALLOWED_TXT: Template = template!("squid/msgpol-allowed.txt.j2");
const MSGPOL_CONF: Template = template!("squid/msgpol.conf.j2");

const READER: Reader = Reader {
    read: readers::squid::read,
    leaves_open: &[],
    programs_by: &[],
};

pub const SQUID: TemplatedTarget = TemplatedTarget {
    info: TargetInfo {
        name: "squid",
        description: "a Squid proxy ACL file and the snippet that denies it",
        outputs: &["msgpol-banned.txt", "msgpol-allowed.txt", "msgpol.conf"],
        default_for: &[Size::Large],
        controls: &[Control::BlockDns],
        templates: &[&MSGPOL_BANNED_TXT, &MSGPOL_ALLOWED_TXT, &MSGPOL_CONF],
        reader: Some(&READER),
        rules_reader: None,
    },
    family: Family::Names(NameFormat {
        tree: &[".{name}"],
        exact: &["{name}"],
        // In msgpol.conf, as carve-outs of subdomains only are: `.x` less `x` itself.
        subdomains: &[
            "# {channels}: the names under {name}, not {name} itself",
            "acl msgpol_banned_subdomains dstdomain .{name}",
            "acl msgpol_banned_apex dstdomain {name}",
        ],
        allow_tree: &[".{name}"],
        allow_exact: &["{name}"],
        // In msgpol.conf: a dstdomain entry cannot say "the subdomains of x" alone, so a
        // subdomain-only carve-out is two ACLs, `.x` (x and its subdomains) and `x` (x
        // itself), and the deny lines keep x denied while its subdomains pass.
        allow_subdomains: &[
            "# carve-out for {channels}: the names under {name}, not {name} itself",
            "acl msgpol_carve_out_name dstdomain {name}",
            "acl msgpol_carve_out_subdomains dstdomain .{name}",
        ],
        covered: &[],
        dns_wildcards: false,
    }),
    cannot_express: &[],
};
