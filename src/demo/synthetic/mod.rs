//! Synthetic clients for the demo store and the benchmark: realistic enough to exercise the
//! lookup (a real surname distribution, duplicate names like two 王芳, compound surnames and
//! surnames with special readings, Latin names, companies) and always valid (ID check
//! characters, USCCs, mobiles). Deterministic for a given seed.

mod names;
use names::*;

use crate::domain::client::{BirthCalendar, ClientKind, ClientRecord, IdExpiry, Tier};
use crate::domain::ids::{Gender, IdType, resident_check_char, uscc_check_char};
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::HashSet;

/// SplitMix64: small, fast, good enough for test data (never for secrets).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Picks by weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u32)], total: u32) -> &'a T {
        let mut roll = self.below(u64::from(total)) as u32;
        for (item, weight) in items {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        &items[items.len() - 1].0
    }
}

/// One synthetic client and the branch it belongs to.
#[derive(Debug, Clone)]
pub struct SyntheticClient {
    pub home_branch: String,
    pub record: ClientRecord,
}

/// Generates clients one after another, never repeating an ID number.
pub struct Generator {
    rng: Rng,
    today: NaiveDate,
    branch: String,
    surname_total: u32,
    used_ids: HashSet<String>,
    /// Share (per mille) of clients assigned to `rm`.
    rm_share: u64,
    rm: Option<String>,
}

impl Generator {
    /// `count` sizes the relationship manager's book: about 5,000 clients, or half of a
    /// small store.
    pub fn new(
        seed: u64,
        today: NaiveDate,
        branch: &str,
        rm: Option<&str>,
        count: u64,
    ) -> Generator {
        let rm_share = (5_000_000 / count.max(1)).clamp(1, 500);
        Generator {
            rng: Rng::new(seed),
            today,
            branch: branch.to_string(),
            surname_total: SURNAMES.iter().map(|(_, w)| w).sum(),
            used_ids: HashSet::new(),
            rm_share,
            rm: rm.map(str::to_string),
        }
    }

    pub fn next_client(&mut self) -> SyntheticClient {
        let roll = self.rng.below(1000);
        let mut record = if roll < 70 {
            self.company()
        } else if roll < 90 {
            self.foreigner()
        } else {
            self.person()
        };
        let rng = &mut self.rng;
        if rng.chance(self.rm_share) {
            record.assigned_rm = self.rm.clone();
        }
        record.tier = match rng.below(100) {
            0 => Tier::Private,
            1..=5 => Tier::Platinum,
            6..=19 => Tier::Gold,
            _ => Tier::Standard,
        };
        record.risk_level = (rng.below(3) > 0).then(|| 1 + rng.below(5) as u8);
        let tag_count = rng.below(3);
        record.tags = (0..tag_count).map(|_| rng.pick(TAGS).to_string()).collect();
        record.tags.dedup();
        record.consent_marketing = rng.chance(600);
        let home_branch = if rng.chance(50) {
            rng.pick(OTHER_BRANCHES).to_string()
        } else {
            self.branch.clone()
        };
        SyntheticClient {
            home_branch,
            record,
        }
    }

    fn mobile(&mut self) -> String {
        let prefix = self.rng.pick(MOBILE_PREFIXES);
        format!("{prefix}{:08}", self.rng.below(100_000_000))
    }

    fn address(&mut self, district: &str) -> String {
        let street = self.rng.pick(STREETS);
        format!("{district}{street}{}号", 1 + self.rng.below(300))
    }

    fn chinese_name(&mut self) -> String {
        let surname = *self.rng.weighted(SURNAMES, self.surname_total);
        let given_len = if self.rng.chance(350) { 1 } else { 2 };
        let mut name = surname.to_string();
        for _ in 0..given_len {
            let given: &&str = self.rng.pick(GIVEN);
            name.push_str(given);
        }
        name
    }

    fn birth_date(&mut self) -> NaiveDate {
        // Ages 18–90, more of them in working age.
        let age_days = 365 * (18 + self.rng.below(30) + self.rng.below(43)) + self.rng.below(365);
        self.today - Duration::days(age_days as i64)
    }

