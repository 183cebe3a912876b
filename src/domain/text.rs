//! One text policy for everything staff type and every file cell the product reads, and
//! the one way text is made safe to print.
//!
//! A stored control character (ESC, BEL, the C1 CSI U+009B) is an instruction to whatever
//! terminal or printer shows it later: it can clear a screen, set the clipboard (OSC 52) or
//! hide the rest of a slip. So no text field holds one — except newline and tab where a
//! field is several lines. Names and identifiers additionally hold no direction overrides,
//! isolates or zero-width characters, which make one name look like another.

use std::borrow::Cow;

/// What a field holds, which decides what it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A name or an identifier: one line, nothing invisible.
    Name,
    /// One line of free text.
    Line,
    /// Free text of several lines (newlines and tabs allowed).
    Lines,
}

/// Why a text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFault {
    /// A control character (C0, DEL or C1), or a newline or tab in a one-line field.
    Control,
    /// A direction override or isolate, or a zero-width character, in a name or identifier.
    Invisible,
}

impl TextFault {
    /// The rule's code within a rule family (`rule.<family>.control`, `….invisible`).
    pub fn code(self) -> &'static str {
        match self {
            TextFault::Control => "control",
            TextFault::Invisible => "invisible",
        }
    }
}

/// Characters that change the direction of the text around them or take no width: they
/// let `王芳` and `王\u{200B}芳` be two different names that look the same.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'                  // Arabic letter mark
            | '\u{200B}'..='\u{200F}' // zero-width space, non-joiner, joiner; LRM, RLM
            | '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner and invisible operators
            | '\u{2066}'..='\u{2069}' // isolates
            | '\u{FEFF}'              // zero-width no-break space (BOM)
    )
}

/// What is wrong with `text` as a field of `kind`, if anything.
pub fn fault(kind: TextKind, text: &str) -> Option<TextFault> {
    let multi_line = kind == TextKind::Lines;
    for c in text.chars() {
        if c.is_control() && !(multi_line && (c == '\n' || c == '\t')) {
            return Some(TextFault::Control);
        }
        if kind == TextKind::Name && is_invisible(c) {
            return Some(TextFault::Invisible);
        }
    }
    None
}

/// `text` as it may be shown on a terminal or printed: control characters and invisible
/// ones written out as `\u{1b}`, so the reader sees that they are there and the terminal
/// does nothing with them. Newlines and tabs are kept where `lines` is set (command output
/// of several lines); an error sentence sets it to false and stays one line.
pub fn printable(text: &str, lines: bool) -> Cow<'_, str> {
    let unsafe_char =
        |c: char| (c.is_control() && !(lines && (c == '\n' || c == '\t'))) || is_invisible(c);
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text (from `serde_json`, which escapes only C0) with C1 controls, DEL and the
/// invisible characters escaped as `\uXXXX` too: the same value to a JSON reader, nothing
/// a terminal acts on. They can only occur inside JSON strings, where the escape is valid.
pub fn json_printable(json: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c > '\u{1F}' || is_invisible(c);
    if !json.chars().any(unsafe_char) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    for c in json.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The characters the red team used: ESC, BEL, NUL, the C1 CSI, DEL.
    const CONTROLS: [char; 5] = ['\u{1b}', '\u{7}', '\0', '\u{9b}', '\u{7f}'];

    #[test]
    fn controls_are_refused_in_every_kind_and_newlines_only_in_one_line_fields() {
        for c in CONTROLS {
            let text = format!("退还{c}年费");
            for kind in [TextKind::Name, TextKind::Line, TextKind::Lines] {
                assert_eq!(fault(kind, &text), Some(TextFault::Control), "{c:?}");
            }
        }
        assert_eq!(fault(TextKind::Lines, "第一行\n第二行\t备注"), None);
        assert_eq!(
            fault(TextKind::Line, "第一行\n第二行"),
            Some(TextFault::Control)
        );
        assert_eq!(fault(TextKind::Name, "王芳"), None);
    }

    #[test]
    fn invisible_characters_are_refused_in_names_only() {
        for c in ['\u{202E}', '\u{2066}', '\u{200B}', '\u{200D}', '\u{FEFF}'] {
            let name = format!("王{c}芳");
            assert_eq!(fault(TextKind::Name, &name), Some(TextFault::Invisible));
            assert_eq!(fault(TextKind::Lines, &name), None);
        }
    }

    #[test]
    fn printing_writes_controls_out_and_keeps_lines_where_asked() {
        let raw = "a\u{1b}[2J\u{9b}b\u{202E}c\nd";
        assert_eq!(printable(raw, true), "a\\u{1b}[2J\\u{9b}b\\u{202e}c\nd");
        assert_eq!(
            printable(raw, false),
            "a\\u{1b}[2J\\u{9b}b\\u{202e}c\\u{a}d"
        );
        assert!(matches!(printable("王芳\n", true), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_its_value_and_loses_what_a_terminal_acts_on() {
        let value = serde_json::json!({ "request": "x\u{9b}2J\u{202E}\u{1b}y" });
        let text = serde_json::to_string(&value).unwrap();
        let safe = json_printable(&text);
        assert!(!safe.chars().any(|c| c.is_control() || is_invisible(c)));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }
}
