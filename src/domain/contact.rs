//! Being in touch with a client: the channels staff use and what a contact-log note may be.

/// Ways of being in touch with a client.
pub const CHANNELS: [&str; 8] = [
    "counter", "phone", "sms", "wechat", "visit", "email", "letter", "gift",
];

/// The longest note the contact log keeps, in characters.
pub const NOTE_MAX_CHARS: usize = 500;

/// Whether `channel` and `note` (trimmed) make a contact-log entry: a known channel and a
/// note of one line or several, not empty, not too long, without control characters.
pub fn is_valid_note(channel: &str, note: &str) -> bool {
    CHANNELS.contains(&channel)
        && !note.is_empty()
        && note.chars().count() <= NOTE_MAX_CHARS
        && !note.chars().any(|c| c.is_control() && c != '\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_needs_a_known_channel_and_some_words() {
        assert!(is_valid_note("phone", "回访，客户满意"));
        assert!(is_valid_note("visit", "two lines\nof notes"));
        assert!(!is_valid_note("pigeon", "note"));
        assert!(!is_valid_note("phone", ""));
        assert!(!is_valid_note("phone", "bell\u{7}"));
        assert!(!is_valid_note("phone", &"字".repeat(NOTE_MAX_CHARS + 1)));
    }
}
