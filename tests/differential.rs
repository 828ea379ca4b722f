//! Differential test: the readers that verify every build (`msgpol::emit::verify::readers`),
//! the policy's own answers (`Oracle`) and the real programs that consume the files agree, on
//! hundreds of generated policies (tests/generator) as well as the examples and `ok/` fixtures.
//!
//! Every policy is built with `msgpol build --target all`, which reads each file back and
//! checks it itself. Then each consumer below is given its target's files and asked the
//! policy's probes (every name it lists and a fresh label under it; the first and last address
//! of every network and the addresses just outside): Unbound, dnsmasq (with the dnsmasq
//! configuration, and with the hosts file) and a BIND resolver applying the RPZ, queried over
//! UDP on loopback, forwarding what they let through to an upstream that answers every name;
//! requests through a live Squid; the PAC's `FindProxyForURL` in node; nftables and ipset
//! loaded in a fresh network namespace and asked for each address (`nft get element`,
//! `ipset test`); and, for a sample of policies and names (they are slow), Chromium and
//! Firefox with the managed policies, loading pages from a local server. Every real answer
//! must equal the reader's, and the policy's unless the target declares that its format cannot
//! say it (`Reader::leaves_open`, warned about as W308). The test prints the probes ×
//! consumers table. A disagreement fails the test, with the smallest generated policy that
//! still shows it; so does a build that fails (the build's own verification disagreeing).
//!
//! The servers are started for each policy's files, the consumers asked side by side. Chromium
//! reads every file in its managed policy directory: it runs in a mount namespace of its own,
//! where a private directory holding only the policy under test is mounted over that one.
//!
//! `MSGPOL_DIFFERENTIAL_POLICIES` sets how many generated policies are asked (200 by default)
//! and `MSGPOL_DIFFERENTIAL_SEED` the seed of the first (policy `i` comes from seed + `i`):
//!
//! ```sh
//! MSGPOL_DIFFERENTIAL_POLICIES=2000 MSGPOL_DIFFERENTIAL_SEED=1 \
//!     cargo test --locked --test differential -- --nocapture
//! ```

mod common;
mod generator;

use common::{DnsReply, PROBE, TEST_ADDRESS};
use generator::{Policy, Tally};
use msgpol::emit::verify::{Answer, Effect, NameIndex, Oracle, Question, Reach};
use msgpol::emit::{find_target, OutputFile};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Policy `i` is generated from `SEED + i`; `MSGPOL_DIFFERENTIAL_SEED` starts elsewhere.
const SEED: u64 = 20_261_123;
/// How many generated policies are built and asked; `MSGPOL_DIFFERENTIAL_POLICIES` changes it.
const GENERATED: usize = 200;
/// Policies built at once.
const BUILDERS: usize = 2;

fn setting(variable: &str, default: u64) -> u64 {
    std::env::var(variable)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{variable}={v} is not a number"))
        })
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// The policies and their probes
// ---------------------------------------------------------------------------------------------

/// One question to a consumer: a name (itself, or a fresh label under it) or an address, and
/// what the policy answers.
#[derive(Clone)]
struct Probe {
    /// The name or address as it is asked.
    asked: String,
    expected: Answer,
    /// Its row in the table.
    kind: &'static str,
}

/// A built policy and its probes.
struct Subject {
    label: String,
    /// The generated policy, for shrinking.
    model: Option<Policy>,
    out: PathBuf,
    /// The probes of each question (`question_index`).
    probes: [Vec<Probe>; 3],
    /// By target: its reader's answer to each probe of its question.
    readers: BTreeMap<&'static str, Vec<Option<Effect>>>,
}

fn question_index(question: Question) -> usize {
    match question {
        Question::Dns => 0,
        Question::Browser => 1,
        Question::Firewall => 2,
        other => unreachable!("no consumer here is asked the {other:?} question"),
    }
}

/// The table's rows, in order.
const KINDS: &[&str] = &[
    "name listed, blocked",
    "name under a domain, blocked",
    "name under *.x only, blocked",
    "name under a carved-out name, blocked",
    "name above carved-out *.x, blocked",
    "name, allowed",
    "label under a domain, blocked",
    "label under *.x only, blocked",
    "label under a carved-out name, blocked",
    "label, allowed",
    "address, blocked",
    "address, allowed",
];

/// The row of a name probe: a label under the name (`child`) or the name, by how the policy
/// answers it.
fn name_kind(child: bool, answer: Answer) -> &'static str {
    let reach = match answer {
        (Effect::Blocked, reach) => reach.unwrap_or(Reach::Listed),
        (Effect::Allowed, _) => return KINDS[if child { 9 } else { 5 }],
        (Effect::Reported, _) => unreachable!("the DNS and browser questions report nothing"),
    };
    let row = match reach {
        Reach::UnderDomain => 1,
        Reach::UnderSubdomainsOnly => 2,
        Reach::UnderCarvedOutName => 3,
        Reach::AboveCarvedOutSubdomains => 4,
        _ => 0,
    };
    KINDS[if child && (1..=3).contains(&row) {
        row + 5
    } else {
        row
    }]
}

/// The name probes of `question`: every name once, itself and a label under it.
fn name_probes(oracle: &Oracle, question: Question) -> Vec<(String, bool, Probe)> {
    let mut seen = HashSet::new();
    let mut probes = Vec::new();
    for (name, answers) in oracle.name_probes(question) {
        let name = name.text;
        if !seen.insert(name) {
            continue;
        }
        for (child, expected) in [(false, answers[0]), (true, answers[1])] {
            let asked = if child {
                format!("{PROBE}.{name}")
            } else {
                name.to_string()
            };
            let kind = name_kind(child, expected);
            probes.push((
                name.to_string(),
                child,
                Probe {
                    asked,
                    expected,
                    kind,
                },
            ));
        }
    }
    probes
}

