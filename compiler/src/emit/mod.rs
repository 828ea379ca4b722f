//! Stage 5, emit: IR → files. One file per target under `targets/`, templates under the
//! top-level `targets/` directory (embedded in the binary). Targets see only the IR.

pub mod encode;
pub mod error;
pub mod guide;
pub mod preg;
pub mod targets;
pub(crate) mod templates;
pub mod verify;
pub mod warning;
pub mod write;

pub use error::EmitError;
pub use templates::Template;
pub use warning::EmitWarning;
pub use write::{build, Built, SourceDigest};

use crate::ir::{Enforcement, Ir, Size};
use serde::Serialize;

/// One file a target produces, relative to the target's own directory.
pub struct OutputFile {
    pub path: String,
    pub contents: Vec<u8>,
}

/// What a target made, and what it could not express (reported, never silently dropped).
#[derive(Default)]
pub struct Emitted {
    pub files: Vec<OutputFile>,
    pub warnings: Vec<EmitWarning>,
}

impl Emitted {
    /// What a target of one file made.
    pub fn single(path: &str, contents: impl Into<Vec<u8>>, warnings: Vec<EmitWarning>) -> Self {
        Emitted {
            files: vec![OutputFile {
                path: path.to_string(),
                contents: contents.into(),
            }],
            warnings,
        }
    }
}

/// JSON as msgpol writes it: pretty-printed, ending with a newline.
pub fn pretty_json(value: &impl Serialize) -> Vec<u8> {
    // Only maps with non-string keys fail, and msgpol writes none.
    let mut json = serde_json::to_vec_pretty(value).expect("msgpol's JSON serialises");
    json.push(b'\n');
    json
}

/// An error while a file is being written: the writer's, or the target's own.
pub enum StreamError {
    Io(std::io::Error),
    Emit(EmitError),
}

impl StreamError {
    /// The error as the build reports it, for the file at `path`.
    pub fn at(self, path: &std::path::Path) -> EmitError {
        match self {
            StreamError::Io(e) => error::write_failed(path, &e),
            StreamError::Emit(e) => e,
        }
    }
}

impl From<std::io::Error> for StreamError {
    fn from(error: std::io::Error) -> Self {
        StreamError::Io(error)
    }
}

impl From<EmitError> for StreamError {
    fn from(error: EmitError) -> Self {
        StreamError::Emit(error)
    }
}

/// Writes one file's contents.
pub type Contents<'a> = dyn FnMut(&mut dyn std::io::Write) -> Result<(), StreamError> + 'a;

/// Where a target puts its files: `build` streams them to disk, `emit` keeps them in memory.
pub trait Sink {
    /// Create `path` (relative to the target's directory) and fill it with `contents`.
    fn file(&mut self, path: &str, contents: &mut Contents<'_>) -> Result<(), EmitError>;
}

/// Collects files in memory (what `Target::emit` returns).
#[derive(Default)]
pub struct MemorySink {
    pub files: Vec<OutputFile>,
}

impl Sink for MemorySink {
    fn file(&mut self, path: &str, contents: &mut Contents<'_>) -> Result<(), EmitError> {
        let mut bytes = Vec::new();
        contents(&mut bytes).map_err(|e| e.at(path.as_ref()))?;
        self.files.push(OutputFile {
            path: path.to_string(),
            contents: bytes,
        });
        Ok(())
    }
}

/// What a streaming target (one that implements `Target::emit_to`) makes, in memory: its
/// `Target::emit`.
pub fn emitted_in_memory(target: &dyn Target, ir: &Ir) -> Result<Emitted, EmitError> {
    let mut sink = MemorySink::default();
    let warnings = target.emit_to(ir, &mut sink)?;
    Ok(Emitted {
        files: sink.files,
        warnings,
    })
}

/// What a target is, declared once in its module: `msgpol targets`, the README's table, the
/// index of docs/targets, the guides' coverage and the tests all read it.
#[derive(Serialize)]
pub struct TargetInfo {
    /// The `--target` name and the output directory.
    pub name: &'static str,
    /// One line for `msgpol targets` and the README.
    pub description: &'static str,
    /// The files it can write, relative to its directory.
    pub outputs: &'static [&'static str],
    /// Organisation sizes that build this target when no `--target` is given.
    pub default_for: &'static [Size],
    /// The tier controls it puts into effect. The guides' coverage table and compliance
    /// mapping read it, so a new target shows up there by declaring it. Targets that enforce
    /// nothing (the guides, `ir`) declare none.
    pub controls: &'static [Control],
    /// The templates it renders, embedded in the binary.
    #[serde(skip)]
    pub templates: &'static [&'static Template],
    /// How every build reads its files back to check them against the policy.
    #[serde(skip)]
    pub reader: Option<&'static verify::Reader>,
    /// For a DLP target, how every build reads its rules back to run the detectors' examples
    /// through them.
    #[serde(skip)]
    pub rules_reader: Option<&'static verify::detectors::RulesReader>,
}

