//! The care screen: the agenda by section (overdue, today, 7 and 30 days), a heat strip of
//! the coming month, and the prompt for acting on a reminder with a suggested greeting.

use crate::app::care::{CarePrompt, CareScreen};
use crate::app::{App, MainState};
use crate::domain::care::{Agenda, CareItem, CareScope};
use crate::domain::care::{Reason, Section, Standing};
use crate::i18n::I18n;
use crate::tui::kit::{self, FormBox, dim, plain, render_form_box};
use chrono::{Duration, NaiveDate};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Sparkline, Table, TableState};

pub fn render(frame: &mut Frame, area: Rect, app: &App, main: &MainState, screen: &CareScreen) {
    let i18n = app.i18n;
    render_agenda(frame, area, screen, i18n);
    let Some(item) = screen.selected_item() else {
        return;
    };
    let today = screen.agenda.as_ref().map_or(item.on, |a| a.today);
    let (action, form) = match &screen.prompt {
        Some(CarePrompt::Choose(form)) => (None, form),
        Some(CarePrompt::Details { action, form }) => (Some(action), form),
        None => return,
    };
    let mut intro = prompt_intro(item, today, &main.session.branch.name, i18n);
    if let Some(action) = action {
        intro.insert(
            0,
            (
                i18n.t_owned(format!("care.action.{}", action.code()))
                    .to_string(),
                Style::new().add_modifier(Modifier::BOLD),
            ),
        );
    }
    render_form_box(
        frame,
        area,
        FormBox {
            title: i18n.t("care.view.prompt_title"),
            width: 74,
            intro,
            outro: Vec::new(),
        },
        form,
        i18n,
    );
}

/// Who and why, and the greeting the catalog suggests for it.
fn prompt_intro(
    item: &CareItem,
    today: NaiveDate,
    branch: &str,
    i18n: &I18n,
) -> Vec<(String, Style)> {
    let who = match (&item.name, &item.client_no) {
        (Some(name), Some(no)) => format!("{name} ({no}) · "),
        _ => String::new(),
    };
    let mut lines = vec![(
        format!("{who}{}", i18n.care_reason(&item.reason, today)),
        Style::new(),
    )];
    let greeting = greeting(item, branch, i18n);
    if !greeting.is_empty() {
        lines.push((i18n.t("care.view.suggested").to_string(), dim()));
        lines.push((greeting, Style::new().fg(Color::Cyan)));
    }
    lines.push(plain(""));
    lines
}

/// The suggested greeting (`greeting.<reason>`), filled in.
pub fn greeting(item: &CareItem, branch: &str, i18n: &I18n) -> String {
    let key = format!("greeting.{}", item.reason.greeting_key());
    if i18n.t_owned(key.clone()) == "?" {
        return String::new();
    }
    let name = item.name.clone().unwrap_or_default();
    let (age, years, date) = match &item.reason {
        Reason::Birthday { age, .. } => (age.to_string(), String::new(), String::new()),
        Reason::Event { years, .. } => (
            String::new(),
            years.map(|y| y.to_string()).unwrap_or_default(),
            String::new(),
        ),
        Reason::Relationship { years } => (String::new(), years.to_string(), String::new()),
        Reason::IdExpiry { expires_on } => (
            String::new(),
            String::new(),
            expires_on.format(i18n.t("format.date_long")).to_string(),
        ),
        Reason::Maturity { matures_on, .. }
        | Reason::KycRefresh { due_on: matures_on }
        | Reason::EventInvitation { on: matures_on, .. } => (
            String::new(),
            String::new(),
            matures_on.format(i18n.t("format.date_long")).to_string(),
        ),
        Reason::Festival { .. }
        | Reason::SurveyFollowUp { .. }
        | Reason::TierWelcome { .. }
        | Reason::Retention { .. }
        | Reason::CreditWarning { .. }
        | Reason::EventSurvey { .. } => (String::new(), String::new(), String::new()),
    };
    let tier = match &item.reason {
        Reason::TierWelcome {
            name_zh, name_en, ..
        } if i18n.lang == crate::i18n::Lang::Zh => name_zh.clone(),
        Reason::TierWelcome { name_en, .. } => name_en.clone(),
        _ => String::new(),
    };
    i18n.fill(
        &key,
        &[
            ("name", name.as_str()),
            ("age", &age),
            ("years", &years),
            ("date", &date),
            ("tier", &tier),
            ("branch", branch),
        ],
    )
}

fn section_style(section: Section) -> Style {
    match section {
        Section::Overdue => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Section::Today => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        _ => Style::new().add_modifier(Modifier::BOLD),
    }
}

