//! The command line: exit codes, formats, the output contract (atomic, deterministic,
//! manifest), and `explain`.

mod common;

use assert_cmd::Command;
use common::msgpol;
use msgpol::ir::Scope;
use predicates::prelude::*;
use std::fs;
use std::path::Path;

fn example(name: &str) -> std::path::PathBuf {
    common::root().join("examples").join(name)
}

fn fixture(path: &str) -> std::path::PathBuf {
    common::root().join("tests/fixtures").join(path)
}

/// Every file under a directory with its bytes, for comparing builds.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn check_exit_codes() {
    msgpol()
        .arg("check")
        .arg(example("medium-org.msgpol"))
        .assert()
        .code(0);
    msgpol()
        .arg("check")
        .arg(fixture("resolve/err/undefined-channel.msgpol"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E107"));
    msgpol()
        .arg("check")
        .arg(fixture("does-not-exist.msgpol"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E301").and(predicate::str::contains("no such file")));
    msgpol()
        .arg("check")
        .arg(fixture("ok"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E301"));
    msgpol().arg("frobnicate").assert().code(2);
}

#[test]
fn check_reports_every_file_and_the_worst_code() {
    msgpol()
        .arg("check")
        .arg(example("small-org.msgpol"))
        .arg(fixture("validate/err/expired-exception.msgpol"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E205"));
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.msgpol");
    let text = fs::read_to_string(example("small-org.msgpol"))
        .unwrap()
        .replace("  requires mfa\n", "");
    fs::write(&policy, text).unwrap();
    msgpol()
        .arg("check")
        .arg(&policy)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("W209"));
    msgpol()
        .arg("--deny-warnings")
        .arg("check")
        .arg(&policy)
        .assert()
        .code(1);
}

#[test]
fn json_errors_go_to_stdout_with_locations() {
    let output = msgpol()
        .args(["--error-format", "json", "check"])
        .arg(fixture("syntax/err/unknown-keyword.msgpol"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let items: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(items[0]["code"], "E006");
    assert_eq!(items[0]["location"]["file"], "unknown-keyword.msgpol");
    assert_eq!(items[0]["location"]["line"], 25);
    assert_eq!(items[0]["location"]["column"], 3);
    assert!(items[0]["help"].as_str().unwrap().contains("monitor"));
}

#[test]
fn plain_format_is_narrated() {
    msgpol()
        .args(["--error-format", "plain", "check"])
        .arg(fixture("syntax/err/unknown-keyword.msgpol"))
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("unknown keyword `monitr`")
                .and(predicate::str::contains("line 25")),
        );
}

#[test]
fn bad_today_is_a_usage_error() {
    Command::cargo_bin("msgpol")
        .unwrap()
        .args(["--today", "2026-02-30", "check"])
        .arg(example("small-org.msgpol"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E305"));
    Command::cargo_bin("msgpol")
        .unwrap()
        .env("SOURCE_DATE_EPOCH", "soon")
        .arg("check")
        .arg(example("small-org.msgpol"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E305"));
}

#[test]
fn source_date_epoch_sets_the_evaluation_date() {
    // 2030-01-01: the examples' exceptions have expired by then.
    Command::cargo_bin("msgpol")
        .unwrap()
        .env("SOURCE_DATE_EPOCH", "1893456000")
        .arg("check")
        .arg(example("large-enterprise.msgpol"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("E205"));
}

#[test]
fn build_is_deterministic_and_has_a_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        msgpol()
            .arg("build")
            .arg(example("large-enterprise.msgpol"))
            .arg("--out")
            .arg(out)
            .args(["--target", "all"])
            .assert()
            .code(0);
    }
    assert_eq!(tree(&a), tree(&b), "two builds differ");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(a.join("manifest.json")).unwrap()).unwrap();
    let outputs = manifest["outputs"].as_array().unwrap();
    let targets: Vec<&str> = outputs
        .iter()
        .map(|o| o["target"].as_str().unwrap())
        .collect();
    for target in msgpol::emit::all_targets() {
        let name = target.name();
        assert!(targets.contains(&name), "manifest lacks {name}");
    }
    for output in outputs {
        let bytes = fs::read(a.join(output["path"].as_str().unwrap())).unwrap();
        assert_eq!(
            output["sha256"].as_str().unwrap(),
            msgpol::emit::write::sha256_hex(&bytes)
        );
    }
    let sources: Vec<&str> = manifest["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert!(sources.contains(&"large-enterprise.msgpol") && sources.contains(&"<std.channels>"));
}

#[test]
fn build_defaults_follow_the_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    msgpol()
        .arg("build")
        .arg(example("small-org.msgpol"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0);
    assert!(out.join("hosts/hosts").is_file() && out.join("guide-md/staff.md").is_file());
    assert!(
        !out.join("unbound").exists(),
        "small organisations get hosts and the guide only"
    );
}

#[test]
fn failed_build_leaves_the_previous_output_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    msgpol()
        .arg("build")
        .arg(example("medium-org.msgpol"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0);
    let before = tree(&out);
    msgpol()
        .arg("build")
        .arg(fixture("validate/err/shared-infrastructure.msgpol"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    msgpol()
        .arg("build")
        .arg(example("medium-org.msgpol"))
        .arg("--out")
        .arg(&out)
        .args(["--target", "no-such-target"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E304"));
    assert_eq!(tree(&out), before);
    let leftovers: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        leftovers,
        vec!["out".to_string()],
        "no temporary directories are left behind"
    );
}

#[test]
fn build_refuses_a_directory_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
    msgpol()
        .arg("build")
        .arg(example("medium-org.msgpol"))
        .arg("--out")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E302"));
    assert_eq!(
        fs::read_to_string(dir.path().join("precious.txt")).unwrap(),
        "keep me"
    );
}

/// A directory that merely holds a file called manifest.json (a web app's `public/`, a
/// browser extension) is not msgpol's, and neither is an msgpol output to which someone added
/// a file: both are refused and left exactly as they were.
#[test]
fn build_replaces_only_a_directory_that_holds_nothing_but_its_own_manifest_files() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("public");
    fs::create_dir(&app).unwrap();
    fs::write(
        app.join("manifest.json"),
        r#"{"name": "Acme app", "start_url": "/"}"#,
    )
    .unwrap();
    fs::write(app.join("index.html"), "<h1>app</h1>").unwrap();
    let build = |out: &std::path::Path| {
        msgpol()
            .arg("build")
            .arg(example("small-org.msgpol"))
            .arg("--out")
            .arg(out)
            .assert()
    };
    let before = tree(&app);
    build(&app).code(2).stderr(predicate::str::contains("E302"));
    assert_eq!(tree(&app), before, "the app's directory changed");

    let out = dir.path().join("out");
    build(&out).code(0);
    fs::write(out.join("hosts").join("notes.txt"), "my own notes").unwrap();
    let before = tree(&out);
    build(&out).code(2).stderr(predicate::str::contains("E302"));
    assert_eq!(
        tree(&out),
        before,
        "a file msgpol did not write was at stake"
    );
    fs::remove_file(out.join("hosts").join("notes.txt")).unwrap();
    build(&out).code(0);
}

#[test]
fn a_policy_with_errors_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    msgpol()
        .arg("build")
        .arg(fixture("validate/err/expired-exception.msgpol"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    assert!(!out.exists());
}

#[test]
fn targets_lists_every_target() {
    let assert = msgpol().arg("targets").assert().code(0);
    let text = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    for target in msgpol::emit::all_targets() {
        assert!(
            text.contains(target.name()),
            "{} missing from `msgpol targets`",
            target.name()
        );
    }
}

#[test]
fn explain_gives_the_decision_and_its_reasons() {
    let policy = example("large-enterprise.msgpol");
    let ir = common::ir(&policy);
    let exception = ir
        .exceptions
        .first()
        .expect("the large example has an exception");
    let ceiling = &exception.ceiling;
    // Without the group, the tier decides; with it, the exception allows (with a condition).
    let plain = ir.decide(ceiling, &exception.channel, None, None).unwrap();
    assert_eq!(plain.verdict, msgpol::ir::Verdict::Deny);
    msgpol()
        .arg("explain")
        .arg(&policy)
        .arg(ceiling)
        .arg(&exception.channel)
        .args(["--who", &exception.group])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("warn")
                .and(predicate::str::contains(&exception.name))
                .and(predicate::str::contains("large-enterprise.msgpol:")),
        );
    msgpol()
        .arg("explain")
        .arg(&policy)
        .arg("confidental")
        .arg(&exception.channel)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("E306")
                .and(predicate::str::contains("did you mean `confidential`")),
        );
}

/// Where a tier decides by medium, `explain` answers per medium (or for the one `--medium`
/// names), in words and as a JSON array.
#[test]
fn explain_answers_per_medium_where_the_tier_decides_by_medium() {
    let policy = example("medium-org.msgpol");
    let assert = msgpol()
        .arg("explain")
        .arg(&policy)
        .args(["internal", "whatsapp", "--who", "dispatch"])
        .assert()
        .code(0);
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(
        out.contains("`internal` on `whatsapp` as text for group `dispatch`: warn"),
        "{out}"
    );
    assert!(
        out.contains("`internal` on `whatsapp` as file for group `dispatch`: deny"),
        "{out}"
    );
    assert!(out.contains("allows nothing for file"), "{out}");
    let assert = msgpol()
        .arg("explain")
        .arg(&policy)
        .args([
            "public",
            "whatsapp",
            "--medium",
            "file",
            "--error-format",
            "json",
        ])
        .assert()
        .code(0);
    let json: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let decisions = json.as_array().unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0]["medium"], "file");
    assert_eq!(decisions[0]["verdict"], "deny");
    msgpol()
        .arg("explain")
        .arg(&policy)
        .args(["public", "whatsapp", "--medium", "fax"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a medium is one of: text, voice, video, file, email",
        ));
}

/// A channel of an imported standard-library module that no tier lists is denied, with the
/// reason and where the channel is declared; a name the policy cannot see is still E306.
#[test]
fn explain_answers_for_every_channel_the_policy_can_see() {
    let policy = example("small-org.msgpol");
    let ir = common::ir(&policy);
    let jitsi = ir.channel("jitsi").expect("std.channels is imported");
    assert_eq!(jitsi.tier, None);
    let decision = ir.decide("internal", "jitsi", None, None).unwrap();
    assert_eq!(decision.verdict, msgpol::ir::Verdict::Deny);
    msgpol()
        .arg("explain")
        .arg(&policy)
        .args(["internal", "jitsi"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("`internal` on `jitsi`: deny")
                .and(predicate::str::contains("`jitsi` is in no tier"))
                .and(predicate::str::contains("(<std.channels>:")),
        );
    msgpol()
        .arg("explain")
        .arg(&policy)
        .args(["internal", "jitsii"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("E306").and(predicate::str::contains("did you mean `jitsi`")),
        );
    // Without `import std.channels`, its channels are not visible.
    let dir = tempfile::tempdir().unwrap();
    let own = dir.path().join("own.msgpol");
    let text = std::fs::read_to_string(example("small-org.msgpol")).unwrap();
    std::fs::write(&own, own_channels_only(&text)).unwrap();
    msgpol()
        .arg("explain")
        .arg(&own)
        .args(["internal", "jitsi"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E306"));
}

/// A policy with one channel of its own and no standard-library channels.
fn own_channels_only(example: &str) -> String {
    let header_end = example.find("\n}\n").unwrap() + 3;
    format!(
        "{}\nimport std.classes\n\nchannel chat \"Chat\" {{\n  media text\n  e2ee\n}}\n\ntier approved \"Approved\" {{\n  channels chat\n  allows up to internal\n  requires mfa\n}}\n",
        &example[..header_end]
    )
}

#[test]
fn build_says_when_dns_alone_cannot_stop_a_channel() {
    let dir = tempfile::tempdir().unwrap();
    msgpol()
        .arg("build")
        .arg(example("small-org.msgpol"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(0)
        .stderr(
            predicate::str::contains("W312")
                .and(predicate::str::contains("DNS alone cannot stop `telegram`"))
                .and(predicate::str::contains("nothing else in this policy does")),
        );
    msgpol()
        .arg("build")
        .arg(example("large-enterprise.msgpol"))
        .arg("--out")
        .arg(dir.path().join("large"))
        .assert()
        .code(0)
        .stderr(
            predicate::str::contains("DNS alone cannot stop `telegram`")
                .and(predicate::str::contains("firewall targets"))
                .and(predicate::str::contains(
                    "(nftables, ipset, pf, windows-firewall, gpo, reg)",
                )),
        );
}

#[test]
fn build_creates_the_parent_of_a_new_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("build/medium");
    msgpol()
        .arg("build")
        .arg(example("medium-org.msgpol"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0);
    assert!(out.join("manifest.json").is_file());
}

#[test]
fn tier_feed_names_are_blocked_by_dns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    msgpol()
        .arg("build")
        .arg(fixture("ok/tier-feeds.msgpol"))
        .args(["--target", "unbound", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    let fragment = fs::read_to_string(out.join("unbound/msgpol.conf")).unwrap();
    // A `feed domains` name: the name and its subdomains answer NXDOMAIN, for the tier's
    // feed channel; a `feed hosts` name: that name only.
    for line in [
        "local-zone: \"chatwave.example.\" always_nxdomain  # banned-feed",
        "local-data: \"login.messagely.example. A 0.0.0.0\"  # banned-feed",
        "local-zone: \"uploads.share-cdn.example.\" always_transparent  # carve-out for chat",
    ] {
        assert!(
            fragment.lines().any(|l| l.trim() == line),
            "no `{line}` in:\n{fragment}"
        );
    }
    // The monitored tier's feed names are not blocked.
    assert!(!fragment.contains("pastebox.example"), "{fragment}");
}

#[test]
fn a_tier_feed_in_an_imported_file_is_relative_to_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("tiers/lists")).unwrap();
    fs::write(
        root.join("policy.msgpol"),
        "policy \"P\" {\n  organisation \"O\"\n  size small\n  version \"1\"\n  effective 2026-01-01\n  owner \"o@example.org\"\n  support \"IT\"\n  briefing every 6 months\n}\nimport std.classes\nimport \"tiers/banned.msgpol\"\nchannel chat {\n  media text\n  mfa\n  domains \"chat.example.org\"\n}\ntier approved {\n  channels chat\n  allows up to internal\n  requires mfa\n}\n",
    )
    .unwrap();
    fs::write(
        root.join("tiers/banned.msgpol"),
        "tier banned {\n  allows nothing\n  block dns\n  feed hosts \"lists/banned.hosts\"\n}\n",
    )
    .unwrap();
    fs::write(
        root.join("tiers/lists/banned.hosts"),
        "0.0.0.0 web.banned.example\n",
    )
    .unwrap();
    let ir = common::ir(&root.join("policy.msgpol"));
    let rule = ir
        .enforcement
        .dns_block
        .iter()
        .find(|r| &*r.name == "web.banned.example")
        .expect("the feed name is blocked");
    assert_eq!(rule.channels.len(), 1);
    assert_eq!(&*rule.channels[0], "banned-feed");
}

#[test]
fn a_child_channel_inherits_the_feed_names_of_the_lists_it_inherits() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("policy.msgpol"),
        "policy \"P\" {\n  organisation \"O\"\n  size small\n  version \"1\"\n  effective 2026-01-01\n  owner \"o@example.org\"\n  support \"IT\"\n  briefing every 6 months\n}\nimport std.classes\nchannel base {\n  media text\n  feed adblock \"list.txt\"\n}\nchannel both : base {\n}\nchannel own-domains : base {\n  domains \"own.example\"\n}\nchannel chat {\n  media text\n  mfa\n  domains \"chat.example.org\"\n}\ntier approved {\n  channels chat\n  allows up to internal\n  requires mfa\n}\ntier banned {\n  channels base, both, own-domains\n  allows nothing\n  block dns\n}\n",
    )
    .unwrap();
    fs::write(root.join("list.txt"), "||Tree.Example^\n|exact.example^\n").unwrap();
    let ir = common::ir(&root.join("policy.msgpol"));
    let names = |channel: &str| -> Vec<(String, Scope)> {
        let info = ir.channels.iter().find(|c| c.name == channel).unwrap();
        let mut names: Vec<(String, Scope)> = (info.endpoints.domains.iter())
            .map(|d| (d.name.to_string(), d.scope))
            .collect();
        names.sort();
        names
    };
    let feed = vec![
        ("exact.example".to_string(), Scope::Exact),
        ("tree.example".to_string(), Scope::Tree),
    ];
    assert_eq!(names("base"), feed);
    assert_eq!(names("both"), feed);
    // Its own `domains` replace the feed's domains; the feed's exact names still come with
    // the `hosts` it inherits.
    assert_eq!(
        names("own-domains"),
        vec![
            ("exact.example".to_string(), Scope::Exact),
            ("own.example".to_string(), Scope::Tree),
        ]
    );
}

#[test]
fn an_output_under_a_regular_file_is_e303_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    fs::write(&file, "keep me").unwrap();
    let output = msgpol()
        .args(["--error-format", "json", "build"])
        .arg(example("small-org.msgpol"))
        .arg("--out")
        .arg(file.join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let items: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
    assert_eq!(items[0]["code"], "E303");
    let message = items[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("cannot write `{}`: ", file.display())),
        "{message}"
    );
    assert!(items[0]["help"]
        .as_str()
        .unwrap()
        .starts_with("check that the output's parent directory exists and is writable"));
    // As people read it.
    msgpol()
        .arg("build")
        .arg(example("small-org.msgpol"))
        .arg("--out")
        .arg(file.join("out"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("E303").and(predicate::str::contains("cannot write")));
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
    let leftovers: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["not-a-dir"], "no temporary directory is left");
}

/// Build warnings are diagnostics: a code, a severity and a message in JSON, like any other.
#[test]
fn build_warnings_are_coded_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let assert = msgpol()
        .args(["--error-format", "json", "build"])
        .arg(example("small-org.msgpol"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .args(["--target", "hosts"])
        .assert()
        .code(0);
    let items: Vec<serde_json::Value> =
        serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let hosts = items
        .iter()
        .find(|i| i["code"] == "W308")
        .unwrap_or_else(|| panic!("no W308 in {items:?}"));
    assert_eq!(hosts["severity"], "warning");
    assert!(hosts["message"].as_str().unwrap().starts_with("`hosts`: "));
    assert!(hosts["help"].is_string());
    assert!(dir.path().join("out/hosts/hosts").is_file());
}

/// `--deny-warnings` fails a build that has a warning, and writes nothing: the previous
/// output stays as it was.
#[test]
fn deny_warnings_refuses_a_build_with_warnings_and_keeps_the_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let build = |deny: bool, target: &str| {
        let mut cmd = msgpol();
        if deny {
            cmd.arg("--deny-warnings");
        }
        cmd.arg("build")
            .arg(example("medium-org.msgpol"))
            .arg("--out")
            .arg(&out)
            .args(["--target", target])
            .assert()
    };
    build(false, "dnsmasq").code(0);
    let before = tree(&out);
    build(true, "hosts")
        .code(1)
        .stderr(predicate::str::contains("W308").and(predicate::str::contains("nothing written")));
    assert_eq!(tree(&out), before, "a refused build changed the output");
    build(true, "dnsmasq").code(0);
}

/// A banned channel that nothing stops is a warning known before any file is written:
/// `--deny-warnings` refuses the build without building a target.
#[test]
fn deny_warnings_refuses_a_ban_that_dns_alone_cannot_enforce() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    msgpol()
        .args(["--deny-warnings", "build"])
        .arg(example("small-org.msgpol"))
        .arg("--out")
        .arg(&out)
        .args(["--target", "dnsmasq"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("W312"));
    assert!(!out.exists(), "a refused build wrote {}", out.display());
}

/// `--error-format sarif` prints one SARIF 2.1.0 run on stdout that the OASIS schema accepts
/// (PyPI jsonschema), for errors and warnings, from the policy and from the standard library:
/// each code a rule with its error page as help, each diagnostic a result at its first label.
#[test]
fn sarif_diagnostics_match_the_sarif_schema() {
    if !common::require_python_module("jsonschema", "jsonschema") {
        return;
    }
    let fixtures = common::root().join("tests/fixtures");
    let dir = tempfile::tempdir().unwrap();
    let mut logs = Vec::new();
    for (i, fixture) in [
        "validate/err/dated-ban-breaks-approved.msgpol",
        "validate/warn/instead-for-allowed-medium.msgpol",
        "syntax/err/unterminated-string.msgpol",
        "resolve/err/class-cycle.msgpol",
    ]
    .iter()
    .enumerate()
    {
        let path = fixtures.join(fixture);
        let out = msgpol()
            .args(["--error-format", "sarif", "check"])
            .arg(&path)
            .output()
            .unwrap();
        let log: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{fixture}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{fixture}");
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        for result in results {
            let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], result["ruleId"], "{fixture}");
            assert!(
                rule["help"]["markdown"].as_str().unwrap().starts_with("# "),
                "{fixture}"
            );
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert!(region["startLine"].as_u64().unwrap() >= 1, "{fixture}");
        }
        let file = dir.path().join(format!("{i}.sarif"));
        std::fs::write(&file, &out.stdout).unwrap();
        logs.push(file);
    }
    // The warning is in the policy file itself, at the `text` of `for file and text`.
    let warn: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&logs[1]).unwrap()).unwrap();
    let result = &warn["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "W229");
    assert_eq!(result["level"], "warning");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "instead-for-allowed-medium.msgpol"
    );
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(location["region"]["startLine"], 26);
    assert_eq!(location["region"]["startColumn"], 31);
    assert_eq!(location["region"]["endColumn"], 35);
    let check = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for path in sys.argv[2:]:
    jsonschema.validate(json.load(open(path)), schema)
"#;
    let (ok, text) = common::run(
        std::process::Command::new("python3")
            .args(["-c", check])
            .arg(common::root().join("tests/schemas/sarif-schema-2.1.0.json"))
            .args(&logs),
    );
    assert!(ok, "{text}");
}

/// `--error-format github` prints one workflow command per diagnostic on stdout, at the file,
/// line and columns of its first label, with the code as title and the help on a second line
/// (escaped as the runner unescapes it).
#[test]
fn github_annotations_point_at_the_policy_line() {
    let path =
        common::root().join("tests/fixtures/validate/warn/instead-for-allowed-medium.msgpol");
    let out = msgpol()
        .args(["--error-format", "github", "check"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "a warning alone exits 0");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0].starts_with("::warning file=instead-for-allowed-medium.msgpol,line=26,col=31,endLine=26,endColumn=35,title=W229::tier `limited` names an alternative for what it allows%0Ahelp: "),
        "{stdout}"
    );
}

/// `explain --expect` pins a decision for CI: exit 0 when every decision printed has the
/// verdict, 1 when one does not (a per-medium answer counts each medium).
#[test]
fn explain_expect_exits_1_on_a_different_verdict() {
    let policy = example("medium-org.msgpol");
    let explain = |args: &[&str]| {
        msgpol()
            .arg("explain")
            .arg(&policy)
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(
        explain(&["confidential", "whatsapp", "--expect", "deny"]),
        Some(0)
    );
    assert_eq!(
        explain(&["confidential", "whatsapp", "--expect", "allow"]),
        Some(1)
    );
    // Public text is allowed on WhatsApp, files are not.
    assert_eq!(
        explain(&["public", "whatsapp", "--medium", "text", "--expect", "allow"]),
        Some(0)
    );
    assert_eq!(
        explain(&["public", "whatsapp", "--expect", "allow"]),
        Some(1)
    );
}

/// `msgpol completions bash` is a script bash loads, which completes the commands: `ex<TAB>`
/// offers `explain`.
#[test]
fn bash_completes_the_commands() {
    if !common::require_tool("bash") {
        return;
    }
    let out = msgpol().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("msgpol.bash");
    fs::write(&script, &out.stdout).unwrap();
    let (ok, text) = common::run(
        std::process::Command::new("bash")
            .arg("-c")
            .arg(r#"source "$1" && complete -p msgpol >/dev/null && COMP_WORDS=(msgpol ex) && COMP_CWORD=1 && _msgpol msgpol ex msgpol && printf '%s\n' "${COMPREPLY[@]}""#)
            .arg("bash")
            .arg(&script),
    );
    assert!(ok, "{text}");
    assert_eq!(text.trim(), "explain", "{text}");
}

/// `msgpol man --out DIR` writes a page for msgpol and one per command, which groff formats
/// without a warning.
#[test]
fn man_pages_format_without_warnings() {
    if !common::require_tool("groff") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    msgpol()
        .args(["man", "--out"])
        .arg(dir.path())
        .assert()
        .code(0);
    let mut pages: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for command in ["build", "check", "explain", "scan", "targets", "verify"] {
        assert!(pages.contains(&format!("msgpol-{command}.1")), "{pages:?}");
    }
    assert!(pages.contains(&"msgpol.1".to_string()));
    for page in &pages {
        let out = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(dir.path().join(page))
            .output()
            .unwrap();
        assert!(out.status.success(), "{page}");
        assert!(
            out.stderr.is_empty(),
            "{page}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
