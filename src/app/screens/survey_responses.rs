//! The responses behind a survey's statistics (F5, Enter on the results): a list, newest
//! first, with each comment's start; Enter reads one response in full, Ctrl-K opens the
//! client's record.

use crate::app::command::Command;
use crate::app::list::Selection;
use crate::app::screen::{Handoff, Outcome};
use crate::app::tabs::Tab;
use crate::service::ResponseRow;

/// Rows moved by PageUp/PageDown, and lines scrolled by them while reading.
const PAGE_ROWS: usize = 10;

#[derive(Debug, Default)]
pub struct Responses {
    pub rows: Vec<ResponseRow>,
    pub loading: bool,
    pub selected: Selection,
    /// The selected response open in full, scrolled this many lines.
    pub reading: Option<u16>,
}

impl Responses {
    pub fn loading() -> Responses {
        Responses {
            loading: true,
            ..Responses::default()
        }
    }

    pub fn selected_row(&self) -> Option<&ResponseRow> {
        self.rows.get(self.selected.index)
    }

    /// Takes a fresh list; the selection stays on the response it was on.
    pub fn set(&mut self, rows: Vec<ResponseRow>) {
        let was_on = self.selected_row().map(|r| r.id.clone());
        self.rows = rows;
        self.loading = false;
        match was_on.and_then(|id| self.rows.iter().position(|r| r.id == id)) {
            Some(index) => self.selected.index = index,
            None => {
                self.selected.clamp(self.rows.len());
                self.reading = None;
            }
        }
    }

    /// The selected response's client, if it has one.
    pub fn client_no(&self) -> Option<String> {
        self.selected_row()?.client_no.clone()
    }

    /// Keys on the list, or on the response being read.
    pub fn on_command(&mut self, command: Command) -> Outcome {
        if command == Command::ClientRecord {
            return self.client_no().map_or(Outcome::None, |client_no| {
                Outcome::Open(Tab::Clients, Handoff::Client { client_no })
            });
        }
        if let Some(scroll) = self.reading.as_mut() {
            let page = PAGE_ROWS as u16;
            match command {
                Command::Up => *scroll = scroll.saturating_sub(1),
                Command::Down => *scroll = scroll.saturating_add(1),
                Command::PageUp => *scroll = scroll.saturating_sub(page),
                Command::PageDown => *scroll = scroll.saturating_add(page),
                Command::First => *scroll = 0,
                Command::ReadResponse => self.reading = None,
                _ => {}
            }
            return Outcome::None;
        }
        if !self.selected.step(command, self.rows.len(), PAGE_ROWS)
            && command == Command::ReadResponse
            && self.selected_row().is_some()
        {
            self.reading = Some(0);
        }
        Outcome::None
    }

    /// Esc: the response being read closes. False when only the list was showing.
    pub fn back(&mut self) -> bool {
        self.reading.take().is_some()
    }
}
