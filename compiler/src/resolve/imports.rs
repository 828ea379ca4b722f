//! Loading the compiled file and everything it imports: standard-library modules from the
//! binary, other files from inside the policy root only, found on disk (`load`) or among
//! files given in memory (`load_memory`, which touches no file system).

use super::cycles::find_cycles;
use super::error::{self, ResolveError};
use super::feeds::{self, FeedNames};
use super::source_file::{self, Read};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::stdlib;
use crate::syntax::{self, ast};
use petgraph::graphmap::DiGraphMap;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

pub struct Loaded {
    pub modules: Vec<ast::Module>,
    /// What the feeds of each channel and tier hold, by the declaration's span.
    pub feed_names: HashMap<Span, FeedNames>,
    /// Parse and import errors, in the order found.
    pub errors: Vec<Diagnostic>,
}

/// Where a module came from: the key that makes a second import of it a no-op.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Origin {
    Std(String),
    File(PathBuf),
}

/// A root-relative path as diagnostics and the manifest name it: `/` separators.
fn display_name(inside: &Path) -> String {
    inside
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Where the files a policy names (imports, feeds) are found.
enum Files<'a> {
    /// On disk, below the policy root: the directory of the compiled file.
    Disk(PathBuf),
    /// In memory, by root-relative path with `/` separators.
    Memory(&'a BTreeMap<String, Vec<u8>>),
}

impl Files<'_> {
    /// The file at the root-relative path `relative` (already normalised lexically): the key
    /// that reads it and its name relative to the root. Never a directory, never outside the
    /// root (even through a symbolic link).
    fn find(
        &self,
        relative: &Path,
        (span, text, what): (Span, &str, &str),
    ) -> Result<(PathBuf, PathBuf), ResolveError> {
        let unreadable = |e: std::io::Error| {
            error::import_unreadable(span, text, &crate::diagnostics::describe_io(&e), what)
        };
        match self {
            Files::Disk(root_dir) => {
                let full = root_dir.join(relative);
                if std::fs::metadata(&full).map_err(unreadable)?.is_dir() {
                    return Err(error::import_directory(span, text, what));
                }
                // Then the real path: a symbolic link may not lead outside the root either.
                let canonical = full.canonicalize().map_err(unreadable)?;
                match canonical.strip_prefix(root_dir).map(Path::to_path_buf) {
                    Ok(inside) => Ok((canonical, inside)),
                    Err(_) => Err(error::import_outside_root(span, text, what)),
                }
            }
            Files::Memory(files) => {
                let name = display_name(relative);
                if files.contains_key(&name) {
                    return Ok((relative.to_path_buf(), relative.to_path_buf()));
                }
                let below = format!("{name}/");
                if name.is_empty() || files.keys().any(|k| k.starts_with(&below)) {
                    return Err(error::import_directory(span, text, what));
                }
                Err(unreadable(std::io::ErrorKind::NotFound.into()))
            }
        }
    }

    /// Read the file `find` located.
    fn read(&self, key: &Path) -> std::io::Result<Read> {
        match self {
            Files::Disk(_) => source_file::read(key),
            Files::Memory(files) => {
                let bytes = files
                    .get(&display_name(key))
                    .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?;
                Ok(source_file::in_memory(bytes))
            }
        }
    }
}

struct Loader<'a> {
    map: &'a mut SourceMap,
    files: Files<'a>,
    by_origin: HashMap<Origin, FileId>,
    /// Root-relative directory of each loaded file (None for the standard library).
    dirs: HashMap<FileId, Option<PathBuf>>,
    graph: DiGraphMap<u32, Span>,
    modules: Vec<ast::Module>,
    feed_names: HashMap<Span, FeedNames>,
    errors: Vec<Diagnostic>,
    queue: Vec<FileId>,
    /// The classes imported from each standard-library module imported class by class
    /// (`import std.classes.internal`); a module imported whole has none here.
    selected: HashMap<FileId, BTreeSet<String>>,
    /// The standard-library modules imported whole.
    whole: HashSet<FileId>,
}

/// Read the root file (an I/O failure is returned as `Err`, exit 2) and every import.
pub fn load(root: &Path, map: &mut SourceMap) -> Result<Loaded, Diagnostic> {
    let canonical = root
        .canonicalize()
        .map_err(|e| crate::diagnostics::io_error(root, &e))?;
    if canonical.is_dir() {
        return Err(crate::diagnostics::io_error(
            root,
            &std::io::Error::other("it is a directory"),
        ));
    }
    let read = source_file::read(&canonical).map_err(|e| crate::diagnostics::io_error(root, &e))?;
    let root_dir = canonical
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let name = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(load_from(Files::Disk(root_dir), name, read, canonical, map))
}

