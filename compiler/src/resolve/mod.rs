//! Stage 2, resolve: the loaded modules → one `Program` in which every name points at its
//! declaration, channels carry what they inherit, and classes know the classes below them.

mod cycles;
pub mod error;
mod feeds;
mod imports;
mod program;
mod source_file;

pub use crate::normalize::domain::{BadName, NameEntry};
pub use error::ResolveError;
pub use feeds::FeedNames;
pub use imports::{load, load_memory, Loaded};

use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::normalize::domain::NameList;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast;
use crate::vocabulary::Requirement;
use cycles::find_cycles;
use petgraph::graphmap::DiGraphMap;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::Date;

#[derive(Clone, Debug)]
pub struct ClassDef {
    pub decl: ast::Class,
    /// The classes below this one, nearest first (`restricted` → confidential, internal, public).
    pub below: Vec<String>,
    /// Its own requirements and those of every class below it.
    pub requires: BTreeSet<Requirement>,
    pub stdlib: bool,
}

#[derive(Clone, Debug)]
pub struct ChannelDef {
    /// The declaration, with what it inherits filled in. Its `domains` and `hosts` are emptied
    /// once normalised into `names` and `bad_names` (a feed may hold a million entries).
    pub decl: ast::Channel,
    /// Its `domains` and `hosts`, normalised, in the order written.
    pub names: Vec<NameEntry>,
    pub bad_names: Vec<BadName>,
    /// Its parents, nearest first.
    pub ancestors: Vec<String>,
    pub stdlib: bool,
}

#[derive(Clone, Debug)]
pub struct Program {
    pub root: FileId,
    pub policy: ast::Policy,
    pub classes: BTreeMap<String, ClassDef>,
    pub channels: BTreeMap<String, ChannelDef>,
    /// The tiers on `date`: each with the channels listed without dates and the dated ones
    /// in force that day.
    pub tiers: Vec<ast::Tier>,
    /// The tiers as written, dated channels apart (`set_date` derives `tiers` from them).
    schedule: Vec<ast::Tier>,
    /// The day `tiers` describes.
    date: Date,
    pub exceptions: Vec<ast::Exception>,
    pub reviews: Vec<ast::Review>,
    pub incidents: Vec<ast::Incident>,
    /// `harden` blocks, in load order.
    pub hardening: Vec<ast::Harden>,
    /// Every file the policy consists of, in load order.
    pub files: Vec<FileId>,
    /// Channel name → index of its (first) tier in `tiers`.
    tier_index: HashMap<String, usize>,
}

/// A declaration and whether it came from the standard library.
struct Entry<T> {
    decl: T,
    stdlib: bool,
    span: Span,
}

struct Table<T> {
    kind: &'static str,
    entries: BTreeMap<String, Entry<T>>,
}

impl<T> Table<T> {
    fn new(kind: &'static str) -> Self {
        Table {
            kind,
            entries: BTreeMap::new(),
        }
    }

    /// Add a declaration: your own replaces the standard library's; two of your own clash.
    fn insert(&mut self, name: &ast::Name, decl: T, stdlib: bool, errors: &mut Vec<Diagnostic>) {
        match self.entries.get(&name.text) {
            Some(existing) if existing.stdlib && !stdlib => {}
            Some(_) if stdlib => return,
            Some(existing) => {
                errors
                    .push(error::duplicate(name.span, existing.span, self.kind, &name.text).into());
                return;
            }
            None => {}
        }
        self.entries.insert(
            name.text.clone(),
            Entry {
                decl,
                stdlib,
                span: name.span,
            },
        );
    }
}

/// Looks names up and turns qualified names (`std.channels.signal`) into plain ones.
struct Names<'a> {
    classes: &'a BTreeSet<String>,
    channels: &'a BTreeSet<String>,
    tiers: &'a BTreeSet<String>,
    /// How many more unknown names get a "did you mean": each compares the name with every
    /// declared one, so a file of thousands of misspelt names would take time that grows with
    /// their square (5,000 of each took 4 s).
    suggestions_left: std::cell::Cell<usize>,
}

/// The unknown names of a policy that get a "did you mean"; the others are told how to
/// declare one.
const MAX_SUGGESTED: usize = 200;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Class,
    Channel,
}

