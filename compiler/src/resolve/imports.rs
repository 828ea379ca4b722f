//! Loading the compiled file and everything it imports: standard-library modules from the
//! binary, other files from inside the policy root only.

use super::cycles::find_cycles;
use super::error::{self, ResolveError};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::stdlib;
use crate::syntax::{self, ast};
use petgraph::graphmap::DiGraphMap;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

pub struct Loaded {
    pub modules: Vec<ast::Module>,
    /// Parse and import errors, in the order found.
    pub errors: Vec<Diagnostic>,
}

/// Where a module came from: the key that makes a second import of it a no-op.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Origin {
    Std(String),
    File(PathBuf),
}

struct Loader<'a> {
    map: &'a mut SourceMap,
    root_dir: PathBuf,
    by_origin: HashMap<Origin, FileId>,
    /// Root-relative directory of each loaded file (None for the standard library).
    dirs: HashMap<FileId, Option<PathBuf>>,
    graph: DiGraphMap<u32, Span>,
    modules: Vec<ast::Module>,
    errors: Vec<Diagnostic>,
    queue: Vec<FileId>,
}

/// Read the root file (an I/O failure is returned as `Err`, exit 2) and every import.
pub fn load(root: &Path, map: &mut SourceMap) -> Result<Loaded, Diagnostic> {
    let canonical = root.canonicalize().map_err(|e| crate::io_error(root, &e))?;
    if canonical.is_dir() {
        return Err(crate::io_error(
            root,
            &std::io::Error::other("it is a directory"),
        ));
    }
    let bytes = std::fs::read(&canonical).map_err(|e| crate::io_error(root, &e))?;
    let root_dir = canonical
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let name = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut loader = Loader {
        map,
        root_dir,
        by_origin: HashMap::new(),
        dirs: HashMap::new(),
        graph: DiGraphMap::new(),
        modules: Vec::new(),
        errors: Vec::new(),
        queue: Vec::new(),
    };
    let id = loader.add_file(name, bytes, false);
    loader.by_origin.insert(Origin::File(canonical), id);
    loader.dirs.insert(id, Some(PathBuf::new()));
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
    loader.modules.sort_by_key(|m| m.file);
    Ok(Loaded {
        modules: loader.modules,
        errors: loader.errors,
    })
}

impl Loader<'_> {
    /// Decode and parse a file's bytes; queue it so its own imports are followed.
    fn add_file(&mut self, name: String, bytes: Vec<u8>, is_stdlib: bool) -> FileId {
        let placeholder = self
            .map
            .add(SourceFile::new(name.clone(), Arc::from(""), is_stdlib));
        let text = match syntax::decode(placeholder, bytes) {
            Ok(text) => text,
            Err((lossy, err)) => {
                self.replace_text(placeholder, name, lossy, is_stdlib);
                self.errors.push(err.into());
                return placeholder;
            }
        };
        self.replace_text(placeholder, name, text, is_stdlib);
        let text = self.map.get(placeholder).text.clone();
        let (module, errors) = syntax::parse(placeholder, &text);
        self.errors.extend(errors.into_iter().map(Diagnostic::from));
        if let Some(module) = module {
            self.modules.push(module);
            self.queue.push(placeholder);
        }
        self.graph.add_node(placeholder.0);
        placeholder
    }

    fn replace_text(&mut self, id: FileId, name: String, text: String, is_stdlib: bool) {
        *self.map.get_mut(id) = SourceFile::new(name, Arc::from(text), is_stdlib);
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

    fn load_std(&mut self, name: &ast::Name) -> Result<FileId, ResolveError> {
        let origin = Origin::Std(name.text.clone());
        if let Some(id) = self.by_origin.get(&origin) {
            return Ok(*id);
        }
        let Some(text) = stdlib::source(&name.text) else {
            let known: Vec<&str> = stdlib::MODULES.iter().map(|(n, _)| *n).collect();
            return Err(error::unknown_module(name.span, &name.text, &known));
        };
        let id = self.add_file(
            stdlib::display_name(&name.text),
            text.as_bytes().to_vec(),
            true,
        );
        self.by_origin.insert(origin, id);
        self.dirs.insert(id, None);
        Ok(id)
    }

    fn load_file(&mut self, importer: FileId, path: &ast::Str) -> Result<FileId, ResolveError> {
        let text = path.value.as_str();
        let span = path.span;
        if text.starts_with('/')
            || text.starts_with('\\')
            || text.as_bytes().get(1) == Some(&b':')
            || Path::new(text).is_absolute()
        {
            return Err(error::import_absolute(span, text));
        }
        if text.is_empty() {
            return Err(error::import_unreadable(span, text, "the path is empty"));
        }
        let Some(Some(base)) = self.dirs.get(&importer).cloned() else {
            return Err(error::import_outside_root(span, text));
        };
        // Lexical normalisation first: `..` may never climb above the root.
        let mut relative = base;
        for part in text.split(['/', '\\']) {
            match part {
                "" | "." => {}
                ".." => {
                    if !relative.pop() {
                        return Err(error::import_outside_root(span, text));
                    }
                }
                other => relative.push(other),
            }
        }
        let full = self.root_dir.join(&relative);
        let metadata = std::fs::metadata(&full)
            .map_err(|e| error::import_unreadable(span, text, &crate::describe_io(&e)))?;
        if metadata.is_dir() {
            return Err(error::import_directory(span, text));
        }
        // Then the real path: a symbolic link may not lead outside the root either.
        let canonical = full
            .canonicalize()
            .map_err(|e| error::import_unreadable(span, text, &crate::describe_io(&e)))?;
        let Ok(inside) = canonical
            .strip_prefix(&self.root_dir)
            .map(Path::to_path_buf)
        else {
            return Err(error::import_outside_root(span, text));
        };
        let origin = Origin::File(canonical.clone());
        if let Some(id) = self.by_origin.get(&origin) {
            return Ok(*id);
        }
        let bytes = std::fs::read(&canonical)
            .map_err(|e| error::import_unreadable(span, text, &crate::describe_io(&e)))?;
        let name = inside
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("/");
        let id = self.add_file(name, bytes, false);
        self.by_origin.insert(origin, id);
        self.dirs.insert(
            id,
            Some(inside.parent().map(Path::to_path_buf).unwrap_or_default()),
        );
        Ok(id)
    }
}
