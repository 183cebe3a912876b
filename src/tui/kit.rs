//! The widget kit every view draws with: text styles, centred boxes, forms (one line a
//! field, the cursor where an input method shows what it composes), notes under a form,
//! confirmations, display-width wrapping and cutting, and times in the terminal's zone.
//! A leaf: it knows the app's forms and nothing else of `tui/`.

use crate::app::form::{Field, FieldValue, Form, option_label_key};
use crate::i18n::I18n;
pub use crate::text::{fit, skip_columns};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Clear, Paragraph, Row, Scrollbar, ScrollbarOrientation, ScrollbarState,
};
use unicode_width::UnicodeWidthStr;

pub const TO_THE_MINUTE: &str = "%Y-%m-%d %H:%M";
pub const TO_THE_SECOND: &str = "%Y-%m-%d %H:%M:%S";

/// An RFC 3339 time at `offset`, as `format`; the text as it is if it does not parse.
pub fn time_in(offset: chrono::FixedOffset, rfc3339: &str, format: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.with_timezone(&offset).format(format).to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}

pub fn plain(text: &str) -> (String, Style) {
    (text.to_string(), Style::new())
}

pub fn error_style() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// Clears `area` for a box drawn over the screen. A wide character just left of it would
/// have its second half under the box's left side, and a terminal skips such a cell: the
/// side would not be drawn and the text behind would show through. That character goes.
pub fn clear(frame: &mut Frame, area: Rect) {
    frame.render_widget(Clear, area);
    if area.x == 0 {
        return;
    }
    let buffer = frame.buffer_mut();
    for y in area.top()..area.bottom() {
        let cell = &mut buffer[(area.x - 1, y)];
        if cell.symbol().width() > 1 {
            cell.set_symbol(" ");
        }
    }
}

/// A centred rectangle of at most `width` × `height` inside `area`.
pub fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Lines for a form, and where the cursor goes (row within the lines, column).
pub struct FormLines {
    pub lines: Vec<Line<'static>>,
    pub cursor: Option<(usize, u16)>,
}

pub fn form_lines(form: &Form, i18n: &I18n, width: u16) -> FormLines {
    let label_width = form
        .fields
        .iter()
        .filter(|f| !f.hidden)
        .map(|f| i18n.t(f.label).width())
        .max()
        .unwrap_or(0);
    let value_width = (width as usize).saturating_sub(label_width + 5).max(4);
    let mut lines = Vec::new();
    let mut cursor = None;
    // A field not asked now is not drawn.
    for (index, field) in form.fields.iter().enumerate().filter(|(_, f)| !f.hidden) {
        let focused = index == form.focus;
        let label = i18n.t(field.label);
        let pad = " ".repeat(label_width - label.width());
        let marker = if focused { "> " } else { "  " };
        let label_style = if focused {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let prefix_width = 2 + label_width + 2;
        let (shown, cursor_col) = shown_value(field, focused, value_width, i18n);
        let padded = format!(
            "{shown}{}",
            " ".repeat(value_width.saturating_sub(shown.width()))
        );
        let value_style = if focused {
            Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        };
        if focused && field.is_text_like() {
            cursor = Some((lines.len(), (prefix_width + cursor_col) as u16));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{label}{pad}  "), label_style),
            Span::styled(padded, value_style),
        ]));
        if let Some(error) = &field.error {
            let room = (width as usize).saturating_sub(prefix_width).max(10);
            for part in wrap(error, room) {
                lines.push(Line::from(Span::styled(
                    format!("{}{part}", " ".repeat(prefix_width)),
                    error_style(),
                )));
            }
        }
    }
    if let Some(error) = &form.error {
        lines.push(Line::from(""));
        for part in wrap(error, width as usize) {
            lines.push(Line::from(Span::styled(part, error_style())));
        }
    }
    FormLines { lines, cursor }
}