/// Load a policy held in memory: `files` by root-relative path with `/` separators
/// (`policy.msgpol`, `lists/ads.txt`), the root file `root` among them with every file it may
/// import or name as a feed. Nothing is read from the file system. `Err` if `files` has no
/// `root`, as `load` for a missing file.
pub fn load_memory(
    root: &str,
    files: &BTreeMap<String, Vec<u8>>,
    map: &mut SourceMap,
) -> Result<Loaded, Diagnostic> {
    let files = Files::Memory(files);
    let key = PathBuf::from(root);
    let read = files
        .read(&key)
        .map_err(|e| crate::diagnostics::io_error(&key, &e))?;
    let name = display_name(&key);
    Ok(load_from(files, name, read, key, map))
}

/// Load the root file as read (`origin` is the key that reads it), then everything it imports.
fn load_from(
    files: Files<'_>,
    name: String,
    read: Read,
    origin: PathBuf,
    map: &mut SourceMap,
) -> Loaded {
    let mut loader = Loader {
        map,
        files,
        by_origin: HashMap::new(),
        dirs: HashMap::new(),
        graph: DiGraphMap::new(),
        modules: Vec::new(),
        feed_names: HashMap::new(),
        errors: Vec::new(),
        queue: Vec::new(),
        selected: HashMap::new(),
        whole: HashSet::new(),
    };
    let id = loader.add_read(name, read);
    loader.by_origin.insert(Origin::File(origin), id);
    while let Some(file) = loader.queue.pop() {
        loader.follow_imports(file);
    }
    for (cycle, span) in find_cycles(&loader.graph) {
        let names: Vec<String> = cycle
            .iter()
            .map(|f| loader.map.get(FileId(*f)).name.clone())
            .collect();
        loader.errors.push(error::import_cycle(span, &names).into());
    }
    loader.keep_selected_classes();
    loader.modules.sort_by_key(|m| m.file);
    Loaded {
        modules: loader.modules,
        feed_names: loader.feed_names,
        errors: loader.errors,
    }
}

