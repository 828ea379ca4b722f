//! Source files and byte spans into them. Every diagnostic and every IR reason points at a
//! `Span`, which the `SourceMap` turns back into `file:line:column`.

use serde::Serialize;
use std::sync::Arc;

/// Index of a file in the `SourceMap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FileId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span { file, start, end }
    }
    pub fn to(self, other: Span) -> Span {
        Span::new(
            self.file,
            self.start.min(other.start),
            self.end.max(other.end),
        )
    }
}

/// Whether `c` is a character no output can carry safely, wherever it came from: a control
/// character, a bidirectional control (it makes text display differently from how it reads),
/// a line or paragraph separator (JavaScript and line-based formats read a line break there),
/// or a noncharacter (XML cannot hold one). Tabs and line breaks are the caller's to allow.
pub fn is_unsafe_char(c: char) -> bool {
    let code = c as u32;
    c.is_control()
        || matches!(code, 0x202A..=0x202E | 0x2066..=0x2069 | 0x2028 | 0x2029)
        || (0xFDD0..=0xFDEF).contains(&code)
        || code & 0xFFFE == 0xFFFE
}

/// A string value from a source file (unescaped), and where it is written.
#[derive(Clone, Debug)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

/// A value read from a source file, and where it is written.
#[derive(Clone, Copy, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// A file the compiler read: the root policy, an imported file or a standard-library module.
#[derive(Debug)]
pub struct SourceFile {
    /// How the file is named in diagnostics and the manifest (relative to the policy root,
    /// or `std/<module>.msgpol`).
    pub name: String,
    /// An `Arc<String>` rather than an `Arc<str>`: it takes the text read from disk without
    /// copying it (a feed may run to tens of megabytes).
    pub text: Arc<String>,
    /// Byte offsets at which each line starts, found when a location is first asked for: a
    /// feed of a million lines usually never is.
    line_starts: std::sync::OnceLock<Vec<usize>>,
    /// How many characters come before every `CHUNK`th byte, found when a column far into a
    /// long line is first asked for: counting from the line's start for each of thousands of
    /// diagnostics on a line of megabytes would take time that grows with their product.
    char_counts: std::sync::OnceLock<Vec<usize>>,
    pub is_stdlib: bool,
}

/// Bytes between the character counts a file keeps (`SourceFile::char_counts`).
const CHUNK: usize = 4096;

/// The characters that start in `bytes` (every byte but UTF-8's continuation bytes).
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl SourceFile {
    pub fn new(name: String, text: Arc<String>, is_stdlib: bool) -> Self {
        SourceFile {
            name,
            text,
            line_starts: std::sync::OnceLock::new(),
            char_counts: std::sync::OnceLock::new(),
            is_stdlib,
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(self.text.match_indices('\n').map(|(i, _)| i + 1));
            starts
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset);
        let start = self.line_starts()[line];
        let column = if !self.text.is_char_boundary(offset) {
            offset - start
        } else if offset - start <= CHUNK {
            chars_in(&self.text.as_bytes()[start..offset])
        } else {
            self.chars_before(offset) - self.chars_before(start)
        };
        (line + 1, column + 1)
    }

    /// The 0-based line that byte `offset` is on.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts().partition_point(|&s| s <= offset) - 1
    }

    /// The characters before byte `offset`, from the counts kept every `CHUNK` bytes.
    fn chars_before(&self, offset: usize) -> usize {
        let bytes = self.text.as_bytes();
        let counts = self.char_counts.get_or_init(|| {
            let mut counts = Vec::with_capacity(bytes.len() / CHUNK + 2);
            let mut total = 0;
            counts.push(0);
            for chunk in bytes.chunks(CHUNK) {
                total += chars_in(chunk);
                counts.push(total);
            }
            counts
        });
        let chunk = offset / CHUNK;
        counts[chunk] + chars_in(&bytes[chunk * CHUNK..offset])
    }

    /// The bytes of the line that byte `offset` is on, without its line break.
    pub fn line_around(&self, offset: usize) -> std::ops::Range<usize> {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset);
        let end = self
            .line_starts()
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        self.line_starts()[line]..end
    }

    /// The byte at which 0-based line `line` starts (the end of the text past the last line),
    /// from the index of lines: a diagnostic's snippet is found without reading the file up to
    /// it, so that ten thousand diagnostics in one file take ten thousand times one, not more.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts()
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }
}

#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
    pub fn get_mut(&mut self, id: FileId) -> &mut SourceFile {
        &mut self.files[id.0 as usize]
    }
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
    /// `file:line:column` of a span's start.
    pub fn location(&self, span: Span) -> Location {
        let file = self.get(span.file);
        let (line, column) = file.line_col(span.start);
        Location {
            file: file.name.clone(),
            line,
            column,
        }
    }
}

/// A resolved source position, as it appears in JSON output and in the IR.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_start_where_the_text_says() {
        let file = SourceFile::new("p.msgpol".into(), Arc::new("a\nbc\n\nd".into()), false);
        let starts: Vec<usize> = (0..6).map(|line| file.line_start(line)).collect();
        assert_eq!(starts, [0, 2, 5, 6, 7, 7]);
        assert_eq!(file.line_col(file.line_start(3)), (4, 1));
        assert_eq!(file.line_around(3), 2..4);
        assert_eq!(file.line_around(7), 6..7);
    }

    #[test]
    fn columns_far_into_long_lines_count_characters() {
        let line: String = (0..3000).map(|i| ["a", "é", "日", "😀"][i % 4]).collect();
        let text = format!("x\n{line}\n{line}");
        let file = SourceFile::new("p.msgpol".into(), Arc::new(text.clone()), false);
        for (offset, _) in text.char_indices().step_by(97).chain([(text.len(), ' ')]) {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let column = text[start..offset].chars().count() + 1;
            assert_eq!(file.line_col(offset).1, column, "at {offset}");
        }
    }
}