/// What a field shows on its line, at most `width` columns, and where the cursor is in it.
/// Only the field being typed in scrolls to its cursor; the others show their beginning.
pub fn shown_value(field: &Field, focused: bool, width: usize, i18n: &I18n) -> (String, usize) {
    match &field.value {
        FieldValue::Text(input) => {
            let scroll = if focused {
                input.visual_scroll(width.saturating_sub(1))
            } else {
                0
            };
            let visible = skip_columns(input.value(), scroll, width);
            (visible, input.visual_cursor().saturating_sub(scroll))
        }
        FieldValue::Lines { text, .. } => {
            let first = text.lines().next().unwrap_or("");
            let more = if text.contains('\n') { " …" } else { "" };
            let shown = skip_columns(first, 0, width.saturating_sub(more.width()));
            (format!("{shown}{more}"), 0)
        }
        FieldValue::Secret(secret) => {
            let n = secret.chars().min(width.saturating_sub(1));
            ("*".repeat(n), n)
        }
        FieldValue::Scale { text, .. } | FieldValue::Multi { text, .. } => (text.clone(), 0),
        FieldValue::Choice {
            options,
            index,
            coded,
        } => {
            let option = options.get(*index).cloned().unwrap_or_default();
            let text = if *coded {
                let key = option_label_key(field.label, &option);
                i18n.t_owned(key).to_string()
            } else {
                option
            };
            (format!("< {text} >"), 0)
        }
    }
}

/// The label part of a form's line: a marker (`>` the focused field, `!` a refused one), the
/// label padded to `width` columns, and its style.
pub fn field_label(field: &Field, focused: bool, width: usize, i18n: &I18n) -> (String, Style) {
    let label = i18n.t(field.label);
    let marker = match (focused, field.error.is_some()) {
        (true, _) => "> ",
        (false, true) => "! ",
        _ => "  ",
    };
    let text = format!(
        "{marker}{label}{} ",
        " ".repeat(width.saturating_sub(label.width()))
    );
    let mut style = Style::new();
    if focused {
        style = style.add_modifier(Modifier::BOLD);
    }
    if field.error.is_some() {
        style = style.fg(Color::Red);
    }
    (text, style)
}

/// What goes under a long form: what is wrong with the focused field, how many fields need
/// attention, the store's answer — or, when all is well, `hint`.
pub fn form_notes(form: &Form, i18n: &I18n, width: usize, hint: &str) -> Vec<Line<'static>> {
    let red = Style::new().fg(Color::Red);
    let mut notes: Vec<Line> = Vec::new();
    if let Some(field) = form.focused()
        && let Some(error) = &field.error
    {
        let sentence = i18n.fill(
            "rule.client.sentence",
            &[("field", i18n.t(field.label)), ("rule", error)],
        );
        for part in wrap(&sentence, width) {
            notes.push(Line::from(Span::styled(part, red)));
        }
    }
    let broken = form.fields.iter().filter(|f| f.error.is_some()).count();
    if broken > 0 {
        notes.push(Line::from(Span::styled(
            i18n.fill("clients.fields_to_fix", &[("count", &broken.to_string())]),
            red.add_modifier(Modifier::BOLD),
        )));
    }
    if let Some(error) = &form.error {
        for part in wrap(error, width) {
            notes.push(Line::from(Span::styled(part, red)));
        }
    }
    if notes.is_empty() {
        for part in wrap(hint, width) {
            notes.push(Line::from(Span::styled(part, dim())));
        }
    }
    notes
}

/// Splits `text` into lines of at most `width` columns (see [`crate::text::wrap`]); each
/// of its own lines starts a new one. Nothing for empty text.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.lines()
        .flat_map(|line| crate::text::wrap(line, width))
        .collect()
}