/// The files a build wrote for `target`, as its reader reads them.
fn target_files(out: &Path, target: &str) -> Vec<OutputFile> {
    let info = find_target(target).unwrap().info();
    info.outputs
        .iter()
        .filter_map(|path| {
            fs::read(out.join(target).join(path))
                .ok()
                .map(|contents| OutputFile {
                    path: path.to_string(),
                    contents,
                })
        })
        .collect()
}

/// The answers of `target`'s reader, as the consumer that is asked `question` reads `files`,
/// to the probes of that question; `None` if the target has no reader.
fn reader_answers(
    target: &str,
    question: Question,
    files: &[OutputFile],
    names: &[(String, bool, Probe)],
    addresses: &[Probe],
) -> Option<Vec<Option<Effect>>> {
    let reader = find_target(target).unwrap().info().reader?;
    let consumers =
        (reader.read)(files, NameIndex::empty()).unwrap_or_else(|e| panic!("{target}: {e}"));
    let consumer = consumers
        .iter()
        .find(|c| c.questions.contains(&question))
        .unwrap_or_else(|| panic!("no consumer of {target} is asked the {question:?} question"));
    let reading = &consumer.reading;
    Some(match question {
        Question::Firewall => addresses
            .iter()
            .map(|p| reading.address(p.asked.parse().unwrap()))
            .collect(),
        _ => names
            .iter()
            .map(|(name, child, _)| reading.name(name, *child))
            .collect(),
    })
}

/// Build `policy` into `out` with every target (the build verifies each file), and work out
/// its probes and every consumer's reader's answers. `Err`: what the failed build printed.
fn prepare(
    label: String,
    policy: &Path,
    out: &Path,
    model: Option<Policy>,
) -> Result<Subject, String> {
    let built = common::msgpol()
        .arg("build")
        .arg(policy)
        .arg("--out")
        .arg(out)
        .args(["--target", "all"])
        .output()
        .unwrap();
    if !built.status.success() {
        return Err(String::from_utf8_lossy(&built.stderr).into_owned());
    }
    let ir = common::ir(policy);
    let oracle = Oracle::new(&ir);
    let names = [Question::Dns, Question::Browser].map(|q| name_probes(&oracle, q));
    let addresses: Vec<Probe> = oracle
        .address_probes()
        .collect::<std::collections::BTreeSet<IpAddr>>()
        .into_iter()
        .map(|address| {
            let effect = oracle.address(address);
            Probe {
                asked: address.to_string(),
                expected: (effect, None),
                kind: KINDS[if effect == Effect::Blocked { 10 } else { 11 }],
            }
        })
        .collect();
    let mut readers = BTreeMap::new();
    for consumer in CONSUMERS {
        let names = match consumer.question {
            Question::Firewall => &[],
            question => &names[question_index(question)][..],
        };
        let files = target_files(out, consumer.target);
        if let Some(answers) = reader_answers(
            consumer.target,
            consumer.question,
            &files,
            names,
            &addresses,
        ) {
            readers.insert(consumer.target, answers);
        }
    }
    let [dns, browser] = names.map(|n| n.into_iter().map(|(_, _, p)| p).collect());
    Ok(Subject {
        label,
        model,
        out: out.to_path_buf(),
        probes: [dns, browser, addresses],
        readers,
    })
}

/// `msgpol check --error-format json` on a policy file: what it prints.
fn check(file: &Path) -> String {
    let output = common::msgpol()
        .arg("check")
        .args(["--error-format", "json"])
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

/// A build that failed: the policy (shrunk, when generated) and what the build printed.
struct Failed {
    label: String,
    policy: String,
    printed: String,
}

/// The generated policies (the first `count` that `msgpol check` accepts, after fixes, from
/// `seed` on) and the examples and fixtures, built under `dir`; what became of the generated
/// ones; and the builds that failed.
fn corpus(dir: &Path, seed: u64, count: usize) -> (Vec<Subject>, Tally, Vec<Failed>) {
    // Seeds are handed out in order, and stop once enough policies are accepted; the first
    // `count` accepted seeds are then the same whatever the threads' timing.
    let next = AtomicUsize::new(0);
    let accepted = AtomicUsize::new(0);
    type Outcome = (Tally, Option<Result<Subject, Failed>>);
    let outcomes: Mutex<BTreeMap<usize, Outcome>> = Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        for _ in 0..BUILDERS {
            scope.spawn(|| loop {
                if accepted.load(Ordering::SeqCst) >= count {
                    return;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count * 4 {
                    return; // the generator's fixes no longer work: too many abandoned
                }
                let seed = seed + i as u64;
                let policy_dir = dir.join(format!("policy-{seed}"));
                let mut tally = Tally::default();
                let outcome =
                    generator::accepted(seed, &policy_dir, check, &mut tally).map(|model| {
                        accepted.fetch_add(1, Ordering::SeqCst);
                        let file = policy_dir.join(generator::POLICY_FILE);
                        let out = dir.join(format!("out-{seed}"));
                        let label = format!("seed {seed}");
                        prepare(label.clone(), &file, &out, Some(model.clone())).map_err(
                            |printed| {
                                let shrunk = shrink_build_failure(
                                    model,
                                    &dir.join(format!("shrink-{seed}")),
                                    &printed,
                                );
                                Failed {
                                    label,
                                    policy: shrunk,
                                    printed,
                                }
                            },
                        )
                    });
                outcomes.lock().unwrap().insert(i, (tally, outcome));
            });
        }
    });
    let mut subjects = Vec::new();
    let mut failed = Vec::new();
    let mut tally = Tally::default();
    let mut taken = 0;
    for (seed_tally, outcome) in outcomes.into_inner().unwrap().into_values() {
        if taken == count {
            break;
        }
        tally.add(&seed_tally);
        match outcome {
            Some(Ok(subject)) => subjects.push(subject),
            Some(Err(failure)) => failed.push(failure),
            None => continue,
        }
        taken += 1;
    }
    for (i, policy) in common::policies().iter().enumerate() {
        let label = policy
            .strip_prefix(common::root())
            .unwrap()
            .display()
            .to_string();
        match prepare(label.clone(), policy, &dir.join(format!("fixed-{i}")), None) {
            Ok(subject) => subjects.push(subject),
            Err(printed) => failed.push(Failed {
                label,
                policy: fs::read_to_string(policy).unwrap(),
                printed,
            }),
        }
    }
    (subjects, tally, failed)
}

