//! The selection in a list, moved by the same keys on every screen that has one.

use super::command::Command;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    pub index: usize,
}

impl Selection {
    /// Moves the selection for a list key, in a list of `len` rows where PageUp and
    /// PageDown move `page` rows. False for any other command.
    pub fn step(&mut self, command: Command, len: usize, page: usize) -> bool {
        let last = len.saturating_sub(1);
        self.index = match command {
            Command::Up => self.index.saturating_sub(1),
            Command::Down => (self.index + 1).min(last),
            Command::PageUp => self.index.saturating_sub(page),
            Command::PageDown => (self.index + page).min(last),
            Command::First => 0,
            Command::Last => last,
            _ => return false,
        };
        true
    }

    /// Keeps the selection inside a list that is now `len` rows long.
    pub fn clamp(&mut self, len: usize) {
        self.index = self.index.min(len.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_stays_inside_the_list() {
        let mut s = Selection::default();
        assert!(s.step(Command::Up, 5, 10));
        assert_eq!(s.index, 0);
        s.step(Command::PageDown, 5, 10);
        assert_eq!(s.index, 4);
        s.step(Command::Down, 5, 10);
        assert_eq!(s.index, 4);
        s.step(Command::PageUp, 5, 2);
        assert_eq!(s.index, 2);
        s.step(Command::Last, 0, 10);
        assert_eq!(s.index, 0, "an empty list selects its first place");
        assert!(!s.step(Command::Refresh, 5, 10));
        s.index = 9;
        s.clamp(3);
        assert_eq!(s.index, 2);
    }
}