/// A scrollbar in column `x` beside `rows` (a box's right border) when `total` lines do not
/// all fit: it says there is more, and where the view is (`first` is the first line shown).
pub fn scrollbar(frame: &mut Frame, x: u16, rows: Rect, total: usize, first: usize) {
    let visible = usize::from(rows.height);
    if total <= visible || visible == 0 {
        return;
    }
    let mut state = ScrollbarState::new(total - visible + 1)
        .position(first.min(total - visible))
        .viewport_content_length(visible);
    frame.render_stateful_widget(
        Scrollbar::new(ScrollbarOrientation::VerticalRight),
        Rect::new(x, rows.y, 1, rows.height),
        &mut state,
    );
}

/// The scrollbar of a table drawn in `list` (one line a row, under a header line when
/// `header`), on the border of the box `frame_area`, once the table has been drawn with
/// `state`.
pub fn table_scrollbar(
    frame: &mut Frame,
    frame_area: Rect,
    list: Rect,
    header: bool,
    total: usize,
    state: &ratatui::widgets::TableState,
) {
    let skip = u16::from(header);
    let rows = Rect {
        y: list.y + skip,
        height: list.height.saturating_sub(skip),
        ..list
    };
    scrollbar(
        frame,
        frame_area.right().saturating_sub(1),
        rows,
        total,
        state.offset(),
    );
}

/// A one-line text field on a screen (the client lookup, the board's filter): its label in
/// bold, the value underlined to the end of `area`, and the cursor in it when `focused`.
pub fn render_line_field(
    frame: &mut Frame,
    area: Rect,
    label: &str,
    field: &Field,
    focused: bool,
    after: Option<Span<'static>>,
) {
    let label = format!(" {label} ");
    let label_width = label.width() as u16;
    let after_width = after.as_ref().map_or(0, |s| s.content.width() as u16);
    let value_width = usize::from(area.width.saturating_sub(label_width + 1 + after_width));
    let (shown, cursor) = match &field.value {
        FieldValue::Text(input) => {
            let scroll = input.visual_scroll(value_width.saturating_sub(1));
            (
                skip_columns(input.value(), scroll, value_width),
                input.visual_cursor().saturating_sub(scroll),
            )
        }
        _ => (String::new(), 0),
    };
    let mut spans = vec![
        Span::styled(label, Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(
            format!(
                "{shown}{}",
                " ".repeat(value_width.saturating_sub(shown.width()))
            ),
            Style::new().add_modifier(Modifier::UNDERLINED),
        ),
    ];
    spans.extend(after);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if focused {
        frame.set_cursor_position(Position::new(area.x + label_width + cursor as u16, area.y));
    }
}

/// Label-and-value items laid out in rows of at most `width` columns, three spaces apart:
/// an item that does not fit on the row starts the next one, and one wider than a whole
/// row ends in "…" (so nothing is cut off unseen at 80 columns).
pub fn flow(items: Vec<Vec<Span<'static>>>, width: usize) -> Vec<Line<'static>> {
    const GAP: usize = 3;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for item in items {
        let item_width: usize = item.iter().map(|s| s.content.width()).sum();
        if !row.is_empty() && used + GAP + item_width > width {
            lines.push(Line::from(std::mem::take(&mut row)));
            used = 0;
        }
        if !row.is_empty() {
            row.push(Span::raw(" ".repeat(GAP)));
            used += GAP;
        }
        for span in item {
            let room = width.saturating_sub(used);
            let shown = fit(&span.content, room);
            used += shown.width();
            row.push(Span::styled(shown, span.style));
        }
    }
    if !row.is_empty() {
        lines.push(Line::from(row));
    }
    lines
}

/// A bordered box with some text, a form, and more text.
pub struct FormBox<'a> {
    pub title: &'a str,
    pub width: u16,
    pub intro: Vec<(String, Style)>,
    pub outro: Vec<(String, Style)>,
}

/// Draws the box centred in `within`, as tall as its content, and puts the terminal cursor
/// in the focused field (where an input method shows what is being composed).
pub fn render_form_box(frame: &mut Frame, within: Rect, spec: FormBox, form: &Form, i18n: &I18n) {
    let width = spec.width.min(within.width);
    let inner_width = width.saturating_sub(4);
    let body = form_lines(form, i18n, inner_width);
    let wrapped = |texts: Vec<(String, Style)>| -> Vec<Line<'static>> {
        texts
            .into_iter()
            .flat_map(|(text, style)| {
                let parts = if text.is_empty() {
                    vec![String::new()]
                } else {
                    wrap(&text, inner_width as usize)
                };
                parts
                    .into_iter()
                    .map(move |part| Line::from(Span::styled(part, style)))
            })
            .collect()
    };
    let mut lines = wrapped(spec.intro);
    let form_top = lines.len();
    lines.extend(body.lines);
    lines.extend(wrapped(spec.outro));
    let area = popup(within, width, lines.len() as u16 + 2);
    clear(frame, area);
    let block = Block::bordered()
        .title(format!(" {} ", spec.title))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
    if let Some((row, col)) = body.cursor {
        let y = inner.y + (form_top + row) as u16;
        if y < inner.bottom() {
            frame.set_cursor_position(Position::new(inner.x + col.min(inner.width), y));
        }
    }
}

