//! Reading feed files (hosts, adblock, plain domain lists) into a channel's feed names, keeping
//! each entry's scope as its format defines it. Names are normalised as they are read, on the
//! thread that reads their line. Entries point at their line in the feed, so later checks
//! (invalid names, shared infrastructure) report `feed:line:column`.

use super::error::{self, ResolveError};
use crate::normalize::domain::NameList;
use crate::source::{FileId, Span};
use crate::syntax::ast::FeedFormat;

/// Names every hosts file carries for the machine itself: not part of any block list.
const HOSTS_BOILERPLATE: &[&str] = &[
    "localhost",
    "localhost.localdomain",
    "local",
    "broadcasthost",
    "ip6-localhost",
    "ip6-loopback",
    "ip6-localnet",
    "ip6-mcastprefix",
    "ip6-allnodes",
    "ip6-allrouters",
    "ip6-allhosts",
    "0.0.0.0",
];

/// Names read from a declaration's feeds, as `domains` (with subdomains) and `hosts` (exact)
/// entries. They are normalised as they are read: a feed may hold a million names, too many
/// to keep twice.
#[derive(Clone, Debug, Default)]
pub struct FeedNames {
    pub domains: NameList,
    pub hosts: NameList,
}

impl FeedNames {
    pub fn append(&mut self, more: FeedNames) {
        self.domains.append(more.domains);
        self.hosts.append(more.hosts);
    }
}

/// Feed errors reported one by one before the rest are summed up.
const MAX_REPORTED: usize = 20;

#[derive(Default)]
pub struct FeedEntries {
    /// Entries that cover subdomains (`x`, or `*.x` for subdomains only), and exact names.
    pub names: FeedNames,
    /// Lines that hold no usable entry.
    pub errors: Vec<ResolveError>,
}

/// What one part of a feed holds: its entries, the first rejected lines, how many lines were
/// rejected, and where the last one is.
#[derive(Default)]
struct Part<'t> {
    entries: FeedEntries,
    rejected: usize,
    last_rejected: (usize, &'t str),
}

impl<'t> Part<'t> {
    fn reject(&mut self, file: FileId, start: usize, line: &'t str, why: &str, help: &str) {
        self.rejected += 1;
        self.last_rejected = (start, line);
        if self.rejected <= MAX_REPORTED {
            let span = Span::new(file, start, start + line.len());
            self.entries
                .errors
                .push(error::bad_feed_line(span, line, why, help));
        }
    }
}

/// Feeds smaller than this are read on one thread.
const PARALLEL_FROM: usize = 1 << 20;

/// Read a feed. A large one is read in two halves at once (split at a line break), and the
/// halves are joined in order, so the result is the same as reading it in one go.
pub fn read(file: FileId, text: &str, format: FeedFormat) -> FeedEntries {
    // Split after the line break nearest the middle: a byte search, since the middle byte
    // may fall inside a multi-byte character.
    let split = (text.len() >= PARALLEL_FROM)
        .then(|| {
            let middle = text.len() / 2;
            let at = text.as_bytes()[middle..].iter().position(|&b| b == b'\n')?;
            Some(middle + at + 1)
        })
        .flatten();
    let (first, second) = match split {
        Some(split) => std::thread::scope(|scope| {
            let second = scope.spawn(|| read_part(file, &text[split..], split, format, 0));
            // The first half's lists have room for the second's, which is then moved in
            // without growing them again.
            let room = lines(&text[split..]);
            let first = read_part(file, &text[..split], 0, format, room);
            (first, second.join().expect("reading a feed does not panic"))
        }),
        None => (read_part(file, text, 0, format, 0), Part::default()),
    };
    let rejected = first.rejected + second.rejected;
    let last_rejected = if second.rejected > 0 {
        second.last_rejected
    } else {
        first.last_rejected
    };
    let mut out = first.entries;
    out.names.append(second.entries.names);
    let room = MAX_REPORTED.saturating_sub(out.errors.len());
    out.errors
        .extend(second.entries.errors.into_iter().take(room));
    if rejected > MAX_REPORTED {
        let (start, line) = last_rejected;
        out.errors.push(error::bad_feed_line(
            Span::new(file, start, start + line.len()),
            line,
            &format!(
                "and {} more lines like the ones above",
                rejected - MAX_REPORTED
            ),
            "fix or remove the feed's unusable lines",
        ));
    }
    out
}

/// How many lines `text` has: room for its entries (most feed lines hold one name).
fn lines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count() + 1
}

