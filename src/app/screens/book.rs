//! The book screen (F11, 我的客户): an RM's clients cut into segments to act on — by tier,
//! moved up or down by the latest snapshot, assets falling, assessment expiring, maturing,
//! best offers. Left and Right change the segment, Enter opens a client's record; a manager
//! looks at the branch's book and, with Ctrl-F, at each RM's in turn.

use crate::app::command::{Command, Context};
use crate::app::list::Selection;
use crate::app::screen::{Ctx, Handoff, Outcome, Screen, ScreenKeys};
use crate::app::tabs::Tab;
use crate::domain::staff::Role;
use crate::service::{Book, BookEntry, Reply, Request, Segment, SessionInfo};

/// Rows moved by PageUp/PageDown.
const PAGE_ROWS: usize = 10;

#[derive(Debug, Default)]
pub struct BookScreen {
    pub book: Option<Book>,
    pub loading: bool,
    /// The segment asked for.
    pub segment: Option<Segment>,
    /// Whose book a manager asked for (none: the branch's).
    pub rm: Option<String>,
    pub selected: Selection,
    /// The client the selection stays on when the same book is read again.
    follow: Option<String>,
}

impl BookScreen {
    pub fn load(&mut self) -> Request {
        self.loading = true;
        Request::Book {
            rm: self.rm.clone(),
            segment: self.segment.clone().unwrap_or(Segment::All),
        }
    }

    pub fn selected_client(&self) -> Option<&BookEntry> {
        self.book.as_ref()?.clients.get(self.selected.index)
    }

    /// The segment `step` places from the one last asked for (keys can run ahead of the
    /// replies), in the book's order.
    fn segment_after(&self, step: isize) -> Option<Segment> {
        let book = self.book.as_ref()?;
        let count = book.segments.len() as isize;
        let from = self.segment.as_ref().unwrap_or(&book.segment);
        let at = book.segments.iter().position(|s| s.segment == *from)? as isize;
        let next = (at + step).rem_euclid(count.max(1));
        Some(book.segments.get(next as usize)?.segment.clone())
    }

    /// A manager's next book: the branch's, then each RM's in turn.
    fn next_rm(&self) -> Option<String> {
        let rms = self.book.as_ref().map(|b| b.rms.as_slice()).unwrap_or(&[]);
        match &self.rm {
            None => rms.first().cloned(),
            Some(rm) => rms
                .iter()
                .position(|r| r == rm)
                .and_then(|i| rms.get(i + 1).cloned()),
        }
    }
}

impl Screen for BookScreen {
    fn keys(&self) -> ScreenKeys {
        ScreenKeys::Live(vec![Context::Book, Context::List])
    }

    /// Only a manager chooses whose book; Enter needs a client under it.
    fn offers(&self, command: Command, session: &SessionInfo) -> bool {
        command != Command::NextBook || session.role == Role::Manager
    }

    fn allows(&self, command: Command, _session: &SessionInfo) -> bool {
        command != Command::ClientRecord || self.selected_client().is_some()
    }

    fn on_open(&mut self, _handoff: Handoff, _cx: &mut Ctx) -> Outcome {
        Outcome::Load(self.load())
    }

    fn on_command(&mut self, command: Command, cx: &mut Ctx) -> Outcome {
        let count = self.book.as_ref().map_or(0, |b| b.clients.len());
        if self.selected.step(command, count, PAGE_ROWS) {
            return Outcome::None;
        }
        match command {
            Command::Refresh => {
                self.follow = self.selected_client().map(|c| c.client_no.clone());
                Outcome::Load(self.load())
            }
            Command::NextSegment | Command::PrevSegment => {
                let step = if command == Command::NextSegment {
                    1
                } else {
                    -1
                };
                match self.segment_after(step) {
                    Some(segment) => {
                        self.segment = Some(segment);
                        self.selected = Selection::default();
                        Outcome::Load(self.load())
                    }
                    None => Outcome::None,
                }
            }
            Command::NextBook if cx.session().role == Role::Manager => {
                self.rm = self.next_rm();
                self.selected = Selection::default();
                Outcome::Load(self.load())
            }
            Command::ClientRecord => match self.selected_client() {
                Some(client) => Outcome::Open(
                    Tab::Clients,
                    Handoff::Client {
                        client_no: client.client_no.clone(),
                    },
                ),
                None => Outcome::None,
            },
            _ => Outcome::None,
        }
    }

    fn on_reply(&mut self, reply: Reply, cx: &mut Ctx) -> Result<Outcome, Reply> {
        match reply {
            Reply::Book(book) => {
                cx.clear_busy();
                self.loading = false;
                // Read again, the selection stays on the client it was on (the order may
                // have changed); another segment or book starts at the top.
                let found = self
                    .follow
                    .take()
                    .and_then(|no| book.clients.iter().position(|c| c.client_no == no));
                self.selected.index = found.unwrap_or(self.selected.index);
                self.selected.clamp(book.clients.len());
                self.book = Some(*book);
                Ok(Outcome::None)
            }
            other => Err(other),
        }
    }

    /// A book that could not be read: the line says why, and nothing stays "loading".
    fn refused(
        &mut self,
        _error: &crate::error::Error,
        message: String,
        _cx: &mut Ctx,
    ) -> Option<String> {
        self.loading = false;
        Some(message)
    }

    /// Read again: someone may have recorded an outcome, or a snapshot arrived.
    fn on_unlock(&mut self, _cx: &mut Ctx) -> Outcome {
        self.follow = self.selected_client().map(|c| c.client_no.clone());
        Outcome::Load(self.load())
    }
}