/// A question over the screen, with the keys that answer it (`keys`, e.g. "Enter OK ·
/// Esc back").
pub fn confirm(frame: &mut Frame, area: Rect, i18n: &I18n, question: &str, keys: &str) {
    const WIDTH: u16 = 56;
    // As tall as the question needs (borders and padding take four columns).
    let mut lines: Vec<Line> = wrap(question, usize::from(WIDTH - 4))
        .into_iter()
        .map(Line::from)
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(keys.to_string(), dim())));
    let box_area = popup(area, WIDTH, (lines.len() as u16 + 2).max(7));
    clear(frame, box_area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(format!(" {} ", i18n.t("confirm.title")))
                .padding(ratatui::widgets::Padding::horizontal(1)),
        ),
        box_area,
    );
}

/// A table's header row.
pub fn header_row(cells: Vec<&str>) -> Row<'static> {
    Row::new(cells.into_iter().map(str::to_string).collect::<Vec<_>>())
        .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED))
}

pub fn selected_style() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// One line of a column of named groups with their sizes (a book's segments, the risk
/// desk's lists), `width` wide: the name cut to fit and the count right-aligned. The one
/// shown is marked, an empty one dimmed; otherwise `style`.
pub fn counted_line(
    name: &str,
    count: u64,
    width: u16,
    shown: bool,
    style: Style,
) -> Line<'static> {
    let count_text = count.to_string();
    let room = usize::from(width).saturating_sub(count_text.len() + 3);
    let name = fit(name, room);
    let pad = room.saturating_sub(name.width());
    let text = format!(" {name}{} {count_text} ", " ".repeat(pad));
    let style = if shown {
        selected_style().add_modifier(Modifier::BOLD)
    } else if count == 0 {
        dim()
    } else {
        style
    };
    Line::from(Span::styled(text, style))
}

#[cfg(test)]
mod tests {
    use super::{fit, wrap};

    #[test]
    fn fit_cuts_by_display_width_and_says_so() {
        assert_eq!(fit("Product sales", 10), "Product s…");
        assert_eq!(fit("北京西单支行", 9), "北京西单…");
        assert_eq!(fit("北京西单支行", 12), "北京西单支行");
        assert_eq!(fit("anything", 0), "");
    }
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn wrap_breaks_english_at_spaces_and_chinese_anywhere() {
        let en = wrap("Passphrase: at least twelve characters long", 20);
        assert_eq!(en, ["Passphrase: at least", "twelve characters", "long"]);
        let zh = wrap("员工号：3–32 个字母、数字", 10);
        assert!(zh.iter().all(|l| l.width() <= 10), "{zh:?}");
        assert_eq!(zh.concat().replace(' ', ""), "员工号：3–32个字母、数字");
    }
}
