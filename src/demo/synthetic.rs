//! Synthetic clients for the demo store and the benchmark: realistic enough to exercise the
//! lookup (a real surname distribution, duplicate names like two 王芳, compound surnames and
//! surnames with special readings, Latin names, companies) and always valid (ID check
//! characters, USCCs, mobiles). Deterministic for a given seed.

use crate::domain::client::{BirthCalendar, ClientKind, ClientRecord, Tier};
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

/// Surnames with their share per ten thousand people (2020 census, rounded), plus compound
/// surnames and the ones read differently as surnames.
const SURNAMES: &[(&str, u32)] = &[
    ("王", 725),
    ("李", 719),
    ("张", 690),
    ("刘", 538),
    ("陈", 461),
    ("杨", 311),
    ("黄", 225),
    ("赵", 200),
    ("吴", 184),
    ("周", 174),
    ("徐", 134),
    ("孙", 123),
    ("马", 115),
    ("朱", 110),
    ("胡", 104),
    ("郭", 97),
    ("何", 90),
    ("林", 88),
    ("高", 88),
    ("罗", 80),
    ("郑", 73),
    ("梁", 68),
    ("谢", 59),
    ("宋", 55),
    ("唐", 53),
    ("许", 52),
    ("韩", 51),
    ("冯", 50),
    ("邓", 49),
    ("曹", 46),
    ("彭", 45),
    ("曾", 44),
    ("肖", 44),
    ("田", 43),
    ("董", 41),
    ("袁", 39),
    ("潘", 38),
    ("于", 36),
    ("蒋", 36),
    ("蔡", 35),
    ("余", 34),
    ("杜", 33),
    ("叶", 31),
    ("程", 30),
    ("苏", 29),
    ("魏", 28),
    ("吕", 27),
    ("丁", 26),
    ("任", 26),
    ("沈", 25),
    ("姚", 24),
    ("卢", 23),
    ("姜", 22),
    ("崔", 21),
    ("钟", 21),
    ("谭", 20),
    ("陆", 20),
    ("汪", 19),
    ("范", 19),
    ("金", 18),
    ("石", 18),
    ("廖", 18),
    ("贾", 17),
    ("夏", 17),
    ("韦", 16),
    ("付", 16),
    ("方", 15),
    ("白", 15),
    ("邹", 14),
    ("孟", 14),
    ("熊", 14),
    ("秦", 13),
    ("邱", 13),
    ("江", 13),
    ("尹", 12),
    ("薛", 12),
    ("闫", 11),
    ("段", 11),
    ("雷", 11),
    ("侯", 10),
    ("龙", 10),
    ("史", 10),
    ("陶", 9),
    ("黎", 9),
    ("贺", 9),
    ("顾", 8),
    ("毛", 8),
    ("郝", 8),
    ("龚", 8),
    ("邵", 8),
    ("万", 7),
    ("钱", 7),
    ("严", 7),
    ("覃", 6),
    ("武", 6),
    ("戴", 6),
    ("莫", 5),
    ("孔", 5),
    ("向", 5),
    ("汤", 5),
    // The long tail: a hundred more, about one in eight people together.
    ("柳", 12),
    ("凌", 12),
    ("甘", 12),
    ("温", 12),
    ("岳", 12),
    ("葛", 12),
    ("祝", 12),
    ("尚", 12),
    ("樊", 12),
    ("齐", 12),
    ("庞", 12),
    ("颜", 12),
    ("倪", 12),
    ("殷", 12),
    ("申", 12),
    ("聂", 12),
    ("柴", 12),
    ("左", 12),
    ("焦", 12),
    ("牛", 12),
    ("伍", 12),
    ("章", 12),
    ("鲁", 12),
    ("辛", 12),
    ("管", 12),
    ("毕", 12),
    ("傅", 12),
    ("耿", 12),
    ("关", 12),
    ("兰", 12),
    ("麦", 12),
    ("包", 12),
    ("蒙", 12),
    ("易", 12),
    ("詹", 12),
    ("梅", 12),
    ("鲍", 12),
    ("花", 12),
    ("时", 12),
    ("穆", 12),
    ("车", 12),
    ("乔", 12),
    ("成", 12),
    ("庄", 12),
    ("喻", 12),
    ("俞", 12),
    ("萧", 12),
    ("邢", 12),
    ("裴", 12),
    ("舒", 12),
    ("屈", 12),
    ("项", 12),
    ("祁", 12),
    ("阮", 12),
    ("蓝", 12),
    ("席", 12),
    ("季", 12),
    ("宫", 12),
    ("卞", 12),
    ("靳", 12),
    ("苗", 12),
    ("滕", 12),
    ("艾", 12),
    ("占", 12),
    ("练", 12),
    ("湛", 12),
    ("冉", 12),
    ("盛", 12),
    ("米", 12),
    ("芦", 12),
    ("宗", 12),
    ("娄", 12),
    ("巫", 12),
    ("饶", 12),
    ("隆", 12),
    ("景", 12),
    ("符", 12),
    ("戚", 12),
    ("郎", 12),
    ("瞿", 12),
    ("荆", 12),
    ("蒲", 12),
    ("谷", 12),
    ("褚", 12),
    ("燕", 12),
    ("纪", 12),
    ("翟", 12),
    ("缪", 12),
    ("柏", 12),
    ("单", 3),
    ("仇", 1),
    ("解", 1),
    ("区", 1),
    ("朴", 1),
    ("查", 1),
    ("欧阳", 3),
    ("司马", 1),
    ("诸葛", 1),
    ("上官", 1),
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "英", "霞", "平", "刚", "桂", "华", "建", "国", "文", "辉", "玲", "红", "鹏", "飞",
    "斌", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "欣", "婷", "雪", "琳",
    "晨", "颖", "倩", "晶", "瑶", "丹", "萍", "燕", "梅", "兰", "莉", "玉", "云", "海", "波", "亮",
    "峰", "鑫", "博", "宏", "志", "成", "东", "春", "晓", "小", "佳", "子", "梓", "涵", "轩", "睿",
    "泽", "雨", "思", "怡", "嘉", "昊", "然", "一", "诗", "悦", "可", "语", "馨", "欢", "阳", "光",
    "新", "立", "荣", "生", "德", "福", "清", "金", "凤", "兵", "力", "山", "江", "川", "永", "胜",
    "利", "祥", "美", "乐", "长", "娜", "芳", "静",
];