    fn id_expiry(&mut self, birth: NaiveDate) -> IdExpiry {
        let age = self.today.year() - birth.year();
        if age > 46 && self.rng.chance(600) {
            return IdExpiry::LongTerm;
        }
        // Spread around today: some expired, some about to, most later.
        let offset = self.rng.below(365 * 12) as i64 - 365 * 2;
        IdExpiry::On(self.today + Duration::days(offset))
    }

    fn person(&mut self) -> ClientRecord {
        let name = self.chinese_name();
        let gender = if self.rng.chance(500) {
            Gender::Male
        } else {
            Gender::Female
        };
        let (id_number, birth, district) = loop {
            let birth = self.birth_date();
            let (region, district) = *self.rng.pick(REGIONS);
            let seq = self.rng.below(500) * 2 + u64::from(gender == Gender::Male);
            let body = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
            let id = format!("{body}{}", resident_check_char(body.as_bytes()));
            if self.used_ids.insert(id.clone()) {
                break (id, birth, district);
            }
        };
        let email = self
            .rng
            .chance(200)
            .then(|| format!("user{}@example.cn", self.rng.below(10_000_000)));
        let id_expiry = self.id_expiry(birth);
        let birth_calendar = if self.rng.chance(150) {
            BirthCalendar::Lunar
        } else {
            BirthCalendar::Solar
        };
        // One lunar-calendar client in ten was born at Mid-Autumn (八月十五), so that the
        // festival's agenda has birthdays to show. Derived from the ID, not drawn, so the
        // rest of the demo stays as it was.
        let (id_number, birth) = match birth_calendar {
            BirthCalendar::Lunar if id_number.as_bytes().get(15).is_some_and(|b| *b == b'0') => {
                self.mid_autumn_born(&id_number, birth)
                    .unwrap_or((id_number, birth))
            }
            _ => (id_number, birth),
        };
        ClientRecord {
            kind: ClientKind::Person,
            name,
            gender: Some(gender),
            birth_date: Some(birth),
            birth_calendar,
            id_type: IdType::ResidentId,
            id_number,
            id_expiry,
            phone: Some(self.mobile()),
            email,
            address: Some(self.address(district)),
            occupation: Some(self.rng.pick(OCCUPATIONS).to_string()),
            assigned_rm: None,
            tier: Tier::Standard,
            risk_level: None,
            tags: Vec::new(),
            consent_marketing: false,
        }
    }

    /// The same person born on 八月十五 of their birth year: a new ID number to match.
    fn mid_autumn_born(
        &mut self,
        id_number: &str,
        birth: NaiveDate,
    ) -> Option<(String, NaiveDate)> {
        let lunar_birth = crate::domain::lunar::to_solar(crate::domain::lunar::LunarDate {
            year: birth.year(),
            month: 8,
            leap: false,
            day: 15,
        })
        .ok()
        .filter(|d| *d <= self.today)?;
        let body = format!(
            "{}{}{}",
            id_number.get(..6)?,
            lunar_birth.format("%Y%m%d"),
            id_number.get(14..17)?
        );
        let id = format!("{body}{}", resident_check_char(body.as_bytes()));
        if !self.used_ids.insert(id.clone()) {
            return None;
        }
        self.used_ids.remove(id_number);
        Some((id, lunar_birth))
    }