impl Names<'_> {
    fn resolve(&self, name: &mut ast::Name, kind: Kind, errors: &mut Vec<Diagnostic>) -> bool {
        let plain = plain_name(&name.text).to_string();
        let found = match kind {
            Kind::Class => self.classes.contains(&plain),
            Kind::Channel => self.channels.contains(&plain),
        };
        if found {
            name.text = plain;
            return true;
        }
        let (kind_name, declared) = match kind {
            Kind::Class => ("class", self.classes),
            Kind::Channel => ("channel", self.channels),
        };
        let suggested = || {
            let left = self.suggestions_left.get().checked_sub(1)?;
            self.suggestions_left.set(left);
            did_you_mean(&plain, declared.iter().map(String::as_str))
        };
        let help = if kind == Kind::Channel && self.classes.contains(&plain) {
            format!("`{plain}` is a class; list channels here")
        } else if kind == Kind::Class && self.channels.contains(&plain) {
            format!("`{plain}` is a channel; name a class here")
        } else if let Some(module) = crate::stdlib::module_declaring(kind_name, &plain) {
            format!("`{plain}` is in the standard library: add `import {module}`")
        } else if self.tiers.contains(&plain) {
            format!("`{plain}` is a tier; name a {kind_name} here")
        } else {
            suggested().unwrap_or_else(|| match kind {
                Kind::Channel => "declare it with `channel NAME { … }`, or `import std.channels` for the shipped catalogue".to_string(),
                Kind::Class => "declare it with `class NAME { … }`, or `import std.classes` for public, internal, confidential and restricted".to_string(),
            })
        };
        errors.push(error::unresolved(name.span, kind_name, &name.text, help).into());
        false
    }
}

/// `std.channels.signal` → `signal`.
fn plain_name(text: &str) -> &str {
    text.rsplit('.').next().unwrap_or(text)
}