/// The smallest policy that still fails to build as `model` does (the same codes), as text.
fn shrink_build_failure(model: Policy, dir: &Path, printed: &str) -> String {
    let codes = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.len() == 4 && (w.starts_with("E3")))
            .map(str::to_string)
            .collect()
    };
    let want = codes(printed);
    let shrunk = generator::shrink(model, dir, check, |_, dir| {
        let built = common::msgpol()
            .arg("build")
            .arg(dir.join(generator::POLICY_FILE))
            .arg("--out")
            .arg(dir.join("out"))
            .args(["--target", "all"])
            .output()
            .unwrap();
        !built.status.success() && codes(&String::from_utf8_lossy(&built.stderr)) == want
    });
    shown(&shrunk)
}

/// A generated policy's files, as the report shows them.
fn shown(policy: &Policy) -> String {
    let mut text = String::new();
    for (path, contents) in policy.write().0 {
        writeln!(text, "--- {path}\n{contents}").unwrap();
    }
    text
}

// ---------------------------------------------------------------------------------------------
// The consumers
// ---------------------------------------------------------------------------------------------

/// What a program did with a probe: blocked it or let it through, or something else (text).
type Reply = Result<Effect, String>;

/// One policy's questions to one consumer: its target's files and a scratch directory.
struct Job {
    files: PathBuf,
    scratch: PathBuf,
    questions: Vec<String>,
}

/// What every consumer shares: the DNS upstream and the web server on loopback.
struct Env {
    upstream: u16,
    web: u16,
}

struct Consumer {
    /// The program, as the table names it.
    program: &'static str,
    /// The target whose files it reads.
    target: &'static str,
    question: Question,
    /// The programs it needs.
    tools: &'static [&'static str],
    /// Slow programs are asked about a sample: at most this many policies, this many probes
    /// each.
    sample: Option<(usize, usize)>,
    ask: fn(&Env, &[Job]) -> Vec<Vec<Reply>>,
}

const CONSUMERS: &[Consumer] = &[
    Consumer {
        program: "unbound",
        target: "unbound",
        question: Question::Dns,
        tools: &["unbound", "named"],
        sample: None,
        ask: ask_unbound,
    },
    Consumer {
        program: "dnsmasq",
        target: "dnsmasq",
        question: Question::Dns,
        tools: &["dnsmasq", "named"],
        sample: None,
        ask: ask_dnsmasq,
    },
    Consumer {
        program: "dnsmasq (hosts)",
        target: "hosts",
        question: Question::Dns,
        tools: &["dnsmasq", "named"],
        sample: None,
        ask: ask_dnsmasq_hosts,
    },
    Consumer {
        program: "BIND (RPZ)",
        target: "rpz",
        question: Question::Dns,
        tools: &["named", "named-checkconf"],
        sample: None,
        ask: ask_bind,
    },
    Consumer {
        program: "squid",
        target: "squid",
        question: Question::Dns,
        tools: &["squid"],
        sample: None,
        ask: ask_squid,
    },
    Consumer {
        program: "node (PAC)",
        target: "pac",
        question: Question::Dns,
        tools: &["node"],
        sample: None,
        ask: ask_pac,
    },
    Consumer {
        program: "nft",
        target: "nftables",
        question: Question::Firewall,
        tools: &["nft", "unshare"],
        sample: None,
        ask: ask_nft,
    },
    Consumer {
        program: "ipset",
        target: "ipset",
        question: Question::Firewall,
        tools: &["ipset", "unshare"],
        sample: None,
        ask: ask_ipset,
    },
    Consumer {
        program: "chromium",
        target: "chrome",
        question: Question::Browser,
        tools: &["chromium", "node", "unshare"],
        sample: Some((16, 8)),
        ask: ask_chromium,
    },
    Consumer {
        program: "firefox",
        target: "firefox",
        question: Question::Browser,
        tools: &["firefox-esr", "node"],
        sample: Some((6, 8)),
        ask: ask_firefox,
    },
];

/// What a resolver's answer means: NXDOMAIN or 0.0.0.0 is a block, the upstream's address is
/// the name let through.
fn resolved(reply: Option<DnsReply>) -> Reply {
    let Some(reply) = reply else {
        return Err("no answer".into());
    };
    let addresses: Vec<String> = reply.addresses.iter().map(|a| a.to_string()).collect();
    match (reply.rcode, addresses.as_slice()) {
        (common::NXDOMAIN, []) => Ok(Effect::Blocked),
        (common::NOERROR, [a]) if a == "0.0.0.0" => Ok(Effect::Blocked),
        (common::NOERROR, [a]) if a == TEST_ADDRESS => Ok(Effect::Allowed),
        (rcode, _) => Err(format!("rcode {rcode}, addresses {addresses:?}")),
    }
}

fn ask_resolver(job: &Job, port: u16) -> Vec<Reply> {
    common::dns_ask(port, &job.questions)
        .into_iter()
        .map(resolved)
        .collect()
}

