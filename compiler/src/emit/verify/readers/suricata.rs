//! Suricata rules (Suricata's documentation: "Rules format", "DNS Keywords" `dns.query`, "TLS
//! Keywords" `tls.sni`, "Transformations" `dotprefix`, "Payload Keywords" `content`,
//! `nocase`, `startswith`, `endswith`; "Action order"). A rule is `ACTION PROTO SRC SPORT ->
//! DST DPORT (OPTION; …)`, one per line, `#` starting a comment. `dns.query` inspects a DNS
//! query's name, `tls.sni` a TLS client's server name; `dotprefix` puts a `.` before it; a
//! `content` must then occur in it, in any case with `nocase`, at its start with `startswith`,
//! at its end with `endswith`, the whole of it with both. Every content of a rule must match.
//! A `pass` rule that matches stops the alerts (pass comes first in the action order). This
//! reader answers for a client on `$HOME_NET` asking for a name: alerted, or not; it knows the
//! options above and the ones that only describe a rule (`msg`, `sid`, `rev`, `classtype`,
//! `metadata`, `reference`, `priority`), and no other.

use super::domains::NameList;
use super::text;
use crate::emit::verify::names::Name;
use crate::emit::verify::{Consumer, Effect, NameIndex, Question, Reading};
use crate::emit::OutputFile;
use std::borrow::Cow;

/// One `content` match and its modifiers, on a buffer with or without `dotprefix`.
struct Content<'t> {
    text: Cow<'t, str>,
    nocase: bool,
    startswith: bool,
    endswith: bool,
}

impl Content<'_> {
    fn matches(&self, buffer: &str) -> bool {
        let folded;
        let buffer = if self.nocase {
            folded = buffer.to_lowercase();
            folded.as_str()
        } else {
            buffer
        };
        match (self.startswith, self.endswith) {
            (true, true) => buffer == self.text,
            (true, false) => buffer.starts_with(self.text.as_ref()),
            (false, true) => buffer.ends_with(self.text.as_ref()),
            (false, false) => buffer.contains(self.text.as_ref()),
        }
    }
}

/// A rule's matches on its buffer.
struct Matcher<'t> {
    dotprefix: bool,
    contents: Vec<Content<'t>>,
}

impl Matcher<'_> {
    fn matches(&self, name: &str) -> bool {
        let dotted;
        let buffer = if self.dotprefix {
            dotted = format!(".{name}");
            dotted.as_str()
        } else {
            name
        };
        self.contents.iter().all(|c| c.matches(buffer))
    }
}

/// The rules of one action on one buffer: the ones that match a name and its subdomains, the
/// name alone or the names under it are kept as a name list (a feed makes them millions), the
/// others as they are written.
#[derive(Default)]
struct Rules<'t> {
    names: NameList<'t>,
    others: Vec<Matcher<'t>>,
}

impl<'t> Rules<'t> {
    fn new(names: &'t NameIndex<'t>) -> Self {
        Rules {
            names: NameList::new(names),
            others: Vec::new(),
        }
    }

    fn add(&mut self, matcher: Matcher<'t>) {
        if let [content] = matcher.contents.as_slice() {
            // Names are lowercase: a content matches one only in lowercase, or with nocase.
            let text: &str = &content.text;
            let name_like = !text.is_empty() && !text.bytes().any(|b| b.is_ascii_uppercase());
            let dotted = text
                .strip_prefix('.')
                .filter(|n| !n.is_empty() && !n.starts_with('.'));
            let as_name = |name: &str| match &content.text {
                Cow::Borrowed(t) => Cow::Borrowed(&t[t.len() - name.len()..]),
                Cow::Owned(_) => Cow::Owned(name.to_string()),
            };
            match (
                matcher.dotprefix,
                content.startswith,
                content.endswith,
                dotted,
            ) {
                (true, false, true, Some(name)) if name_like => {
                    return self.names.add_tree(as_name(name));
                }
                (true, true, true, Some(name)) if name_like => {
                    return self.names.add_name(as_name(name));
                }
                (false, true, true, None) if name_like => {
                    return self.names.add_name(as_name(text));
                }
                (false, false, true, Some(name)) if name_like => {
                    return self.names.add_subdomains(as_name(name));
                }
                _ => {}
            }
        }
        self.others.push(matcher);
    }

