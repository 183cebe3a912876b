//! HQ's views on the sync screen: the row naming the three (the one shown marked), and the
//! complaint and satisfaction reports as tables with their period over them and their
//! totals under them. Categories and states in words; small samples dimmed and said.

use crate::app::screens::hq_reports::{HqReports, HqView};
use crate::i18n::I18n;
use crate::service::{ComplaintReport, SatisfactionReport};
use crate::tui::kit::{self, dim, header_row, selected_style};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table, TableState};

/// The row of views, the one shown marked.
pub fn view_row(reports: &HqReports, i18n: &I18n) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, view) in HqView::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", dim()));
        }
        let text = format!(" {} ", i18n.t(view.label_key()));
        spans.push(if *view == reports.view {
            Span::styled(text, selected_style().add_modifier(Modifier::BOLD))
        } else {
            Span::raw(text)
        });
    }
    Line::from(spans)
}

/// The report shown (`frame_area`: the screen's box, for the scrollbar).
pub fn render(frame: &mut Frame, area: Rect, frame_area: Rect, reports: &HqReports, i18n: &I18n) {
    let [head, table, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let loading = reports.loading.then(|| i18n.t("status.loading"));
    match reports.view {
        HqView::Branches => {}
        HqView::Complaints => match &reports.complaints {
            Some(report) => {
                let title = i18n.fill(
                    "hq.view.complaints_period",
                    &[
                        ("from", &report.from),
                        ("to", &report.to),
                        ("as_of", &report.as_of.to_string()),
                    ],
                );
                frame.render_widget(heading(title, loading), head);
                complaints(frame, table, frame_area, report, reports, i18n);
                let (cases, overdue) = report.cells.iter().fold((0, 0), |(c, o), cell| {
                    (c + cell.complaints, o + cell.overdue)
                });
                let total = i18n.fill(
                    "hq.view.complaints_total",
                    &[
                        ("cases", &cases.to_string()),
                        ("overdue", &overdue.to_string()),
                    ],
                );
                frame.render_widget(Paragraph::new(Span::styled(total, dim())), foot);
            }
            None => frame.render_widget(heading(String::new(), loading), head),
        },
        HqView::Satisfaction => match &reports.satisfaction {
            Some(report) => {
                let title = i18n.fill(
                    "hq.view.satisfaction_period",
                    &[("from", &report.from), ("to", &report.to)],
                );
                frame.render_widget(heading(title, loading), head);
                satisfaction(frame, table, frame_area, report, reports, i18n);
                let responses: u64 = report.cells.iter().map(|c| c.responses).sum();
                let total = i18n.fill(
                    "hq.view.satisfaction_total",
                    &[("responses", &responses.to_string())],
                );
                frame.render_widget(Paragraph::new(Span::styled(total, dim())), foot);
            }
            None => frame.render_widget(heading(String::new(), loading), head),
        },
    }
}

fn heading(title: String, loading: Option<&str>) -> Paragraph<'static> {
    let mut spans = vec![Span::styled(
        title,
        Style::new().add_modifier(Modifier::BOLD),
    )];
    if let Some(loading) = loading {
        spans.push(Span::styled(format!("  {loading}"), dim()));
    }
    Paragraph::new(Line::from(spans))
}

/// The rows of a report shown in `area` under its header: only those, however many cells
/// the report has (half a million at HQ's scale), the selected one in view.
fn window(area: Rect, rows: usize, selected: usize) -> std::ops::Range<usize> {
    let visible = usize::from(area.height.saturating_sub(1)).max(1);
    let first = selected.saturating_sub(visible - 1);
    first..(first + visible).min(rows)
}

/// Where the rows shown sit among a report's `rows`, and which one is selected.
struct Place {
    rows: usize,
    shown: std::ops::Range<usize>,
    selected: usize,
}

/// A table of the report's cells shown (the rest are not built), or the sentence saying
/// there are none; the scrollbar says where they are among all of them.
fn draw_table(
    frame: &mut Frame,
    area: Rect,
    frame_area: Rect,
    table: Table,
    place: Place,
    none: &str,
) {
    if place.rows == 0 {
        frame.render_widget(Paragraph::new(Span::styled(none.to_string(), dim())), area);
        return;
    }
    let mut state = TableState::default().with_selected(Some(place.selected - place.shown.start));
    frame.render_stateful_widget(
        table.row_highlight_style(selected_style()),
        area,
        &mut state,
    );
    let list = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    let x = frame_area.right().saturating_sub(1);
    kit::scrollbar(frame, x, list, place.rows, place.shown.start);
}

fn complaints(
    frame: &mut Frame,
    area: Rect,
    frame_area: Rect,
    report: &ComplaintReport,
    reports: &HqReports,
    i18n: &I18n,
) {
    let shown = window(area, report.cells.len(), reports.selected.index);
    let rows: Vec<Row> = report.cells[shown.clone()]
        .iter()
        .map(|c| {
            let style = if c.overdue > 0 {
                Style::new().fg(Color::Yellow)
            } else {
                Style::new()
            };
            Row::new(c.words(i18n)).style(style)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Length(16),
            Constraint::Length(11),
            Constraint::Length(6),
            Constraint::Length(8),
            Constraint::Min(6),
        ],
    )
    .header(header_row(vec![
        i18n.t("hq.complaints.quarter"),
        i18n.t("hq.complaints.branch"),
        i18n.t("hq.complaints.category"),
        i18n.t("hq.complaints.state"),
        i18n.t("hq.complaints.count"),
        i18n.t("hq.complaints.overdue"),
        i18n.t("hq.view.median"),
    ]));
    let none = i18n.t("hq.complaints.none");
    let place = Place {
        rows: report.cells.len(),
        shown,
        selected: reports.selected.index,
    };
    draw_table(frame, area, frame_area, table, place, none);
}

fn satisfaction(
    frame: &mut Frame,
    area: Rect,
    frame_area: Rect,
    report: &SatisfactionReport,
    reports: &HqReports,
    i18n: &I18n,
) {
    let shown = window(area, report.cells.len(), reports.selected.index);
    let rows: Vec<Row> = report.cells[shown.clone()]
        .iter()
        .map(|c| {
            let style = if c.small_sample { dim() } else { Style::new() };
            Row::new(c.words(i18n)).style(style)
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(9),
            Constraint::Length(7),
            Constraint::Length(9),
            Constraint::Length(7),
            Constraint::Length(9),
            Constraint::Min(8),
        ],
    )
    .header(header_row(vec![
        i18n.t("hq.satisfaction.branch"),
        i18n.t("hq.satisfaction.month"),
        i18n.t("hq.satisfaction.responses"),
        i18n.t("hq.satisfaction.nps"),
        i18n.t("hq.satisfaction.nps_n"),
        i18n.t("hq.satisfaction.csat"),
        i18n.t("hq.satisfaction.csat_n"),
        i18n.t("hq.satisfaction.note"),
    ]));
    let none = i18n.t("hq.satisfaction.none");
    let place = Place {
        rows: report.cells.len(),
        shown,
        selected: reports.selected.index,
    };
    draw_table(frame, area, frame_area, table, place, none);
}
