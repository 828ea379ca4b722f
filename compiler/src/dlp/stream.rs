//! A document scanned as it is read: its text arrives in pieces (`push`) and is scanned a
//! window at a time, so memory stays what a window holds whatever the document's size, and
//! the findings are those of one scan of the whole text, in the same order.
//!
//! Each window is scanned from where the last one ended to a line break at least the
//! scanner's `reach` before the text read so far ends (within a line, when one line is
//! longer than a window), with `reach` bytes kept before it: everything that decides a hit
//! (its match, the bytes around it, its context words) is then in view. `min-count` is a
//! property of the whole document: a detector's findings wait until it has enough, and the
//! findings after the first one waiting wait behind it, to keep their order. Only that queue
//! grows with the document, with findings, not bytes.

use crate::dlp::engine::{Resume, Scanner};
use crate::dlp::positions::{Origin, Positions};
use crate::ir::Confidence;
use std::collections::VecDeque;

/// How many bytes of text a window scans, unless told otherwise.
pub const WINDOW: usize = 1 << 20;

/// A hit, with its place in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub line: u64,
    pub column: u64,
    /// The detector, by its index in the scanner.
    pub detector: usize,
    pub confidence: Confidence,
}

pub struct Stream<'s, E: FnMut(Finding)> {
    scanner: &'s Scanner,
    window: usize,
    /// The text not yet forgotten: the last `reach` bytes scanned and what is not scanned.
    text: Vec<u8>,
    /// The document offset of `text[0]`.
    base: u64,
    /// Where in `text` the next window starts.
    scanned: usize,
    resume: Resume,
    positions: Positions,
    /// Hits per detector so far, and the findings waiting for a detector's `min-count`.
    counts: Vec<u32>,
    waiting: VecDeque<Finding>,
    emit: E,
}

impl<'s, E: FnMut(Finding)> Stream<'s, E> {
    /// A document scanned `window` bytes at a time, each finding given to `emit`.
    pub fn new(scanner: &'s Scanner, window: usize, emit: E) -> Self {
        Stream {
            scanner,
            window: window.max(1),
            text: Vec::new(),
            base: 0,
            scanned: 0,
            resume: Resume::new(scanner),
            positions: Positions::default(),
            counts: Vec::new(),
            waiting: VecDeque::new(),
            emit,
        }
    }

    /// The next piece of the document's text, and where it comes from in the file.
    pub fn push(&mut self, text: &[u8], origin: Origin) {
        self.positions
            .push(self.base + self.text.len() as u64, text.len(), origin);
        self.text.extend_from_slice(text);
        let reach = self.scanner.reach();
        while self.text.len() - self.scanned >= self.window + reach {
            let before = self.text.len() - reach;
            let cut = memchr::memrchr(b'\n', &self.text[self.scanned..before])
                .map_or(before, |i| self.scanned + i + 1);
            self.scan_to(cut);
        }
    }

    /// The document ends: scan the rest and give the findings still waiting that count.
    pub fn finish(mut self) {
        self.scan_to(self.text.len());
        for f in std::mem::take(&mut self.waiting) {
            if self.counts[f.detector] >= self.scanner.min_count(f.detector) {
                (self.emit)(f);
            }
        }
    }

    fn scan_to(&mut self, cut: usize) {
        let hits = self
            .scanner
            .scan_part(&self.text, self.scanned..cut, &mut self.resume, &mut ());
        for hit in hits {
            let offset = self.base + hit.offset as u64;
            let (line, column) = self.positions.at(&self.text, self.base, offset).reported();
            self.found(Finding {
                line,
                column,
                detector: hit.detector,
                confidence: hit.confidence,
            });
        }
        self.scanned = cut;
        // Keep what the next window's hits may look back at.
        let forget = cut.saturating_sub(self.scanner.reach());
        self.positions
            .forget(&self.text, self.base, self.base + forget as u64);
        self.text.drain(..forget);
        self.base += forget as u64;
        self.scanned -= forget;
        self.resume.shift(forget);
    }

    fn found(&mut self, f: Finding) {
        if self.counts.len() <= f.detector {
            self.counts.resize(f.detector + 1, 0);
        }
        self.counts[f.detector] += 1;
        self.waiting.push_back(f);
        while let Some(first) = self.waiting.front() {
            if self.counts[first.detector] < self.scanner.min_count(first.detector) {
                break;
            }
            let first = self.waiting.pop_front().expect("a finding is waiting");
            (self.emit)(first);
        }
    }
}
