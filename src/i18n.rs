//! UI strings. Catalogs live in `assets/i18n/<lang>.toml`; nested tables flatten into dotted
//! keys (`[err] in_use = …` is `err.in_use`). Placeholders are `{name}`.

use crate::assets;
use crate::domain::staff::{Role, StaffStatus};
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        if code.starts_with("zh") {
            Some(Lang::Zh)
        } else if code.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Chinese when the locale says so (LC_ALL, then LC_MESSAGES, then LANG, as POSIX orders
    /// them), English otherwise.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| var(name))
            .find(|value| !value.is_empty())
            .map_or(Lang::En, |value| {
                if value.starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                }
            })
    }
}

#[derive(Debug)]
pub struct I18n {
    pub lang: Lang,
    strings: HashMap<String, String>,
}

impl I18n {
    pub fn for_lang(lang: Lang) -> &'static I18n {
        static EN: OnceLock<I18n> = OnceLock::new();
        static ZH: OnceLock<I18n> = OnceLock::new();
        match lang {
            Lang::En => EN.get_or_init(|| I18n::from_catalog(Lang::En, assets::I18N_EN)),
            Lang::Zh => ZH.get_or_init(|| I18n::from_catalog(Lang::Zh, assets::I18N_ZH)),
        }
    }

    pub fn english() -> &'static I18n {
        I18n::for_lang(Lang::En)
    }

    fn from_catalog(lang: Lang, text: &str) -> I18n {
        // The catalogs are compiled in and checked by tests; a broken one shows raw keys
        // rather than stopping the program.
        let table: toml::Table = text.parse().unwrap_or_default();
        let mut strings = HashMap::new();
        flatten("", &table, &mut strings);
        I18n { lang, strings }
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.strings.keys().map(String::as_str)
    }

    /// The string for `key`, or the key itself when the catalog lacks it (visible, not fatal).
    /// The name in the UI language of something named in both (reference data).
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.lang == Lang::Zh { zh } else { en }
    }

    /// A day counted from today: "today", "in 3 days", "3 days ago".
    pub fn days_from_today(&self, days: i64) -> String {
        match days {
            0 => self.t("risk.today").to_string(),
            d if d > 0 => self.fill("risk.in_days", &[("days", &d.to_string())]),
            d => self.fill("risk.days_ago", &[("days", &(-d).to_string())]),
        }
    }

    /// An AML level's name among `levels` (the code itself when the table has no such level:
    /// "not rated" when empty).
    pub fn aml_level(&self, levels: &[crate::domain::aml::Named], code: &str) -> String {
        if code.is_empty() {
            return self.t("risk.unrated").to_string();
        }
        levels.iter().find(|l| l.code == code).map_or_else(
            || code.to_string(),
            |l| self.pick(&l.name_zh, &l.name_en).to_string(),
        )
    }

    /// Where a loan stands, in words: its days past due, and its classification with the
    /// one it moved down from ("逾期 45 天，关注→次级").
    pub fn credit_standing(
        &self,
        days_past_due: u32,
        class: crate::domain::portfolio::credit::LoanClass,
        moved_from: Option<crate::domain::portfolio::credit::LoanClass>,
    ) -> String {
        self.loan_words("risk.credit.overdue", days_past_due, class, moved_from)
    }

    /// [`I18n::credit_standing`] in a narrow column: the days and the class now.
    pub fn credit_standing_short(
        &self,
        days_past_due: u32,
        class: crate::domain::portfolio::credit::LoanClass,
    ) -> String {
        self.loan_words("risk.credit.overdue_short", days_past_due, class, None)
    }

    /// The days past due (in the words of `days_key`) and the class, with the one it moved
    /// down from if given; a current, normal loan says nothing.
    fn loan_words(
        &self,
        days_key: &str,
        days_past_due: u32,
        class: crate::domain::portfolio::credit::LoanClass,
        moved_from: Option<crate::domain::portfolio::credit::LoanClass>,
    ) -> String {
        use crate::domain::portfolio::credit::LoanClass;
        let name = |c: LoanClass| self.t_owned(format!("loan_class.{}", c.code())).to_string();
        let mut parts = Vec::new();
        if days_past_due > 0 {
            parts.push(self.fill(days_key, &[("days", &days_past_due.to_string())]));
        }
        match moved_from {
            Some(from) => parts.push(self.fill(
                "risk.credit.moved",
                &[("from", &name(from)), ("to", &name(class))],
            )),
            None if class != LoanClass::Normal => parts.push(name(class)),
            None => {}
        }
        parts.join(self.t("risk.credit.separator"))
    }

    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.strings.get(key).map_or(key, String::as_str)
    }

    /// The label of a role ("柜员", "Teller").
    pub fn role(&self, role: Role) -> &str {
        self.owned_key(format!("role.{}", role.code()), role.code())
    }

    /// The label of a staff status ("在岗", "active").
    pub fn staff_status(&self, status: StaffStatus) -> &str {
        self.owned_key(format!("status.{}", status.code()), status.code())
    }

    /// The details a complaint step carries, in words ("Handler rm01", "External appraisal").
    pub fn step_details(&self, step: &crate::domain::complaint::Step) -> String {
        use crate::domain::complaint::Step;
        let label = |key: &str| self.t_owned(format!("complaint.field.{key}")).to_string();
        let yes_no = |b: bool| {
            self.t(if b { "yes_no.yes" } else { "yes_no.no" })
                .to_string()
        };
        match step {
            Step::Accepted { handler } => format!("{} {handler}", label("handler")),
            Step::Paused { reason } => self
                .t_owned(format!("complaint.pause.{}", reason.code()))
                .to_string(),
            Step::Extended {
                approved_by,
                higher_office,
                ..
            } => {
                let mut text = format!("{} {approved_by}", label("approved_by"));
                if let Some(office) = higher_office {
                    text.push_str(&format!("; {} {office}", label("higher_office")));
                }
                text
            }
            Step::Decided { decision } => decision.clone(),
            Step::Feedback { satisfied } => {
                format!("{} {}", label("satisfied"), yes_no(*satisfied))
            }
            Step::Merged { into } => format!("{} {into}", label("into")),
            _ => String::new(),
        }
    }

    /// What a care reminder is about, in words, as of `today`: "生日（农历八月十五）· 60 岁大寿",
    /// "身份证 12 天后到期".
    pub fn care_reason(
        &self,
        reason: &crate::domain::care::Reason,
        today: chrono::NaiveDate,
    ) -> String {
        use crate::domain::care::Reason;
        let n = |v: i64| v.to_string();
        match reason {
            Reason::Birthday {
                age,
                lunar,
                milestone,
            } => {
                let mut text = match lunar {
                    Some(l) => self.fill(
                        "care.reason.lunar_birthday",
                        &[("lunar", &self.lunar_text(*l))],
                    ),
                    None => self.t("care.reason.birthday").to_string(),
                };
                let key = if *milestone {
                    "care.reason.milestone"
                } else {
                    "care.reason.age"
                };
                text.push_str(&self.fill(key, &[("age", &n(i64::from(*age)))]));
                text
            }
            Reason::Event { kind, label, years } => {
                let what = match label {
                    Some(label) => label.clone(),
                    None => self
                        .t_owned(format!("care.event.{}", kind.code()))
                        .to_string(),
                };
                match years {
                    Some(years) => self.fill(
                        "care.reason.anniversary",
                        &[("what", &what), ("years", &n(i64::from(*years)))],
                    ),
                    None => what,
                }
            }
            Reason::Relationship { years } => self.fill(
                "care.reason.relationship",
                &[("years", &n(i64::from(*years)))],
            ),
            Reason::IdExpiry { expires_on } => {
                let days = (*expires_on - today).num_days();
                match days {
                    1.. => self.fill("care.reason.id_expires_in", &[("days", &n(days))]),
                    0 => self.t("care.reason.id_expires_today").to_string(),
                    _ => self.fill("care.reason.id_expired", &[("days", &n(-days))]),
                }
            }
            Reason::SurveyFollowUp {
                nps, rating, due, ..
            } => {
                let score = match (nps, rating) {
                    (Some(nps), _) => {
                        self.fill("care.reason.survey_nps", &[("score", &nps.to_string())])
                    }
                    (None, Some(rating)) => self.fill(
                        "care.reason.survey_rating",
                        &[("score", &rating.to_string())],
                    ),
                    (None, None) => String::new(),
                };
                self.fill(
                    "care.reason.survey_follow_up",
                    &[("score", &score), ("due", &due.format("%m-%d").to_string())],
                )
            }
            Reason::TierWelcome {
                name_zh, name_en, ..
            } => self.fill(
                "care.reason.tier_welcome",
                &[(
                    "tier",
                    if self.lang == Lang::Zh {
                        name_zh
                    } else {
                        name_en
                    },
                )],
            ),
            Reason::Retention {
                percent,
                months,
                from_aum,
                to_aum,
            } => {
                let amounts = match (from_aum, to_aum) {
                    (Some(from), Some(to)) => self.fill(
                        "care.reason.retention_amounts",
                        &[("from", &yuan(*from)), ("to", &yuan(*to))],
                    ),
                    _ => String::new(),
                };
                self.fill(
                    "care.reason.retention",
                    &[
                        ("percent", &percent.to_string()),
                        ("months", &months.to_string()),
                        ("amounts", &amounts),
                    ],
                )
            }
            Reason::Maturity {
                name_zh,
                name_en,
                product,
                balance,
                matures_on,
            } => {
                let name = if self.lang == Lang::Zh {
                    name_zh
                } else {
                    name_en
                };
                let balance = balance
                    .map(|b| self.fill("care.reason.maturity_balance", &[("balance", &yuan(b))]))
                    .unwrap_or_default();
                self.fill(
                    "care.reason.maturity",
                    &[
                        ("product", if name.is_empty() { product } else { name }),
                        ("on", &matures_on.format("%m-%d").to_string()),
                        ("balance", &balance),
                    ],
                )
            }
            Reason::CreditWarning {
                product,
                name_zh,
                name_en,
                balance,
                days_past_due,
                class,
                moved_from,
                ..
            } => {
                let name = self.pick(name_zh, name_en);
                let balance = balance
                    .map(|b| self.fill("care.reason.credit_balance", &[("balance", &yuan(b))]))
                    .unwrap_or_default();
                self.fill(
                    "care.reason.credit_warning",
                    &[
                        ("product", if name.is_empty() { product } else { name }),
                        ("balance", &balance),
                        (
                            "standing",
                            &self.credit_standing(*days_past_due, *class, *moved_from),
                        ),
                    ],
                )
            }
            Reason::KycRefresh { due_on } => self.fill(
                "care.reason.kyc_refresh",
                &[("on", &due_on.format("%m-%d").to_string())],
            ),
            Reason::EventInvitation { title, on, .. } => self.fill(
                "care.reason.event_invitation",
                &[("title", title), ("on", &on.format("%m-%d").to_string())],
            ),
            Reason::EventSurvey { title, .. } => {
                self.fill("care.reason.event_survey", &[("title", title)])
            }
            Reason::Festival {
                code,
                lunar,
                clients,
            } => {
                let name = self.t_owned(format!("care.festival.{code}"));
                let mut text = match lunar {
                    Some(l) => self.fill(
                        "care.reason.lunar_festival",
                        &[("name", name), ("lunar", &self.lunar_text(*l))],
                    ),
                    None => name.to_string(),
                };
                text.push_str(
                    &self.fill("care.reason.greet", &[("clients", &clients.to_string())]),
                );
                text
            }
        }
    }

    /// One fact behind an offer, in words.
    pub fn offer_fact(&self, fact: &crate::domain::portfolio::offers::Because) -> String {
        let i18n = self;
        use crate::domain::portfolio::offers::Because as B;
        match fact {
            B::Tier { code } => i18n.fill("offers.fact.tier", &[("tier", code)]),
            B::Age { years } => i18n.fill("offers.fact.age", &[("years", &years.to_string())]),
            B::Aum { cny } => i18n.fill("offers.fact.aum", &[("aum", &yuan(cny * 100))]),
            B::Trend { trend } => i18n
                .t_owned(format!(
                    "offers.trend.{}",
                    serde_json::to_value(trend)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ))
                .to_string(),
            B::Holds { what } => i18n.fill("offers.fact.holds", &[("what", what)]),
            B::Lacks { what } => i18n.fill("offers.fact.lacks", &[("what", what)]),
            B::Maturing {
                product,
                balance,
                on,
            } => i18n.fill(
                "offers.fact.maturing",
                &[
                    ("product", product),
                    ("balance", &yuan(balance * 100)),
                    ("on", &on.to_string()),
                ],
            ),
            B::LifeEvent { kind, on } => i18n.fill(
                "offers.fact.life_event",
                &[
                    ("event", i18n.t_owned(format!("care.event.{kind}"))),
                    ("on", &on.to_string()),
                ],
            ),
            B::Assessed { level, valid_until } => i18n.fill(
                "offers.fact.assessed",
                &[
                    ("level", &level.to_string()),
                    ("until", &valid_until.to_string()),
                ],
            ),
        }
    }

    /// Why a client is in their tier: the change that put them there (in force since
    /// `since`), or the first month HQ reported.
    pub fn tier_why(
        &self,
        changes: &[crate::domain::portfolio::tiers::TierChange],
        since: Option<crate::domain::portfolio::Month>,
    ) -> String {
        use crate::domain::portfolio::tiers::TierReason;
        let i18n = self;
        let in_force = changes.iter().rfind(|c| Some(c.effective) == since);
        match in_force.map(|c| &c.reason) {
            Some(TierReason::Reached { month, avg_aum, .. }) => i18n.fill(
                "portfolio.tier_reached",
                &[("month", &month.to_string()), ("aum", &yuan(*avg_aum))],
            ),
            Some(TierReason::Below {
                months, last_month, ..
            }) => i18n.fill(
                "portfolio.tier_below",
                &[
                    ("months", &months.to_string()),
                    ("month", &last_month.to_string()),
                ],
            ),
            None => i18n.t("portfolio.tier_first").to_string(),
        }
    }

    /// NPS as it is shown everywhere: "+33.3", "-100.0", or "no responses".
    pub fn nps_text(&self, nps: Option<f64>) -> String {
        match nps {
            Some(v) if v > 0.0 => format!("+{v:.1}"),
            Some(v) => format!("{v:.1}"),
            None => self.t("survey.none").to_string(),
        }
    }

    /// CSAT as it is shown everywhere: "66.7%", or "no responses".
    pub fn csat_text(&self, csat: Option<f64>) -> String {
        match csat {
            Some(v) => format!("{v:.1}%"),
            None => self.t("survey.none").to_string(),
        }
    }

    /// A group's name in survey statistics: channels by their label, months and staff IDs
    /// as they are.
    pub fn survey_group(&self, by: crate::domain::survey::GroupBy, key: &str) -> String {
        match by {
            crate::domain::survey::GroupBy::Channel => {
                self.t_owned(format!("survey.channel.{key}")).to_string()
            }
            _ => key.to_string(),
        }
    }

    /// A response's answer in words: the score, yes or no, the options' labels, the text.
    pub fn survey_answer_text(
        &self,
        template: &crate::domain::survey::Template,
        question: &str,
        answer: &crate::domain::survey::Answer,
    ) -> String {
        use crate::domain::survey::Answer;
        match answer {
            Answer::Score(score) => score.to_string(),
            Answer::YesNo(yes) => {
                let code = if *yes { "yes" } else { "no" };
                self.t_owned(format!("yes_no.{code}")).to_string()
            }
            Answer::Choices(codes) => codes
                .iter()
                .map(|code| self.survey_answer_label(template, question, code))
                .collect::<Vec<_>>()
                .join(if self.lang == Lang::Zh { "、" } else { ", " }),
            Answer::Text(text) => text.clone(),
        }
    }

    /// The label of an answer in a distribution ("5", "10–30 分钟", "是").
    pub fn survey_answer_label(
        &self,
        template: &crate::domain::survey::Template,
        question: &str,
        key: &str,
    ) -> String {
        use crate::domain::survey::QuestionKind;
        let Some(q) = template.question(question) else {
            return key.to_string();
        };
        match q.kind {
            QuestionKind::Single | QuestionKind::Multi => q
                .options
                .iter()
                .find(|o| o.code == key)
                .map(|o| {
                    if self.lang == Lang::Zh {
                        o.zh.clone()
                    } else {
                        o.en.clone()
                    }
                })
                .unwrap_or_else(|| key.to_string()),
            QuestionKind::YesNo => self.t_owned(format!("yes_no.{key}")).to_string(),
            QuestionKind::Text => self.t("survey.text_answers").to_string(),
            _ => key.to_string(),
        }
    }

    /// A range of a branch's changes HQ keeps a bundle aside for: the bare range while it
    /// waits for them, marked when the bundle forked (the branch must renumber).
    pub fn set_aside_range(&self, from: i64, to: i64, reason: &str) -> String {
        let range = format!("{from}–{to}");
        match reason {
            "forked" => self.fill("hq.gap.forked", &[("range", &range)]),
            "orphaned" => self.fill("hq.gap.orphaned", &[("range", &range)]),
            _ => range,
        }
    }

    /// An audit action in words (`audit.action.<code>`); the code itself if the catalog
    /// lacks it (a test sees that it never does).
    pub fn audit_action(&self, code: &str) -> String {
        let key = format!("audit.action.{code}");
        match self.t(&key) {
            label if label == key => code.to_string(),
            label => label.to_string(),
        }
    }

    /// An audit row's detail in words: "reason: client at the counter · channel: phone".
    pub fn audit_detail(&self, detail: &str) -> String {
        let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(detail) else {
            return detail.to_string();
        };
        let separator = match self.lang {
            Lang::Zh => "：",
            Lang::En => ": ",
        };
        fields
            .iter()
            .map(|(name, value)| {
                let key = format!("audit.detail.{name}");
                let label = match self.t(&key) {
                    label if label == key => name.as_str(),
                    label => label,
                };
                let value = match value {
                    serde_json::Value::String(text) => text.clone(),
                    serde_json::Value::Array(items) => items
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                };
                format!("{label}{separator}{value}")
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// An identity document's expiry as the record and `client show` say it.
    pub fn id_expiry_text(&self, standing: crate::domain::client::ExpiryStanding) -> String {
        use crate::domain::client::ExpiryStanding::*;
        match standing {
            Unknown => self.t("clients.expiry_unknown").to_string(),
            LongTerm => self.t("clients.long_term").to_string(),
            Valid(date) => date.to_string(),
            Soon(date, days) => self.fill(
                "clients.expires_soon",
                &[("date", &date.to_string()), ("days", &days.to_string())],
            ),
            Expired(date) => self.fill("clients.expired", &[("date", &date.to_string())]),
        }
    }

    /// A lunar month-day in this language ("八月十五", "lunar 8/15").
    pub fn lunar_text(&self, date: crate::domain::care::LunarMonthDay) -> String {
        match self.lang {
            Lang::Zh => date.zh(),
            Lang::En => date.en(),
        }
    }

    /// [`I18n::t`] for a key built at run time; a missing key shows as "?".
    pub fn t_owned(&self, key: String) -> &str {
        self.owned_key(key, "?")
    }

    fn owned_key<'a>(&'a self, key: String, fallback: &'a str) -> &'a str {
        self.strings.get(&key).map_or(fallback, String::as_str)
    }

    /// The string for `key` with each `{name}` replaced.
    /// A sentence with its placeholders filled. `{n:client|clients}` picks the word for the
    /// count in `n` (one for 1, the other otherwise): English plurals live in the catalog.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
            let open = format!("{{{name}:");
            while let Some(start) = text.find(&open) {
                let Some(end) = text[start..].find('}').map(|e| start + e) else {
                    break;
                };
                let forms = &text[start + open.len()..end];
                let (one, other) = forms.split_once('|').unwrap_or((forms, forms));
                let word = if *value == "1" { one } else { other };
                text = format!("{}{word}{}", &text[..start], &text[end + 1..]);
            }
        }
        text
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(s) => {
                out.insert(full, s.clone());
            }
            toml::Value::Table(inner) => flatten(&full, inner, out),
            _ => {}
        }
    }
}

