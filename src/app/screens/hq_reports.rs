//! HQ's views on the sync screen (F6 at HQ): the branches (their marks and gaps), the
//! complaint statistics (a year of quarters by default) and satisfaction (a year of months),
//! left and right between them, Ctrl-B and Ctrl-F moving a report's period by one quarter
//! or month, the rows scrolled with the list keys.

use crate::app::command::Command;
use crate::app::list::Selection;
use crate::domain::complaint::Quarter;
use crate::domain::survey::Month;
use crate::service::{ComplaintReport, Reply, Request, SatisfactionReport};
use chrono::NaiveDate;

/// Rows moved by PageUp/PageDown.
const PAGE_ROWS: usize = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HqView {
    #[default]
    Branches,
    Complaints,
    Satisfaction,
}

impl HqView {
    pub const ALL: [HqView; 3] = [HqView::Branches, HqView::Complaints, HqView::Satisfaction];

    pub fn label_key(self) -> &'static str {
        match self {
            HqView::Branches => "hq.view.branches",
            HqView::Complaints => "hq.view.complaints",
            HqView::Satisfaction => "hq.view.satisfaction",
        }
    }
}

#[derive(Debug, Default)]
pub struct HqReports {
    pub view: HqView,
    /// The quarters the complaint report covers (set from today on first use).
    pub quarters: Option<(Quarter, Quarter)>,
    pub months: Option<(Month, Month)>,
    pub complaints: Option<ComplaintReport>,
    pub satisfaction: Option<SatisfactionReport>,
    pub selected: Selection,
    pub loading: bool,
}

impl HqReports {
    /// Whether a report (not the branches) is shown.
    pub fn on_report(&self) -> bool {
        self.view != HqView::Branches
    }

    /// The request for the report shown, if one is.
    pub fn load(&mut self, today: NaiveDate) -> Option<Request> {
        let request = match self.view {
            HqView::Branches => return None,
            HqView::Complaints => {
                let (from, to) = *self
                    .quarters
                    .get_or_insert_with(|| crate::domain::complaint::Quarter::year_to(today));
                Request::HqComplaints { from, to }
            }
            HqView::Satisfaction => {
                let (from, to) = *self
                    .months
                    .get_or_insert_with(|| crate::domain::survey::Month::year_to(today));
                Request::HqSatisfaction { from, to }
            }
        };
        self.loading = true;
        Some(request)
    }

    /// Handles a command of the HQ views; the report to ask for, if any.
    pub fn on_command(&mut self, command: Command, today: NaiveDate) -> Option<Request> {
        match command {
            Command::NextView | Command::PrevView => {
                let here = HqView::ALL
                    .iter()
                    .position(|v| *v == self.view)
                    .unwrap_or(0);
                let count = HqView::ALL.len();
                let next = if command == Command::NextView {
                    (here + 1) % count
                } else {
                    (here + count - 1) % count
                };
                self.view = HqView::ALL[next];
                self.selected = Selection::default();
                self.load(today)
            }
            Command::EarlierPeriod | Command::LaterPeriod => {
                let earlier = command == Command::EarlierPeriod;
                match self.view {
                    HqView::Branches => return None,
                    HqView::Complaints => {
                        let (from, to) = self.quarters.get_or_insert_with(|| {
                            crate::domain::complaint::Quarter::year_to(today)
                        });
                        let step = |q: Quarter| if earlier { q.back(1) } else { q.ahead() };
                        (*from, *to) = (step(*from), step(*to));
                    }
                    HqView::Satisfaction => {
                        let (from, to) = self
                            .months
                            .get_or_insert_with(|| crate::domain::survey::Month::year_to(today));
                        let step = |m: Month| if earlier { m.back(1) } else { m.ahead() };
                        (*from, *to) = (step(*from), step(*to));
                    }
                }
                self.selected = Selection::default();
                self.load(today)
            }
            Command::Refresh => self.load(today),
            _ => {
                let len = match self.view {
                    HqView::Branches => 0,
                    HqView::Complaints => self.complaints.as_ref().map_or(0, |r| r.cells.len()),
                    HqView::Satisfaction => self.satisfaction.as_ref().map_or(0, |r| r.cells.len()),
                };
                self.selected.step(command, len, PAGE_ROWS);
                None
            }
        }
    }

    /// Takes a report's reply; gives back any other.
    pub fn on_reply(&mut self, reply: Reply) -> Result<(), Reply> {
        match reply {
            Reply::HqComplaints(report) => {
                self.selected.clamp(report.cells.len());
                self.complaints = Some(*report);
            }
            Reply::HqSatisfaction(report) => {
                self.selected.clamp(report.cells.len());
                self.satisfaction = Some(*report);
            }
            other => return Err(other),
        }
        self.loading = false;
        Ok(())
    }
}