impl Loader<'_> {
    /// A file as `source_file::read` read it: its bytes decoded and parsed, or (too large to
    /// read) a placeholder with E015.
    fn add_read(&mut self, name: String, read: Read) -> FileId {
        match read {
            Read::Bytes(bytes) => self.add_file(name, bytes, false),
            Read::TooLarge(size) => {
                let id = self.add_too_large(name, size);
                self.graph.add_node(id.0);
                id
            }
        }
    }

    /// A file too large to read: named in the map, with E015 pointing at it.
    fn add_too_large(&mut self, name: String, size: u64) -> FileId {
        let id = self.map.add(SourceFile::new(name, Arc::default(), false));
        self.errors
            .push(syntax::error::too_large(Span::new(id, 0, 0), size as usize).into());
        id
    }

    /// Decode and parse a file's bytes; queue it so its own imports are followed.
    fn add_file(&mut self, name: String, bytes: Vec<u8>, is_stdlib: bool) -> FileId {
        let (placeholder, text) = self.add_source(name, bytes, is_stdlib);
        let Some(text) = text else {
            return placeholder;
        };
        let (module, errors) = if is_stdlib {
            parse_std(placeholder, &text)
        } else {
            syntax::parse(placeholder, &text)
        };
        self.errors.extend(errors.into_iter().map(Diagnostic::from));
        if let Some(module) = module {
            // The root file's directory is the root; imported files were placed before parsing.
            self.dirs
                .entry(placeholder)
                .or_insert((!is_stdlib).then(PathBuf::new));
            self.read_feeds(&module);
            self.modules.push(module);
            self.queue.push(placeholder);
        }
        self.graph.add_node(placeholder.0);
        placeholder
    }

    /// Read every `feed` of the module's channels and tiers.
    fn read_feeds(&mut self, module: &ast::Module) {
        for decl in &module.decls {
            let (feeds, span) = match decl {
                ast::Decl::Channel(channel) => (&channel.body.feeds, channel.span),
                ast::Decl::Tier(tier) => (&tier.feeds, tier.span),
                _ => continue,
            };
            if feeds.is_empty() {
                continue;
            }
            let mut names = FeedNames::default();
            for feed in feeds {
                self.read_feed(module.file, feed, &mut names);
            }
            self.feed_names.insert(span, names);
        }
    }

    /// Read one feed named in `file` into `names`; a problem is recorded and skips the feed.
    fn read_feed(&mut self, file: FileId, feed: &ast::Feed, names: &mut FeedNames) {
        let located = self.locate(file, &feed.path, "feed");
        let loaded = located.and_then(|(canonical, inside)| {
            let read = self.files.read(&canonical).map_err(|e| {
                error::import_unreadable(
                    feed.path.span,
                    &feed.path.value,
                    &crate::diagnostics::describe_io(&e),
                    "feed",
                )
            })?;
            Ok((inside, read))
        });
        let (inside, bytes) = match loaded {
            Ok((inside, Read::Bytes(bytes))) => (inside, bytes),
            Ok((inside, Read::TooLarge(size))) => {
                self.add_too_large(display_name(&inside), size);
                return;
            }
            Err(e) => {
                self.errors.push(e.into());
                return;
            }
        };
        let (id, text) = self.add_source(display_name(&inside), bytes, false);
        let Some(text) = text else {
            return;
        };
        let entries = feeds::read(id, &text, feed.format.value);
        self.errors
            .extend(entries.errors.into_iter().map(Diagnostic::from));
        names.append(entries.names);
    }

    /// Add a file to the map and decode its bytes, which needs the file's id for the error's
    /// place. Bytes that are not UTF-8 are an error; the file then keeps a lossy decoding for
    /// the diagnostic to quote, and no text is returned.
    fn add_source(
        &mut self,
        name: String,
        bytes: Vec<u8>,
        is_stdlib: bool,
    ) -> (FileId, Option<Arc<String>>) {
        let id = self
            .map
            .add(SourceFile::new(name.clone(), Arc::default(), is_stdlib));
        let (text, decoded) = match syntax::decode(id, bytes) {
            Ok(text) => (Arc::new(text), true),
            Err((lossy, err)) => {
                self.errors.push(err.into());
                (Arc::new(lossy), false)
            }
        };
        *self.map.get_mut(id) = SourceFile::new(name, text.clone(), is_stdlib);
        (id, decoded.then_some(text))
    }

    fn follow_imports(&mut self, file: FileId) {
        let imports: Vec<ast::Import> = self
            .modules
            .iter()
            .find(|m| m.file == file)
            .map(|m| {
                m.decls
                    .iter()
                    .filter_map(|d| match d {
                        ast::Decl::Import(i) => Some(i.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        for import in imports {
            let target = match &import.target {
                ast::ImportTarget::Std(name) => self.load_std(name),
                ast::ImportTarget::File(path) => self.load_file(file, path),
            };
            match target {
                Ok(target) => {
                    self.graph.add_edge(file.0, target.0, import.span);
                }
                Err(e) => self.errors.push(e.into()),
            }
        }
    }

    /// A standard-library module, or one class of it with the classes below it
    /// (`std.classes.internal`).
    fn load_std(&mut self, name: &ast::Name) -> Result<FileId, ResolveError> {
        let (module, class) = match name.text.rsplit_once('.') {
            _ if stdlib::source(&name.text).is_some() => (name.text.as_str(), None),
            Some((module, class)) if stdlib::module_declaring("class", class) == Some(module) => {
                (module, Some(class))
            }
            _ => {
                let known = stdlib::importable();
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                return Err(error::unknown_module(name.span, &name.text, &known));
            }
        };
        let origin = Origin::Std(module.to_string());
        let id = match self.by_origin.get(&origin) {
            Some(id) => *id,
            None => {
                let text = stdlib::source(module).expect("a module of the standard library");
                let id = self.add_file(stdlib::display_name(module), text.as_bytes().into(), true);
                self.by_origin.insert(origin, id);
                id
            }
        };
        match class {
            Some(class) => {
                self.selected
                    .entry(id)
                    .or_default()
                    .insert(class.to_string());
            }
            None => {
                self.whole.insert(id);
            }
        }
        Ok(id)
    }

    /// Of a standard-library module imported class by class only, keep the classes imported
    /// and every class below them.
    fn keep_selected_classes(&mut self) {
        for module in &mut self.modules {
            let Some(selected) = self.selected.get(&module.file) else {
                continue;
            };
            if self.whole.contains(&module.file) {
                continue;
            }
            let parents: HashMap<&str, &str> = (module.decls.iter())
                .filter_map(|d| match d {
                    ast::Decl::Class(c) => {
                        Some((c.name.text.as_str(), c.parent.as_ref()?.text.as_str()))
                    }
                    _ => None,
                })
                .collect();
            let mut kept: HashSet<String> = HashSet::new();
            for class in selected {
                let mut at = Some(class.as_str());
                while let Some(name) = at {
                    if !kept.insert(name.to_string()) {
                        break;
                    }
                    at = parents.get(name).copied();
                }
            }
            module.decls.retain(|d| match d {
                ast::Decl::Class(c) => kept.contains(&c.name.text),
                _ => true,
            });
        }
    }

    /// Where a relative path written in a policy file leads: the key that reads it (its real
    /// path, on disk) and its name relative to the root. Never absolute, never outside the
    /// root, never a directory.
    fn locate(
        &self,
        from: FileId,
        path: &ast::Str,
        what: &str,
    ) -> Result<(PathBuf, PathBuf), ResolveError> {
        let text = path.value.as_str();
        let span = path.span;
        if text.starts_with('/')
            || text.starts_with('\\')
            || text.as_bytes().get(1) == Some(&b':')
            || Path::new(text).is_absolute()
        {
            return Err(error::import_absolute(span, text, what));
        }
        if text.is_empty() {
            return Err(error::import_unreadable(
                span,
                text,
                "the path is empty",
                what,
            ));
        }
        let Some(Some(base)) = self.dirs.get(&from).cloned() else {
            return Err(error::import_outside_root(span, text, what));
        };
        // Lexical normalisation first: `..` may never climb above the root.
        let mut relative = base;
        for part in text.split(['/', '\\']) {
            match part {
                "" | "." => {}
                ".." => {
                    if !relative.pop() {
                        return Err(error::import_outside_root(span, text, what));
                    }
                }
                other => relative.push(other),
            }
        }
        self.files.find(&relative, (span, text, what))
    }

    fn load_file(&mut self, importer: FileId, path: &ast::Str) -> Result<FileId, ResolveError> {
        let (canonical, inside) = self.locate(importer, path, "import")?;
        let (text, span) = (path.value.as_str(), path.span);
        let origin = Origin::File(canonical.clone());
        if let Some(id) = self.by_origin.get(&origin) {
            return Ok(*id);
        }
        let read = self.files.read(&canonical).map_err(|e| {
            error::import_unreadable(span, text, &crate::diagnostics::describe_io(&e), "import")
        })?;
        // Known before parsing, so that the file's own feeds resolve against its directory.
        let next = FileId(self.map.files().count() as u32);
        self.dirs.insert(
            next,
            Some(inside.parent().map(Path::to_path_buf).unwrap_or_default()),
        );
        let id = self.add_read(display_name(&inside), read);
        debug_assert_eq!(id, next);
        self.by_origin.insert(origin, id);
        Ok(id)
    }
}

/// A standard-library module's text parsed as file `file`. The modules are embedded and never
/// change, so a clean parse is kept for the process: one that checks many policies (the fuzz
/// targets, an editor's server) would otherwise spend most of its time parsing them again. The
/// file id is part of the key because every span of the tree names it.
fn parse_std(file: FileId, text: &str) -> (Option<ast::Module>, Vec<syntax::SyntaxError>) {
    // Few entries: one per module and file id a compilation gave it.
    static PARSED: Mutex<Vec<(FileId, String, ast::Module)>> = Mutex::new(Vec::new());
    let cached = PARSED.lock().expect("no panic holds the lock");
    if let Some((.., module)) = cached.iter().find(|(f, t, _)| *f == file && t == text) {
        return (Some(module.clone()), Vec::new());
    }
    drop(cached);
    let (module, errors) = syntax::parse(file, text);
    if let (Some(module), true) = (&module, errors.is_empty()) {
        PARSED.lock().expect("no panic holds the lock").push((
            file,
            text.to_string(),
            module.clone(),
        ));
    }
    (module, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_standard_module_is_the_tree_a_parse_gives() {
        let text = stdlib::source("std.classes").expect("a module");
        for file in [FileId(1), FileId(4), FileId(1)] {
            let parsed = format!("{:?}", syntax::parse(file, text));
            assert_eq!(format!("{:?}", parse_std(file, text)), parsed);
            assert_eq!(format!("{:?}", parse_std(file, text)), parsed);
        }
    }
}
