//! The survey screen: the entry form (a line per question, scales drawn as scales) and the
//! statistics (NPS, CSAT, the trend by month, one question's answers, results by group).

use crate::app::App;
use crate::app::form::FieldValue;
use crate::app::surveys::{HEADER_FIELDS, SurveyEntry, SurveyScreen, SurveyView};
use crate::domain::survey::{GroupBy, QuestionKind};
use crate::i18n::{I18n, Lang};
use crate::service::SurveyStats;
use crate::tui::keymap::Keymap;
use crate::tui::kit::{self, confirm, dim, fit, form_notes, shown_value, skip_columns, wrap};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Paragraph, Row, Sparkline, Table};
use unicode_width::UnicodeWidthStr;

pub fn render(frame: &mut Frame, area: Rect, app: &App, screen: &SurveyScreen, keymap: &Keymap) {
    let i18n = app.i18n;
    match screen.view {
        SurveyView::Entry => render_entry(frame, area, screen, i18n),
        SurveyView::Stats => render_stats(frame, area, screen, i18n),
        SurveyView::Responses => {
            let template = screen.templates.get(screen.stats_template);
            super::survey_responses::render(frame, area, app, template);
        }
    }
    if screen.offer.is_some() {
        let question = i18n.t("survey.view.offer_complaint");
        confirm(frame, area, i18n, question, &keymap.confirm_keys(i18n));
    }
}

/// Lines a comment being typed shows in full under the questions.
const COMMENT_ROWS: usize = 3;

/// The width of the answer column: what a 0–10 scale needs.
fn answer_column(width: u16) -> usize {
    let question_width = usize::from(width).saturating_sub(24).max(20);
    usize::from(width).saturating_sub(question_width + 1)
}

fn zh(i18n: &I18n) -> bool {
    i18n.lang == Lang::Zh
}

/// "0 1 2 … 10" with the chosen score marked.
fn scale_spans(min: u8, max: u8, text: &str) -> Vec<Span<'static>> {
    let chosen = text.parse::<u8>().ok();
    let mut spans = Vec::new();
    for score in min..=max {
        let style = if chosen == Some(score) {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            dim()
        };
        spans.push(Span::styled(score.to_string(), style));
        spans.push(Span::raw(" "));
    }
    spans
}

/// The answer of a question as one line of spans.
fn answer_spans(
    entry: &SurveyEntry,
    index: usize,
    focused: bool,
    width: usize,
    i18n: &I18n,
) -> (Vec<Span<'static>>, Option<usize>) {
    let field = &entry.form.fields[index];
    let question = &entry.template.questions[index - HEADER_FIELDS];
    let underlined = Style::new().add_modifier(Modifier::UNDERLINED);
    match &field.value {
        FieldValue::Scale { min, max, text, .. } => (scale_spans(*min, *max, text), None),
        FieldValue::Choice { options, index, .. } => {
            let label = match options.get(*index).map(String::as_str) {
                None | Some("") => "—".to_string(),
                Some(code) => i18n.survey_answer_label(&entry.template, &question.id, code),
            };
            (vec![Span::styled(format!("< {label} >"), underlined)], None)
        }
        FieldValue::Multi {
            options, chosen, ..
        } => {
            let picked: Vec<String> = options
                .iter()
                .zip(chosen)
                .filter(|(_, c)| **c)
                .map(|(code, _)| i18n.survey_answer_label(&entry.template, &question.id, code))
                .collect();
            let text = if picked.is_empty() {
                "—".to_string()
            } else {
                picked.join("、")
            };
            (
                vec![Span::styled(skip_columns(&text, 0, width), underlined)],
                None,
            )
        }
        _ => {
            let (shown, cursor) = shown_value(field, focused, width, i18n);
            let pad = width.saturating_sub(shown.width());
            (
                vec![Span::styled(
                    format!("{shown}{}", " ".repeat(pad)),
                    underlined,
                )],
                Some(cursor),
            )
        }
    }
}

