//! The text of an HTML file as a browser's tokenizer reads it: html5ever's tokenizer (the
//! WHATWG algorithm browsers use; no tree builder, so no tags are implied or moved), switched
//! to raw text inside `script`, `style`, `title` and the other elements whose content a
//! browser does not parse as markup.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Elements whose text is one literal: text between such a start tag and its end tag.
const BLOCKS: [&str; 21] = [
    "p",
    "li",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dt",
    "dd",
    "title",
    "caption",
    "summary",
    "figcaption",
    "pre",
    "blockquote",
    "option",
    "label",
    "button",
];

/// What a file holds: its literals (every attribute value; the text of each block element;
/// text outside blocks between two blocks), and how many of each start tag (`p`), end tag
/// (`/p`), comment (`!--`) and parse error (`!error`) it has.
#[derive(Default, Debug)]
pub struct Literals {
    pub literals: Vec<String>,
    pub tags: BTreeMap<String, usize>,
}

#[derive(Default)]
struct Reader {
    /// Open block elements, each with the text read inside it so far.
    open: Vec<(String, String)>,
    /// Text outside every block element since the last literal.
    loose: String,
    read: Literals,
}

impl Reader {
    fn count(&mut self, what: &str) {
        *self.read.tags.entry(what.to_string()).or_default() += 1;
    }

    fn flush_loose(&mut self) {
        let loose = std::mem::take(&mut self.loose);
        if !loose.trim().is_empty() {
            self.read.literals.push(loose);
        }
    }

    fn text(&mut self, text: &str) {
        match self.open.last_mut() {
            Some((_, inside)) => inside.push_str(text),
            None => self.loose.push_str(text),
        }
    }

    fn tag(&mut self, tag: Tag) -> TokenSinkResult<()> {
        let name = tag.name.to_string();
        match tag.kind {
            TagKind::StartTag => {
                self.count(&name);
                self.read
                    .literals
                    .extend(tag.attrs.iter().map(|a| a.value.to_string()));
                if tag.self_closing {
                    return TokenSinkResult::Continue;
                }
                if BLOCKS.contains(&name.as_str()) {
                    self.flush_loose();
                    self.open.push((name.clone(), String::new()));
                }
                // What the tree builder would tell the tokenizer in an HTML document.
                match name.as_str() {
                    "title" | "textarea" => return TokenSinkResult::RawData(RawKind::Rcdata),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                        return TokenSinkResult::RawData(RawKind::Rawtext)
                    }
                    "script" => return TokenSinkResult::RawData(RawKind::ScriptData),
                    "plaintext" => return TokenSinkResult::Plaintext,
                    _ => {}
                }
            }
            TagKind::EndTag => {
                self.count(&format!("/{name}"));
                if self.open.last().is_some_and(|(open, _)| *open == name) {
                    let (_, inside) = self.open.pop().unwrap();
                    self.read.literals.push(inside);
                } else if BLOCKS.contains(&name.as_str()) {
                    self.flush_loose();
                }
            }
        }
        TokenSinkResult::Continue
    }
}

struct Sink(RefCell<Reader>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut reader = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => return reader.tag(tag),
            Token::CharacterTokens(text) => reader.text(&text),
            Token::NullCharacterToken => reader.text("\0"),
            Token::CommentToken(_) => reader.count("!--"),
            Token::ParseError(_) => reader.count("!error"),
            Token::DoctypeToken(_) | Token::EOFToken => {}
        }
        TokenSinkResult::Continue
    }
}

/// Read `html` as a browser's tokenizer does.
pub fn read(html: &str) -> Literals {
    let tokenizer = Tokenizer::new(Sink(RefCell::default()), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut reader = tokenizer.sink.0.take();
    reader.flush_loose();
    let open = std::mem::take(&mut reader.open);
    reader
        .read
        .literals
        .extend(open.into_iter().map(|(_, inside)| inside));
    reader.read
}