fn ask_unbound(env: &Env, jobs: &[Job]) -> Vec<Vec<Reply>> {
    jobs.iter()
        .map(|job| {
            let fragment = job.files.join("msgpol.conf");
            let (_server, port) = common::start_unbound(&job.scratch, &fragment, env.upstream);
            // Unbound only warns of what it then reads its own way (a zone declared twice: the
            // last one wins), and such a file is wrong however it is read.
            let log = fs::read_to_string(job.scratch.join("unbound.log")).unwrap_or_default();
            if let Some(warning) = log.lines().find(|l| l.contains("warning")) {
                return vec![Err(warning.to_string()); job.questions.len()];
            }
            ask_resolver(job, port)
        })
        .collect()
}

fn ask_dnsmasq_with(env: &Env, jobs: &[Job], option: &str, file: &str) -> Vec<Vec<Reply>> {
    jobs.iter()
        .map(|job| {
            let option = format!("{option}={}", job.files.join(file).display());
            let (_server, port) = common::start_dnsmasq(&job.scratch, &option, Some(env.upstream));
            ask_resolver(job, port)
        })
        .collect()
}

fn ask_dnsmasq(env: &Env, jobs: &[Job]) -> Vec<Vec<Reply>> {
    ask_dnsmasq_with(env, jobs, "--conf-file", "msgpol.conf")
}

fn ask_dnsmasq_hosts(env: &Env, jobs: &[Job]) -> Vec<Vec<Reply>> {
    ask_dnsmasq_with(env, jobs, "--addn-hosts", "hosts")
}

fn ask_bind(env: &Env, jobs: &[Job]) -> Vec<Vec<Reply>> {
    jobs.iter()
        .map(|job| {
            let zone = job.files.join("msgpol.rpz.zone");
            let (_server, port) = common::start_rpz_resolver(&job.scratch, env.upstream, &zone);
            ask_resolver(job, port)
        })
        .collect()
}

fn ask_squid(env: &Env, jobs: &[Job]) -> Vec<Vec<Reply>> {
    jobs.iter()
        .map(|job| {
            for entry in fs::read_dir(&job.files).unwrap() {
                let entry = entry.unwrap();
                fs::copy(entry.path(), job.scratch.join(entry.file_name())).unwrap();
            }
            let names: Vec<&str> = job.questions.iter().map(String::as_str).collect();
            let (_squid, proxy) = common::start_squid(&job.scratch, &names);
            names
                .iter()
                .map(|host| {
                    let (status, answer) = common::through_squid(proxy, host, env.web);
                    if status.contains(" 403 ") && answer.contains("ERR_ACCESS_DENIED") {
                        Ok(Effect::Blocked)
                    } else if status.contains(" 200 ")
                        && answer.ends_with(&format!("served {host}:{}", env.web))
                    {
                        Ok(Effect::Allowed)
                    } else {
                        Err(status)
                    }
                })
                .collect()
        })
        .collect()
}

/// Every PAC file evaluated in one node process, each in a bare context of its own.
fn ask_pac(_: &Env, jobs: &[Job]) -> Vec<Vec<Reply>> {
    let input: Vec<serde_json::Value> = jobs
        .iter()
        .map(|job| {
            serde_json::json!({
                "pac": job.files.join("msgpol.pac"),
                "hosts": job.questions,
            })
        })
        .collect();
    let Some(first) = jobs.first() else {
        return Vec::new();
    };
    let input_file = first.scratch.join("pac-input.json");
    fs::write(&input_file, serde_json::to_vec(&input).unwrap()).unwrap();
    let script = r#"const vm = require("vm");
const fs = require("fs");
const jobs = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const answers = jobs.map(({ pac, hosts }) => {
  try {
    const context = vm.createContext({});
    vm.runInContext(fs.readFileSync(pac, "utf8"), context);
    return hosts.map((host) => context.FindProxyForURL("http://" + host + "/", host));
  } catch (e) {
    return hosts.map(() => "error: " + e.message);
  }
});
console.log(JSON.stringify(answers));"#;
    let (ok, text) = common::run(Command::new("node").args(["-e", script]).arg(&input_file));
    assert!(ok, "node could not evaluate the PAC files: {text}");
    let answers: Vec<Vec<String>> = serde_json::from_str(&text).unwrap();
    answers
        .into_iter()
        .map(|answers| {
            answers
                .into_iter()
                .map(|a| match a.as_str() {
                    "DIRECT" => Ok(Effect::Allowed),
                    proxy if proxy.starts_with("PROXY ") => Ok(Effect::Blocked),
                    other => Err(other.to_string()),
                })
                .collect()
        })
        .collect()
}

/// Load a ruleset in a fresh network namespace with `load`, then run `test` (given the
/// address and its family, 4 or 6) for each question; each test's exit status and first line
/// of output.
fn in_namespace(job: &Job, load: &str, test: impl Fn(&str, u8) -> String) -> Vec<(i32, String)> {
    let mut script = format!("{load} || exit 3\n");
    for address in &job.questions {
        let family = if address.contains(':') { 6 } else { 4 };
        let command = test(address, family);
        writeln!(
            script,
            "out=$({command} 2>&1); echo \"$? $(printf '%s' \"$out\" | head -n 1)\""
        )
        .unwrap();
    }
    let (ok, text) = common::run(Command::new("unshare").args(["-n", "sh", "-c", &script]));
    assert!(ok, "{load} failed in a network namespace:\n{text}");
    let lines: Vec<(i32, String)> = text
        .lines()
        .map(|line| {
            let (status, rest) = line.split_once(' ').unwrap_or((line, ""));
            (status.parse().unwrap(), rest.to_string())
        })
        .collect();
    assert_eq!(lines.len(), job.questions.len(), "{text}");
    lines
}

