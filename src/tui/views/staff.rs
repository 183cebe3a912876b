//! The staff list with roles and lockouts, and the forms and questions over it.

use crate::app::App;
use crate::app::staff::{StaffOverlay, StaffScreen};
use crate::tui::keymap::Keymap;
use crate::tui::kit::{self, FormBox, confirm, header_row, plain, render_form_box, selected_style};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, Row, Table, TableState};

pub fn render(frame: &mut Frame, area: Rect, app: &App, screen: &StaffScreen, keymap: &Keymap) {
    let i18n = app.i18n;
    let rows: Vec<Row> = screen
        .rows
        .iter()
        .map(|s| {
            Row::new(vec![
                s.id.clone(),
                s.name.clone(),
                i18n.role(s.role).to_string(),
                i18n.staff_status(s.status).to_string(),
                s.locked_until
                    .map(|t| {
                        let local = t.with_timezone(&app.now.timezone());
                        i18n.fill(
                            "staff.locked_until",
                            &[("time", &local.format("%H:%M").to_string())],
                        )
                    })
                    .unwrap_or_default(),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(12),
            Constraint::Length(14),
            Constraint::Length(21),
            Constraint::Length(9),
            Constraint::Min(8),
        ],
    )
    .header(header_row(vec![
        i18n.t("col.staff_id"),
        i18n.t("col.name"),
        i18n.t("col.role"),
        i18n.t("col.status"),
        i18n.t("col.locked_until"),
    ]))
    .row_highlight_style(selected_style())
    .highlight_symbol("> ")
    .block(Block::bordered().title(format!(
        " {} ({}) ",
        i18n.t("tab.staff"),
        screen.rows.len()
    )));
    let mut state = TableState::default()
        .with_selected((!screen.rows.is_empty()).then_some(screen.selected.index));
    frame.render_stateful_widget(table, area, &mut state);
    let list = Block::bordered().inner(area);
    kit::table_scrollbar(frame, area, list, true, screen.rows.len(), &state);

    match &screen.overlay {
        Some(StaffOverlay::Add(form)) => {
            let intro = vec![plain(i18n.t("staff.add_intro")), plain("")];
            render_form_box(
                frame,
                area,
                FormBox {
                    title: i18n.t("staff.add_title"),
                    width: 72,
                    intro,
                    outro: Vec::new(),
                },
                form,
                i18n,
            );
        }
        Some(StaffOverlay::Reset { id, form }) => {
            let intro = vec![
                (i18n.fill("staff.reset_intro", &[("id", id)]), Style::new()),
                plain(""),
            ];
            render_form_box(
                frame,
                area,
                FormBox {
                    title: i18n.t("staff.reset_title"),
                    width: 72,
                    intro,
                    outro: Vec::new(),
                },
                form,
                i18n,
            );
        }
        Some(StaffOverlay::ConfirmDisable(id)) => {
            let question = i18n.fill("staff.confirm_disable", &[("id", id)]);
            confirm(frame, area, i18n, &question, &keymap.confirm_keys(i18n));
        }
        Some(StaffOverlay::ConfirmUnlock(id)) => {
            let question = i18n.fill("staff.confirm_unlock", &[("id", id)]);
            confirm(frame, area, i18n, &question, &keymap.confirm_keys(i18n));
        }
        None => {}
    }
}
