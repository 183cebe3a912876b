//! Plain-text tables whose columns line up with Chinese text (wide characters take two
//! columns on a terminal).

use unicode_width::UnicodeWidthStr;

pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let columns = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(columns) {
            widths[i] = widths[i].max(cell.width());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, cell) in cells.enumerate() {
            text.push_str(cell);
            if i + 1 < columns {
                let pad = widths[i].saturating_sub(cell.width()) + 2;
                text.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_keep_columns_aligned() {
        let text = render(
            &["ID", "Name", "Role"],
            &[
                vec!["teller01".into(), "王芳".into(), "teller".into()],
                vec!["rm01".into(), "Li Na".into(), "rm".into()],
            ],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "ID        Name   Role");
        assert_eq!(lines[1], "teller01  王芳   teller");
        assert_eq!(lines[2], "rm01      Li Na  rm");
    }
}
