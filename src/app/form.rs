//! Form fields: plain text (with cursor, CJK-aware, via tui-input), several lines of text
//! (via ratatui-textarea), secrets (never shown, zeroed when dropped), choices, and the
//! answers of a survey (a score on a scale, several choices). In a quick form a digit that
//! completes an answer moves on to the next question.

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
    /// A score from `min` to `max` (NPS 0–10, rating 1–5); `text` is the score or empty.
    /// `pending` holds a 1 that a 0 may still make into 10.
    Scale {
        min: u8,
        max: u8,
        text: String,
        pending: bool,
    },
    /// Any of `options` (codes); `text` is the chosen codes joined by commas.
    Multi {
        options: Vec<String>,
        chosen: Vec<bool>,
        text: String,
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
    /// Not asked now (a survey question whose condition does not hold): skipped and not shown.
    pub hidden: bool,
}

impl Field {
    pub fn text(label: &'static str, max_chars: usize) -> Field {
        Field {
            label,
            value: FieldValue::Text(Input::default()),
            max_chars,
            error: None,
            hidden: false,
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
            hidden: false,
        }
    }

    pub fn secret(label: &'static str) -> Field {
        Field {
            label,
            value: FieldValue::Secret(SecretInput::default()),
            max_chars: 256,
            error: None,
            hidden: false,
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
            hidden: false,
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
            hidden: false,
        }
    }

    /// A score on a scale, answered with its digits.
    pub fn scale(label: &'static str, min: u8, max: u8) -> Field {
        Field {
            label,
            value: FieldValue::Scale {
                min,
                max,
                text: String::new(),
                pending: false,
            },
            max_chars: 2,
            error: None,
            hidden: false,
        }
    }

    /// Any of some codes, toggled with their numbers (1 for the first).
    pub fn multi(label: &'static str, codes: Vec<String>) -> Field {
        let chosen = vec![false; codes.len()];
        Field {
            label,
            value: FieldValue::Multi {
                options: codes,
                chosen,
                text: String::new(),
            },
            max_chars: 0,
            error: None,
            hidden: false,
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
            FieldValue::Scale { text, .. } | FieldValue::Multi { text, .. } => text,
        }
    }

    pub fn is_text_like(&self) -> bool {
        !matches!(
            self.value,
            FieldValue::Choice { .. } | FieldValue::Scale { .. } | FieldValue::Multi { .. }
        )
    }

    pub fn is_lines(&self) -> bool {
        matches!(self.value, FieldValue::Lines { .. })
    }

    /// Applies an edit; returns (changed, answered: the answer is complete).
    fn edit(&mut self, request: InputRequest) -> (bool, bool) {
        match &mut self.value {
            FieldValue::Choice { .. } | FieldValue::Scale { .. } | FieldValue::Multi { .. } => {
                return self.answer(request);
            }
            _ => {}
        }
        if let InputRequest::InsertChar(c) = request
            && (c.is_control() || self.value().chars().count() >= self.max_chars)
        {
            return (false, false);
        }
        let changed = match &mut self.value {
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
            FieldValue::Choice { .. } | FieldValue::Scale { .. } | FieldValue::Multi { .. } => {
                false
            }
        };
        (changed, false)
    }

