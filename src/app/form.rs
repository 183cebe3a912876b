//! Form fields: plain text (with cursor, CJK-aware, via tui-input), secrets (never shown,
//! zeroed when dropped) and choices.

use tui_input::{Input, InputRequest};
use zeroize::Zeroizing;

#[derive(Debug, Clone)]
pub enum FieldValue {
    Text(Input),
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
        if let FieldValue::Text(input) = &mut self.value {
            *input = Input::new(text.to_string());
        }
        self
    }

    /// The text of a text field, the secret of a secret field, the option of a choice.
    pub fn value(&self) -> &str {
        match &self.value {
            FieldValue::Text(input) => input.value(),
            FieldValue::Secret(secret) => secret.reveal(),
            FieldValue::Choice { options, index, .. } => {
                options.get(*index).map_or("", String::as_str)
            }
        }
    }

    pub fn is_text_like(&self) -> bool {
        !matches!(self.value, FieldValue::Choice { .. })
    }

    fn edit(&mut self, request: InputRequest) -> bool {
        if let InputRequest::InsertChar(c) = request
            && (c.is_control() || self.value().chars().count() >= self.max_chars)
        {
            return false;
        }
        match &mut self.value {
            FieldValue::Text(input) => input.handle(request).is_some_and(|s| s.value),
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
        // One line: a pasted newline must not submit the form.
        for c in text.chars().filter(|c| !c.is_control()) {
            self.edit(InputRequest::InsertChar(c));
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
    fn focus_wraps() {
        let mut form = Form::new(vec![Field::text("a", 5), Field::text("b", 5)]);
        form.prev();
        assert_eq!(form.focus, 1);
        assert!(form.on_last_field());
        form.next();
        assert_eq!(form.focus, 0);
    }
}