    /// Whether a rule matches `name`, and a fresh label under it.
    fn matches_both(&self, name: Name<'_>) -> [bool; 2] {
        let [apex, child] = self.names.holds_both(name);
        if self.others.is_empty() || (apex && child) {
            return [apex, child];
        }
        let fresh = format!("msgpol-probe.{}", name.text);
        [
            apex || self.others.iter().any(|m| m.matches(name.text)),
            child || self.others.iter().any(|m| m.matches(&fresh)),
        ]
    }
}

/// What the rules do on one buffer: pass, or alert.
#[derive(Default)]
struct Detection<'t> {
    pass: Rules<'t>,
    alert: Rules<'t>,
}

impl<'t> Detection<'t> {
    fn new(names: &'t NameIndex<'t>) -> Self {
        Detection {
            pass: Rules::new(names),
            alert: Rules::new(names),
        }
    }
}

impl Reading for Detection<'_> {
    fn name(&self, name: &str, child: bool) -> Option<Effect> {
        self.name_and_child(Name::text(name))[usize::from(child)]
    }
    fn name_and_child(&self, name: Name<'_>) -> [Option<Effect>; 2] {
        let passed = self.pass.matches_both(name);
        let alerted = self.alert.matches_both(name);
        std::array::from_fn(|i| {
            Some(if !passed[i] && alerted[i] {
                Effect::Reported
            } else {
                Effect::Allowed
            })
        })
    }
}

/// The options of a rule, between its parentheses: split at `;` outside quoted strings, each
/// `name` or `name:value`.
fn options(body: &str) -> Result<Vec<(&str, &str)>, String> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (at, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                let option = body[start..at].trim();
                let (name, value) = option.split_once(':').unwrap_or((option, ""));
                out.push((name.trim(), value.trim()));
                start = at + 1;
            }
            _ => {}
        }
    }
    if quoted || !body[start..].trim().is_empty() {
        return Err("its options do not end with `;`".into());
    }
    Ok(out)
}

/// A quoted content: `"…"` with `\"`, `\;` and `\\` escaped; `|…|` bytes are not read here.
fn content(value: &str) -> Result<Cow<'_, str>, String> {
    let inner = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .ok_or_else(|| format!("content {value} is not a quoted string"))?;
    if inner.contains('|') {
        return Err(format!("content {value} has bytes in `|…|`"));
    }
    if !inner.contains('\\') {
        return Ok(Cow::Borrowed(inner));
    }
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' {
            chars.next().unwrap_or('\\')
        } else {
            c
        });
    }
    Ok(Cow::Owned(out))
}

/// One rule: its buffer (`dns.query` or `tls.sni`), whether it passes, and its matches.
fn rule(line: &str) -> Result<(&'static str, bool, Matcher<'_>), String> {
    let (header, body) = line
        .split_once('(')
        .and_then(|(h, b)| Some((h, b.strip_suffix(')')?)))
        .ok_or("it is not `HEADER (OPTIONS)`")?;
    let words: Vec<&str> = header.split_whitespace().collect();
    let (pass, protocol) = match words.as_slice() {
        [action @ ("alert" | "pass"), protocol @ ("dns" | "tls"), "$HOME_NET" | "any", "any", "->", "any" | "$EXTERNAL_NET", "any"] => {
            (*action == "pass", *protocol)
        }
        _ => {
            return Err(format!(
                "the header `{}` is not one this reader knows",
                header.trim()
            ))
        }
    };
    let mut buffer: Option<&'static str> = None;
    let mut matcher = Matcher {
        dotprefix: false,
        contents: Vec::new(),
    };
    for (name, value) in options(body)? {
        let unknown = || format!("`{name}` is not an option this reader knows here");
        match name {
            "msg" | "sid" | "rev" | "classtype" | "metadata" | "reference" | "priority" => {}
            "dns.query" if protocol == "dns" => buffer = Some("dns.query"),
            "tls.sni" if protocol == "tls" => buffer = Some("tls.sni"),
            "dotprefix" if buffer.is_some() && matcher.contents.is_empty() => {
                matcher.dotprefix = true
            }
            "content" if buffer.is_some() => matcher.contents.push(Content {
                text: content(value)?,
                nocase: false,
                startswith: false,
                endswith: false,
            }),
            "nocase" | "startswith" | "endswith" => {
                let c = matcher.contents.last_mut().ok_or_else(unknown)?;
                match name {
                    "nocase" => {
                        c.nocase = true;
                        if c.text.chars().any(char::is_uppercase) {
                            c.text = Cow::Owned(c.text.to_lowercase());
                        }
                    }
                    "startswith" => c.startswith = true,
                    _ => c.endswith = true,
                }
            }
            _ => return Err(unknown()),
        }
    }
    let buffer = buffer.ok_or("it inspects no name")?;
    if matcher.contents.is_empty() {
        return Err("it has no content".into());
    }
    Ok((buffer, pass, matcher))
}

