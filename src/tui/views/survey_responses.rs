//! The responses behind a survey's results: a list (newest first, each comment's start) and
//! one response read in full, every answer in words and comments wrapped.

use crate::app::App;
use crate::app::screens::survey_responses::Responses;
use crate::domain::survey::{Answer, QuestionKind, Template};
use crate::i18n::{I18n, Lang};
use crate::service::ResponseRow;
use crate::tui::kit::{self, dim, fit, wrap};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

pub fn render(frame: &mut Frame, area: Rect, app: &App, template: Option<&Template>) {
    let i18n = app.i18n;
    let Some(main) = app.main() else { return };
    let responses = &main.screens.surveys.responses;
    let zh = i18n.lang == Lang::Zh;
    let title = template.map_or(String::new(), |t| t.title.get(zh).to_string());
    let block = Block::bordered().title(format!(
        " {} ",
        i18n.fill("survey.view.responses_title", &[("title", &title)])
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match (template, responses.reading, responses.selected_row()) {
        (Some(template), Some(scroll), Some(row)) => {
            render_response(frame, area, inner, row, template, scroll, i18n)
        }
        _ => render_list(frame, area, inner, responses, template, i18n),
    }
}

fn render_list(
    frame: &mut Frame,
    area: Rect,
    inner: Rect,
    responses: &Responses,
    template: Option<&Template>,
    i18n: &I18n,
) {
    if responses.rows.is_empty() {
        let key = if responses.loading {
            "status.loading"
        } else {
            "survey.view.no_responses"
        };
        frame.render_widget(Paragraph::new(Span::styled(i18n.t(key), dim())), inner);
        return;
    }
    let widths = [
        Constraint::Length(10),
        Constraint::Length(22),
        Constraint::Length(6),
        Constraint::Length(9),
        Constraint::Length(3),
        Constraint::Min(8),
    ];
    let comment_width = usize::from(inner.width).saturating_sub(10 + 22 + 6 + 9 + 3 + 5 + 2);
    let rows: Vec<Row> = responses
        .rows
        .iter()
        .map(|row| {
            Row::new(vec![
                row.answered_on.to_string(),
                fit(&client_text(row, i18n), 22),
                fit(i18n.t_owned(format!("survey.channel.{}", row.channel)), 6),
                fit(&row.staff_id, 9),
                template.and_then(|t| score(row, t)).unwrap_or_default(),
                fit(&comment(row).replace('\n', " "), comment_width),
            ])
        })
        .collect();
    let header = Row::new(vec![
        i18n.t("survey.col.date").to_string(),
        i18n.t("survey.col.client").to_string(),
        i18n.t("survey.col.channel").to_string(),
        i18n.t("survey.col.staff").to_string(),
        i18n.t("survey.col.score").to_string(),
        i18n.t("survey.col.comment").to_string(),
    ])
    .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED));
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .highlight_symbol(">");
    let mut state = TableState::default().with_selected(Some(responses.selected.index));
    frame.render_stateful_widget(table, inner, &mut state);
    kit::table_scrollbar(frame, area, inner, true, responses.rows.len(), &state);
}

/// One response in full: when, how, who, then each question answered and its answer.
fn render_response(
    frame: &mut Frame,
    area: Rect,
    inner: Rect,
    row: &ResponseRow,
    template: &Template,
    scroll: u16,
    i18n: &I18n,
) {
    let zh = i18n.lang == Lang::Zh;
    let width = usize::from(inner.width).saturating_sub(1);
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                "{} · {} · {} · {}",
                row.answered_on,
                i18n.t_owned(format!("survey.channel.{}", row.channel)),
                row.staff_id,
                client_text(row, i18n)
            ),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        Line::from(Span::styled(
            i18n.fill(
                "survey.view.response_version",
                &[("version", &row.version.to_string()), ("id", &row.id)],
            ),
            dim(),
        )),
    ];
    for question in &template.questions {
        let Some(answer) = row.answers.get(&question.id) else {
            continue;
        };
        lines.push(Line::from(""));
        for part in wrap(question.text.get(zh), width) {
            lines.push(Line::from(Span::styled(part, dim())));
        }
        let text = i18n.survey_answer_text(template, &question.id, answer);
        for part in wrap(&text, width.saturating_sub(2)) {
            lines.push(Line::from(format!("  {part}")));
        }
    }
    let total = lines.len();
    let visible = usize::from(inner.height);
    let first = usize::from(scroll).min(total.saturating_sub(visible));
    frame.render_widget(Paragraph::new(lines).scroll((first as u16, 0)), inner);
    kit::scrollbar(frame, area.right().saturating_sub(1), inner, total, first);
}

fn client_text(row: &ResponseRow, i18n: &I18n) -> String {
    match (&row.client_no, &row.client_name) {
        (Some(no), Some(name)) => format!("{no} {name}"),
        _ => i18n.t("survey.view.anonymous").to_string(),
    }
}

/// The response's headline score: its NPS, else its first rating.
fn score(row: &ResponseRow, template: &Template) -> Option<String> {
    [QuestionKind::Nps, QuestionKind::Rating]
        .iter()
        .find_map(|kind| {
            template
                .questions
                .iter()
                .filter(|q| q.kind == *kind)
                .find_map(|q| match row.answers.get(&q.id) {
                    Some(Answer::Score(score)) => Some(score.to_string()),
                    _ => None,
                })
        })
}

/// The response's comments, one after another.
fn comment(row: &ResponseRow) -> String {
    row.answers
        .values()
        .filter_map(|a| match a {
            Answer::Text(text) if !text.trim().is_empty() => Some(text.trim()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" / ")
}