/// CNY from fen, with thousands separators: `1,234,567.89` (the same in both languages).
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let fen = fen.unsigned_abs();
    let whole = (fen / 100).to_string();
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped}.{:02}", fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn both_catalogs_parse_and_have_the_same_keys() {
        for text in [assets::I18N_EN, assets::I18N_ZH] {
            assert!(text.parse::<toml::Table>().is_ok());
        }
        let en: BTreeSet<_> = I18n::for_lang(Lang::En).keys().collect();
        let zh: BTreeSet<_> = I18n::for_lang(Lang::Zh).keys().collect();
        assert!(en.len() > 50);
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(
            only_en.is_empty() && only_zh.is_empty(),
            "only in en: {only_en:?}; only in zh: {only_zh:?}"
        );
    }

    #[test]
    fn every_permission_has_a_label() {
        let i18n = I18n::for_lang(Lang::En);
        for permission in crate::domain::staff::Permission::ALL {
            let key = format!("perm.{}", permission.code());
            assert!(i18n.strings.contains_key(&key), "{key}");
        }
    }

    /// Every `.rs` file under `src/`.
    fn source_files() -> Vec<std::path::PathBuf> {
        fn visit(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    visit(&path, files);
                } else if path.extension().is_some_and(|x| x == "rs") {
                    files.push(path);
                }
            }
        }
        let mut files = Vec::new();
        visit(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        files
    }

    /// Every key the code names literally (`t("…")`, `fill("…"`, `say("…"`) is in the catalog.
    #[test]
    fn every_key_the_code_names_exists() {
        let files = source_files();
        let i18n = I18n::for_lang(Lang::En);
        let is_key = |k: &str| {
            k.contains('.')
                && k.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        };
        let mut missing = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for marker in ["t(", "fill(", "say("] {
                for (at, _) in text.match_indices(marker) {
                    let before = text[..at].chars().last();
                    if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let rest = text[at + marker.len()..].trim_start();
                    let Some(rest) = rest.strip_prefix('"') else {
                        continue;
                    };
                    let Some(end) = rest.find('"') else {
                        continue;
                    };
                    let key = &rest[..end];
                    if is_key(key) && !i18n.strings.contains_key(key) {
                        missing.push(format!("{}: {key}", file.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing keys: {missing:#?}");
    }

    /// Every audit action the code writes (`AuditEvent::new("…"`) is said in words in both
    /// languages.
    #[test]
    fn every_audit_action_has_words() {
        let files = source_files();
        let mut codes = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (at, _) in text.match_indices("AuditEvent::new(") {
                let rest = text[at + "AuditEvent::new(".len()..].trim_start();
                let code = rest
                    .strip_prefix('"')
                    .and_then(|r| r.find('"').map(|end| &r[..end]));
                if let Some(code) = code.filter(|c| {
                    c.contains('.')
                        && c.chars()
                            .all(|x| x.is_ascii_lowercase() || x == '.' || x == '_')
                }) {
                    codes.insert(code.to_string());
                }
            }
        }
        assert!(codes.len() > 30, "{codes:?}");
        for lang in [Lang::Zh, Lang::En] {
            let i18n = I18n::for_lang(lang);
            for code in &codes {
                assert_ne!(
                    &i18n.audit_action(code),
                    code,
                    "{lang:?}: no words for {code}"
                );
            }
        }
    }

    #[test]
    fn english_counts_take_their_plural() {
        let en = I18n::for_lang(Lang::En);
        assert_eq!(
            en.fill("care.reason.id_expires_in", &[("days", "1")]),
            "ID expires in 1 day"
        );
        assert_eq!(
            en.fill("care.reason.id_expires_in", &[("days", "11")]),
            "ID expires in 11 days"
        );
        let zh = I18n::for_lang(Lang::Zh);
        assert_eq!(
            zh.fill("clients.found", &[("count", "1")]),
            "共 1 位客户（最匹配者在前，本网点客户在前）。"
        );
        // Every sentence filled leaves no markup behind.
        for key in en.keys() {
            let names: Vec<String> = en
                .t(key)
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}'))
                .map(|(name, _)| name.split(':').next().unwrap_or_default().to_string())
                .collect();
            let args: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "2")).collect();
            let filled = en.fill(key, &args);
            assert!(!filled.contains('{'), "{key}: {filled}");
        }
    }

    #[test]
    fn placeholders_agree_between_languages() {
        let placeholders = |s: &str| -> BTreeSet<String> {
            s.split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
                // `{n:one|other}` names the same placeholder as `{n}`.
                .map(|name| name.split(':').next().unwrap_or_default().to_string())
                .collect()
        };
        let en = I18n::for_lang(Lang::En);
        let zh = I18n::for_lang(Lang::Zh);
        for key in en.keys() {
            assert_eq!(
                placeholders(en.t(key)),
                placeholders(zh.t(key)),
                "placeholders differ for {key}"
            );
        }
    }

    #[test]
    fn language_follows_the_locale() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Lang::from_env(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(Lang::from_env(env(&[("LANG", "en_US.UTF-8")])), Lang::En);
        assert_eq!(Lang::from_env(env(&[])), Lang::En);
        assert_eq!(
            Lang::from_env(env(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_env(env(&[("LC_ALL", ""), ("LANG", "zh_TW.UTF-8")])),
            Lang::Zh
        );
    }

    #[test]
    fn fill_replaces_placeholders() {
        let en = I18n::english();
        let text = en.fill("err.no_store", &[("dir", "/tmp/x")]);
        assert!(text.contains("/tmp/x") && !text.contains("{dir}"), "{text}");
    }
}