    fn foreigner(&mut self) -> ClientRecord {
        let name = format!(
            "{} {}",
            self.rng.pick(LATIN_FIRST),
            self.rng.pick(LATIN_LAST)
        );
        let id_number = loop {
            let letter = char::from(b'A' + self.rng.below(26) as u8);
            let id = format!("{letter}{:08}", self.rng.below(100_000_000));
            if self.used_ids.insert(id.clone()) {
                break id;
            }
        };
        let birth = self.birth_date();
        let (_, district) = *self.rng.pick(REGIONS);
        let id_expiry =
            IdExpiry::On(self.today + Duration::days(self.rng.below(365 * 10) as i64 - 200));
        ClientRecord {
            kind: ClientKind::Person,
            name,
            gender: Some(if self.rng.chance(500) {
                Gender::Male
            } else {
                Gender::Female
            }),
            birth_date: Some(birth),
            birth_calendar: BirthCalendar::Solar,
            id_type: IdType::Passport,
            id_number,
            id_expiry,
            phone: Some(self.mobile()),
            email: Some(format!("intl{}@example.com", self.rng.below(1_000_000))),
            address: Some(self.address(district)),
            occupation: Some(self.rng.pick(OCCUPATIONS).to_string()),
            assigned_rm: None,
            tier: Tier::Standard,
            risk_level: None,
            tags: Vec::new(),
            consent_marketing: false,
        }
    }

    fn company(&mut self) -> ClientRecord {
        let name = format!(
            "{}{}{}{}",
            self.rng.pick(CITIES),
            self.rng.pick(FIRM_WORDS),
            self.rng.pick(INDUSTRIES),
            self.rng.pick(FIRM_SUFFIX)
        );
        const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
        let (uscc, district) = loop {
            let (region, district) = *self.rng.pick(REGIONS);
            let mut body = format!("91{region}");
            for _ in 0..9 {
                body.push(char::from(*self.rng.pick(CHARS)));
            }
            let Some(check) = uscc_check_char(body.as_bytes()) else {
                continue;
            };
            let code = format!("{body}{check}");
            if self.used_ids.insert(code.clone()) {
                break (code, district);
            }
        };
        ClientRecord {
            kind: ClientKind::Company,
            name,
            gender: None,
            birth_date: None,
            birth_calendar: BirthCalendar::Solar,
            id_type: IdType::Uscc,
            id_number: uscc,
            id_expiry: IdExpiry::LongTerm,
            phone: Some(self.mobile()),
            email: None,
            address: Some(self.address(district)),
            occupation: None,
            assigned_rm: None,
            tier: Tier::Standard,
            risk_level: None,
            tags: Vec::new(),
            consent_marketing: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::client::validate;

    #[test]
    fn every_generated_client_passes_validation_and_ids_are_unique() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let mut generator = Generator::new(7, today, "DEMO01", Some("rm01"), 2000);
        let mut ids = HashSet::new();
        let mut kinds = [0; 2];
        let mut with_rm = 0;
        for _ in 0..2000 {
            let client = generator.next_client();
            let input = client.record.to_input();
            let checked = validate(&input, today);
            assert!(checked.is_ok(), "{:?}: {:?}", client.record, checked.err());
            assert!(ids.insert(client.record.id_number.clone()));
            kinds[usize::from(client.record.kind == ClientKind::Company)] += 1;
            with_rm += usize::from(client.record.assigned_rm.is_some());
        }
        assert!(kinds[1] > 50 && kinds[0] > 1500, "{kinds:?}");
        assert!((500..1500).contains(&with_rm), "{with_rm}");
    }

    #[test]
    fn the_same_seed_gives_the_same_clients() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let a: Vec<String> = {
            let mut g = Generator::new(1, today, "X1", None, 10);
            (0..10).map(|_| g.next_client().record.name).collect()
        };
        let b: Vec<String> = {
            let mut g = Generator::new(1, today, "X1", None, 10);
            (0..10).map(|_| g.next_client().record.name).collect()
        };
        assert_eq!(a, b);
    }

    #[test]
    fn surnames_follow_the_census_roughly() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let mut g = Generator::new(3, today, "X1", None, 10);
        let wang = (0..20_000)
            .map(|_| g.chinese_name())
            .filter(|n| n.starts_with('王'))
            .count();
        // 王 is about 7% of people; the table has the top hundred and a tail.
        let total: u32 = SURNAMES.iter().map(|(_, w)| w).sum();
        let share = f64::from(wang as u32) / 20_000.0;
        assert!((0.065..0.095).contains(&share), "{share}");
        assert!((f64::from(725) / f64::from(total) - share).abs() < 0.01);
    }
}