pub fn read<'f>(
    files: &'f [OutputFile],
    names: &'f NameIndex<'f>,
) -> Result<Vec<Consumer<'f>>, String> {
    let mut queries = Detection::new(names);
    let mut server_names = Detection::new(names);
    for (number, line) in text(files, "msgpol.rules")?.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (buffer, pass, matcher) =
            rule(line).map_err(|why| format!("rule on line {}: {why}", number + 1))?;
        let detection = if buffer == "dns.query" {
            &mut queries
        } else {
            &mut server_names
        };
        if pass {
            detection.pass.add(matcher);
        } else {
            detection.alert.add(matcher);
        }
    }
    Ok(vec![
        Consumer {
            name: Some("DNS queries"),
            questions: &[Question::Alert],
            reading: Box::new(queries),
        },
        Consumer {
            name: Some("TLS server names"),
            questions: &[Question::Alert],
            reading: Box::new(server_names),
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detection(rules: &[&'static str]) -> Detection<'static> {
        let mut d = Detection::default();
        for line in rules {
            let (_, pass, matcher) = rule(line).unwrap();
            if pass {
                d.pass.add(matcher);
            } else {
                d.alert.add(matcher);
            }
        }
        d
    }

    fn alerted(d: &Detection, name: &str, child: bool) -> bool {
        d.name(name, child) == Some(Effect::Reported)
    }

    #[test]
    fn modifiers_give_each_content_its_scope() {
        let d = detection(&[
            "alert dns $HOME_NET any -> any any (msg:\"tree\"; dns.query; dotprefix; content:\".tree.test\"; nocase; endswith; sid:1;)",
            "alert dns $HOME_NET any -> any any (dns.query; content:\"exact.test\"; nocase; startswith; endswith; sid:2;)",
            "alert dns $HOME_NET any -> any any (dns.query; content:\".subs.test\"; nocase; endswith; sid:3;)",
        ]);
        assert!(alerted(&d, "tree.test", false) && alerted(&d, "a.tree.test", true));
        assert!(!alerted(&d, "notree.test", false));
        assert!(alerted(&d, "exact.test", false) && !alerted(&d, "exact.test", true));
        assert!(!alerted(&d, "subs.test", false) && alerted(&d, "subs.test", true));
    }

    #[test]
    fn without_a_dot_or_an_anchor_a_content_matches_inside_names() {
        let d = detection(&[
            "alert dns $HOME_NET any -> any any (dns.query; content:\"gram.org\"; endswith; sid:1;)",
            "alert dns $HOME_NET any -> any any (dns.query; content:\"MiXed\"; sid:2;)",
        ]);
        assert!(alerted(&d, "telegram.org", false) && alerted(&d, "instagram.org", true));
        // Without nocase, upper case never matches a lower-case query.
        assert!(!alerted(&d, "mixed.test", false));
    }

    #[test]
    fn a_pass_rule_stops_the_alert() {
        let d = detection(&[
            "alert dns $HOME_NET any -> any any (dns.query; dotprefix; content:\".skype.com\"; nocase; endswith; sid:1;)",
            "pass dns $HOME_NET any -> any any (dns.query; dotprefix; content:\".teams.skype.com\"; nocase; endswith; sid:2;)",
        ]);
        assert!(alerted(&d, "skype.com", false));
        assert!(!alerted(&d, "teams.skype.com", false) && !alerted(&d, "teams.skype.com", true));
    }

    #[test]
    fn rules_this_reader_cannot_judge_are_refused() {
        for line in [
            "drop dns $HOME_NET any -> any any (dns.query; content:\"x\"; sid:1;)",
            "alert dns $HOME_NET any -> any any (tls.sni; content:\"x\"; sid:1;)",
            "alert dns $HOME_NET any -> any any (dns.query; content:\"x\"; pcre:\"/x/\"; sid:1;)",
            "alert dns $HOME_NET any -> any any (dns.query; content:\"|2e|x\"; sid:1;)",
            "alert dns $HOME_NET any -> any any (msg:\"no buffer\"; sid:1;)",
            "alert dns $HOME_NET any -> any any (dns.query; content:\"x\"; sid:1)",
        ] {
            assert!(rule(line).is_err(), "{line}");
        }
    }
}
