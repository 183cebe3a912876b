//! The keymap as data: `assets/keymap.toml`, with overrides from the user's config. The
//! footer hints and the F1 help are generated from it, so they cannot drift from the keys.

use crate::app::{Command, Context};
use crate::assets;
use crate::i18n::I18n;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    code: KeyCode,
    ctrl: bool,
}

impl Key {
    pub fn parse(text: &str) -> Option<Key> {
        let named = |name: &str| -> Option<KeyCode> {
            Some(match name {
                "Esc" => KeyCode::Esc,
                "Enter" => KeyCode::Enter,
                "Tab" => KeyCode::Tab,
                "BackTab" => KeyCode::BackTab,
                "Backspace" => KeyCode::Backspace,
                "Delete" => KeyCode::Delete,
                "Left" => KeyCode::Left,
                "Right" => KeyCode::Right,
                "Up" => KeyCode::Up,
                "Down" => KeyCode::Down,
                "Home" => KeyCode::Home,
                "End" => KeyCode::End,
                "PageUp" => KeyCode::PageUp,
                "PageDown" => KeyCode::PageDown,
                _ => {
                    let n: u8 = name.strip_prefix('F')?.parse().ok()?;
                    if !(1..=12).contains(&n) {
                        return None;
                    }
                    KeyCode::F(n)
                }
            })
        };
        if let Some(rest) = text.strip_prefix("Ctrl-") {
            let mut chars = rest.chars();
            let c = chars.next()?;
            if chars.next().is_some() || !c.is_ascii_alphabetic() {
                return None;
            }
            return Some(Key {
                code: KeyCode::Char(c.to_ascii_lowercase()),
                ctrl: true,
            });
        }
        if let Some(code) = named(text) {
            return Some(Key { code, ctrl: false });
        }
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            // A single printable non-letter: letters always belong to the text fields.
            (Some(c), None) if !c.is_alphanumeric() && !c.is_whitespace() => Some(Key {
                code: KeyCode::Char(c),
                ctrl: false,
            }),
            _ => None,
        }
    }

    pub fn matches(&self, event: &KeyEvent) -> bool {
        if event.modifiers.contains(KeyModifiers::ALT) {
            return false;
        }
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        match (self.code, event.code) {
            (KeyCode::Char(want), KeyCode::Char(got)) => {
                ctrl == self.ctrl && want == got.to_ascii_lowercase()
            }
            (want, got) => !ctrl && want == got,
        }
    }

    /// The key event this key is (for tests that press every key).
    pub fn event(&self) -> KeyEvent {
        let modifiers = if self.ctrl {
            KeyModifiers::CONTROL
        } else {
            KeyModifiers::NONE
        };
        KeyEvent::new(self.code, modifiers)
    }

    /// How the key is written in hints and help.
    pub fn label(&self) -> String {
        match self.code {
            KeyCode::Char(c) if self.ctrl => format!("Ctrl-{}", c.to_ascii_uppercase()),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            other => format!("{other:?}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub context: Context,
    pub command: Command,
    pub keys: Vec<Key>,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    /// The shipped keymap with the user's overrides applied.
    pub fn load(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        let mut keymap = Keymap::parse(assets::KEYMAP)?;
        for (action, keys) in overrides {
            let command = Command::from_name(action)
                .ok_or_else(|| format!("[keymap] {action}: unknown action"))?;
            let keys =
                parse_keys(keys).map_err(|k| format!("[keymap] {action}: unknown key {k:?}"))?;
            let mut found = false;
            for binding in keymap.bindings.iter_mut().filter(|b| b.command == command) {
                binding.keys = keys.clone();
                found = true;
            }
            if !found {
                keymap.bindings.push(Binding {
                    context: Context::Global,
                    command,
                    keys,
                });
            }
        }
        Ok(keymap)
    }

    pub fn parse(text: &str) -> Result<Keymap, String> {
        let table: toml::Table = text.parse().map_err(|e| format!("keymap: {e}"))?;
        let mut bindings = Vec::new();
        for (context_name, entries) in &table {
            let context = Context::from_name(context_name)
                .ok_or_else(|| format!("keymap: unknown context [{context_name}]"))?;
            let entries = entries
                .as_table()
                .ok_or_else(|| format!("keymap: [{context_name}] is not a table"))?;
            for (action, keys) in entries {
                let command = Command::from_name(action)
                    .ok_or_else(|| format!("keymap: unknown action {action}"))?;
                let names: Vec<String> = keys
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|k| k.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                let keys = parse_keys(&names).map_err(|k| format!("keymap: unknown key {k:?}"))?;
                bindings.push(Binding {
                    context,
                    command,
                    keys,
                });
            }
        }
        Ok(Keymap { bindings })
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The command `event` asks for in the first of `contexts` that binds it.
    pub fn lookup(&self, contexts: &[Context], event: &KeyEvent) -> Option<Command> {
        contexts.iter().find_map(|context| {
            self.bindings
                .iter()
                .filter(|b| b.context == *context)
                .find(|b| b.keys.iter().any(|k| k.matches(event)))
                .map(|b| b.command)
        })
    }

    /// The first key of `command` in any of `contexts`, for hints.
    pub fn key_label(&self, contexts: &[Context], command: Command) -> Option<String> {
        contexts.iter().find_map(|context| {
            self.bindings
                .iter()
                .find(|b| b.context == *context && b.command == command)
                .and_then(|b| b.keys.first())
                .map(Key::label)
        })
    }
}

impl Keymap {
    /// "Enter OK · Esc back": the keys that answer a confirmation.
    pub fn confirm_keys(&self, i18n: &I18n) -> String {
        [Command::Confirm, Command::Back]
            .into_iter()
            .filter_map(|command| {
                let key = self.key_label(&[Context::Confirm], command)?;
                Some(format!(
                    "{key} {}",
                    command_label(i18n, Context::Confirm, command)
                ))
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// A command's label, worded for its context where the catalog has a special wording
/// (`action_in.<context>.<command>`), else its general label.
pub fn command_label(i18n: &I18n, context: Context, command: Command) -> String {
    let specific = format!("action_in.{}.{}", context.name(), command.name());
    let label = i18n.t(&specific);
    if label == specific {
        i18n.t(&command.label_key()).to_string()
    } else {
        label.to_string()
    }
}

fn parse_keys(names: &[String]) -> Result<Vec<Key>, String> {
    names
        .iter()
        .map(|name| Key::parse(name).ok_or_else(|| name.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            state: crossterm::event::KeyEventState::NONE,
        }
    }

    #[test]
    fn the_shipped_keymap_parses_and_never_binds_plain_letters() {
        let keymap = Keymap::load(&BTreeMap::new()).unwrap();
        assert!(keymap.bindings().len() > 20);
        for binding in keymap.bindings() {
            for key in &binding.keys {
                if let KeyCode::Char(c) = key.code {
                    assert!(
                        key.ctrl || !c.is_alphanumeric(),
                        "{:?} binds {c}",
                        binding.command
                    );
                }
            }
        }
    }

    #[test]
    fn lookup_prefers_the_most_specific_context() {
        let keymap = Keymap::load(&BTreeMap::new()).unwrap();
        let left = press(KeyCode::Left, KeyModifiers::NONE);
        assert_eq!(
            keymap.lookup(&[Context::Field, Context::Form, Context::Global], &left),
            Some(Command::CursorLeft)
        );
        assert_eq!(
            keymap.lookup(&[Context::Choice, Context::Form, Context::Global], &left),
            Some(Command::ChoicePrev)
        );
        let ctrl_l = press(KeyCode::Char('l'), KeyModifiers::CONTROL);
        assert_eq!(
            keymap.lookup(&[Context::Global], &ctrl_l),
            Some(Command::Lock)
        );
        let plain_l = press(KeyCode::Char('l'), KeyModifiers::NONE);
        assert_eq!(
            keymap.lookup(&[Context::Field, Context::Global], &plain_l),
            None
        );
    }

    #[test]
    fn overrides_replace_keys_and_bad_ones_are_named() {
        let mut overrides = BTreeMap::new();
        overrides.insert("lock".to_string(), vec!["Ctrl-Q".to_string()]);
        let keymap = Keymap::load(&overrides).unwrap();
        let ctrl_q = press(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(
            keymap.lookup(&[Context::Global], &ctrl_q),
            Some(Command::Lock)
        );
        let ctrl_l = press(KeyCode::Char('l'), KeyModifiers::CONTROL);
        assert_eq!(keymap.lookup(&[Context::Global], &ctrl_l), None);

        overrides.insert("lock".to_string(), vec!["q".to_string()]);
        assert!(Keymap::load(&overrides).unwrap_err().contains("\"q\""));
        let mut unknown = BTreeMap::new();
        unknown.insert("fly".to_string(), vec!["F2".to_string()]);
        assert!(Keymap::load(&unknown).unwrap_err().contains("fly"));
    }

    /// F1 heads each section with its context's name and lists each command's label: none
    /// may show as a bare catalog key, in either language.
    #[test]
    fn every_context_and_command_has_words_in_both_languages() {
        use crate::i18n::Lang;
        for lang in [Lang::Zh, Lang::En] {
            let i18n = I18n::for_lang(lang);
            for context in Context::ALL {
                let key = format!("context.{}", context.name());
                assert_ne!(i18n.t(&key), key, "{lang:?} has no words for {key}");
            }
            for command in Command::ALL {
                let key = command.label_key();
                assert_ne!(i18n.t(&key), key, "{lang:?} has no words for {key}");
            }
        }
    }

    #[test]
    fn labels_read_naturally() {
        assert_eq!(Key::parse("Ctrl-l").unwrap().label(), "Ctrl-L");
        assert_eq!(Key::parse("F10").unwrap().label(), "F10");
        assert!(Key::parse("F13").is_none());
        assert!(Key::parse("Ctrl-").is_none());
    }
}