pub fn resolve(
    root: FileId,
    modules: Vec<ast::Module>,
    mut feed_names: HashMap<Span, FeedNames>,
    map: &SourceMap,
) -> (Option<Program>, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut classes = Table::new("class");
    let mut channels = Table::new("channel");
    let mut tier_table: Table<ast::Tier> = Table::new("tier");
    let mut exception_table: Table<ast::Exception> = Table::new("exception");
    let mut reviews = Vec::new();
    let mut incidents = Vec::new();
    let mut hardening = Vec::new();
    let mut policy: Option<ast::Policy> = None;
    let files: Vec<FileId> = modules.iter().map(|m| m.file).collect();

    for module in modules {
        let stdlib = map.get(module.file).is_stdlib;
        for decl in module.decls {
            match decl {
                ast::Decl::Policy(p) => match &policy {
                    Some(first) => errors.push(error::extra_policy(p.span, first.span).into()),
                    None if module.file != root => {
                        errors.push(error::extra_policy(p.span, Span::new(root, 0, 0)).into())
                    }
                    None => policy = Some(*p),
                },
                ast::Decl::Import(_) => {}
                ast::Decl::Class(c) => {
                    let name = c.name.clone();
                    classes.insert(&name, c, stdlib, &mut errors)
                }
                ast::Decl::Channel(c) => {
                    let name = c.name.clone();
                    channels.insert(&name, *c, stdlib, &mut errors)
                }
                ast::Decl::Tier(t) => {
                    let name = t.name.clone();
                    tier_table.insert(&name, t, stdlib, &mut errors)
                }
                ast::Decl::Exception(e) => {
                    let name = e.name.clone();
                    exception_table.insert(&name, e, stdlib, &mut errors)
                }
                ast::Decl::Review(r) => reviews.push(r),
                ast::Decl::Incident(i) => incidents.push(i),
                ast::Decl::Harden(h) => hardening.push(h),
            }
        }
    }
    if policy.is_none() {
        errors.push(error::missing_policy(Span::new(root, 0, 0)).into());
    }
    for entry in tier_table.entries.values_mut() {
        add_feed_channel(
            &mut entry.decl,
            entry.stdlib,
            &mut channels,
            &mut feed_names,
            &mut errors,
        );
    }

    let tier_names: BTreeSet<String> = tier_table.entries.keys().cloned().collect();
    let mut class_entries = std::mem::take(&mut classes.entries);
    let mut channel_entries = std::mem::take(&mut channels.entries);

    // Resolve the names inside classes and channels (their parents) against the sets of
    // declared names, then everything else.
    let class_names: BTreeSet<String> = class_entries.keys().cloned().collect();
    let channel_names: BTreeSet<String> = channel_entries.keys().cloned().collect();
    let names = Names {
        classes: &class_names,
        channels: &channel_names,
        tiers: &tier_names,
        suggestions_left: std::cell::Cell::new(MAX_SUGGESTED),
    };
    for entry in class_entries.values_mut() {
        if let Some(parent) = &mut entry.decl.parent {
            names.resolve(parent, Kind::Class, &mut errors);
        }
    }
    for entry in channel_entries.values_mut() {
        if let Some(parent) = &mut entry.decl.parent {
            names.resolve(parent, Kind::Channel, &mut errors);
        }
    }
    let mut tiers: Vec<ast::Tier> = tier_table.entries.into_values().map(|e| e.decl).collect();
    tiers.sort_by_key(|t| t.span);
    for tier in &mut tiers {
        for channel in tier
            .channels
            .iter_mut()
            .chain(tier.dated.iter_mut().flat_map(|d| d.channels.iter_mut()))
        {
            names.resolve(channel, Kind::Channel, &mut errors);
        }
        for allows in &mut tier.allows {
            if let ast::Ceiling::UpTo(class) = &mut allows.ceiling {
                names.resolve(class, Kind::Class, &mut errors);
            }
        }
        for instead in &mut tier.instead {
            names.resolve(&mut instead.channel, Kind::Channel, &mut errors);
        }
        for channel in &mut tier.carve_out {
            names.resolve(channel, Kind::Channel, &mut errors);
        }
    }
    let mut exceptions: Vec<ast::Exception> = exception_table
        .entries
        .into_values()
        .map(|e| e.decl)
        .collect();
    exceptions.sort_by_key(|e| e.span);
    for exception in &mut exceptions {
        names.resolve(&mut exception.channel, Kind::Channel, &mut errors);
        names.resolve(&mut exception.allows, Kind::Class, &mut errors);
    }
    for review in &mut reviews {
        names.resolve(&mut review.channel, Kind::Channel, &mut errors);
    }
    for harden in &mut hardening {
        names.resolve(&mut harden.channel, Kind::Channel, &mut errors);
    }
    if !errors.is_empty() {
        return (None, errors);
    }

    let classes = order_classes(class_entries, &mut errors);
    let channels = inherit_channels(channel_entries, feed_names, &mut errors);
    match (policy, errors.is_empty()) {
        (Some(policy), true) => {
            let mut program = Program {
                root,
                date: policy.effective.value,
                policy,
                classes,
                channels,
                tiers: Vec::new(),
                schedule: tiers,
                exceptions,
                reviews,
                incidents,
                hardening,
                files,
                tier_index: HashMap::new(),
            };
            program.set_date(program.date);
            (Some(program), errors)
        }
        _ => (None, errors),
    }
}

/// The names of a tier's feeds get a channel of their own, `<tier>-feed`, listed in the tier:
/// every later stage (name rules, `decide`, the guides) attributes names to channels.
fn add_feed_channel(
    tier: &mut ast::Tier,
    stdlib: bool,
    channels: &mut Table<ast::Channel>,
    feed_names: &mut HashMap<Span, FeedNames>,
    errors: &mut Vec<Diagnostic>,
) {
    let Some(first) = tier.feeds.first() else {
        return;
    };
    let span = first.span();
    let name = format!("{}-feed", tier.name.text);
    if let Some(existing) = channels.entries.get(&name) {
        errors.push(error::feed_channel_taken(span, existing.span, &name, &tier.name.text).into());
        return;
    }
    let tier_label = tier.label.as_ref().map_or(&tier.name.text, |l| &l.value);
    if let Some(names) = feed_names.remove(&tier.span) {
        feed_names.insert(span, names);
    }
    let channel = ast::Channel {
        name: ast::Name {
            text: name.clone(),
            span,
        },
        parent: None,
        label: Some(ast::Str {
            value: format!("{tier_label}: feed names"),
            span,
        }),
        body: ast::ChannelBody {
            domains: Some(Vec::new()),
            hosts: Some(Vec::new()),
            ..Default::default()
        },
        docs: Vec::new(),
        span,
    };
    channels.entries.insert(
        name.clone(),
        Entry {
            decl: channel,
            stdlib,
            span,
        },
    );
    tier.channels.push(ast::Name { text: name, span });
}