pub trait Target: Sync {
    fn info(&self) -> &TargetInfo;
    fn emit(&self, ir: &Ir) -> Result<Emitted, EmitError>;
    /// Write the files into `sink` and return the warnings. Targets whose files can be huge
    /// (a feed of a million names) stream them instead of building them in memory.
    fn emit_to(&self, ir: &Ir, sink: &mut dyn Sink) -> Result<Vec<EmitWarning>, EmitError> {
        let emitted = self.emit(ir)?;
        for file in &emitted.files {
            sink.file(&file.path, &mut |out| Ok(out.write_all(&file.contents)?))?;
        }
        Ok(emitted.warnings)
    }
    /// The `--target` name, which also names the target in its warnings.
    fn name(&self) -> &'static str {
        self.info().name
    }
}

/// A control a tier asks for: one of its `block` kinds, or `monitor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Control {
    BlockDns,
    BlockFirewall,
    BlockEndpoint,
    BlockBrowser,
    BlockDlp,
    Monitor,
}

impl Control {
    pub const ALL: [Control; 6] = [
        Control::BlockDns,
        Control::BlockFirewall,
        Control::BlockEndpoint,
        Control::BlockBrowser,
        Control::BlockDlp,
        Control::Monitor,
    ];
    pub fn block(kind: Enforcement) -> Control {
        match kind {
            Enforcement::Dns => Control::BlockDns,
            Enforcement::Firewall => Control::BlockFirewall,
            Enforcement::Endpoint => Control::BlockEndpoint,
            Enforcement::Browser => Control::BlockBrowser,
            Enforcement::Dlp => Control::BlockDlp,
        }
    }
}

/// The targets as a Markdown table (the README's): name (linked to its page under
/// `docs_base`), files, what it is, the sizes that build it by default.
pub fn targets_markdown(docs_base: &str) -> String {
    // A `|` would end a table cell.
    let cell = |text: &str| text.replace('|', "\\|");
    let mut out =
        String::from("| target | writes | what it is | default for |\n|---|---|---|---|\n");
    for target in all_targets() {
        let info = target.info();
        let outputs: Vec<String> = info
            .outputs
            .iter()
            .map(|o| format!("`{}/{o}`", info.name))
            .collect();
        let sizes: Vec<&str> = info.default_for.iter().map(|s| s.as_str()).collect();
        out.push_str(&format!(
            "| [`{name}`]({docs_base}{name}.md) | {} | {} | {} |\n",
            outputs.join(", "),
            cell(info.description),
            sizes.join(", "),
            name = info.name,
        ));
    }
    out
}

/// Every target, in the order `msgpol targets` lists them.
pub fn all_targets() -> &'static [&'static dyn Target] {
    targets::ALL
}

pub fn find_target(name: &str) -> Result<&'static dyn Target, EmitError> {
    all_targets()
        .iter()
        .copied()
        .find(|t| t.name() == name)
        .ok_or_else(|| {
            let known: Vec<&str> = all_targets().iter().map(|t| t.name()).collect();
            error::unknown_target(name, &known)
        })
}

pub fn default_targets(size: Size) -> Vec<&'static dyn Target> {
    all_targets()
        .iter()
        .copied()
        .filter(|t| t.info().default_for.contains(&size))
        .collect()
}

/// For every channel the policy bans by DNS that is known to get around DNS: a note naming
/// the other controls that cover it, or a warning (W312) when nothing else does.
pub fn dns_bypass(ir: &Ir) -> (Vec<String>, Vec<EmitWarning>) {
    let firewall_targets: Vec<&str> = all_targets()
        .iter()
        .filter(|t| t.info().controls.contains(&Control::BlockFirewall))
        .map(|t| t.name())
        .collect();
    let firewall_cover = format!(
        "the firewall targets ({}) block its networks",
        firewall_targets.join(", ")
    );
    let mut notes = Vec::new();
    let mut warnings = Vec::new();
    for channel in ir.tiered_channels().filter(|c| !c.dns_bypass.is_empty()) {
        let Some(tier) = ir.tier_of(channel) else {
            continue;
        };
        if !tier.block.contains(&Enforcement::Dns) {
            continue;
        }
        let how = channel.dns_bypass.join("; ");
        let mut covered = Vec::new();
        if tier.block.contains(&Enforcement::Firewall) && !channel.endpoints.networks.is_empty() {
            covered.push(firewall_cover.as_str());
        }
        if tier.block.contains(&Enforcement::Endpoint)
            && targets::endpoint::has_identifiers(channel)
        {
            covered.push("endpoint rules block the app itself");
        }
        if covered.is_empty() {
            warnings.push(warning::dns_bypass_uncovered(&channel.name, &how));
        } else {
            notes.push(format!(
                "DNS alone cannot stop `{}` ({how}): {}",
                channel.name,
                covered.join("; ")
            ));
        }
    }
    (notes, warnings)
}
