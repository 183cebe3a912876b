//! The pages a client's record opens over its profile, one at a time: the portfolio
//! (Ctrl-P) and the points (Ctrl-D). Each has its own keys and its own question; the key
//! that opened a page closes it.

use super::points::PointsPage;
use super::portfolio::PortfolioPage;
use crate::app::command::Command;
use crate::app::form::Form;
use crate::app::screen::ScreenKeys;
use crate::i18n::I18n;
use crate::service::Request;

/// Which page: what was asked for, before its reply is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    Portfolio,
    Points,
}

impl PageKind {
    /// The key that opens the page on the record, and closes it again.
    pub fn opener(self) -> Command {
        match self {
            PageKind::Portfolio => Command::Portfolio,
            PageKind::Points => Command::Points,
        }
    }

    /// The request that reads the page.
    pub fn request(self, client_no: &str) -> Request {
        let key = client_no.to_string();
        match self {
            PageKind::Portfolio => Request::Portfolio { key },
            PageKind::Points => Request::Points { key },
        }
    }
}

#[derive(Debug)]
pub enum RecordPage {
    Portfolio(PortfolioPage),
    Points(PointsPage),
}

impl RecordPage {
    pub fn kind(&self) -> PageKind {
        match self {
            RecordPage::Portfolio(_) => PageKind::Portfolio,
            RecordPage::Points(_) => PageKind::Points,
        }
    }

    pub fn keys(&self) -> ScreenKeys {
        match self {
            RecordPage::Portfolio(page) => page.keys(),
            RecordPage::Points(page) => page.keys(),
        }
    }

    /// The form of the question being keyed, if one is.
    pub fn form(&self) -> Option<&Form> {
        match self {
            RecordPage::Portfolio(page) => page.prompt.as_ref(),
            RecordPage::Points(page) => page.form(),
        }
    }

    pub fn form_mut(&mut self) -> Option<&mut Form> {
        match self {
            RecordPage::Portfolio(page) => page.prompt.as_mut(),
            RecordPage::Points(page) => page.form_mut(),
        }
    }

    pub fn allows(&self, command: Command) -> bool {
        match self {
            RecordPage::Portfolio(_) => true,
            RecordPage::Points(page) => page.allows(command),
        }
    }

    pub fn on_command(&mut self, command: Command, i18n: &I18n) {
        match self {
            RecordPage::Portfolio(page) => page.on_command(command),
            RecordPage::Points(page) => page.on_command(command, i18n),
        }
    }

    pub fn submit(&mut self, client_no: &str, i18n: &I18n) -> Option<Request> {
        match self {
            RecordPage::Portfolio(page) => page.submit(client_no),
            RecordPage::Points(page) => page.submit(client_no, i18n),
        }
    }

    /// Esc: the question over the page closes; false if there was none.
    pub fn back(&mut self) -> bool {
        match self {
            RecordPage::Portfolio(page) => page.prompt.take().is_some(),
            RecordPage::Points(page) => page.back(),
        }
    }

    /// Something was written on the page that the record shows (an offer's outcome in the
    /// contact log, the points line): the record is read again when the page closes.
    pub fn changed(&self) -> bool {
        match self {
            RecordPage::Portfolio(page) => page.recorded,
            RecordPage::Points(page) => page.changed,
        }
    }
}
