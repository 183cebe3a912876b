//! The events screen: the upcoming events with their places and counts (invited, yes,
//! came, NPS of those who came); an event's page with its figures and the invitation list
//! to work through (those not answered first); the reply form over it.

use crate::app::App;
use crate::app::events::EventsScreen;
use crate::i18n::I18n;
use crate::service::{EventDetail, EventRow};
use crate::tui::keymap::Keymap;
use crate::tui::kit::{self, FormBox, dim, fit, header_row, plain, render_form_box};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

pub fn render(frame: &mut Frame, area: Rect, app: &App, screen: &EventsScreen, _keymap: &Keymap) {
    let i18n = app.i18n;
    match &screen.detail {
        Some(detail) => render_detail(frame, area, screen, detail, i18n),
        None => render_list(frame, area, screen, i18n),
    }
    if let (Some(form), Some(invitation)) = (&screen.prompt, screen.selected_invitation()) {
        let intro = format!("{} · {}", invitation.client_no, invitation.name);
        let spec = FormBox {
            title: i18n.t("events.reply_title"),
            width: 56,
            intro: vec![plain(&intro), plain("")],
            outro: Vec::new(),
        };
        render_form_box(frame, area, spec, form, i18n);
    }
}

/// "12.5 (n=8)", or a dash before anyone answered.
fn nps_text(event: &EventRow) -> String {
    event.figures.nps.map_or_else(
        || "—".to_string(),
        |n| format!("{n:.1} (n={})", event.figures.surveyed),
    )
}

fn render_list(frame: &mut Frame, area: Rect, screen: &EventsScreen, i18n: &I18n) {
    let block = Block::bordered().title(format!(" {} ", i18n.t("events.title")));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if screen.events.is_empty() {
        let key = if screen.loading {
            "status.loading"
        } else {
            "events.none"
        };
        frame.render_widget(Paragraph::new(Span::styled(i18n.t(key), dim())), inner);
        return;
    }
    let rows: Vec<Row> = screen
        .events
        .iter()
        .map(|e| {
            let f = &e.figures;
            Row::new(vec![
                e.on.format("%m-%d").to_string(),
                i18n.t_owned(format!("events.kind.{}", e.kind.code()))
                    .to_string(),
                e.title.clone(),
                format!("{}/{}", f.accepted, e.capacity),
                f.invited.to_string(),
                f.no_answer.to_string(),
                f.attended.to_string(),
                nps_text(e),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(5),
            Constraint::Length(12),
            Constraint::Min(12),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Length(6),
            Constraint::Length(4),
            Constraint::Length(10),
        ],
    )
    .header(header_row(vec![
        i18n.t("events.col.on"),
        i18n.t("events.col.kind"),
        i18n.t("events.col.title"),
        i18n.t("events.col.places"),
        i18n.t("events.col.invited"),
        i18n.t("events.col.open"),
        i18n.t("events.col.attended"),
        i18n.t("events.col.nps"),
    ]))
    .column_spacing(1)
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut state = TableState::default().with_selected(Some(screen.selected.index));
    frame.render_stateful_widget(table, inner, &mut state);
    kit::table_scrollbar(frame, area, inner, true, screen.events.len(), &state);
}

fn render_detail(
    frame: &mut Frame,
    area: Rect,
    screen: &EventsScreen,
    detail: &EventDetail,
    i18n: &I18n,
) {
    let e = &detail.event;
    let title = format!(
        " {} · {} · {} ",
        e.code,
        e.title,
        i18n.t_owned(format!("events.kind.{}", e.kind.code()))
    );
    let block = Block::bordered()
        .title(Span::styled(
            title,
            Style::new().add_modifier(Modifier::BOLD),
        ))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let f = &e.figures;
    let top = vec![
        Line::from(Span::raw(fit(
            &i18n.fill(
                "events.where",
                &[("on", &e.on.to_string()), ("place", &e.place)],
            ),
            width,
        ))),
        Line::from(Span::styled(
            fit(
                &i18n.fill(
                    "events.figures",
                    &[
                        ("invited", &f.invited.to_string()),
                        ("accepted", &f.accepted.to_string()),
                        ("capacity", &e.capacity.to_string()),
                        ("declined", &f.declined.to_string()),
                        ("open", &f.no_answer.to_string()),
                        ("attended", &f.attended.to_string()),
                        ("nps", &nps_text(e)),
                    ],
                ),
                width,
            ),
            Style::new().fg(Color::Cyan),
        )),
    ];
    let [top_area, list_area] =
        Layout::vertical([Constraint::Length(3), Constraint::Min(2)]).areas(inner);
    frame.render_widget(Paragraph::new(top), top_area);
    if detail.invitations.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(i18n.t("events.no_invitations"), dim())),
            list_area,
        );
        return;
    }
    let rows: Vec<Row> = detail
        .invitations
        .iter()
        .map(|i| {
            let row = Row::new(vec![
                i.client_no.clone(),
                i.name.clone(),
                i.rm.clone().unwrap_or_default(),
                i18n.t_owned(format!("events.reply.{}", i.reply.code()))
                    .to_string(),
                if i.attended {
                    i18n.t("events.came_mark").to_string()
                } else {
                    String::new()
                },
            ]);
            if i.reply == crate::domain::events::Reply::No {
                row.style(dim())
            } else {
                row
            }
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(15),
            Constraint::Min(10),
            Constraint::Length(10),
            Constraint::Length(10),
            Constraint::Length(6),
        ],
    )
    .header(header_row(vec![
        i18n.t("events.col.client"),
        i18n.t("events.col.name"),
        i18n.t("events.col.rm"),
        i18n.t("events.col.reply"),
        i18n.t("events.col.came"),
    ]))
    .column_spacing(1)
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut state = TableState::default().with_selected(Some(screen.invitation.index));
    frame.render_stateful_widget(table, list_area, &mut state);
    kit::table_scrollbar(
        frame,
        area,
        list_area,
        true,
        detail.invitations.len(),
        &state,
    );
}