/// Read the lines of `text`, which starts at byte `base` of the feed, with room for `extra`
/// more entries.
fn read_part(file: FileId, text: &str, base: usize, format: FeedFormat, extra: usize) -> Part<'_> {
    let mut out = Part::default();
    // A list grown a line at a time is copied each time it doubles (a million entries).
    let room = lines(text) + extra;
    match format {
        FeedFormat::Hosts => out.entries.names.hosts.names.reserve(room),
        FeedFormat::Domains | FeedFormat::Adblock => out.entries.names.domains.names.reserve(room),
    }
    let mut offset = base;
    for raw in text.split('\n') {
        let start = offset;
        offset += raw.len() + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed_start = line.len() - line.trim_start().len();
        let content = line.trim();
        let at = |token: &str| start + (token.as_ptr() as usize - line.as_ptr() as usize);
        match format {
            FeedFormat::Hosts => {
                let data = content.split('#').next().unwrap_or_default();
                let mut fields = data.split_whitespace();
                let Some(address) = fields.next() else {
                    continue;
                };
                // Nearly every line of a block list starts with one of the two usual addresses.
                let usual = matches!(address, "0.0.0.0" | "127.0.0.1");
                if !usual && address.parse::<std::net::IpAddr>().is_err() {
                    out.reject(file, start + trimmed_start, content, "the first field of a hosts line is an IP address", "hosts lines read `0.0.0.0 name …`; for one name per line use `feed domains`");
                    continue;
                }
                for name in fields.filter(|n| !HOSTS_BOILERPLATE.contains(n)) {
                    let span = Span::new(file, at(name), at(name) + name.len());
                    out.entries.names.hosts.push(name, span, true);
                }
            }
            FeedFormat::Domains => {
                let data = content.split('#').next().unwrap_or_default().trim();
                if data.is_empty() {
                    continue;
                }
                let span = Span::new(file, at(data), at(data) + data.len());
                out.entries.names.domains.push(data, span, false);
            }
            FeedFormat::Adblock => {
                if content.is_empty()
                    || content.starts_with('!')
                    || content.starts_with('#')
                    || content.starts_with('[')
                {
                    continue;
                }
                let (rule, exact) = match (content.strip_prefix("||"), content.strip_prefix('|')) {
                    (Some(rest), _) => (rest, false),
                    (None, Some(rest)) => (rest, true),
                    (None, None) => (content, false),
                };
                let name = rule.strip_suffix('^');
                match name {
                    Some(name)
                        if !content.starts_with("@@")
                            && content.starts_with('|')
                            && !name.contains(['$', '/', '^', '|', '*']) =>
                    {
                        let span = Span::new(file, at(name), at(name) + name.len());
                        if exact {
                            out.entries.names.hosts.push(name, span, true)
                        } else {
                            out.entries.names.domains.push(name, span, false)
                        }
                    }
                    _ => {
                        let (why, help) = if content.starts_with("@@") {
                            ("exceptions are not taken from feeds", "approve the channel that needs the name instead; msgpol writes the carve-outs")
                        } else {
                            (
                                "only `||name^` and `|name^` rules block names in DNS",
                                "remove modifiers (`$…`), paths and wildcards from the line",
                            )
                        };
                        out.reject(file, start + trimmed_start, content, why, help);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::normalize::domain::NameList;
    use crate::vocabulary::Scope;

    fn names(list: &NameList) -> Vec<&str> {
        list.names.iter().map(|e| &*e.name).collect()
    }

    #[test]
    fn hosts_feeds_are_exact_names() {
        let text = "# a feed\n127.0.0.1 localhost\n0.0.0.0 a.example b.example # two\n\nnot-an-ip c.example\n";
        let entries = read(FileId(0), text, FeedFormat::Hosts);
        assert_eq!(names(&entries.names.hosts), vec!["a.example", "b.example"]);
        assert!(entries.names.domains.names.is_empty());
        assert_eq!(entries.errors.len(), 1);
        let span = entries.names.hosts.names[1].span();
        assert_eq!(&text[span.start..span.end], "b.example");
    }

    #[test]
    fn adblock_feeds_keep_their_scope() {
        let text = "! title\n||a.example^\n|b.example^\n@@||c.example^\n||d.example^$important\n";
        let entries = read(FileId(0), text, FeedFormat::Adblock);
        assert_eq!(names(&entries.names.domains), vec!["a.example"]);
        assert_eq!(names(&entries.names.hosts), vec!["b.example"]);
        assert_eq!(entries.errors.len(), 2);
    }

    #[test]
    fn a_large_feed_splits_at_a_line_break_whatever_the_middle_byte() {
        // 28 bytes of comment, then 50,000 lines of 24 bytes: the middle byte is the second
        // byte of a `ü`.
        let text = format!(
            "#{}\n{}",
            "x".repeat(26),
            "0.0.0.0 bücher.example\n".repeat(50_000)
        );
        assert!(text.len() >= PARALLEL_FROM && !text.is_char_boundary(text.len() / 2));
        let entries = read(FileId(0), &text, FeedFormat::Hosts);
        let hosts = &entries.names.hosts.names;
        assert_eq!(hosts.len(), 50_000);
        assert!(entries.errors.is_empty());
        let last = hosts[49_999].span();
        assert_eq!(&text[last.start..last.end], "bücher.example");
        // Normalised as read: IDNA to punycode.
        assert_eq!(&*hosts[0].name, "xn--bcher-kva.example");
    }

    #[test]
    fn domain_lists_cover_subdomains() {
        let entries = read(
            FileId(0),
            "a.example\n  *.b.example  # comment\n",
            FeedFormat::Domains,
        );
        let scopes: Vec<(&str, Scope)> = (entries.names.domains.names.iter())
            .map(|e| (&*e.name, e.scope))
            .collect();
        assert_eq!(
            scopes,
            vec![("a.example", Scope::Tree), ("b.example", Scope::Subdomains)]
        );
    }
}
