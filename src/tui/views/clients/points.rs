//! A client's points page: the balance, what can be used today and what lapses within 90
//! days; the redemption catalogue with each item's points, the stock left and the balance
//! it would leave (an item out of reach dimmed); the latest entries. Over it, the
//! redemption's confirmation or the reversal's form.

use crate::app::App;
use crate::app::points::{PointsAsk, PointsPage, entry_label};
use crate::tui::keymap::Keymap;
use crate::tui::kit::{FormBox, confirm, dim, fit, header_row, plain, render_form_box};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

pub fn render(
    frame: &mut Frame,
    area: Rect,
    name: &str,
    page: &PointsPage,
    app: &App,
    keymap: &Keymap,
) {
    let i18n = app.i18n;
    let view = &page.view;
    let title = i18n.fill(
        "points.page_title",
        &[("name", name), ("client", &view.client_no)],
    );
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {title} "),
            Style::new().add_modifier(Modifier::BOLD),
        ))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);

    let mut top = vec![Line::from(Span::raw(fit(
        &i18n.fill(
            "points.page_balance",
            &[
                ("balance", &view.balance.to_string()),
                ("usable", &view.usable.to_string()),
            ],
        ),
        width,
    )))];
    if view.lapsing > 0 {
        top.push(Line::from(Span::styled(
            fit(
                &i18n.fill(
                    "points.lapsing",
                    &[
                        ("points", &view.lapsing.to_string()),
                        ("until", &view.lapsing_until.to_string()),
                    ],
                ),
                width,
            ),
            Style::new().fg(Color::Yellow),
        )));
    }
    // The heading, the header, the items and a line apart from the entries.
    let catalogue_rows = (page.catalogue.len().max(1) + 3) as u16;
    let [top_area, catalogue_area, recent_area] = Layout::vertical([
        Constraint::Length(top.len() as u16 + 1),
        Constraint::Length(catalogue_rows),
        Constraint::Min(2),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(top), top_area);
    render_catalogue(frame, catalogue_area, page, app);
    render_recent(frame, recent_area, page, app);

    match &page.ask {
        Some(PointsAsk::Redeem) => {
            if let Some(chosen) = page.selected_item() {
                let question = i18n.fill(
                    "points.confirm_redeem",
                    &[
                        ("name", name),
                        (
                            "item",
                            i18n.pick(&chosen.item.name_zh, &chosen.item.name_en),
                        ),
                        ("points", &chosen.item.points.to_string()),
                        ("after", &(view.balance - chosen.item.points).to_string()),
                    ],
                );
                confirm(frame, area, i18n, &question, &keymap.confirm_keys(i18n));
            }
        }
        Some(PointsAsk::Reverse { form, .. }) => {
            let spec = FormBox {
                title: i18n.t("points.reverse_title"),
                width: 64,
                intro: vec![plain(i18n.t("points.reverse_intro")), plain("")],
                outro: Vec::new(),
            };
            render_form_box(frame, area, spec, form, i18n);
        }
        None => {}
    }
}

fn heading(text: &str) -> Paragraph<'static> {
    Paragraph::new(Span::styled(
        text.to_string(),
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
    ))
}

/// The catalogue: each item with its points, the stock left and the balance after.
fn render_catalogue(frame: &mut Frame, area: Rect, page: &PointsPage, app: &App) {
    let i18n = app.i18n;
    let [title, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(heading(i18n.t("points.catalogue")), title);
    if page.catalogue.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                i18n.t("points.no_catalogue").to_string(),
                dim(),
            )),
            list,
        );
        return;
    }
    let rows: Vec<Row> = page
        .catalogue
        .iter()
        .map(|c| {
            let after = page.view.balance - c.item.points;
            let reach = c.item.points <= page.view.usable && c.stock_left != Some(0);
            let stock = match c.stock_left {
                Some(0) => i18n.t("points.out_of_stock").to_string(),
                Some(n) => n.to_string(),
                None => "—".to_string(),
            };
            let row = Row::new(vec![
                i18n.pick(&c.item.name_zh, &c.item.name_en).to_string(),
                i18n.t_owned(format!("points.item.{}", c.item.kind.code()))
                    .to_string(),
                c.item.points.to_string(),
                stock,
                if reach {
                    after.to_string()
                } else {
                    String::new()
                },
            ]);
            if reach { row } else { row.style(dim()) }
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Min(14),
            Constraint::Length(10),
            Constraint::Length(7),
            Constraint::Length(6),
            Constraint::Length(10),
        ],
    )
    .header(header_row(vec![
        i18n.t("points.col.item"),
        i18n.t("points.col.kind"),
        i18n.t("points.col.points"),
        i18n.t("points.col.stock"),
        i18n.t("points.col.after"),
    ]))
    .column_spacing(1)
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut state = TableState::default().with_selected(Some(page.selected.index));
    frame.render_stateful_widget(table, list, &mut state);
}

/// The latest entries, newest first; a reversed one says so.
fn render_recent(frame: &mut Frame, area: Rect, page: &PointsPage, app: &App) {
    let i18n = app.i18n;
    let width = usize::from(area.width);
    let [title, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(heading(i18n.t("points.recent")), title);
    if page.view.recent.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(i18n.t("points.no_entries").to_string(), dim())),
            list,
        );
        return;
    }
    let lines: Vec<Line> = page
        .view
        .recent
        .iter()
        .map(|entry| {
            let mut text = entry_label(entry, i18n);
            if entry.reversed {
                text.push_str(i18n.t("points.was_reversed"));
            }
            let style = if entry.reversed { dim() } else { Style::new() };
            Line::from(Span::styled(fit(&text, width), style))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}
