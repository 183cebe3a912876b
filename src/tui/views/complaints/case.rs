//! One complaint case: its facts, the request and description, the history of steps, and
//! what can come next for this staff member.

use super::{days_cell, state_label};
use crate::domain::complaint::next_steps;
use crate::domain::mask::Visibility;
use crate::domain::staff::Permission;
use crate::i18n::I18n;
use crate::service::{ComplaintDetail, SessionInfo};
use crate::tui::kit::{dim, wrap};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use unicode_width::UnicodeWidthStr;

fn label(i18n: &I18n, name: &str) -> Span<'static> {
    Span::styled(
        format!("{} ", i18n.t_owned(format!("complaint.field.{name}"))),
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    )
}

fn heading(text: &str) -> Line<'static> {
    Line::from(Span::styled(
        text.to_string(),
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    ))
}

/// Which steps this staff member may take on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Steps {
    pub all: bool,
    pub notes: bool,
}

impl Steps {
    pub fn for_session(session: &SessionInfo) -> Steps {
        Steps {
            all: session.can(Permission::ManageComplaints),
            notes: session.can(Permission::RegisterComplaint),
        }
    }
}

/// The lines of one case: facts, request, description, history, and what can come next.
pub fn case_lines(
    case: &ComplaintDetail,
    allowed: Steps,
    width: usize,
    i18n: &I18n,
) -> Vec<Line<'static>> {
    let row = &case.row;
    let coded = |section: &str, code: &str| {
        i18n.t_owned(format!("complaint.{section}.{code}"))
            .to_string()
    };
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let complainant = match &row.client_no {
        Some(client_no) => format!("{} ({client_no})", row.complainant),
        None => row.complainant.clone(),
    };
    let (days, days_style) = days_cell(i18n, row);
    let mut lines = vec![
        Line::from(vec![
            label(i18n, "complainant_name"),
            Span::raw(format!("{complainant}   ")),
            label(i18n, "complainant_phone"),
            Span::raw(or_dash(&case.complainant_phone)),
        ]),
        Line::from(vec![
            label(i18n, "channel"),
            Span::raw(format!("{}   ", coded("channel", case.channel.code()))),
            label(i18n, "category"),
            Span::raw(format!("{}   ", coded("category", row.category.code()))),
            label(i18n, "severity"),
            Span::raw(coded("severity", row.severity.code())),
        ]),
        Line::from(vec![
            label(i18n, "received_on"),
            Span::raw(format!("{}   ", row.received_on)),
            label(i18n, "limit_days"),
            Span::raw(format!("{}   ", case.limit_days)),
            label(i18n, "due_on"),
            Span::raw(format!(
                "{}  ",
                row.due_on
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into())
            )),
            Span::styled(
                if row.due_on.is_some() {
                    days
                } else {
                    String::new()
                },
                days_style,
            ),
        ]),
        Line::from(vec![
            label(i18n, "handler"),
            Span::raw(format!("{}   ", or_dash(&row.handler))),
            label(i18n, "subject_staff"),
            Span::raw(format!("{}   ", or_dash(&case.subject_staff))),
            label(i18n, "extensions"),
            Span::raw(row.extensions.to_string()),
        ]),
    ];
    let request_label = i18n.t("complaint.field.request");
    for (i, part) in wrap(
        &case.request,
        width.saturating_sub(request_label.width() + 1),
    )
    .into_iter()
    .enumerate()
    {
        lines.push(if i == 0 {
            Line::from(vec![label(i18n, "request"), Span::raw(part)])
        } else {
            Line::from(format!("{}{part}", " ".repeat(request_label.width() + 1)))
        });
    }
    lines.push(Line::from(""));
    lines.push(heading(i18n.t("complaint.field.description")));
    for paragraph in case.description.lines() {
        for part in wrap(paragraph, width.saturating_sub(2)) {
            lines.push(Line::from(format!("  {part}")));
        }
    }
    lines.push(Line::from(""));
    lines.push(heading(i18n.t("complaint.field.history")));
    for entry in &case.history {
        let mut text = format!(
            "{}  {}  {}",
            entry.on,
            entry.by,
            coded("step", entry.step.code())
        );
        let details = i18n.step_details(&entry.step);
        if !details.is_empty() {
            text.push_str(&format!(" · {details}"));
        }
        if let Some(note) = &entry.note {
            text.push_str(&format!(" · {note}"));
        }
        for (i, part) in wrap(&text, width.saturating_sub(2)).into_iter().enumerate() {
            let indent = if i == 0 { "  " } else { "    " };
            lines.push(Line::from(format!("{indent}{part}")));
        }
    }
    let steps: Vec<String> = next_steps(row.state)
        .iter()
        .filter(|code| allowed.all || (allowed.notes && **code == "note"))
        .map(|code| coded("step", code))
        .collect();
    if !steps.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            i18n.fill("complaints.next", &[("steps", &steps.join(" · "))]),
            dim(),
        )));
    }
    lines
}

pub fn render(
    frame: &mut Frame,
    area: Rect,
    case: &ComplaintDetail,
    scroll: u16,
    allowed: Steps,
    i18n: &I18n,
) {
    let row = &case.row;
    let mut title = vec![Span::styled(
        format!(" {} · {} ", row.receipt_no, state_label(i18n, row.state)),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    if row.overdue {
        title.push(Span::styled(
            format!(" {} ", i18n.t("complaints.overdue_tag")),
            Style::new().bg(Color::Red).fg(Color::White),
        ));
    }
    let (tag, color) = match case.visibility {
        Visibility::Masked => ("complaints.masked", Color::Yellow),
        Visibility::Full => ("complaints.full", Color::Green),
    };
    title.push(Span::styled(
        format!(" {} ", i18n.t(tag)),
        Style::new().fg(color),
    ));
    let block = Block::bordered()
        .title(Line::from(title))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = case_lines(case, allowed, inner.width as usize, i18n);
    let max_scroll = (lines.len() as u16).saturating_sub(inner.height);
    frame.render_widget(
        Paragraph::new(lines).scroll((scroll.min(max_scroll), 0)),
        inner,
    );
}