fn ask_nft(_: &Env, jobs: &[Job]) -> Vec<Vec<Reply>> {
    jobs.iter()
        .map(|job| {
            let load = format!("nft -f {}", job.files.join("msgpol.nft").display());
            let test = |address: &str, family| {
                format!("nft get element inet msgpol banned_v{family} '{{ {address} }}'")
            };
            in_namespace(job, &load, test)
                .into_iter()
                .map(|(status, first)| match status {
                    0 => Ok(Effect::Blocked),
                    _ if first.contains("No such file or directory") => Ok(Effect::Allowed),
                    _ => Err(first),
                })
                .collect()
        })
        .collect()
}

fn ask_ipset(_: &Env, jobs: &[Job]) -> Vec<Vec<Reply>> {
    jobs.iter()
        .map(|job| {
            let file = job.files.join("msgpol.ipset");
            let load = format!("ipset restore -exist -f {}", file.display());
            let test =
                |address: &str, family| format!("ipset test msgpol-banned{family} {address}");
            in_namespace(job, &load, test)
                .into_iter()
                .map(|(_, first)| {
                    if first.contains(" is in set ") {
                        Ok(Effect::Blocked)
                    } else if first.contains(" is NOT in set ") {
                        Ok(Effect::Allowed)
                    } else {
                        Err(first)
                    }
                })
                .collect()
        })
        .collect()
}

/// What a browser's page loads mean: `blocked` is its refusal by policy; the local server's
/// page is the name let through, and so is `upgraded`, the error of a TLS handshake with the
/// local server (which speaks plain HTTP): the browser went to the server over HTTPS, as it
/// does for a name on its HSTS preload list (the examples name real services).
fn loaded(
    results: &[serde_json::Value],
    questions: &[String],
    blocked: &str,
    upgraded: &str,
) -> Vec<Reply> {
    results
        .iter()
        .zip(questions)
        .map(|(result, host)| match result["outcome"].as_str().unwrap() {
            outcome if outcome == blocked => Ok(Effect::Blocked),
            "loaded" if result["body"] == format!("served {host}") => Ok(Effect::Allowed),
            outcome if outcome == upgraded => Ok(Effect::Allowed),
            outcome => Err(format!("{outcome} {}", result["body"])),
        })
        .collect()
}

/// Chromium reads its managed policies from every file here (a file left by another run
/// would be merged with the policy under test): each run mounts a private directory holding
/// the one policy over it, in a mount namespace of its own, and checks that it sees only that.
const CHROMIUM_POLICIES: &str = "/etc/chromium/policies/managed";