    /// Digits (and y/n) on a choice, a scale or a several-choice field; Backspace clears.
    fn answer(&mut self, request: InputRequest) -> (bool, bool) {
        let digit = match request {
            InputRequest::InsertChar(c) => c.to_digit(10),
            _ => None,
        };
        let clear = matches!(
            request,
            InputRequest::DeletePrevChar | InputRequest::DeleteLine | InputRequest::DeletePrevWord
        );
        match &mut self.value {
            FieldValue::Choice { options, index, .. } => {
                // Options are numbered from 1, not counting an empty "not answered" first one.
                let first = usize::from(options.first().is_some_and(|o| o.is_empty()));
                let wanted = match request {
                    _ if clear => (first == 1).then_some(0),
                    InputRequest::InsertChar('y' | 'Y' | '是') => {
                        options.iter().position(|o| o == "yes")
                    }
                    InputRequest::InsertChar('n' | 'N' | '否') => {
                        options.iter().position(|o| o == "no")
                    }
                    _ => digit
                        .filter(|d| *d >= 1)
                        .map(|d| d as usize - 1 + first)
                        .filter(|i| *i < options.len()),
                };
                match wanted {
                    Some(i) => {
                        *index = i;
                        (true, !clear)
                    }
                    None => (false, false),
                }
            }
            FieldValue::Scale {
                min,
                max,
                text,
                pending,
            } => {
                if clear {
                    text.clear();
                    *pending = false;
                    return (true, false);
                }
                let Some(d) = digit else {
                    return (false, false);
                };
                let d = d as u8;
                // After a 1 on a scale that reaches 10, a 0 makes 10.
                let score = if *pending && d == 0 { 10 } else { d };
                if score < *min || score > *max {
                    return (false, false);
                }
                *text = score.to_string();
                *pending = score == 1 && *max >= 10;
                (true, !*pending)
            }
            FieldValue::Multi {
                options,
                chosen,
                text,
            } => {
                if clear {
                    chosen.iter_mut().for_each(|c| *c = false);
                } else if let Some(slot) = digit
                    .filter(|d| *d >= 1)
                    .and_then(|d| chosen.get_mut(d as usize - 1))
                {
                    *slot = !*slot;
                } else {
                    return (false, false);
                }
                *text = options
                    .iter()
                    .zip(chosen.iter())
                    .filter(|(_, c)| **c)
                    .map(|(o, _)| o.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                (true, false)
            }
            _ => (false, false),
        }
    }

    fn cycle(&mut self, step: isize) -> bool {
        match &mut self.value {
            FieldValue::Choice { options, index, .. } if !options.is_empty() => {
                let len = options.len() as isize;
                *index = ((*index as isize + step).rem_euclid(len)) as usize;
                true
            }
            FieldValue::Scale {
                min,
                max,
                text,
                pending,
            } => {
                let now = text.parse::<i64>().ok();
                let next = match now {
                    Some(v) => (v + step as i64).clamp(i64::from(*min), i64::from(*max)),
                    None if step > 0 => i64::from(*min),
                    None => i64::from(*max),
                };
                *text = next.to_string();
                *pending = false;
                true
            }
            _ => false,
        }
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
    /// A digit that completes an answer moves on to the next field (survey entry).
    pub quick: bool,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Form {
        Form {
            fields,
            focus: 0,
            dirty: false,
            error: None,
            quick: false,
        }
    }

    pub fn focused(&self) -> Option<&Field> {
        self.fields.get(self.focus)
    }

    pub fn value(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", Field::value)
    }

    /// Moves the focus by `step`, wrapping, over the fields that are shown.
    fn step(&mut self, step: isize) {
        let len = self.fields.len() as isize;
        for _ in 0..len {
            self.focus = ((self.focus as isize + step).rem_euclid(len.max(1))) as usize;
            if !self.fields[self.focus].hidden {
                return;
            }
        }
    }

    pub fn next(&mut self) {
        if !self.fields.is_empty() {
            self.step(1);
        }
    }

    pub fn prev(&mut self) {
        if !self.fields.is_empty() {
            self.step(-1);
        }
    }

    /// On the last field that is shown.
    pub fn on_last_field(&self) -> bool {
        self.fields
            .get(self.focus + 1..)
            .is_none_or(|rest| rest.iter().all(|f| f.hidden))
    }

    /// Puts `text` in the text field at `index` (a value chosen elsewhere, such as a client
    /// found by lookup) and moves on from it.
    pub fn fill(&mut self, index: usize, text: &str) {
        let Some(field) = self.fields.get_mut(index) else {
            return;
        };
        if let FieldValue::Text(input) = &mut field.value {
            *input = Input::new(text.to_string());
            field.error = None;
            self.error = None;
            self.dirty = true;
            self.focus = index;
            self.next();
        }
    }

    pub fn edit(&mut self, request: InputRequest) {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        let (changed, answered) = field.edit(request);
        if changed {
            field.error = None;
            self.error = None;
            self.dirty = true;
        }
        if answered && self.quick && !self.on_last_field() {
            self.next();
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

/// The catalog key of a choice's option label (`kind.person`, `tier.gold`…).
pub fn option_label_key(field_label: &str, code: &str) -> String {
    let group = match field_label {
        "client.field.kind" => "kind",
        "client.field.id_type" => "id_type",
        "client.field.gender" => "gender",
        "client.field.birth_calendar" => "calendar",
        "client.field.tier" => "tier",
        "client.field.consent_marketing" => "yes_no",
        "field.channel" => "channel",
        "field.offer_outcome" => "offers.outcome",
        "complaint.field.channel" => "complaint.channel",
        "complaint.field.category" => "complaint.category",
        "complaint.field.severity" => "complaint.severity",
        "complaint.field.reason" => "complaint.pause",
        "complaint.field.step" => "complaint.step",
        "complaint.field.complainant_told" | "complaint.field.satisfied" => "yes_no",
        "care.field.action" => "care.action",
        "care.field.kind" => "care.event",
        "care.field.yearly" => "yes_no",
        "care.field.channel" => "channel",
        "risk.field.outcome" => "risk.outcome",
        "events.field.reply" => "events.reply",
        _ => return code.to_string(),
    };
    if code.is_empty() {
        return "choice.unset".into();
    }
    format!("{group}.{code}")
}

#[cfg(test)]
mod tests;