/// How to answer the focused question: "0–10", or the options with their numbers.
fn hint(entry: &SurveyEntry, i18n: &I18n) -> String {
    let Some(question) = entry
        .form
        .focus
        .checked_sub(HEADER_FIELDS)
        .and_then(|i| entry.template.questions.get(i))
    else {
        return i18n.t("survey.view.header_hint").to_string();
    };
    let text = question.text.get(zh(i18n));
    let how = match question.kind {
        QuestionKind::Nps => i18n.t("survey.view.hint_nps").to_string(),
        QuestionKind::Rating => i18n.t("survey.view.hint_rating").to_string(),
        QuestionKind::YesNo => i18n.t("survey.view.hint_yes_no").to_string(),
        QuestionKind::Text => i18n.t("survey.view.hint_text").to_string(),
        QuestionKind::Single | QuestionKind::Multi => {
            let options: Vec<String> = question
                .options
                .iter()
                .enumerate()
                .map(|(i, o)| format!("{} {}", i + 1, if zh(i18n) { &o.zh } else { &o.en }))
                .collect();
            let key = if question.kind == QuestionKind::Multi {
                "survey.view.hint_multi"
            } else {
                "survey.view.hint_single"
            };
            i18n.fill(key, &[("options", &options.join(" · "))])
        }
    };
    format!("{text} — {how}")
}

