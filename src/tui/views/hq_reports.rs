//! HQ's views on the sync screen: the row naming the three (the one shown marked), and the
//! complaint and satisfaction reports as tables with their period over them and their
//! totals under them. Categories and states in words; small samples dimmed and said.

use crate::app::screens::hq_reports::{HqReports, HqView};
use crate::i18n::I18n;
use crate::service::{ComplaintCell, ComplaintReport, SatisfactionCell, SatisfactionReport};
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
    let loading = reports.loading().then(|| i18n.t("status.loading"));
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
                complaints(frame, (table, frame_area), report, reports, i18n);
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
                satisfaction(frame, (table, frame_area), report, reports, i18n);
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

/// How a report's cells are laid out: column widths, the headings' catalog keys, and what
/// is said when there are none.
struct Columns<'a> {
    widths: &'a [Constraint],
    headings: &'a [&'a str],
    none: &'a str,
}

/// A report's cells as a table: only those in view built (however many there are: half a
/// million at HQ's scale), the selected one among them; the scrollbar says where they are.
fn draw_cells<C>(
    frame: &mut Frame,
    (area, frame_area): (Rect, Rect),
    cells: &[C],
    selected: usize,
    columns: Columns,
    i18n: &I18n,
    row: impl Fn(&C) -> Row<'static>,
) {
    if cells.is_empty() {
        let none = Span::styled(i18n.t(columns.none).to_string(), dim());
        frame.render_widget(Paragraph::new(none), area);
        return;
    }
    let shown = window(area, cells.len(), selected);
    let rows: Vec<Row> = cells[shown.clone()].iter().map(row).collect();
    let headings = columns.headings.iter().map(|k| i18n.t(k)).collect();
    let table = Table::new(rows, columns.widths.iter().copied())
        .header(header_row(headings))
        .row_highlight_style(selected_style());
    let mut state = TableState::default().with_selected(Some(selected - shown.start));
    frame.render_stateful_widget(table, area, &mut state);
    let list = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    let x = frame_area.right().saturating_sub(1);
    kit::scrollbar(frame, x, list, cells.len(), shown.start);
}

fn complaints(
    frame: &mut Frame,
    areas: (Rect, Rect),
    report: &ComplaintReport,
    reports: &HqReports,
    i18n: &I18n,
) {
    let columns = Columns {
        widths: &[
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Length(16),
            Constraint::Length(11),
            Constraint::Length(6),
            Constraint::Length(8),
            Constraint::Min(6),
        ],
        headings: &ComplaintCell::HEADINGS,
        none: "hq.complaints.none",
    };
    draw_cells(
        frame,
        areas,
        &report.cells,
        reports.selected.index,
        columns,
        i18n,
        |c| {
            let style = if c.overdue > 0 {
                Style::new().fg(Color::Yellow)
            } else {
                Style::new()
            };
            Row::new(c.words(i18n)).style(style)
        },
    );
}

fn satisfaction(
    frame: &mut Frame,
    areas: (Rect, Rect),
    report: &SatisfactionReport,
    reports: &HqReports,
    i18n: &I18n,
) {
    let columns = Columns {
        widths: &[
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(9),
            Constraint::Length(7),
            Constraint::Length(9),
            Constraint::Length(7),
            Constraint::Length(9),
            Constraint::Min(8),
        ],
        headings: &SatisfactionCell::HEADINGS,
        none: "hq.satisfaction.none",
    };
    draw_cells(
        frame,
        areas,
        &report.cells,
        reports.selected.index,
        columns,
        i18n,
        |c| {
            let style = if c.small_sample { dim() } else { Style::new() };
            Row::new(c.words(i18n)).style(style)
        },
    );
}
