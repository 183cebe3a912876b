//! Text laid out in columns: wide (CJK) characters take two, and lines break the way
//! Chinese and English typesetting expect.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

const NO_LINE_START: &str = "，。、；：！？）》」』”’,.;:!?)";

/// Splits one line of text into lines of at most `room` columns: at spaces in Latin text,
/// between any two Chinese characters, never starting a line with closing punctuation.
pub fn wrap(line: &str, room: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut width = 0;
    // The last place in `current` where a line may break (after a space).
    let mut last_space: Option<usize> = None;
    for c in line.chars() {
        let w = c.width().unwrap_or(0);
        if width + w > room && !current.is_empty() {
            let rest = match last_space {
                Some(at) if !c.is_whitespace() && w == 1 => current.split_off(at),
                // Chinese typesetting never starts a line with closing punctuation: the
                // character before it moves down too.
                _ if NO_LINE_START.contains(c) => current
                    .char_indices()
                    .last()
                    .map(|(at, _)| current.split_off(at))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            lines.push(current.trim_end().to_string());
            current = rest.trim_start().to_string();
            width = current.width();
            last_space = None;
            if c.is_whitespace() {
                continue;
            }
        }
        current.push(c);
        width += w;
        if c.is_whitespace() {
            last_space = Some(current.len());
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current.trim_end().to_string());
    }
    lines
}

/// `text` in at most `width` display columns, ending in "…" where something had to give.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut cut = skip_columns(text, 0, width - 1);
    cut.push('…');
    cut
}

/// The part of `text` from display column `skip`, at most `width` columns wide.
pub fn skip_columns(text: &str, skip: usize, width: usize) -> String {
    let mut column = 0;
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if column < skip {
            column += w;
            continue;
        }
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_line_starts_with_closing_punctuation() {
        let lines = wrap("一二三四五，六七", 10);
        assert_eq!(lines, ["一二三四", "五，六七"]);
    }

    #[test]
    fn wrapping_keeps_every_character() {
        for text in [
            "",
            "a",
            "一二三四五六七八九十",
            "word word word word",
            "x  y",
        ] {
            for room in [1, 3, 5, 16] {
                let joined: String = wrap(text, room).concat();
                let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
                assert_eq!(strip(&joined), strip(text), "{text:?} at {room}");
            }
        }
    }
}
