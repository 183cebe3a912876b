//! The risk desk: the lists with their counts down the left (the one shown marked), the
//! clients of that list on the right with their level, what is due and when (the selected
//! one's in full below), and over it the rating or review form with the client's page —
//! the level in force, the computed one with its factors, the triggers, the restriction.

use crate::app::App;
use crate::app::screens::risk::{RiskPrompt, RiskScreen};
use crate::domain::staff::Role;
use crate::i18n::I18n;
use crate::service::{DeskList, DeskPage, RiskView};
use crate::tui::kit::{
    self, FormBox, dim, fit, header_row, plain, render_form_box, selected_style,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

/// The width of the list column.
const LISTS_WIDTH: u16 = 18;

pub fn render(frame: &mut Frame, area: Rect, app: &App, role: Role, screen: &RiskScreen) {
    let i18n = app.i18n;
    let Some(page) = &screen.page else {
        let block = Block::bordered().title(format!(" {} ", i18n.t("tab.risk")));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = if screen.loading {
            i18n.t("status.loading")
        } else {
            ""
        };
        frame.render_widget(Paragraph::new(Span::styled(text, dim())), inner);
        return;
    };
    let whose = if role == Role::Rm {
        i18n.t("risk.view.mine")
    } else {
        i18n.t("risk.view.branch")
    };
    let block = Block::bordered().title(Span::styled(
        format!(" {} · {whose} · {} ", i18n.t("tab.risk"), page.today),
        Style::new().add_modifier(Modifier::BOLD),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [left, right] =
        Layout::horizontal([Constraint::Length(LISTS_WIDTH), Constraint::Min(20)]).areas(inner);
    render_lists(frame, left, page, i18n);
    render_rows(frame, right, area, page, screen, i18n);
    match &screen.prompt {
        Some(RiskPrompt::Decide { view, form }) => {
            let title = if view.level.is_some() {
                i18n.t("risk.view.review_title")
            } else {
                i18n.t("risk.view.rate_title")
            };
            render_form_box(
                frame,
                area,
                FormBox {
                    title,
                    width: 78,
                    intro: page_lines(view, i18n),
                    outro: vec![(i18n.t("risk.view.approver_hint").to_string(), dim())],
                },
                form,
                i18n,
            );
        }
        Some(RiskPrompt::Lift { client_no, form }) => {
            let since = page
                .rows
                .iter()
                .find(|r| &r.client_no == client_no)
                .and_then(|r| r.restricted_on)
                .map(|d| d.to_string())
                .unwrap_or_default();
            render_form_box(
                frame,
                area,
                FormBox {
                    title: i18n.t("risk.view.lift_title"),
                    width: 64,
                    intro: vec![
                        (
                            i18n.fill(
                                "risk.view.lift_intro",
                                &[("client", client_no), ("since", &since)],
                            ),
                            Style::new(),
                        ),
                        plain(""),
                    ],
                    outro: Vec::new(),
                },
                form,
                i18n,
            );
        }
        None => {}
    }
}

fn render_lists(frame: &mut Frame, area: Rect, page: &DeskPage, i18n: &I18n) {
    let lines: Vec<Line> = DeskList::ALL
        .iter()
        .map(|list| {
            // What is late stands out.
            let style = if matches!(list, DeskList::Overdue | DeskList::Restricted) {
                Style::new().fg(Color::Red)
            } else {
                Style::new()
            };
            kit::counted_line(
                i18n.t_owned(format!("risk.short.{}", list.code())),
                page.counts.of(*list),
                LISTS_WIDTH,
                *list == page.list,
                style,
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn render_rows(
    frame: &mut Frame,
    area: Rect,
    outer: Rect,
    page: &DeskPage,
    screen: &RiskScreen,
    i18n: &I18n,
) {
    // A credit warning's loan takes a second line under the selected row's client.
    let credit = page.list == DeskList::Credit;
    let [heading, list, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(if credit { 2 } else { 1 }),
    ])
    .areas(area);
    let showing = i18n.fill(
        "risk.view.showing",
        &[
            (
                "list",
                i18n.t_owned(format!("risk.short.{}", page.list.code())),
            ),
            ("shown", &page.rows.len().to_string()),
            ("total", &page.counts.of(page.list).to_string()),
        ],
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            fit(&showing, usize::from(heading.width)),
            Style::new().fg(Color::Cyan),
        )),
        heading,
    );
    if page.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(i18n.t("risk.list_empty").to_string(), dim())),
            list,
        );
        return;
    }
    let rows: Vec<Row> = page
        .rows
        .iter()
        .map(|r| {
            let level = i18n.aml_level(&page.levels, r.level.as_deref().unwrap_or(""));
            let when = Span::styled(
                i18n.days_from_today(r.days),
                if r.days < 0 {
                    Style::new().fg(Color::Red)
                } else {
                    Style::new()
                },
            );
            Row::new(vec![
                Line::from(r.name.clone()),
                Line::from(level),
                Line::from(r.due_text(i18n, page.list, true)),
                Line::from(when),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(9),
            Constraint::Length(11),
            Constraint::Min(16),
            Constraint::Length(12),
        ],
    )
    .header(header_row(vec![
        i18n.t("risk.col.name"),
        i18n.t("risk.col.level"),
        i18n.t(if page.list == DeskList::Credit {
            "risk.col.loan"
        } else {
            "risk.col.due"
        }),
        i18n.t("risk.col.when"),
    ]))
    .column_spacing(1)
    .row_highlight_style(selected_style())
    .highlight_symbol(">");
    let mut state = TableState::default().with_selected(Some(screen.selected.index));
    let total = page.rows.len();
    frame.render_stateful_widget(table, list, &mut state);
    kit::table_scrollbar(frame, outer, list, true, total, &state);
    if let Some(row) = screen.selected_row() {
        let mut text = format!("{} · {}", row.client_no, row.rm.as_deref().unwrap_or("—"));
        if let Some(since) = row
            .restricted_on
            .filter(|_| page.list != DeskList::Restricted)
        {
            text.push_str(" · ");
            text.push_str(&i18n.fill("risk.restricted_since", &[("on", &since.to_string())]));
        }
        let width = usize::from(detail.width);
        let mut lines = vec![Line::from(Span::styled(
            fit(&text, width),
            Style::new().fg(Color::Cyan),
        ))];
        if let Some(loan) = &row.credit {
            lines.push(Line::from(Span::styled(
                fit(&loan.text(i18n), width),
                Style::new().fg(Color::Red),
            )));
        }
        frame.render_widget(Paragraph::new(lines), detail);
    }
}

/// The client's page above the form: who, the level in force and the computed one, the
/// factors with their points, what asked for an early review, the restriction.
fn page_lines(view: &RiskView, i18n: &I18n) -> Vec<(String, Style)> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = vec![(format!("{} · {}", view.name, view.client_no), bold)];
    let computed = i18n.aml_level(&view.levels, &view.computed_level);
    let mut level = i18n.fill(
        "risk.view.computed",
        &[
            ("level", &computed),
            ("score", &view.computed.score.to_string()),
        ],
    );
    if let Some(in_force) = &view.level {
        level = format!(
            "{} · {level}",
            i18n.fill(
                "risk.view.in_force",
                &[("level", &i18n.aml_level(&view.levels, in_force))]
            )
        );
    }
    lines.push((level, Style::new()));
    if view.computed.contributions.is_empty() {
        lines.push((i18n.t("risk.show.no_factors").to_string(), dim()));
    } else {
        let factors = view
            .computed
            .contributions
            .iter()
            .zip(&view.factor_names)
            .map(|(c, n)| format!("{} +{}", i18n.pick(&n.name_zh, &n.name_en), c.points))
            .collect::<Vec<_>>()
            .join(i18n.t("clients.list_separator"));
        lines.push((factors, Style::new().fg(Color::Cyan)));
    }
    if !view.triggers.is_empty() {
        let triggers = view
            .triggers
            .iter()
            .map(|t| {
                format!(
                    "{} {}",
                    i18n.t_owned(format!("risk.trigger.{}", t.kind.code())),
                    t.raised_on
                )
            })
            .collect::<Vec<_>>()
            .join(i18n.t("clients.list_separator"));
        lines.push((
            i18n.fill("risk.view.triggers", &[("triggers", &triggers)]),
            Style::new().fg(Color::Yellow),
        ));
    }
    for loan in &view.credit {
        lines.push((
            i18n.fill("risk.view.credit", &[("loan", &loan.text(i18n))]),
            Style::new().fg(Color::Red),
        ));
    }
    if let Some(since) = view.restricted_since {
        lines.push((
            i18n.fill("risk.show.restricted", &[("since", &since.to_string())]),
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        ));
    }
    lines.push(plain(""));
    lines
}
