//! Translation validation: every target that blocks or allows something has a reader, and on
//! every example and fixture its files, read back, answer every probe as the policy decides.
//! A file changed by hand to block an allowed name, or to drop a block, is caught; so is a
//! file that cannot be read.

mod common;

use msgpol::diagnostics::Code;
use msgpol::emit::verify::{self, Oracle};
use msgpol::emit::{all_targets, find_target, OutputFile};
use std::path::{Path, PathBuf};

/// The policies every reader is checked on: the examples and the `ok/` and endpoint fixtures.
fn policies() -> Vec<PathBuf> {
    let mut list = common::policies();
    for entry in std::fs::read_dir(common::root().join("tests/fixtures/endpoint")).unwrap() {
        list.push(entry.unwrap().path());
    }
    list
}

/// Verify `files` as `target` wrote them for `policy`; the diagnostic code if they disagree.
fn verify(policy: &Path, target: &str, files: &[OutputFile]) -> Result<usize, Code> {
    let ir = common::ir(policy);
    let target = find_target(target).unwrap();
    let reader = target.info().reader.expect("a reader");
    verify::verify(target.name(), reader, &Oracle::new(&ir), files)
        .map(|v| v.probes)
        .map_err(|e| msgpol::diagnostics::Diagnostic::from(e).code)
}

/// Files that disagree with the policy today. The test checks that each still fails, so a fix
/// shows up here and its line is removed.
const KNOWN: &[(&str, &str, Code)] = &[];

#[test]
fn every_reader_agrees_with_the_policy_on_every_probe() {
    let mut checked = 0;
    let mut failed = Vec::new();
    for policy in policies() {
        let ir = common::ir(&policy);
        let oracle = Oracle::new(&ir);
        let file = policy.file_name().unwrap().to_str().unwrap().to_string();
        for target in all_targets() {
            let Some(reader) = target.info().reader else {
                continue;
            };
            let files = target.emit(&ir).unwrap().files;
            match verify::verify(target.name(), reader, &oracle, &files) {
                Ok(verified) => {
                    assert!(verified.agreed <= verified.probes);
                    checked += verified.probes;
                }
                Err(e) => {
                    let d = msgpol::diagnostics::Diagnostic::from(e);
                    failed.push((file.clone(), target.name(), d.code, d.message));
                }
            }
        }
    }
    let failed_known: Vec<(&str, &str, Code)> = failed
        .iter()
        .map(|(f, t, c, _)| (f.as_str(), *t, *c))
        .collect();
    assert_eq!(failed_known, KNOWN, "disagreements: {failed:#?}");
    assert!(checked > 1000, "only {checked} probes");
}

/// The files of `target` for the medium example, with `edit` applied to the one at `path`.
fn edited(target: &str, path: &str, edit: impl Fn(&str) -> String) -> Vec<OutputFile> {
    let ir = common::ir(&common::root().join("examples/medium-org.msgpol"));
    let mut files = find_target(target).unwrap().emit(&ir).unwrap().files;
    let file = files.iter_mut().find(|f| f.path == path).unwrap();
    file.contents = edit(std::str::from_utf8(&file.contents).unwrap()).into_bytes();
    files
}

#[test]
fn a_file_that_blocks_an_approved_name_fails_verification() {
    let medium = common::root().join("examples/medium-org.msgpol");
    let files = edited("unbound", "msgpol.conf", |text| {
        format!("{text}    local-zone: \"signal.org.\" always_nxdomain\n")
    });
    assert_eq!(verify(&medium, "unbound", &files), Err(Code::E317));
    let files = edited("hosts", "hosts", |text| {
        format!("{text}0.0.0.0 signal.org\n")
    });
    assert_eq!(verify(&medium, "hosts", &files), Err(Code::E317));
}

#[test]
fn a_file_that_drops_a_block_fails_verification() {
    let medium = common::root().join("examples/medium-org.msgpol");
    let files = edited("unbound", "msgpol.conf", |text| {
        text.lines()
            .filter(|l| !l.contains("\"telegram.org.\""))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    assert_eq!(verify(&medium, "unbound", &files), Err(Code::E318));
    let files = edited("rpz", "msgpol.rpz.zone", |text| {
        text.replace(
            "*.telegram.org CNAME .",
            "*.telegram.org CNAME rpz-passthru.",
        )
    });
    assert_eq!(verify(&medium, "rpz", &files), Err(Code::E318));
}

#[test]
fn a_file_that_cannot_be_read_fails_verification() {
    let medium = common::root().join("examples/medium-org.msgpol");
    let files = edited("dnsmasq", "msgpol.conf", |text| {
        format!("{text}conf-file=/etc/other.conf\n")
    });
    assert_eq!(verify(&medium, "dnsmasq", &files), Err(Code::E319));
}

/// A build reads every file back before it puts the output in place, and records how many
/// probes each target answered.
#[test]
fn the_manifest_records_the_probes_of_every_verified_target() {
    let dir = tempfile::tempdir().unwrap();
    common::msgpol()
        .arg("build")
        .arg(common::root().join("examples/large-enterprise.msgpol"))
        .arg("--out")
        .arg(dir.path())
        .args(["--target", "all"])
        .assert()
        .code(0);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    let verified = manifest["verified"].as_array().unwrap();
    let with_reader: Vec<&str> = all_targets()
        .iter()
        .filter(|t| t.info().reader.is_some() || t.rules_reader().is_some())
        .map(|t| t.name())
        .collect();
    let named: Vec<&str> = verified
        .iter()
        .map(|v| v["target"].as_str().unwrap())
        .collect();
    assert_eq!(named, with_reader);
    for v in verified {
        assert!(v["probes"].as_u64().unwrap() > 0, "{v}");
    }
}
