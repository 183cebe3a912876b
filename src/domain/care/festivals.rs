//! The festivals a branch greets its clients for (`assets/festivals.toml`), solar or lunar,
//! and the days they fall on.

use super::*;

/// A festival the branch greets its clients for (`assets/festivals.toml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Festival {
    pub code: String,
    pub solar: Option<(u32, u32)>,
    pub lunar: Option<(u8, u8)>,
    /// Only clients of at least this age are greeted (重阳节: seniors).
    pub min_age: Option<i32>,
}

/// Reads the festival list; the error names what is wrong.
pub fn parse_festivals(text: &str) -> Result<Vec<Festival>, String> {
    #[derive(Deserialize)]
    struct File {
        festival: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        code: String,
        solar: Option<String>,
        lunar: Option<String>,
        min_age: Option<i32>,
    }
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let month_day = |text: &str| -> Result<(u32, u32), String> {
        let (m, d) = text
            .split_once('-')
            .ok_or_else(|| format!("{text} is not MM-DD"))?;
        Ok((
            m.parse().map_err(|_| format!("{text} is not MM-DD"))?,
            d.parse().map_err(|_| format!("{text} is not MM-DD"))?,
        ))
    };
    file.festival
        .into_iter()
        .map(|e| {
            let solar = e.solar.as_deref().map(month_day).transpose()?;
            let lunar = e
                .lunar
                .as_deref()
                .map(month_day)
                .transpose()?
                .map(|(m, d)| (m as u8, d as u8));
            if solar.is_some() == lunar.is_some() {
                return Err(format!("{}: give either solar or lunar", e.code));
            }
            Ok(Festival {
                code: e.code,
                solar,
                lunar,
                min_age: e.min_age,
            })
        })
        .collect()
}

/// The days in `from..=to` a festival falls on.
pub fn festival_days(festival: &Festival, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut days = Vec::new();
    for year in from.year() - 1..=to.year() {
        let day = match (festival.solar, festival.lunar) {
            (Some((m, d)), _) => NaiveDate::from_ymd_opt(year, m, d),
            // A lunar festival on day 30 (New Year's Eve) falls on day 29 in a short month.
            (_, Some((m, d))) => lunar::anniversary(year, m, false, d),
            _ => None,
        };
        if let Some(day) = day
            && from <= day
            && day <= to
        {
            days.push(day);
        }
    }
    days
}