/// How deep a chain of channels inheriting from each other (or of classes above each other)
/// may be: every declaration carries the list of those above it.
const MAX_DEPTH: usize = 32;

/// Every declaration's parents, nearest first, following `parent`; `None` after reporting
/// each cycle (with `cycle_error`) once. Classes and channels both form such chains.
fn ancestors<T>(
    entries: &BTreeMap<String, Entry<T>>,
    kind: &str,
    parent: impl Fn(&T) -> Option<&ast::Name>,
    cycle_error: impl Fn(Span, &[String]) -> ResolveError,
    errors: &mut Vec<Diagnostic>,
) -> Option<BTreeMap<String, Vec<String>>> {
    // Small copyable nodes for petgraph: each name's position in the table.
    let ids: HashMap<&str, u32> = entries
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i as u32))
        .collect();
    let names: Vec<&str> = entries.keys().map(String::as_str).collect();
    let mut graph = DiGraphMap::<u32, Span>::new();
    for (name, entry) in entries {
        graph.add_node(ids[name.as_str()]);
        if let Some(parent) = parent(&entry.decl) {
            graph.add_edge(ids[name.as_str()], ids[parent.text.as_str()], parent.span);
        }
    }
    let cycles = find_cycles(&graph);
    for (cycle, span) in &cycles {
        let path: Vec<String> = cycle
            .iter()
            .map(|i| names[*i as usize].to_string())
            .collect();
        errors.push(cycle_error(*span, &path).into());
    }
    if !cycles.is_empty() {
        return None;
    }
    // Each declaration's depth, from its parent's (a chain has no cycle now): every ancestor
    // list below costs its depth, so the depth is bounded before any list is made.
    let mut depth: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    for name in entries.keys() {
        // Up from `name` to the first declaration whose depth is known, or to the top.
        let mut path = Vec::new();
        let mut at = name.as_str();
        let mut known = None;
        loop {
            if let Some(&d) = depth.get(at) {
                known = Some(d);
                break;
            }
            path.push(at);
            match parent(&entries[at].decl) {
                Some(p) => at = p.text.as_str(),
                None => break,
            }
        }
        let top = known.map_or(0, |k| k + 1);
        for (d, name) in (top..).zip(path.into_iter().rev()) {
            depth.insert(name, d);
        }
    }
    let mut too_deep = false;
    for (name, entry) in entries {
        // The first declaration past the limit in its chain: its parent is just within it.
        if depth[name.as_str()] == MAX_DEPTH + 1 {
            too_deep = true;
            errors.push(error::too_deep(entry.span, kind, name, MAX_DEPTH).into());
        }
    }
    if too_deep {
        return None;
    }
    let chains = entries
        .iter()
        .map(|(name, entry)| {
            let mut chain = Vec::new();
            let mut next = parent(&entry.decl);
            while let Some(p) = next {
                next = parent(&entries[&p.text].decl);
                chain.push(p.text.clone());
            }
            (name.clone(), chain)
        })
        .collect();
    Some(chains)
}

fn order_classes(
    entries: BTreeMap<String, Entry<ast::Class>>,
    errors: &mut Vec<Diagnostic>,
) -> BTreeMap<String, ClassDef> {
    let Some(chains) = ancestors(
        &entries,
        "class",
        |c| c.parent.as_ref(),
        error::class_cycle,
        errors,
    ) else {
        return BTreeMap::new();
    };
    let mut result = BTreeMap::new();
    for (name, below) in chains {
        let entry = &entries[&name];
        let requires: BTreeSet<Requirement> = std::iter::once(name.as_str())
            .chain(below.iter().map(String::as_str))
            .flat_map(|class| entries[class].decl.requires.iter().map(|r| r.value))
            .collect();
        result.insert(
            name,
            ClassDef {
                decl: entry.decl.clone(),
                below,
                requires,
                stdlib: entry.stdlib,
            },
        );
    }
    result
}