fn section_key(section: Section) -> &'static str {
    match section {
        Section::Overdue => "care.section.overdue",
        Section::Today => "care.section.today",
        Section::Week => "care.section.week",
        Section::Month => "care.section.month",
        Section::Later => "care.section.later",
    }
}

fn summary(agenda: &Agenda, i18n: &I18n) -> Line<'static> {
    let count = |section: Section| agenda.items.iter().filter(|i| i.section == section).count();
    let scope = match agenda.scope {
        CareScope::Mine => i18n.t("care.scope.mine"),
        CareScope::Branch => i18n.t("care.scope.branch"),
    };
    let mut spans = vec![Span::styled(
        format!("{scope} · "),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    for (i, section) in [
        Section::Overdue,
        Section::Today,
        Section::Week,
        Section::Month,
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            spans.push(Span::raw(" · "));
        }
        let n = count(section);
        let style = if n > 0 && section <= Section::Today {
            section_style(section)
        } else {
            Style::new()
        };
        spans.push(Span::styled(
            format!("{} {n}", i18n.t(section_key(section))),
            style,
        ));
    }
    Line::from(spans)
}

fn render_agenda(frame: &mut Frame, area: Rect, screen: &CareScreen, i18n: &I18n) {
    let block = Block::bordered().title(format!(" {} ", i18n.t("tab.care")));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(agenda) = &screen.agenda else {
        let text = if screen.loading {
            i18n.t("status.loading")
        } else {
            ""
        };
        frame.render_widget(Paragraph::new(Span::styled(text, dim())), inner);
        return;
    };
    let [top, strip, ticks, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(summary(agenda, i18n)), top);

    // The coming month, a column per day: how many reminders fall on it.
    let label = format!("{} ", i18n.t("care.view.coming_month"));
    let label_width = unicode_width::UnicodeWidthStr::width(label.as_str()) as u16;
    let days = agenda.per_day(agenda.today, agenda.today + Duration::days(29));
    let [strip_label, strip_area] =
        Layout::horizontal([Constraint::Length(label_width), Constraint::Length(30)]).areas(strip);
    frame.render_widget(Paragraph::new(Span::styled(label, dim())), strip_label);
    let counts: Vec<u64> = days.iter().map(|(_, n)| u64::from(*n)).collect();
    frame.render_widget(
        Sparkline::default()
            .data(&counts)
            .style(Style::new().fg(Color::Cyan)),
        strip_area,
    );
    // A tick every seven days under the strip.
    let mut tick_line = " ".repeat(label_width as usize);
    for (i, (day, _)) in days.iter().enumerate().step_by(7) {
        let text = day.format("%m-%d").to_string();
        let at = label_width as usize + i;
        while tick_line.len() < at {
            tick_line.push(' ');
        }
        tick_line.push_str(&text);
    }
    frame.render_widget(Paragraph::new(Span::styled(tick_line, dim())), ticks);

    if agenda.items.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(i18n.t("care.view.empty").to_string(), dim())),
            list,
        );
        return;
    }
    // Section headings between the items; the selection counts items only.
    let mut rows: Vec<Row> = Vec::new();
    let mut selected_row = 0;
    let mut current: Option<Section> = None;
    for (index, item) in agenda.items.iter().enumerate() {
        if current != Some(item.section) {
            current = Some(item.section);
            rows.push(Row::new(vec![
                Span::raw(""),
                Span::styled(
                    i18n.t(section_key(item.section)).to_string(),
                    section_style(item.section).add_modifier(Modifier::UNDERLINED),
                ),
            ]));
        }
        if index == screen.selected.index {
            selected_row = rows.len();
        }
        let mut reason = i18n.care_reason(&item.reason, agenda.today);
        if item.standing == Standing::Snoozed {
            reason = format!("{reason} · {}", i18n.t("care.view.snoozed"));
        }
        rows.push(Row::new(vec![
            Span::raw(item.on.format("%m-%d").to_string()),
            Span::raw(item.client_no.clone().unwrap_or_default()),
            Span::raw(item.name.clone().unwrap_or_default()),
            Span::raw(reason),
        ]));
    }
    let table_rows = rows.len();
    let table = Table::new(
        rows,
        [
            Constraint::Length(5),
            Constraint::Length(14),
            Constraint::Length(8),
            Constraint::Min(10),
        ],
    )
    .column_spacing(1)
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
    .highlight_symbol(">");
    let mut state = TableState::default().with_selected(Some(selected_row));
    let total = table_rows;
    frame.render_stateful_widget(table, list, &mut state);
    kit::table_scrollbar(frame, area, list, false, total, &state);
}
