//! Form fields: plain text (with cursor, CJK-aware, via tui-input), several lines of text
//! (via ratatui-textarea), secrets (never shown, zeroed when dropped) and choices.

use ratatui_textarea::{CursorMove, TextArea, WrapMode};
use tui_input::{Input, InputRequest};
use zeroize::Zeroizing;

#[derive(Debug, Clone)]
pub enum FieldValue {
    Text(Input),
    /// Several lines (a complaint's description). `text` mirrors the area's lines.
    Lines {
        area: Box<TextArea<'static>>,
        text: String,
        rows: u16,
    },
    Secret(SecretInput),
    /// `options` are labels, or (with `coded`) codes whose labels the screen looks up.
    Choice {
        options: Vec<String>,
        index: usize,
        coded: bool,
    },
}

/// A passphrase being typed: kept in zeroizing memory, edited only at its end.
#[derive(Debug, Clone, Default)]
pub struct SecretInput(Zeroizing<String>);

impl SecretInput {
    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }

    pub fn reveal(&self) -> &str {
        &self.0
    }

    fn handle(&mut self, request: InputRequest) {
        match request {
            InputRequest::InsertChar(c) => self.0.push(c),
            InputRequest::DeletePrevChar => {
                self.0.pop();
            }
            InputRequest::DeleteLine | InputRequest::DeletePrevWord => self.0.clear(),
            _ => {}
        }
    }
}

#[derive(Debug, Clone)]
pub struct Field {
    /// i18n key of the label.
    pub label: &'static str,
    pub value: FieldValue,
    pub max_chars: usize,
    /// Why the last submit refused this field.
    pub error: Option<String>,
}

impl Field {
    pub fn text(label: &'static str, max_chars: usize) -> Field {
        Field {
            label,
            value: FieldValue::Text(Input::default()),
            max_chars,
            error: None,
        }
    }

    /// Several lines of text, shown `rows` high and wrapped to the field's width.
    pub fn lines(label: &'static str, max_chars: usize, rows: u16) -> Field {
        let mut area = TextArea::default();
        area.set_wrap_mode(WrapMode::WordOrGlyph);
        // The terminal's own cursor marks the place (and shows what an input method is
        // composing); the widget draws none of its own.
        area.set_cursor_line_style(ratatui::style::Style::new());
        area.set_cursor_style(ratatui::style::Style::new());
        area.set_style(
            ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::UNDERLINED),
        );
        Field {
            label,
            value: FieldValue::Lines {
                area: Box::new(area),
                text: String::new(),
                rows,
            },
            max_chars,
            error: None,
        }
    }

    pub fn secret(label: &'static str) -> Field {
        Field {
            label,
            value: FieldValue::Secret(SecretInput::default()),
            max_chars: 256,
            error: None,
        }
    }

    pub fn choice(label: &'static str, options: Vec<String>, index: usize) -> Field {
        Field {
            label,
            value: FieldValue::Choice {
                options,
                index,
                coded: false,
            },
            max_chars: 0,
            error: None,
        }
    }

    /// A choice among codes (`person`, `company`); its value is the chosen code.
    pub fn choice_with_codes(label: &'static str, codes: Vec<String>, index: usize) -> Field {
        Field {
            label,
            value: FieldValue::Choice {
                options: codes,
                index,
                coded: true,
            },
            max_chars: 0,
            error: None,
        }
    }

    pub fn with_text(mut self, text: &str) -> Field {
        match &mut self.value {
            FieldValue::Text(input) => *input = Input::new(text.to_string()),
            FieldValue::Lines {
                area, text: mirror, ..
            } => {
                area.insert_str(text);
                *mirror = area.lines().join("\n");
            }
            _ => {}
        }
        self
    }

    /// The text of a text field, the secret of a secret field, the option of a choice.
    pub fn value(&self) -> &str {
        match &self.value {
            FieldValue::Text(input) => input.value(),
            FieldValue::Lines { text, .. } => text,
            FieldValue::Secret(secret) => secret.reveal(),
            FieldValue::Choice { options, index, .. } => {
                options.get(*index).map_or("", String::as_str)
            }
        }
    }

    pub fn is_text_like(&self) -> bool {
        !matches!(self.value, FieldValue::Choice { .. })
    }

    pub fn is_lines(&self) -> bool {
        matches!(self.value, FieldValue::Lines { .. })
    }

    fn edit(&mut self, request: InputRequest) -> bool {
        if let InputRequest::InsertChar(c) = request
            && (c.is_control() || self.value().chars().count() >= self.max_chars)
        {
            return false;
        }
        match &mut self.value {
            FieldValue::Text(input) => input.handle(request).is_some_and(|s| s.value),
            FieldValue::Lines { area, text, .. } => {
                let changed = match request {
                    InputRequest::InsertChar(c) => {
                        area.insert_char(c);
                        true
                    }
                    InputRequest::DeletePrevChar => area.delete_char(),
                    InputRequest::DeleteNextChar => area.delete_next_char(),
                    InputRequest::DeletePrevWord => area.delete_word(),
                    InputRequest::DeleteLine => area.clear(),
                    InputRequest::GoToPrevChar => {
                        area.move_cursor(CursorMove::Back);
                        false
                    }
                    InputRequest::GoToNextChar => {
                        area.move_cursor(CursorMove::Forward);
                        false
                    }
                    InputRequest::GoToStart => {
                        area.move_cursor(CursorMove::Head);
                        false
                    }
                    InputRequest::GoToEnd => {
                        area.move_cursor(CursorMove::End);
                        false
                    }
                    _ => false,
                };
                if changed {
                    *text = area.lines().join("\n");
                }
                changed
            }
            FieldValue::Secret(secret) => {
                let before = secret.chars();
                secret.handle(request);
                before != secret.chars() || matches!(request, InputRequest::InsertChar(_))
            }
            FieldValue::Choice { .. } => false,
        }
    }

    fn cycle(&mut self, step: isize) -> bool {
        if let FieldValue::Choice { options, index, .. } = &mut self.value
            && !options.is_empty()
        {
            let len = options.len() as isize;
            *index = ((*index as isize + step).rem_euclid(len)) as usize;
            return true;
        }
        false
    }
}