fn inherit_channels(
    entries: BTreeMap<String, Entry<ast::Channel>>,
    mut feed_names: HashMap<Span, FeedNames>,
    errors: &mut Vec<Diagnostic>,
) -> BTreeMap<String, ChannelDef> {
    let Some(chains) = ancestors(
        &entries,
        "channel",
        |c| c.parent.as_ref(),
        error::inheritance_cycle,
        errors,
    ) else {
        return BTreeMap::new();
    };
    // Children before parents (more ancestors first): each declaration is moved out of the
    // table once its children have copied what they inherit, so nothing is cloned whole (a
    // channel may carry a feed of a million names).
    let mut order: Vec<(&String, &Vec<String>)> = chains.iter().collect();
    order.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(b.0)));
    let mut entries = entries;
    for entry in entries.values_mut() {
        // A feed replaces the lists the channel would inherit, even when it is empty.
        let body = &mut entry.decl.body;
        if !body.feeds.is_empty() {
            body.domains.get_or_insert_with(Vec::new);
            body.hosts.get_or_insert_with(Vec::new);
        }
    }
    let mut result = BTreeMap::new();
    for (name, ancestors) in order {
        let entry = entries.remove(name).expect("each channel is moved once");
        let mut decl = entry.decl;
        let mut feeds = feed_names.remove(&decl.span).unwrap_or_default();
        for parent in ancestors {
            let parent = &entries[parent].decl;
            inherit(&mut decl, parent, &mut feeds, feed_names.get(&parent.span));
        }
        let NameList {
            names,
            bad: bad_names,
        } = normalise_names(&mut decl.body, feeds);
        result.insert(
            name.clone(),
            ChannelDef {
                decl,
                names,
                bad_names,
                ancestors: ancestors.clone(),
                stdlib: entry.stdlib,
            },
        );
    }
    result
}

/// Fill what the child does not say from the parent; the child's statements win.
/// `feeds` are the child's feed names and `parent_feeds` the parent's: a child that inherits
/// `domains` or `hosts` inherits that part of the parent's feed names with it.
fn inherit(
    child: &mut ast::Channel,
    parent: &ast::Channel,
    feeds: &mut FeedNames,
    parent_feeds: Option<&FeedNames>,
) {
    let c = &mut child.body;
    let p = &parent.body;
    macro_rules! take {
        ($($field:ident),*) => {
            $( if c.$field.is_none() { c.$field = p.$field.clone(); } )*
        };
    }
    take!(
        vendor,
        media,
        e2ee,
        open_source,
        self_hostable,
        mfa,
        managed,
        unconfirmed,
        sources,
        notes,
        admin_notes,
        networks,
        ports,
        windows_exe,
        windows_publisher,
        windows_store,
        windows_path,
        macos_bundle,
        macos_team,
        macos_signing_id,
        entra_app,
        android_package,
        web_app,
        dns_bypass
    );
    // A list and the part of the parent's feed names that goes with it.
    if c.domains.is_none() && p.domains.is_some() {
        c.domains = p.domains.clone();
        feeds.domains = parent_feeds.map(|f| f.domains.clone()).unwrap_or_default();
    }
    if c.hosts.is_none() && p.hosts.is_some() {
        c.hosts = p.hosts.clone();
        feeds.hosts = parent_feeds.map(|f| f.hosts.clone()).unwrap_or_default();
    }
    // The label and doc comments describe the parent service itself: they are not inherited.
}

/// Normalise a channel's `domains` (with subdomains, or `*.x`) and `hosts` (exact) once, and
/// release the written lists. Feed names come normalised from the loader.
fn normalise_names(body: &mut ast::ChannelBody, feeds: FeedNames) -> NameList {
    let mut out = NameList::default();
    for (written, exact, read) in [
        (body.domains.take(), false, feeds.domains),
        (body.hosts.take(), true, feeds.hosts),
    ] {
        for entry in written.into_iter().flatten() {
            out.push(&entry.value, entry.span, exact);
        }
        out.append(read);
    }
    out
}
