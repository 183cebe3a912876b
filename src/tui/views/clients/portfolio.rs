//! A client's portfolio page: the tier and why, AUM with a 12-month trend line, the
//! assessment and what it allows, the value with its parts, a fall worth a call, the
//! holdings (soonest maturity first) and the offers with the facts behind the one selected;
//! the outcome prompt over it when one is being recorded.

use crate::app::App;
use crate::app::portfolio::PortfolioPage;
use crate::i18n::{I18n, Lang, yuan};
use crate::tui::kit::{FormBox, dim, fit, header_row, plain, render_form_box, selected_style};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

/// Months of AUM as a line of block characters, lowest to highest.
fn trend_line(amounts: &[i64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (Some(low), Some(high)) = (amounts.iter().min(), amounts.iter().max()) else {
        return String::new();
    };
    let span = (high - low).max(1);
    amounts
        .iter()
        .map(|a| BARS[((a - low) * 7 / span) as usize])
        .collect()
}

pub fn render(frame: &mut Frame, area: Rect, name: &str, page: &PortfolioPage, app: &App) {
    let i18n = app.i18n;
    let zh = i18n.lang == Lang::Zh;
    let p = &page.portfolio;
    let as_of = p
        .as_of
        .map_or_else(|| i18n.t("book.no_snapshot").to_string(), |d| d.to_string());
    let title = i18n.fill(
        "portfolio.page_title",
        &[("name", name), ("client", &p.client_no), ("as_of", &as_of)],
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

    let mut top: Vec<Line> = Vec::new();
    let label = |key: &str| {
        Span::styled(
            format!("{} ", i18n.t(key)),
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        )
    };
    if let Some(tier) = &p.tier {
        let name = if zh { &tier.name_zh } else { &tier.name_en };
        let why = i18n.tier_why(&tier.changes, tier.since);
        let text = match tier.since {
            Some(since) => format!("{name} · {since} · {why}"),
            None => format!("{name} · {why}"),
        };
        top.push(Line::from(vec![
            label("portfolio.label.tier"),
            Span::raw(fit(&text, width.saturating_sub(6))),
        ]));
    }
    let amounts: Vec<i64> = p
        .aum
        .iter()
        .rev()
        .take(12)
        .rev()
        .map(|m| m.avg_aum)
        .collect();
    if let Some(latest) = p.aum.last() {
        top.push(Line::from(vec![
            label("portfolio.label.aum"),
            Span::raw(format!("{} ({})  ", yuan(latest.avg_aum), latest.month)),
            Span::styled(trend_line(&amounts), Style::new().fg(Color::Cyan)),
            Span::styled(
                format!(
                    " {}",
                    i18n.fill("portfolio.months", &[("n", &amounts.len().to_string())])
                ),
                dim(),
            ),
        ]));
    }
    let assessment = match &p.assessment {
        Some(a) if a.valid => (
            i18n.fill(
                "portfolio.assessment_valid",
                &[
                    ("level", &a.level.to_string()),
                    ("until", &a.valid_until.to_string()),
                ],
            ),
            Style::new(),
        ),
        Some(a) => (
            i18n.fill(
                "portfolio.assessment_lapsed",
                &[
                    ("level", &a.level.to_string()),
                    ("until", &a.valid_until.to_string()),
                ],
            ),
            Style::new().fg(Color::Yellow),
        ),
        None => (
            i18n.t("portfolio.not_assessed").to_string(),
            Style::new().fg(Color::Yellow),
        ),
    };
    top.push(Line::from(vec![
        label("portfolio.label.assessment"),
        Span::styled(fit(&assessment.0, width.saturating_sub(6)), assessment.1),
    ]));
    if let Some(v) = &p.value {
        // The score and ranks first: the parts give way at the edge of a narrow screen.
        let text = format!(
            "{}/100 · RFM {}-{}-{} · {}",
            v.value.score,
            v.rfm.recency,
            v.rfm.frequency,
            v.rfm.monetary,
            v.parts_text(i18n)
        );
        top.push(Line::from(vec![
            label("portfolio.label.value"),
            Span::raw(fit(&text, width.saturating_sub(6))),
        ]));
    }
    if let Some(fall) = &p.fall {
        let text = i18n.fill(
            "portfolio.fall",
            &[
                ("percent", &fall.percent.to_string()),
                ("from", &fall.from.month.to_string()),
                ("to", &fall.to.month.to_string()),
            ],
        );
        top.push(Line::from(Span::styled(
            fit(&text, width),
            Style::new().fg(Color::Red),
        )));
    }

    let offers_rows = (page.offers.len().clamp(1, 3) + 2) as u16;
    let [top_area, holdings_area, offers_area] = Layout::vertical([
        Constraint::Length(top.len() as u16),
        Constraint::Min(2),
        Constraint::Length(offers_rows + 1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(top), top_area);
    render_holdings(frame, holdings_area, page, i18n);
    render_offers(frame, offers_area, page, i18n);

    if let Some(form) = &page.prompt
        && let Some(offer) = page.selected_offer()
    {
        let reason = if zh {
            &offer.reason_zh
        } else {
            &offer.reason_en
        };
        let mut intro = vec![
            (
                format!("{} · {reason}", offer.product),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            plain(""),
        ];
        if offer.special_care {
            intro.insert(
                1,
                (
                    i18n.t("portfolio.special_care").to_string(),
                    Style::new().fg(Color::Yellow),
                ),
            );
        }
        let spec = FormBox {
            title: i18n.t("portfolio.outcome_title"),
            width: 64,
            intro,
            outro: Vec::new(),
        };
        render_form_box(frame, area, spec, form, i18n);
    }
}

fn render_holdings(frame: &mut Frame, area: Rect, page: &PortfolioPage, i18n: &I18n) {
    let zh = i18n.lang == Lang::Zh;
    let holdings = &page.portfolio.holdings;
    if holdings.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                i18n.t("portfolio.no_holdings").to_string(),
                dim(),
            )),
            area,
        );
        return;
    }
    let rows: Vec<Row> = holdings
        .iter()
        .map(|h| {
            let name = if zh { &h.name_zh } else { &h.name_en };
            Row::new(vec![
                if name.is_empty() {
                    h.product.clone()
                } else {
                    name.clone()
                },
                h.account.clone(),
                yuan(h.balance_fen),
                h.matures_on.map(|d| d.to_string()).unwrap_or_default(),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Min(16),
            Constraint::Length(8),
            Constraint::Length(15),
            Constraint::Length(10),
        ],
    )
    .header(header_row(vec![
        i18n.t("portfolio.col.product"),
        i18n.t("portfolio.col.account"),
        i18n.t("portfolio.col.balance"),
        i18n.t("portfolio.col.matures"),
    ]))
    .column_spacing(1);
    frame.render_widget(table, area);
}

fn render_offers(frame: &mut Frame, area: Rect, page: &PortfolioPage, i18n: &I18n) {
    let zh = i18n.lang == Lang::Zh;
    let width = usize::from(area.width);
    let [heading, list, facts] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Span::styled(
            i18n.t("portfolio.offers").to_string(),
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        )),
        heading,
    );
    if page.offers.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                i18n.t("portfolio.no_offers").to_string(),
                dim(),
            )),
            list,
        );
        return;
    }
    let rows: Vec<Row> = page
        .offers
        .iter()
        .map(|o| {
            let reason = if zh { &o.reason_zh } else { &o.reason_en };
            let care = if o.special_care { " ⚑" } else { "" };
            Row::new(vec![
                o.priority.to_string(),
                o.product.clone(),
                format!("{reason}{care}"),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(3),
            Constraint::Length(16),
            Constraint::Min(10),
        ],
    )
    .column_spacing(1)
    .row_highlight_style(selected_style())
    .highlight_symbol(">");
    let mut state = TableState::default().with_selected(Some(page.selected.index));
    frame.render_stateful_widget(table, list, &mut state);
    if let Some(offer) = page.selected_offer() {
        let because: Vec<String> = offer.because.iter().map(|b| i18n.offer_fact(b)).collect();
        frame.render_widget(
            Paragraph::new(Span::styled(fit(&because.join("; "), width), dim())),
            facts,
        );
    }
}