#[derive(Debug, Clone)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Changed since it was opened: leaving asks first.
    pub dirty: bool,
    /// A sentence about the whole form (e.g. the store's answer).
    pub error: Option<String>,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Form {
        Form {
            fields,
            focus: 0,
            dirty: false,
            error: None,
        }
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    pub fn value(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", Field::value)
    }

    pub fn next(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + 1) % self.fields.len();
        }
    }

    pub fn prev(&mut self) {
        if !self.fields.is_empty() {
            self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
        }
    }

    pub fn on_last_field(&self) -> bool {
        self.focus + 1 == self.fields.len()
    }

    pub fn edit(&mut self, request: InputRequest) {
        if let Some(field) = self.fields.get_mut(self.focus)
            && field.edit(request)
        {
            field.error = None;
            self.error = None;
            self.dirty = true;
        }
    }

    pub fn paste(&mut self, text: &str) {
        let lines = self.focused().is_some_and(Field::is_lines);
        for c in text.chars() {
            match c {
                // Several-line fields keep the pasted lines; elsewhere a pasted newline must
                // not submit the form.
                '\n' if lines => self.new_line(),
                c if c.is_control() => {}
                c => self.edit(InputRequest::InsertChar(c)),
            }
        }
    }

    /// Starts a new line in a several-line field.
    pub fn new_line(&mut self) {
        if let Some(field) = self.fields.get_mut(self.focus)
            && field.value().chars().count() < field.max_chars
            && let FieldValue::Lines { area, text, .. } = &mut field.value
        {
            area.insert_newline();
            *text = area.lines().join("\n");
            field.error = None;
            self.error = None;
            self.dirty = true;
        }
    }

    /// Moves the cursor a line up (`-1`) or down in a several-line field.
    pub fn move_line(&mut self, step: i32) {
        if let Some(Field {
            value: FieldValue::Lines { area, .. },
            ..
        }) = self.fields.get_mut(self.focus)
        {
            area.move_cursor(if step < 0 {
                CursorMove::Up
            } else {
                CursorMove::Down
            });
        }
    }

    pub fn cycle(&mut self, step: isize) {
        if let Some(field) = self.fields.get_mut(self.focus)
            && field.cycle(step)
        {
            self.dirty = true;
        }
    }

    pub fn clear_errors(&mut self) {
        self.error = None;
        for field in &mut self.fields {
            field.error = None;
        }
    }

    /// Sets a field's error and moves the focus there.
    pub fn refuse(&mut self, index: usize, message: String) {
        if let Some(field) = self.fields.get_mut(index) {
            field.error = Some(message);
            self.focus = index;
        }
    }

    /// Empties every secret field (after a failed login, say).
    pub fn clear_secrets(&mut self) {
        for field in &mut self.fields {
            if let FieldValue::Secret(secret) = &mut field.value {
                *secret = SecretInput::default();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_take_chinese_and_respect_their_limit() {
        let mut form = Form::new(vec![Field::text("f", 3)]);
        form.paste("王芳\n芳芳");
        assert_eq!(form.value(0), "王芳芳");
        assert!(form.dirty);
        form.edit(InputRequest::DeletePrevChar);
        assert_eq!(form.value(0), "王芳");
    }

    #[test]
    fn secrets_append_and_clear() {
        let mut form = Form::new(vec![Field::secret("p")]);
        form.paste("abc");
        form.edit(InputRequest::DeletePrevChar);
        assert_eq!(form.value(0), "ab");
        form.clear_secrets();
        assert_eq!(form.value(0), "");
    }

    #[test]
    fn choices_cycle_both_ways() {
        let mut form = Form::new(vec![Field::choice(
            "r",
            vec!["a".into(), "b".into(), "c".into()],
            0,
        )]);
        form.cycle(-1);
        assert_eq!(form.value(0), "c");
        form.cycle(1);
        form.cycle(1);
        assert_eq!(form.value(0), "b");
    }

    #[test]
    fn several_line_fields_keep_their_lines() {
        let mut form = Form::new(vec![Field::lines("d", 12, 3)]);
        form.paste("第一行\n第二行");
        form.new_line();
        form.edit(InputRequest::InsertChar('x'));
        assert_eq!(form.value(0), "第一行\n第二行\nx");
        form.move_line(-1);
        form.edit(InputRequest::GoToEnd);
        form.edit(InputRequest::DeletePrevChar);
        assert_eq!(form.value(0), "第一行\n第二\nx");
        // The limit counts every character, newlines included.
        form.paste("一二三四五六七八九十");
        assert_eq!(form.value(0).chars().count(), 12);
        form.new_line();
        assert_eq!(form.value(0).chars().count(), 12);
        form.edit(InputRequest::DeleteLine);
        assert_eq!(form.value(0), "");
    }

    #[test]
    fn focus_wraps() {
        let mut form = Form::new(vec![Field::text("a", 5), Field::text("b", 5)]);
        form.prev();
        assert_eq!(form.focus, 1);
        assert!(form.on_last_field());
        form.next();
        assert_eq!(form.focus, 0);
    }
}
