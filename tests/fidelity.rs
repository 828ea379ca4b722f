//! Translation validation: every target that blocks, allows or alerts on something has a
//! reader, and on every example and fixture its files, read back, answer every probe (names,
//! addresses, programs) as the policy decides. A file changed by hand to block an allowed name
//! or program, or to drop a block, is caught; so is a file that cannot be read.

mod common;

use msgpol::diagnostics::Code;
use msgpol::emit::verify::{self, Oracle};
use msgpol::emit::{all_targets, find_target, OutputFile};
use std::path::{Path, PathBuf};

/// The policies every reader is checked on: the examples, the `ok/` and endpoint fixtures,
/// and the `verify/` fixtures, which ask the readers what the others do not.
fn policies() -> Vec<PathBuf> {
    let mut list = common::policies();
    for dir in ["tests/fixtures/endpoint", "tests/fixtures/verify"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(common::root().join(dir))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        found.sort();
        list.extend(found);
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

/// Files that disagree with the policy today, each with why: faults being fixed, which the
/// readers found. The test checks that each still fails, so a fix shows up here and its line
/// is removed.
const KNOWN: &[(&str, &str, Code)] = &[];

/// The warnings `target` gives for the `verify/` fixture `file`.
fn warnings(file: &str, target: &str) -> Vec<(Code, String)> {
    let ir = common::ir(&common::root().join("tests/fixtures/verify").join(file));
    let emitted = find_target(target).unwrap().emit(&ir).unwrap();
    emitted
        .warnings
        .iter()
        .map(|w| (w.code(), w.message().to_string()))
        .collect()
}

#[test]
fn applocker_allows_an_approved_program_the_default_rules_would_refuse() {
    assert_eq!(warnings("approved-program-path.msgpol", "applocker"), []);
    let ir = common::ir(&common::root().join("tests/fixtures/verify/approved-program-path.msgpol"));
    let files = find_target("applocker").unwrap().emit(&ir).unwrap().files;
    let xml = std::str::from_utf8(&files[0].contents).unwrap();
    assert!(
        xml.contains(r#"Path="%OSDRIVE%\Users\*\AppData\Local\Programs\Suite\Suite.exe""#),
        "{xml}"
    );
}

#[test]
fn the_firewall_targets_warn_that_a_program_in_the_users_profile_stays_open() {
    for target in ["windows-firewall", "gpo", "reg"] {
        let found = warnings("banned-user-path.msgpol", target);
        assert_eq!(found.len(), 1, "{target}: {found:?}");
        let (code, message) = &found[0];
        assert_eq!(*code, Code::W309, "{target}");
        assert!(message.contains("`social`"), "{target}: {message}");
        assert!(message.contains("user's profile"), "{target}: {message}");
        assert!(message.contains("`applocker`"), "{target}: {message}");
    }
}

#[test]
fn every_target_that_blocks_or_alerts_has_a_reader() {
    use msgpol::emit::Control;
    for target in all_targets() {
        let info = target.info();
        let acts = info.controls.iter().any(|c| {
            matches!(
                c,
                Control::BlockDns
                    | Control::BlockBrowser
                    | Control::BlockFirewall
                    | Control::BlockEndpoint
                    | Control::Monitor
            )
        });
        assert_eq!(acts, info.reader.is_some(), "{}", info.name);
    }
}

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
    let mut failed_known: Vec<(&str, &str, Code)> = failed
        .iter()
        .map(|(f, t, c, _)| (f.as_str(), *t, *c))
        .collect();
    let mut known = KNOWN.to_vec();
    for list in [&mut failed_known, &mut known] {
        list.sort_by_key(|&(file, target, _)| (file, target));
    }
    assert_eq!(failed_known, known, "disagreements: {failed:#?}");
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
    caught(Code::E317);
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
    caught(Code::E318);
}

#[test]
fn a_file_that_cannot_be_read_fails_verification() {
    let medium = common::root().join("examples/medium-org.msgpol");
    let files = edited("dnsmasq", "msgpol.conf", |text| {
        format!("{text}conf-file=/etc/other.conf\n")
    });
    assert_eq!(verify(&medium, "dnsmasq", &files), Err(Code::E319));
    caught(Code::E319);
}

/// The files of `target` for the large example, with `edit` applied to the bytes of the one
/// at `path`.
fn large_edited(target: &str, path: &str, edit: &dyn Fn(&[u8]) -> Vec<u8>) -> Vec<OutputFile> {
    let ir = common::ir(&common::root().join("examples/large-enterprise.msgpol"));
    let mut files = find_target(target).unwrap().emit(&ir).unwrap().files;
    let file = files.iter_mut().find(|f| f.path == path).unwrap();
    file.contents = edit(&file.contents);
    files
}

/// An edit of a UTF-8 file's text.
fn text(edit: impl Fn(&str) -> String) -> impl Fn(&[u8]) -> Vec<u8> {
    move |bytes| edit(std::str::from_utf8(bytes).unwrap()).into_bytes()
}

/// An edit of a UTF-16LE file's text (a .reg file), keeping its byte-order mark.
fn utf16(edit: impl Fn(&str) -> String) -> impl Fn(&[u8]) -> Vec<u8> {
    move |bytes| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .collect();
        let edited = edit(&String::from_utf16(&units).unwrap());
        let mut out = vec![0xFF, 0xFE];
        out.extend(edited.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }
}

/// A Registry.pol record appended ([MS-GPREG]), setting `key`'s value `name` to the string
/// `data`.
fn pol_record(key: &str, name: &str, data: &str) -> impl Fn(&[u8]) -> Vec<u8> {
    let utf16 = |text: &str| -> Vec<u8> {
        text.encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect()
    };
    let data = utf16(data);
    let mut record = b"[\0".to_vec();
    for part in [utf16(key), utf16(name), 1u32.to_le_bytes().to_vec()] {
        record.extend(part);
        record.extend(b";\0");
    }
    record.extend((data.len() as u32).to_le_bytes());
    record.extend(b";\0");
    record.extend(data);
    record.extend(b"]\0");
    move |bytes| [bytes, &record].concat()
}

/// A deny rule for the approved Signal's program, as AppLocker writes one.
const DENY_SIGNAL: &str = r#"<FilePathRule Id="0D5E0C0B-0000-5000-8000-000000000001" Name="x" Description="" UserOrGroupSid="S-1-1-0" Action="Deny"><Conditions><FilePathCondition Path="*\Signal.exe" /></Conditions></FilePathRule></RuleCollection>"#;

/// A change to a file of the large example's, and what verifying the changed file reports.
type Edit = (
    &'static str,
    &'static str,
    Box<dyn Fn(&[u8]) -> Vec<u8>>,
    Code,
);

/// Changes the readers of the browser, endpoint and detection formats must catch: files that
/// block (or alert on) what the policy allows, that let through (or stay silent on) what it
/// blocks, and that hold what the reader cannot judge.
fn edits() -> Vec<Edit> {
    vec![
        // Blocks or alerts on an approved name, address or program.
        (
            "chrome",
            "msgpol.json",
            Box::new(text(|t| {
                t.replace(
                    "\"URLBlocklist\": [",
                    "\"URLBlocklist\": [\n    \"signal.org\",",
                )
            })),
            Code::E317,
        ),
        (
            "firefox",
            "policies.json",
            Box::new(text(|t| {
                t.replace(
                    "\"Block\": [",
                    "\"Block\": [\n        \"*://signal.org/*\",",
                )
            })),
            Code::E317,
        ),
        (
            "gpo",
            "Machine/Registry.pol",
            Box::new(pol_record(
                r"Software\Policies\Microsoft\Edge\URLBlocklist",
                "999",
                "signal.org",
            )),
            Code::E317,
        ),
        (
            "reg",
            "msgpol.reg",
            Box::new(utf16(|t| {
                format!("{t}\r\n[HKEY_LOCAL_MACHINE\\Software\\Policies\\Mozilla\\Firefox\\WebsiteFilter\\Block]\r\n\"999\"=\"*://signal.org/*\"\r\n")
            })),
            Code::E317,
        ),
        (
            "windows-firewall",
            "msgpol-firewall.ps1",
            Box::new(text(|t| {
                format!("{t}New-NetFirewallRule -Direction Outbound -Action Block -RemoteAddress @('0.0.0.0/0', '::/0') | Out-Null\n")
            })),
            Code::E317,
        ),
        (
            "applocker",
            "msgpol.xml",
            Box::new(text(|t| t.replacen("</RuleCollection>", DENY_SIGNAL, 1))),
            Code::E317,
        ),
        (
            "santa",
            "msgpol-santa.mobileconfig",
            Box::new(text(|t| {
                t.replacen("<key>StaticRules</key>\n      <array>", "<key>StaticRules</key>\n      <array><dict><key>identifier</key><string>U68MSDN6DR</string><key>policy</key><string>BLOCKLIST</string><key>rule_type</key><string>TEAMID</string></dict>", 1)
            })),
            Code::E317,
        ),
        (
            "suricata",
            "msgpol.rules",
            Box::new(text(|t| {
                format!("{t}alert tls $HOME_NET any -> any any (msg:\"x\"; tls.sni; dotprefix; content:\".signal.org\"; nocase; endswith; sid:1;)\n")
            })),
            Code::E317,
        ),
        // Lets through what the policy blocks, or stays silent on what it watches.
        (
            "chrome",
            "msgpol.json",
            Box::new(text(|t| {
                t.replace("\"telegram.org\"", "\"telegram.org.invalid\"")
            })),
            Code::E318,
        ),
        (
            "firefox",
            "policies.json",
            Box::new(text(|t| {
                t.replace("*://*.telegram.org/*", "*://*.telegram.org.invalid/*")
            })),
            Code::E318,
        ),
        (
            "gpo",
            "Machine/Registry.pol",
            Box::new(pol_record(
                r"Software\Policies\Microsoft\Edge\URLBlocklist",
                "**delvals.",
                " ",
            )),
            Code::E318,
        ),
        (
            "reg",
            "msgpol.reg",
            Box::new(utf16(|t| {
                format!("{t}\r\n[-HKEY_LOCAL_MACHINE\\Software\\Policies\\Microsoft\\WindowsFirewall\\FirewallRules]\r\n")
            })),
            Code::E318,
        ),
        (
            "windows-firewall",
            "msgpol-firewall.ps1",
            Box::new(text(|t| {
                t.lines()
                    .filter(|l| !l.contains("-RemoteAddress"))
                    .map(|l| format!("{l}\n"))
                    .collect()
            })),
            Code::E318,
        ),
        (
            "applocker",
            "msgpol.xml",
            Box::new(text(|t| {
                t.replace(
                    "EnforcementMode=\"Enabled\"",
                    "EnforcementMode=\"AuditOnly\"",
                )
            })),
            Code::E318,
        ),
        (
            "applocker",
            "msgpol-audit.xml",
            Box::new(text(|t| t.replace("Action=\"Deny\"", "Action=\"Allow\""))),
            Code::E318,
        ),
        (
            "santa",
            "msgpol-santa.mobileconfig",
            Box::new(text(|t| {
                t.replace("<string>BLOCKLIST</string>", "<string>ALLOWLIST</string>")
            })),
            Code::E318,
        ),
        (
            "suricata",
            "msgpol.rules",
            Box::new(text(|t| {
                t.lines()
                    .filter(|l| !l.contains("tls.sni"))
                    .map(|l| format!("{l}\n"))
                    .collect()
            })),
            Code::E318,
        ),
        // Holds what its format does not allow, or what the reader cannot judge.
        (
            "chrome",
            "msgpol.json",
            Box::new(text(|t| {
                t.replace(
                    "\"URLBlocklist\": [",
                    "\"URLBlocklist\": [\n    \"https://telegram.org/path\",",
                )
            })),
            Code::E319,
        ),
        (
            "firefox",
            "policies.json",
            Box::new(text(|t| {
                t.replace(
                    "\"Block\": [",
                    "\"Block\": [\n        \"https://telegram.org/*\",",
                )
            })),
            Code::E319,
        ),
        (
            "gpo",
            "Machine/Registry.pol",
            Box::new(|b: &[u8]| b[..b.len() - 1].to_vec()),
            Code::E319,
        ),
        (
            "reg",
            "msgpol.reg",
            Box::new(|b: &[u8]| b[2..].to_vec()),
            Code::E319,
        ),
        (
            "windows-firewall",
            "msgpol-firewall.ps1",
            Box::new(text(|t| {
                format!("{t}Set-NetFirewallProfile -Enabled False\n")
            })),
            Code::E319,
        ),
        (
            "applocker",
            "msgpol.xml",
            Box::new(text(|t| {
                t.replacen(
                    "<Conditions>",
                    "<Conditions><FileHashCondition /><Unknown />",
                    1,
                )
            })),
            Code::E319,
        ),
        (
            "santa",
            "msgpol-santa.mobileconfig",
            Box::new(text(|t| {
                t.replace("<string>TEAMID</string>", "<string>BUNDLEID</string>")
            })),
            Code::E319,
        ),
        (
            "suricata",
            "msgpol.rules",
            Box::new(text(|t| {
                format!("{t}alert dns $HOME_NET any -> any any (dns.query; pcre:\"/x/\"; sid:1;)\n")
            })),
            Code::E319,
        ),
    ]
}

/// Every edit of `edits` that verification reports as `code` is caught, on files that verify
/// as built.
fn caught(code: Code) {
    let large = common::root().join("examples/large-enterprise.msgpol");
    for (target, path, edit, _) in edits().iter().filter(|e| e.3 == code) {
        let untouched = large_edited(target, path, &|b| b.to_vec());
        assert!(
            verify(&large, target, &untouched).is_ok(),
            "{target} as built"
        );
        let files = large_edited(target, path, edit.as_ref());
        assert_eq!(
            verify(&large, target, &files),
            Err(code),
            "{target}: {path}"
        );
    }
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
        .filter(|t| t.info().reader.is_some() || t.info().rules_reader.is_some())
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

/// `check` accepts a `windows-path` under these variables only: for each, an approved program
/// there builds for AppLocker beside a banned program, and its reader finds it allowed (the
/// enforced policy's default rules would refuse a program outside Program Files and Windows
/// without the allow rule msgpol writes).
#[test]
fn applocker_allows_an_approved_program_under_every_variable_check_accepts() {
    for variable in msgpol::normalize::value::WINDOWS_PATH_VARIABLES {
        let policy = format!(
            "policy \"Variables\" {{\n  organisation \"Fixture Ltd\"\n  size large\n  version \"1\"\n  effective 2026-01-01\n  owner \"security@fixture.example\"\n  support \"IT desk\"\n  briefing every 6 months\n}}\nimport std.classes\nchannel suite \"Suite\" {{\n  media text\n  mfa\n  windows-path \"%{variable}%\\\\Suite\\\\Suite.exe\"\n}}\nchannel social \"Social\" {{\n  media text\n  windows-exe \"Social.exe\"\n}}\ntier approved \"Approved\" {{\n  channels suite\n  allows up to internal\n  requires mfa\n}}\ntier banned \"Banned\" {{\n  channels social\n  allows nothing\n  block endpoint\n  instead suite\n}}\nreview suite {{\n  reviewed 2026-10-01 by \"security team\"\n  finding \"Vetted\"\n  next 2027-10-01\n}}\n"
        );
        let ir = common::ir_of_text(&policy);
        let target = find_target("applocker").unwrap();
        let emitted = target.emit(&ir).unwrap();
        let reader = target.info().reader.unwrap();
        let checked = verify::verify(target.name(), reader, &Oracle::new(&ir), &emitted.files);
        assert!(
            checked.is_ok(),
            "{variable}: {:?}",
            checked
                .err()
                .map(|e| msgpol::diagnostics::Diagnostic::from(e).message)
        );
    }
}