fn render_entry(frame: &mut Frame, area: Rect, screen: &SurveyScreen, i18n: &I18n) {
    let Some(entry) = &screen.entry else {
        let block = Block::bordered().title(format!(" {} ", i18n.t("tab.survey")));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let text = if screen.loading {
            i18n.t("status.loading")
        } else {
            i18n.t("survey.view.no_templates")
        };
        frame.render_widget(Paragraph::new(Span::styled(text, dim())), inner);
        return;
    };
    let title = i18n.fill(
        "survey.view.entry_title",
        &[
            ("title", entry.template.title.get(zh(i18n))),
            ("version", &entry.template.version.to_string()),
            ("saved", &screen.saved.to_string()),
        ],
    );
    let mut block = Block::bordered()
        .title(format!(" {title} "))
        .padding(ratatui::widgets::Padding::horizontal(1));
    // A risk questionnaire is the client's own: the staff member only keys what they say.
    if entry.template.risk.is_some() {
        let notice = fit(
            i18n.t("survey.view.risk_notice"),
            usize::from(area.width.saturating_sub(4)),
        );
        block = block.title_bottom(Span::styled(
            format!(" {notice} "),
            Style::new().fg(Color::Yellow),
        ));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let form = &entry.form;
    let mut cursor = None;

    // The survey, the client and the channel on one line.
    let mut header: Vec<Span> = Vec::new();
    for index in 0..HEADER_FIELDS {
        let field = &form.fields[index];
        let focused = form.focus == index;
        let label = format!(
            "{}{} ",
            if focused { ">" } else { " " },
            i18n.t(field.label)
        );
        let style = if focused {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let before: usize = header.iter().map(|s| s.content.width()).sum();
        header.push(Span::styled(label.clone(), style));
        let value = match &field.value {
            FieldValue::Choice { .. } if index == 0 => format!("< {} >", entry.template.code),
            FieldValue::Choice {
                options, index: i, ..
            } => format!(
                "< {} >",
                i18n.t_owned(format!(
                    "survey.channel.{}",
                    options.get(*i).map_or("", String::as_str)
                ))
            ),
            _ => {
                let (shown, at) = shown_value(field, focused, 15, i18n);
                if focused {
                    cursor = Some(Position::new(
                        inner.x + (before + label.width() + at) as u16,
                        inner.y,
                    ));
                }
                let shown = if shown.is_empty() && !focused {
                    i18n.t("survey.view.anonymous").to_string()
                } else {
                    shown
                };
                format!(
                    "{shown}{}",
                    " ".repeat(15usize.saturating_sub(shown.width()))
                )
            }
        };
        header.push(Span::styled(
            value,
            Style::new().add_modifier(Modifier::UNDERLINED),
        ));
        header.push(Span::raw("  "));
    }
    frame.render_widget(
        Paragraph::new(Line::from(header)),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );

    // Under the questions: a comment being typed in full (the answer column shows only its
    // end), then how to answer the focused question, or what is wrong.
    let width = usize::from(inner.width);
    let mut notes: Vec<Line> = Vec::new();
    if let Some(field) = form.focused()
        && form.focus >= HEADER_FIELDS
        && field.is_text_like()
        && field.value().width() > answer_column(inner.width)
    {
        let whole = wrap(field.value(), width);
        let skip = whole.len().saturating_sub(COMMENT_ROWS);
        notes.extend(whole.into_iter().skip(skip).map(Line::from));
    }
    notes.extend(form_notes(form, i18n, width, &hint(entry, i18n)));
    let notes_rows = notes.len().min(COMMENT_ROWS + 3) as u16;

    // A line per question that is asked: number and text, then the answer. The answer takes
    // what a 0–10 scale needs; the question the rest. Questions beyond the height scroll
    // with the focus, and a bar on the border says so.
    let question_width = (inner.width as usize).saturating_sub(24).max(20);
    let answer_width = answer_column(inner.width);
    let top = inner.y + 2;
    let rows = inner
        .bottom()
        .saturating_sub(notes_rows + 1)
        .saturating_sub(top);
    let asked: Vec<usize> = (HEADER_FIELDS..form.fields.len())
        .filter(|i| !form.fields[*i].hidden)
        .collect();
    let focus_at = asked.iter().position(|i| *i == form.focus).unwrap_or(0);
    let first = focus_at.saturating_sub(usize::from(rows).saturating_sub(1));
    for (row, (number, index)) in asked
        .iter()
        .enumerate()
        .skip(first)
        .take(usize::from(rows))
        .enumerate()
    {
        let index = *index;
        let y = top + row as u16;
        let field = &form.fields[index];
        let focused = form.focus == index;
        let question = &entry.template.questions[index - HEADER_FIELDS];
        let marker = match (focused, field.error.is_some()) {
            (true, _) => ">",
            (false, true) => "!",
            _ => " ",
        };
        let mut label_style = Style::new();
        if focused {
            label_style = label_style.add_modifier(Modifier::BOLD);
        }
        if field.error.is_some() {
            label_style = label_style.fg(Color::Red);
        }
        let required = if question.required { "*" } else { "" };
        let text = format!(
            "{marker}{}. {}{required}",
            number + 1,
            question.text.get(zh(i18n))
        );
        let text = fit(&text, question_width);
        let pad = question_width.saturating_sub(text.width());
        let (mut spans, text_cursor) = answer_spans(entry, index, focused, answer_width, i18n);
        spans.insert(
            0,
            Span::styled(format!("{text}{} ", " ".repeat(pad)), label_style),
        );
        frame.render_widget(
            Paragraph::new(Line::from(spans)),
            Rect::new(inner.x, y, inner.width, 1),
        );
        if let (true, Some(at)) = (focused, text_cursor) {
            cursor = Some(Position::new(inner.x + (question_width + 1 + at) as u16, y));
        }
    }
    kit::scrollbar(
        frame,
        area.right().saturating_sub(1),
        Rect::new(inner.x, top, inner.width, rows),
        asked.len(),
        first,
    );
    let notes_top = inner.bottom().saturating_sub(notes_rows);
    let skip = notes.len().saturating_sub(usize::from(notes_rows));
    frame.render_widget(
        Paragraph::new(notes.into_iter().skip(skip).collect::<Vec<_>>()),
        Rect::new(inner.x, notes_top, inner.width, notes_rows),
    );
    if let Some(position) = cursor {
        frame.set_cursor_position(position);
    }
}

fn render_stats(frame: &mut Frame, area: Rect, screen: &SurveyScreen, i18n: &I18n) {
    let block = Block::bordered()
        .title(format!(" {} ", i18n.t("survey.view.stats_title")))
        .padding(ratatui::widgets::Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(s) = &screen.stats else {
        let text = if screen.loading {
            i18n.t("status.loading")
        } else {
            ""
        };
        frame.render_widget(Paragraph::new(Span::styled(text, dim())), inner);
        return;
    };
    // The groups below keep the rows they need (up to a year of months and a header); the
    // trend takes what is left beyond that, at least three lines and at most half: a taller
    // terminal shows the swings more finely.
    let chart_rows = s
        .stats
        .questions
        .get(screen.stats_question)
        .map_or(0, |q| q.counts.len());
    let groups_wanted = (s.stats.groups.len().min(13).max(chart_rows) + 1) as u16;
    let room = inner.height.saturating_sub(3);
    let trend_rows = room
        .saturating_sub(groups_wanted)
        .clamp(3, (room / 2).max(3));
    let [head, figures, trend, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(trend_rows),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(heading(s, i18n)), head);
    frame.render_widget(Paragraph::new(figure_lines(s, i18n)), figures);
    render_trend(frame, trend, s, i18n);
    let [groups, chart] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(body);
    render_groups(frame, groups, s, i18n);
    // Months or staff beyond the list's height are not silently gone.
    let first_row = ratatui::widgets::TableState::default();
    kit::table_scrollbar(frame, area, groups, true, s.stats.groups.len(), &first_row);
    render_question(frame, chart, s, screen.stats_question, i18n);
}

fn heading(s: &SurveyStats, i18n: &I18n) -> Line<'static> {
    Line::from(vec![
        Span::styled(
            format!("◀ {} ▶", s.template.title.get(zh(i18n))),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!("  v{} · {} – {}", s.template.version, s.from, s.to),
            dim(),
        ),
    ])
}

/// The same figures as `survey stats --json`, formatted once by [`I18n::nps_text`].
fn figure_lines(s: &SurveyStats, i18n: &I18n) -> Vec<Line<'static>> {
    let st = &s.stats;
    let big = Style::new().add_modifier(Modifier::BOLD).fg(Color::Cyan);
    let mut first = vec![
        Span::raw(i18n.fill("survey.view.responses", &[("n", &st.responses.to_string())])),
        Span::raw("   NPS "),
        Span::styled(i18n.nps_text(st.nps.map(|n| n.nps)), big),
        Span::raw("   CSAT "),
        Span::styled(i18n.csat_text(st.csat.map(|c| c.csat)), big),
    ];
    if st.small_sample && st.responses > 0 {
        first.push(Span::styled(
            format!("   {}", i18n.t("survey.view.small")),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    let second = match st.nps {
        Some(n) => Line::from(Span::styled(
            i18n.fill(
                "survey.view.split",
                &[
                    ("promoters", &n.promoters.to_string()),
                    ("passives", &n.passives.to_string()),
                    ("detractors", &n.detractors.to_string()),
                ],
            ),
            dim(),
        )),
        None => Line::from(""),
    };
    vec![Line::from(first), second]
}

/// NPS by month as a sparkline between the bounds printed beside it (so a small swing is
/// visible and the scale is not hidden), as tall as its area, with the first and last month
/// and the best and worst month among those with enough answers to read.
fn render_trend(frame: &mut Frame, area: Rect, s: &SurveyStats, i18n: &I18n) {
    let months = &s.stats.trend;
    let scored: Vec<f64> = months.iter().filter_map(|g| g.nps.map(|n| n.nps)).collect();
    let title = Line::from(Span::styled(i18n.t("survey.view.trend").to_string(), dim()));
    let (Some(low), Some(high)) = (
        scored.iter().copied().reduce(f64::min),
        scored.iter().copied().reduce(f64::max),
    ) else {
        frame.render_widget(Paragraph::new(title), area);
        return;
    };
    let floor = (((low - 5.0) / 10.0).floor() * 10.0).max(-100.0);
    let ceiling = (((high + 5.0) / 10.0).ceil() * 10.0).min(100.0);
    let spark_width = (months.len() * 2) as u16;
    let [label, spark, _, notes] = Layout::horizontal([
        Constraint::Length(12),
        Constraint::Length(spark_width),
        Constraint::Length(2),
        Constraint::Min(1),
    ])
    .areas(area);
    let bound = |v: f64| Line::from(Span::styled(format!("{v:+.0} ┤"), dim())).right_aligned();
    let mut bounds = vec![Line::from(""); usize::from(area.height).max(2)];
    bounds[0] = bound(ceiling);
    if let Some(last) = bounds.last_mut() {
        *last = bound(floor);
    }
    frame.render_widget(Paragraph::new(bounds), label);
    // Two columns a month; a month without NPS answers stays empty.
    let points: Vec<u64> = months
        .iter()
        .flat_map(|g| {
            let v = g.nps.map_or(0, |n| (n.nps - floor).round().max(1.0) as u64);
            [v, v]
        })
        .collect();
    frame.render_widget(
        Sparkline::default()
            .data(&points)
            .max((ceiling - floor).round() as u64)
            .style(Style::new().fg(Color::Green)),
        spark,
    );
    let mut range = title;
    if let (Some(first), Some(last)) = (months.first(), months.last()) {
        range.push_span(Span::raw(format!("  {} → {}", first.key, last.key)));
    }
    let extreme = |key: &str, group: &crate::domain::survey::Group| {
        let nps = group.nps.map(|n| n.nps);
        Line::from(Span::styled(
            i18n.fill(key, &[("nps", &i18n.nps_text(nps)), ("month", &group.key)]),
            dim(),
        ))
    };
    let mut lines = vec![range];
    match s.stats.extreme_months() {
        Some((best, worst)) => {
            lines.push(extreme("survey.view.highest", best));
            lines.push(extreme("survey.view.lowest", worst));
        }
        None => lines.push(Line::from(Span::styled(
            i18n.fill(
                "survey.view.no_extremes",
                &[("n", &crate::domain::survey::SMALL_SAMPLE.to_string())],
            ),
            dim(),
        ))),
    }
    frame.render_widget(Paragraph::new(lines), notes);
}

fn by_key(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Month => "survey.by.month",
        GroupBy::Staff => "survey.by.staff",
        GroupBy::Channel => "survey.by.channel",
    }
}

fn render_groups(frame: &mut Frame, area: Rect, s: &SurveyStats, i18n: &I18n) {
    let rows: Vec<Row> = s
        .stats
        .groups
        .iter()
        .rev()
        .map(|g| {
            let key = i18n.survey_group(s.stats.by, &g.key);
            let style = if g.small_sample { dim() } else { Style::new() };
            Row::new(vec![
                Span::styled(key, style),
                Span::styled(g.responses.to_string(), style),
                Span::styled(i18n.nps_text(g.nps.map(|n| n.nps)), style),
                Span::styled(i18n.csat_text(g.csat.map(|c| c.csat)), style),
            ])
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(9),
            Constraint::Length(5),
            Constraint::Length(6),
            Constraint::Length(6),
        ],
    )
    .column_spacing(1)
    .header(
        Row::new(vec![
            format!("{} ⇥", i18n.t(by_key(s.stats.by))),
            "n".to_string(),
            "NPS".to_string(),
            "CSAT".to_string(),
        ])
        .style(Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)),
    );
    frame.render_widget(table, area);
}

/// One question's answers as horizontal bars (Up/Down choose the question).
fn render_question(frame: &mut Frame, area: Rect, s: &SurveyStats, index: usize, i18n: &I18n) {
    let Some(dist) = s.stats.questions.get(index) else {
        return;
    };
    let text = s
        .template
        .question(&dist.question)
        .map(|q| q.text.get(zh(i18n)).to_string())
        .unwrap_or_default();
    let [title, bars] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    // The question gives way, never its count.
    let count = format!(" ({})", dist.answered);
    let room = usize::from(title.width).saturating_sub("▲▼ ".width() + count.width());
    let title_text = format!("▲▼ {}{count}", fit(&text, room));
    frame.render_widget(
        Paragraph::new(Span::styled(
            title_text,
            Style::new().add_modifier(Modifier::BOLD),
        )),
        title,
    );
    let label_width = dist
        .counts
        .iter()
        .map(|(key, _)| {
            i18n.survey_answer_label(&s.template, &dist.question, key)
                .width()
        })
        .max()
        .unwrap_or(1)
        .min(16);
    let count_width = dist
        .counts
        .iter()
        .map(|(_, n)| n.to_string().len())
        .max()
        .unwrap_or(1);
    // The count sits in the label, not on the bar, so a short bar still reads clearly.
    let bars_data: Vec<Bar> = dist
        .counts
        .iter()
        .map(|(key, n)| {
            let label = i18n.survey_answer_label(&s.template, &dist.question, key);
            let label = skip_columns(&label, 0, label_width);
            let pad = " ".repeat(label_width.saturating_sub(label.width()));
            Bar::with_label(format!("{label}{pad} {n:>count_width$}"), *n)
                .text_value(String::new())
                .style(Style::new().fg(Color::Cyan))
        })
        .collect();
    frame.render_widget(
        BarChart::horizontal(bars_data).bar_width(1).bar_gap(0),
        bars,
    );
}