fn ask_chromium(_: &Env, jobs: &[Job]) -> Vec<Vec<Reply>> {
    if common::puppeteer_dir().is_none() {
        return no_answers(jobs, "no puppeteer");
    }
    fs::create_dir_all(CHROMIUM_POLICIES).unwrap();
    let chromium = common::find_tool("chromium").unwrap();
    jobs.iter()
        .map(|job| {
            let managed = job.scratch.join("managed");
            fs::create_dir_all(&managed).unwrap();
            fs::copy(job.files.join("msgpol.json"), managed.join("msgpol.json")).unwrap();
            let mut launcher = Command::new("unshare");
            launcher
                .args(["-m", "sh", "-c"])
                .arg(format!(
                    "mount --bind \"$0\" {CHROMIUM_POLICIES} || exit 1
                     seen=$(ls -A {CHROMIUM_POLICIES})
                     if [ \"$seen\" != msgpol.json ]; then
                       echo \"Chromium would merge the policy under test with $seen\"; exit 1
                     fi
                     exec node \"$@\""
                ))
                .arg(&managed);
            let hosts: Vec<&str> = job.questions.iter().map(String::as_str).collect();
            let results =
                common::browser_outcomes(launcher, "chrome", &chromium, &job.scratch, &hosts);
            loaded(
                &results,
                &job.questions,
                "ERR_BLOCKED_BY_ADMINISTRATOR",
                "ERR_SSL_PROTOCOL_ERROR",
            )
        })
        .collect()
}

fn ask_firefox(_: &Env, jobs: &[Job]) -> Vec<Vec<Reply>> {
    jobs.iter()
        .map(|job| {
            let policies = fs::read(job.files.join("policies.json")).unwrap();
            let hosts: Vec<&str> = job.questions.iter().map(String::as_str).collect();
            match common::firefox_outcomes(&job.scratch, &policies, &hosts) {
                Some(results) => loaded(&results, &job.questions, "blockedByPolicy", "nssFailure2"),
                None => vec![Err("Firefox cannot be driven here".into()); hosts.len()],
            }
        })
        .collect()
}

/// Every question of `jobs` unanswered, for `why`.
fn no_answers(jobs: &[Job], why: &str) -> Vec<Vec<Reply>> {
    jobs.iter()
        .map(|j| vec![Err(why.to_string()); j.questions.len()])
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Asking and judging
// ---------------------------------------------------------------------------------------------

/// The probes (by index) a consumer asks of one subject: all of them, or for a sampled
/// consumer up to `per_policy`, one of each kind in turn (a probe where the reader and the
/// policy part ways, a declared limit, counts as a kind of its own).
fn chosen(consumer: &Consumer, subject: &Subject, per_policy: Option<usize>) -> Vec<usize> {
    let probes = &subject.probes[question_index(consumer.question)];
    let Some(limit) = per_policy else {
        return (0..probes.len()).collect();
    };
    let reader = subject.readers.get(consumer.target);
    let mut by_kind: BTreeMap<(&str, bool), Vec<usize>> = BTreeMap::new();
    for (i, probe) in probes.iter().enumerate() {
        let parts_ways = reader.is_some_and(|r| r[i] != Some(probe.expected.0));
        by_kind.entry((probe.kind, parts_ways)).or_default().push(i);
    }
    let mut picked = Vec::new();
    for round in 0.. {
        let before = picked.len();
        for indices in by_kind.values() {
            if let Some(&i) = indices.get(round) {
                if picked.len() < limit {
                    picked.push(i);
                }
            }
        }
        if picked.len() == before || picked.len() == limit {
            break;
        }
    }
    picked.sort_unstable();
    picked
}

/// The subjects a consumer asks (by index), and which of their probes.
fn plan(consumer: &Consumer, subjects: &[Subject]) -> Vec<(usize, Vec<usize>)> {
    let q = question_index(consumer.question);
    match consumer.sample {
        None => (0..subjects.len())
            .filter(|&s| !subjects[s].probes[q].is_empty())
            .map(|s| (s, chosen(consumer, &subjects[s], None)))
            .collect(),
        Some((policies, per_policy)) => {
            // Policies that block something in browsers, spread evenly over the corpus.
            let candidates: Vec<usize> = (0..subjects.len())
                .filter(|&s| {
                    subjects[s].probes[q]
                        .iter()
                        .any(|p| p.expected.0 == Effect::Blocked)
                })
                .collect();
            let take = policies.min(candidates.len());
            (0..take)
                .map(|k| candidates[k * candidates.len() / take])
                .map(|s| (s, chosen(consumer, &subjects[s], Some(per_policy))))
                .collect()
        }
    }
}

/// What one real answer says about the reader and the policy.
#[derive(Clone, Debug, PartialEq)]
enum Verdict {
    /// The program, the reader and the policy agree.
    Agrees,
    /// The program and the reader let through a name the policy blocks in a way the format
    /// declares it cannot say.
    DeclaredLimit,
    /// The program parts ways with the reader.
    PartsWithReader(String),
    /// The program and the reader part ways with the policy beyond a declared limit.
    PartsWithPolicy(String),
    /// The program answered neither a block nor a pass.
    Unexpected(String),
}

fn judge(real: &Reply, reader: Option<Effect>, expected: Answer, leaves_open: &[Reach]) -> Verdict {
    let real = match real {
        Ok(effect) => *effect,
        Err(text) => return Verdict::Unexpected(text.clone()),
    };
    if let Some(read) = reader.filter(|read| *read != real) {
        return Verdict::PartsWithReader(format!("the program {real:?}, its reader {read:?}"));
    }
    let declared = expected.1.is_some_and(|reach| leaves_open.contains(&reach));
    match (expected.0, real) {
        (want, got) if want == got => Verdict::Agrees,
        (Effect::Blocked, Effect::Allowed) if declared => Verdict::DeclaredLimit,
        (want, got) => Verdict::PartsWithPolicy(format!(
            "the program {got:?}, the policy {want:?} ({:?})",
            expected.1
        )),
    }
}

fn leaves_open(target: &str) -> &'static [Reach] {
    find_target(target)
        .unwrap()
        .info()
        .reader
        .map_or(&[], |r| r.leaves_open)
}

/// Numbers the scratch directories of the jobs, so that none is used twice.
static JOBS: AtomicUsize = AtomicUsize::new(0);

/// Ask `consumer` about the chosen probes of `subjects` (each with a fresh scratch directory
/// under `scratch`); each subject's verdicts, paired with the probes' indices.
fn ask(
    consumer: &Consumer,
    env: &Env,
    subjects: &[&Subject],
    chosen: &[Vec<usize>],
    scratch: &Path,
) -> Vec<Vec<(usize, Verdict)>> {
    let q = question_index(consumer.question);
    let jobs: Vec<Job> = subjects
        .iter()
        .zip(chosen)
        .map(|(subject, chosen)| {
            let dir = scratch.join(format!(
                "{}-{}",
                consumer.target,
                JOBS.fetch_add(1, Ordering::SeqCst)
            ));
            fs::create_dir_all(&dir).unwrap();
            Job {
                files: subject.out.join(consumer.target),
                scratch: dir,
                questions: chosen
                    .iter()
                    .map(|&i| subject.probes[q][i].asked.clone())
                    .collect(),
            }
        })
        .collect();
    let replies = (consumer.ask)(env, &jobs);
    let open = leaves_open(consumer.target);
    subjects
        .iter()
        .zip(chosen)
        .zip(replies)
        .map(|((subject, chosen), replies)| {
            let reader = subject.readers.get(consumer.target);
            chosen
                .iter()
                .zip(replies)
                .map(|(&i, reply)| {
                    let read = reader.and_then(|r| r[i]);
                    (i, judge(&reply, read, subject.probes[q][i].expected, open))
                })
                .collect()
        })
        .collect()
}

/// Counts for one consumer.
#[derive(Default)]
struct Count {
    policies: usize,
    asked: usize,
    /// Probes the reader answered, and how many of them the program answered alike.
    with_reader: usize,
    reader_agreed: usize,
    /// Probes answered as the policy says.
    agreed: usize,
    declared: usize,
    by_kind: BTreeMap<&'static str, (usize, usize)>,
    wrong: Vec<String>,
    seconds: f64,
}

/// A scratch directory that the programs which drop privileges (Squid runs as `proxy`) can
/// enter.
fn scratch_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("msgpol-differential-")
        .tempdir()
        .unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[test]
fn real_programs_answer_every_probe_as_the_readers_and_the_policy_do() {
    let started = Instant::now();
    let seed = setting("MSGPOL_DIFFERENTIAL_SEED", SEED);
    let count = setting("MSGPOL_DIFFERENTIAL_POLICIES", GENERATED as u64) as usize;
    let consumers: Vec<&Consumer> = CONSUMERS
        .iter()
        .filter(|c| c.tools.iter().all(|t| common::require_tool(t)))
        .filter(|c| {
            !c.tools.contains(&"unshare")
                || common::can_unshare(if c.question == Question::Browser {
                    "-m"
                } else {
                    "-n"
                })
        })
        .collect();
    let scratch = scratch_dir();
    let (subjects, tally, failed) = corpus(scratch.path(), seed, count);
    let built = started.elapsed();
    report_generator(seed, count, &tally);

    let upstream_dir = scratch.path().join("upstream");
    fs::create_dir_all(&upstream_dir).unwrap();
    let (_upstream, upstream) = common::start_upstream(&upstream_dir);
    let env = Env {
        upstream,
        web: common::start_web_server(),
    };
    let counts: Vec<Count> = std::thread::scope(|scope| {
        let handles: Vec<_> = consumers
            .iter()
            .map(|&consumer| {
                let (env, subjects, scratch) = (&env, &subjects, scratch.path());
                scope.spawn(move || {
                    let started = Instant::now();
                    let plan = plan(consumer, subjects);
                    let asked: Vec<&Subject> = plan.iter().map(|(s, _)| &subjects[*s]).collect();
                    let chosen: Vec<Vec<usize>> = plan.iter().map(|(_, c)| c.clone()).collect();
                    let verdicts = ask(consumer, env, &asked, &chosen, scratch);
                    let mut count = tally_verdicts(consumer, &asked, &verdicts);
                    count.seconds = started.elapsed().as_secs_f64();
                    count
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    print_table(&consumers, &counts);
    eprintln!(
        "{} policies ({} generated) built and probed in {:.0} s; all consumers asked in {:.0} s more",
        subjects.len(),
        subjects.iter().filter(|s| s.model.is_some()).count(),
        built.as_secs_f64(),
        (started.elapsed() - built).as_secs_f64()
    );

    let mut problems = String::new();
    for failure in &failed {
        writeln!(
            problems,
            "msgpol build failed for {}:\n{}\n{}",
            failure.label, failure.printed, failure.policy
        )
        .unwrap();
    }
    for (consumer, count) in consumers.iter().zip(&counts) {
        if let Some(first) = count.wrong.first() {
            writeln!(
                problems,
                "{} ({} wrong answers), first: {first}",
                consumer.program,
                count.wrong.len()
            )
            .unwrap();
            if let Some(example) = smallest_disagreement(consumer, &env, &subjects, scratch.path())
            {
                writeln!(
                    problems,
                    "the smallest generated policy that shows it:\n{example}"
                )
                .unwrap();
            }
        }
    }
    assert!(problems.is_empty(), "{problems}");
    assert!(
        subjects.len() > count,
        "the examples and fixtures are asked too"
    );
}

fn tally_verdicts(
    consumer: &Consumer,
    asked: &[&Subject],
    verdicts: &[Vec<(usize, Verdict)>],
) -> Count {
    let q = question_index(consumer.question);
    let mut count = Count {
        policies: asked.len(),
        ..Count::default()
    };
    for (subject, verdicts) in asked.iter().zip(verdicts) {
        let reader = subject.readers.get(consumer.target);
        for (i, verdict) in verdicts {
            let probe = &subject.probes[q][*i];
            count.asked += 1;
            let cell = count.by_kind.entry(probe.kind).or_default();
            cell.1 += 1;
            if reader.is_some_and(|r| r[*i].is_some()) {
                count.with_reader += 1;
                if !matches!(
                    verdict,
                    Verdict::PartsWithReader(_) | Verdict::Unexpected(_)
                ) {
                    count.reader_agreed += 1;
                }
            }
            match verdict {
                Verdict::Agrees => {
                    count.agreed += 1;
                    cell.0 += 1;
                }
                Verdict::DeclaredLimit => {
                    count.declared += 1;
                    cell.0 += 1;
                }
                Verdict::PartsWithReader(why)
                | Verdict::PartsWithPolicy(why)
                | Verdict::Unexpected(why) => count.wrong.push(format!(
                    "{}: {} ({}): {why}",
                    subject.label, probe.asked, probe.kind
                )),
            }
        }
    }
    count
}

fn report_generator(seed: u64, count: usize, tally: &Tally) {
    let mut text = format!(
        "generated from seed {seed}: {count} policies accepted by `msgpol check` ({} as generated, {} after fixes), {} abandoned\n",
        tally.accepted_as_generated,
        tally.accepted_after_fixes,
        tally.abandoned.values().sum::<usize>()
    );
    for (why, n) in &tally.abandoned {
        writeln!(text, "  abandoned {n}: {why}").unwrap();
    }
    let reported: Vec<String> = tally
        .reported
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect();
    writeln!(text, "  diagnostics reported: {}", reported.join(", ")).unwrap();
    let fixes: Vec<String> = tally
        .fixes
        .iter()
        .map(|(f, n)| format!("{f:?} {n}"))
        .collect();
    writeln!(text, "  fixes applied: {}", fixes.join(", ")).unwrap();
    eprint!("{text}");
}

fn print_table(consumers: &[&Consumer], counts: &[Count]) {
    let mut text = String::from(
        "\nagreement of the real programs with the readers and the policy (agreed/asked)\n",
    );
    write!(text, "{:<40}", "probe").unwrap();
    for c in consumers {
        write!(text, " {:>16}", c.program).unwrap();
    }
    text.push('\n');
    for kind in KINDS {
        write!(text, "{kind:<40}").unwrap();
        for count in counts {
            let cell = count
                .by_kind
                .get(kind)
                .map_or("-".to_string(), |(agreed, asked)| {
                    format!("{agreed}/{asked}")
                });
            write!(text, " {cell:>16}").unwrap();
        }
        text.push('\n');
    }
    writeln!(
        text,
        "\n{:<16} {:>8} {:>8} {:>10} {:>10} {:>10} {:>8} {:>8}",
        "consumer", "policies", "probes", "=reader", "=policy", "declared", "wrong", "seconds"
    )
    .unwrap();
    for (c, count) in consumers.iter().zip(counts) {
        writeln!(
            text,
            "{:<16} {:>8} {:>8} {:>10} {:>10} {:>10} {:>8} {:>8.1}",
            c.program,
            count.policies,
            count.asked,
            if count.with_reader > 0 {
                format!("{}/{}", count.reader_agreed, count.with_reader)
            } else {
                "no reader".into()
            },
            count.agreed,
            count.declared,
            count.wrong.len(),
            count.seconds
        )
        .unwrap();
    }
    eprintln!("{text}");
}

/// For the first generated policy on which `consumer` parts ways with its reader or the policy,
/// the smallest policy that still shows it, and its wrong answers, as text.
fn smallest_disagreement(
    consumer: &Consumer,
    env: &Env,
    subjects: &[Subject],
    scratch: &Path,
) -> Option<String> {
    let q = question_index(consumer.question);
    let wrong = |subject: &Subject| -> Vec<String> {
        let all = vec![(0..subject.probes[q].len()).collect()];
        ask(consumer, env, &[subject], &all, scratch)[0]
            .iter()
            .filter(|(_, v)| !matches!(v, Verdict::Agrees | Verdict::DeclaredLimit))
            .map(|(i, v)| format!("{}: {v:?}", subject.probes[q][*i].asked))
            .collect()
    };
    let subject = subjects
        .iter()
        .filter(|s| s.model.is_some())
        .find(|s| !wrong(s).is_empty())?;
    let dir = scratch.join(format!("shrink-{}", consumer.target));
    let built = |dir: &Path| {
        let out = dir.join("out");
        let _ = fs::remove_dir_all(&out);
        prepare(String::new(), &dir.join(generator::POLICY_FILE), &out, None)
    };
    let model = subject.model.clone().unwrap();
    let shrunk = generator::shrink(model, &dir, check, |_, dir| {
        built(dir).is_ok_and(|s| !wrong(&s).is_empty())
    });
    let answers = wrong(&built(&dir).ok()?);
    Some(format!("{}wrong answers: {answers:#?}", shown(&shrunk)))
}

// ---------------------------------------------------------------------------------------------
// The harness catches what it is for
// ---------------------------------------------------------------------------------------------

/// A live Unbound given a file other than the one its reader read (as if the reader misread
/// the file), or a file that disagrees with the policy (as if the writer were wrong and the
/// reader with it), is reported: the harness can fail.
#[test]
fn a_program_that_parts_ways_with_the_reader_or_the_policy_is_caught() {
    if !common::require_tool("unbound") || !common::require_tool("named") {
        return;
    }
    let scratch = scratch_dir();
    let medium = common::root().join("examples/medium-org.msgpol");
    let subject = prepare("medium".into(), &medium, &scratch.path().join("out"), None).unwrap();
    let upstream_dir = scratch.path().join("upstream");
    fs::create_dir_all(&upstream_dir).unwrap();
    let (_upstream, upstream) = common::start_upstream(&upstream_dir);
    let env = Env { upstream, web: 0 };
    let unbound = CONSUMERS.iter().find(|c| c.program == "unbound").unwrap();
    let all: Vec<usize> = (0..subject.probes[0].len()).collect();
    let verdicts = ask(
        unbound,
        &env,
        &[&subject],
        std::slice::from_ref(&all),
        scratch.path(),
    );
    assert!(
        verdicts[0].iter().all(|(_, v)| *v == Verdict::Agrees),
        "{verdicts:?}"
    );

    // The same build with the block of telegram.org taken out of the file Unbound is given.
    let tampered = scratch.path().join("tampered");
    let files = tampered.join("unbound");
    fs::create_dir_all(&files).unwrap();
    let fragment = fs::read_to_string(subject.out.join("unbound/msgpol.conf")).unwrap();
    assert!(fragment.contains("\"telegram.org.\""));
    let without: String = fragment
        .lines()
        .filter(|l| !l.contains("\"telegram.org.\""))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(files.join("msgpol.conf"), &without).unwrap();
    let mut misread = subject;
    misread.out = tampered;
    let wrong = |subject: &Subject| -> Vec<String> {
        ask(
            unbound,
            &env,
            &[subject],
            std::slice::from_ref(&all),
            scratch.path(),
        )[0]
        .iter()
        .filter(|(_, v)| !matches!(v, Verdict::Agrees | Verdict::DeclaredLimit))
        .map(|(i, v)| format!("{} {v:?}", subject.probes[0][*i].asked))
        .collect()
    };
    let under_telegram = |found: &[String]| {
        !found.is_empty()
            && found
                .iter()
                .all(|f| f.starts_with("telegram.org ") || f.contains(".telegram.org "))
    };
    // The reader read the whole file: the program parts ways with it.
    let found = wrong(&misread);
    assert!(under_telegram(&found), "{found:#?}");
    assert!(
        found.contains(
            &"telegram.org PartsWithReader(\"the program Allowed, its reader Blocked\")"
                .to_string()
        ),
        "{found:#?}"
    );

    // The reader reads the tampered file too: the program agrees with it, and both part ways
    // with the policy.
    let files = vec![OutputFile {
        path: "msgpol.conf".into(),
        contents: without.into_bytes(),
    }];
    let names: Vec<(String, bool, Probe)> = {
        let ir = common::ir(&medium);
        name_probes(&Oracle::new(&ir), Question::Dns)
    };
    let mut wrong_file = misread;
    wrong_file.readers.insert(
        "unbound",
        reader_answers("unbound", Question::Dns, &files, &names, &[]).unwrap(),
    );
    let found = wrong(&wrong_file);
    assert!(under_telegram(&found), "{found:#?}");
    assert!(
        found
            .iter()
            .all(|f| f.contains("PartsWithPolicy(\"the program Allowed, the policy Blocked")),
        "{found:#?}"
    );
}

#[test]
fn the_generator_is_deterministic() {
    let a = generator::generate(SEED);
    let b = generator::generate(SEED);
    assert_eq!(a, b);
    assert_eq!(a.write().0, b.write().0);
    assert_ne!(a.write().0, generator::generate(SEED + 1).write().0);
}