const LATIN_FIRST: &[&str] = &[
    "John", "Mary", "David", "Sarah", "Michael", "Emma", "James", "Anna", "Peter", "Laura",
    "Thomas", "Maria", "Daniel", "Sophie", "Robert", "Olivia", "Lucas", "Hannah",
];
const LATIN_LAST: &[&str] = &[
    "Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Anderson", "Jackson",
    "Martin", "Lee", "Kim", "Park", "Nguyen", "Muller", "Schmidt", "Dubois", "Rossi", "Tanaka",
];

const CITIES: &[&str] = &[
    "北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安",
];
const FIRM_WORDS: &[&str] = &[
    "华盛", "恒信", "宏达", "鑫源", "瑞丰", "汇通", "金泰", "嘉禾", "天成", "远航", "博雅", "新元",
    "锦程", "正和", "永安", "同创", "聚贤", "长青",
];
const INDUSTRIES: &[&str] = &[
    "科技",
    "商贸",
    "建筑工程",
    "餐饮管理",
    "物流",
    "信息技术",
    "文化传媒",
    "电子",
    "医药",
    "农业发展",
];
const FIRM_SUFFIX: &[&str] = &["有限公司", "有限责任公司", "股份有限公司"];

/// County-level codes (first six ID digits) and the district they name, for addresses.
const REGIONS: &[(&str, &str)] = &[
    ("110101", "北京市东城区"),
    ("110102", "北京市西城区"),
    ("110105", "北京市朝阳区"),
    ("110108", "北京市海淀区"),
    ("120101", "天津市和平区"),
    ("130102", "石家庄市长安区"),
    ("310101", "上海市黄浦区"),
    ("310104", "上海市徐汇区"),
    ("310115", "上海市浦东新区"),
    ("320102", "南京市玄武区"),
    ("320505", "苏州市虎丘区"),
    ("330106", "杭州市西湖区"),
    ("340104", "合肥市蜀山区"),
    ("350102", "福州市鼓楼区"),
    ("370102", "济南市历下区"),
    ("410105", "郑州市金水区"),
    ("420102", "武汉市江岸区"),
    ("430102", "长沙市芙蓉区"),
    ("440103", "广州市荔湾区"),
    ("440106", "广州市天河区"),
    ("440304", "深圳市福田区"),
    ("450103", "南宁市青秀区"),
    ("500103", "重庆市渝中区"),
    ("510104", "成都市锦江区"),
    ("530102", "昆明市五华区"),
    ("610102", "西安市新城区"),
    ("620102", "兰州市城关区"),
    ("210102", "沈阳市和平区"),
    ("220102", "长春市南关区"),
    ("230102", "哈尔滨市道里区"),
];
const STREETS: &[&str] = &[
    "人民路",
    "解放路",
    "建设路",
    "中山路",
    "长安街",
    "和平路",
    "文化路",
    "新华路",
];
const OCCUPATIONS: &[&str] = &[
    "教师",
    "医生",
    "工程师",
    "公务员",
    "个体经营",
    "会计",
    "销售",
    "退休",
    "学生",
    "司机",
    "护士",
    "律师",
    "厨师",
    "农民",
    "自由职业",
];
const TAGS: &[&str] = &[
    "代发工资",
    "理财",
    "房贷",
    "信用卡",
    "养老金",
    "社保卡",
    "VIP",
    "基金定投",
];
const MOBILE_PREFIXES: &[&str] = &[
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
    "156", "157", "158", "159", "176", "177", "180", "181", "182", "185", "186", "187", "188",
    "189", "198", "199",
];
const OTHER_BRANCHES: &[&str] = &["BJ0102", "BJ0205", "SH0301", "GZ0107"];

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

    fn id_expiry(&mut self, birth: NaiveDate) -> Option<NaiveDate> {
        let age = self.today.year() - birth.year();
        if age > 46 && self.rng.chance(600) {
            return None; // 长期
        }
        // Spread around today: some expired, some about to, most later.
        let offset = self.rng.below(365 * 12) as i64 - 365 * 2;
        Some(self.today + Duration::days(offset))
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
        let id_expiry = Some(self.today + Duration::days(self.rng.below(365 * 10) as i64 - 200));
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
            id_expiry: None,
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
