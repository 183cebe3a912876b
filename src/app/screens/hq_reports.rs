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
    /// Asked for and not yet answered, per report (a reply to an earlier period is dropped).
    waiting_complaints: bool,
    waiting_satisfaction: bool,
}

impl HqReports {
    /// Whether the report shown is being read.
    pub fn loading(&self) -> bool {
        match self.view {
            HqView::Branches => false,
            HqView::Complaints => self.waiting_complaints,
            HqView::Satisfaction => self.waiting_satisfaction,
        }
    }

    /// The request failed: nothing is being read any more.
    pub fn failed(&mut self) {
        self.waiting_complaints = false;
        self.waiting_satisfaction = false;
    }

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
                self.waiting_complaints = true;
                Request::HqComplaints { from, to }
            }
            HqView::Satisfaction => {
                let (from, to) = *self
                    .months
                    .get_or_insert_with(|| crate::domain::survey::Month::year_to(today));
                self.waiting_satisfaction = true;
                Request::HqSatisfaction { from, to }
            }
        };
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

    /// Takes a report's reply (one for a period no longer asked for is dropped); gives back
    /// any other.
    pub fn on_reply(&mut self, reply: Reply) -> Result<(), Reply> {
        let asked = |period: Option<(String, String)>, from: &str, to: &str| {
            period.is_some_and(|(f, t)| f == from && t == to)
        };
        match reply {
            Reply::HqComplaints(report) => {
                let period = self.quarters.map(|(f, t)| (f.to_string(), t.to_string()));
                if asked(period, &report.from, &report.to) {
                    self.waiting_complaints = false;
                    if self.view == HqView::Complaints {
                        self.selected.clamp(report.cells.len());
                    }
                    self.complaints = Some(*report);
                }
            }
            Reply::HqSatisfaction(report) => {
                let period = self.months.map(|(f, t)| (f.to_string(), t.to_string()));
                if asked(period, &report.from, &report.to) {
                    self.waiting_satisfaction = false;
                    if self.view == HqView::Satisfaction {
                        self.selected.clamp(report.cells.len());
                    }
                    self.satisfaction = Some(*report);
                }
            }
            other => return Err(other),
        }
        Ok(())
    }
}
