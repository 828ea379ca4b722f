//! Text contexts: comments of line-based formats, and Markdown.

/// The most bytes of policy text one comment holds. A header line holds three (title, version,
/// organisation), so it stays well under `LINE_BYTES` whatever the policy says.
pub const COMMENT_BYTES: usize = 200;

/// Whether a character ends a line for some reader: control characters (with NEL, U+0085) and
/// the Unicode line and paragraph separators, which JavaScript treats as line terminators.
fn breaks_lines(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Text inside a comment of a line-based format: on one line (every character that could end
/// it becomes a space) and cut to `COMMENT_BYTES`, marked `…` where it was cut.
pub fn comment(value: &str) -> String {
    let mut out: String = value
        .chars()
        .map(|c| if breaks_lines(c) { ' ' } else { c })
        .collect();
    if out.len() > COMMENT_BYTES {
        let mut end = COMMENT_BYTES - '…'.len_utf8();
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push('…');
    }
    out
}

/// Text inside Markdown: characters with a Markdown or HTML meaning are escaped, so a policy
/// string can never become a link, an image, HTML or a table cell break, and line breaks
/// become spaces. White space at either end is written as a character reference: Markdown
/// drops it at the edges of a paragraph, heading or table cell, and `**` beside it would not
/// open or close the emphasis around the string. What could start a block where the string
/// starts a line (`-`, `+`, `=`, the `.` or `)` of `1.`) is escaped at its start.
pub fn markdown(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let shown = |c: char| if breaks_lines(c) { ' ' } else { c };
    let first = value.find(|c: char| !shown(c).is_whitespace());
    let last = value
        .rfind(|c: char| !shown(c).is_whitespace())
        .map(|at| at + value[at..].chars().next().map_or(0, char::len_utf8));
    let block_marker = first.and_then(|first| block_marker(&value[first..]).map(|at| first + at));
    for (at, c) in value.char_indices() {
        let edge = first.is_none_or(|first| at < first) || last.is_none_or(|last| at >= last);
        if edge {
            out.push_str(&format!("&#x{:X};", u32::from(shown(c))));
            continue;
        }
        if Some(at) == block_marker {
            out.push('\\');
            out.push(c);
            continue;
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '{' | '}' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            c if breaks_lines(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Where a character that would begin a Markdown block at the start of a line is, in `text`:
/// a list bullet, a heading underline or a rule (`-`, `+`, `=`), or an ordered list item's `.`
/// or `)` after up to nine digits and before white space or the end (`2026.2` is no list).
fn block_marker(text: &str) -> Option<usize> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let ends_item = |at: usize| text[at..].chars().nth(1).is_none_or(char::is_whitespace);
    match text.as_bytes().get(digits) {
        Some(b'-' | b'+' | b'=') if digits == 0 => Some(0),
        Some(b'.' | b')') if (1..=9).contains(&digits) && ends_item(digits) => Some(digits),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_what_could_become_markup() {
        assert_eq!(
            markdown("[x](javascript:y) <b>|"),
            "\\[x\\](javascript:y) \\<b\\>\\|"
        );
    }

    /// Markdown drops white space at the start and end of a paragraph, heading or table cell,
    /// and `**` next to white space does not open or close emphasis: a label ending in a space
    /// showed as `**Label **`, with its asterisks, and lost its space.
    #[test]
    fn markdown_keeps_white_space_at_the_edges() {
        assert_eq!(markdown(" a b\u{3000}"), "&#x20;a b&#x3000;");
        assert_eq!(markdown("\u{a0}\t"), "&#xA0;&#x20;");
        assert_eq!(markdown("a\nb"), "a b");
        assert_eq!(markdown(""), "");
    }

    /// A string written at the start of a line (a doc comment's paragraph, a list item's
    /// text) began a list item, a heading underline or a rule: `-  x` and `--` under a line
    /// changed the guide's structure.
    #[test]
    fn markdown_escapes_what_could_start_a_block() {
        assert_eq!(markdown("- a"), "\\- a");
        assert_eq!(markdown("--"), "\\--");
        assert_eq!(markdown("+ a"), "\\+ a");
        assert_eq!(markdown("=="), "\\==");
        assert_eq!(markdown("12. a"), "12\\. a");
        assert_eq!(markdown("3) a"), "3\\) a");
        assert_eq!(markdown(" - a"), "&#x20;\\- a");
        assert_eq!(markdown("a - 1. b"), "a - 1. b");
        assert_eq!(markdown("2026"), "2026");
        assert_eq!(markdown("2026.2"), "2026.2");
        assert_eq!(markdown("1."), "1\\.");
    }

    #[test]
    fn comments_stay_on_one_short_line() {
        assert_eq!(comment("a\nb\u{2028}c\u{85}d"), "a b c d");
        let long = "é".repeat(1000);
        let cut = comment(&long);
        assert!(
            cut.len() <= COMMENT_BYTES && cut.ends_with('…'),
            "{}",
            cut.len()
        );
        let exact = "x".repeat(COMMENT_BYTES);
        assert_eq!(comment(&exact), exact);
    }
}
