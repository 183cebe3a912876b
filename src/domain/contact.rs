//! Being in touch with a client: the channels staff use and what a contact-log note may be.

/// Ways of being in touch with a client.
pub const CHANNELS: [&str; 8] = [
    "counter", "phone", "sms", "wechat", "visit", "email", "letter", "gift",
];

/// The longest note the contact log keeps, in characters.
pub const NOTE_MAX_CHARS: usize = 500;

/// Why a contact-log entry was refused; each names the one thing to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteRule {
    UnknownChannel,
    Empty,
    TooLong,
    ControlCharacters,
}

impl NoteRule {
    pub fn message_key(self) -> &'static str {
        match self {
            NoteRule::UnknownChannel => "rule.contact_channel",
            NoteRule::Empty => "rule.contact_note_empty",
            NoteRule::TooLong => "rule.contact_note_long",
            NoteRule::ControlCharacters => "rule.contact_note_control",
        }
    }
}

/// Whether `channel` and `note` (trimmed) make a contact-log entry: a known channel and a
/// note of one line or several, not empty, not too long, without control characters.
pub fn check_note(channel: &str, note: &str) -> Result<(), NoteRule> {
    if !CHANNELS.contains(&channel) {
        Err(NoteRule::UnknownChannel)
    } else if note.is_empty() {
        Err(NoteRule::Empty)
    } else if note.chars().count() > NOTE_MAX_CHARS {
        Err(NoteRule::TooLong)
    } else if crate::domain::text::fault(crate::domain::text::TextKind::Lines, note).is_some() {
        Err(NoteRule::ControlCharacters)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_needs_a_known_channel_and_some_words() {
        assert_eq!(check_note("phone", "回访，客户满意"), Ok(()));
        assert_eq!(check_note("visit", "two lines\nof notes"), Ok(()));
        assert_eq!(check_note("pigeon", "note"), Err(NoteRule::UnknownChannel));
        assert_eq!(check_note("phone", ""), Err(NoteRule::Empty));
        assert_eq!(
            check_note("phone", "bell\u{7}"),
            Err(NoteRule::ControlCharacters)
        );
        assert_eq!(
            check_note("phone", &"字".repeat(NOTE_MAX_CHARS + 1)),
            Err(NoteRule::TooLong)
        );
    }
}
