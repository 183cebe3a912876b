//! Names: surnames (including compound ones), pinyin keys for lookup, and the character
//! grams that let one- and two-character queries find a name by any part of it.

use pinyin::{ToPinyin, ToPinyinMulti};

/// Two-character surnames (复姓), longest match first.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "端木", "西门", "南宫", "独孤", "万俟", "申屠", "太史", "澹台",
    "公冶", "宗政", "濮阳", "淳于", "单于", "呼延", "闻人", "赫连", "拓跋", "百里", "东郭", "梁丘",
    "左丘", "第五", "公羊", "鲜于", "闾丘", "司空", "亓官", "司寇", "颛孙", "乐正", "漆雕", "巫马",
    "南门", "羊舌",
];

/// Surnames whose reading differs from the character's everyday one (the pinyin crate
/// gives the everyday reading: 单 dan, 曾 ceng, 仇 chou...).
const SURNAME_READINGS: &[(&str, &[&str])] = &[
    ("单", &["shan"]),
    ("曾", &["zeng"]),
    ("仇", &["qiu"]),
    ("解", &["xie"]),
    ("区", &["ou"]),
    ("朴", &["piao"]),
    ("查", &["zha"]),
    ("盖", &["ge"]),
    ("乐", &["yue"]),
    ("覃", &["qin"]),
    ("秘", &["bi"]),
    ("种", &["chong"]),
    ("缪", &["miao"]),
    ("翟", &["zhai"]),
    ("员", &["yun"]),
    ("召", &["shao"]),
    ("折", &["she"]),
    ("句", &["gou"]),
    ("宓", &["mi"]),
    ("逄", &["pang"]),
    ("隗", &["wei"]),
    ("莘", &["shen"]),
    ("訾", &["zi"]),
    ("褚", &["chu"]),
    ("薄", &["bo"]),
    ("柏", &["bai"]),
    ("纪", &["ji"]),
    ("任", &["ren"]),
    ("燕", &["yan"]),
    ("过", &["guo"]),
    ("尉", &["wei"]),
    ("重", &["chong"]),
    ("朝", &["chao"]),
    ("藏", &["zang"]),
    ("繁", &["po"]),
    ("冼", &["xian"]),
    ("黑", &["he"]),
    ("能", &["nai"]),
    ("都", &["du"]),
    ("牟", &["mou"]),
    ("尉迟", &["yu", "chi"]),
    ("万俟", &["mo", "qi"]),
    ("长孙", &["zhang", "sun"]),
    ("单于", &["chan", "yu"]),
    ("澹台", &["tan", "tai"]),
    ("乐正", &["yue", "zheng"]),
];

/// At most this many reading combinations per name (polyphonic characters multiply them).
const MAX_READINGS: usize = 8;

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

pub fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

/// Splits a Chinese name into surname and given name (compound surnames recognised).
/// A Latin name's "surname" is its first word, as it is written on the passport.
pub fn split_surname(name: &str) -> (&str, &str) {
    let name = name.trim();
    if has_cjk(name) {
        if let Some(compound) = COMPOUND_SURNAMES.iter().find(|s| name.starts_with(**s))
            && name.chars().count() > 2
        {
            return name.split_at(compound.len());
        }
        let first = name.chars().next().map_or(0, char::len_utf8);
        return name.split_at(first);
    }
    match name.split_once(char::is_whitespace) {
        Some((first, rest)) => (first, rest.trim_start()),
        None => (name, ""),
    }
}

/// The readings of each character of a CJK name: surname readings first, then the everyday
/// reading and (for polyphonic characters) a second one.
fn readings(name: &str) -> Vec<Vec<&'static str>> {
    let (surname, _) = split_surname(name);
    let surname_chars = surname.chars().count();
    let special: Option<&[&str]> = SURNAME_READINGS
        .iter()
        .find(|(s, _)| *s == surname)
        .map(|(_, r)| *r);
    let mut out = Vec::new();
    for (i, c) in name
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '·')
        .enumerate()
    {
        let mut options: Vec<&'static str> = Vec::new();
        if i < surname_chars
            && let Some(reading) = special.and_then(|r| r.get(i))
        {
            options.push(reading);
        }
        if is_cjk(c) {
            if let Some(multi) = c.to_pinyin_multi() {
                for p in multi.into_iter().take(2) {
                    options.push(p.plain());
                }
            } else if let Some(p) = c.to_pinyin() {
                options.push(p.plain());
            }
        }
        options.dedup();
        let mut unique = Vec::new();
        for o in options {
            if !unique.contains(&o) {
                unique.push(o);
            }
        }
        if unique.is_empty() {
            // Latin letters inside a Chinese name are kept as they are.
            if c.is_alphanumeric() {
                out.push(vec![leak_lower(c)]);
            }
            continue;
        }
        out.push(unique);
    }
    out
}

/// Single lowercase letters as static strings (for mixed names like "李A").
fn leak_lower(c: char) -> &'static str {
    const LETTERS: [&str; 36] = [
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
        "s", "t", "u", "v", "w", "x", "y", "z", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    ];
    let lower = c.to_ascii_lowercase();
    LETTERS
        .iter()
        .find(|l| l.starts_with(lower))
        .copied()
        .unwrap_or("")
}

/// Lookup keys for a name, all lowercase ASCII: for a Chinese name the full pinyin and the
/// initials of each plausible reading (王芳 → `wangfang`, `wf`; 单田芳 → `shantianfang`,
/// `stf`, and the everyday `dantianfang`, `dtf`); for a Latin name the whole name and each
/// word. Prefix search on these serves `wf`, `wangf`, `wang f` and `smith`.
pub fn lookup_keys(name: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let mut push = |key: String| {
        if !key.is_empty() && !keys.contains(&key) {
            keys.push(key);
        }
    };
    if has_cjk(name) {
        let per_char = readings(name);
        let mut combos: Vec<Vec<&str>> = vec![Vec::new()];
        for options in &per_char {
            let mut next = Vec::new();
            for combo in &combos {
                for option in options {
                    if next.len() < MAX_READINGS {
                        let mut c = combo.clone();
                        c.push(*option);
                        next.push(c);
                    }
                }
            }
            combos = next;
        }
        for combo in combos {
            push(combo.concat());
            push(combo.iter().filter_map(|s| s.get(..1)).collect());
        }
    } else {
        let words: Vec<String> = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        push(words.concat());
        for word in words {
            push(word);
        }
    }
    keys
}

/// Turns what was typed into the form lookup keys have: lowercase, letters and digits only.
pub fn normalise_key_query(query: &str) -> String {
    query
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The one- and two-character runs of a Chinese name that do not start it: with the name
/// index finding names that *start* with a query, these find names that contain it
/// anywhere else. (Leaving out the leading runs saves two rows in five.)
pub fn name_grams(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().filter(|c| is_cjk(*c)).collect();
    let starts_with_cjk = name.trim().chars().next().is_some_and(is_cjk);
    let skip = usize::from(starts_with_cjk);
    let mut grams: Vec<String> = Vec::new();
    for len in 1..=2 {
        for window in chars.windows(len).skip(skip) {
            let gram: String = window.iter().collect();
            if !grams.contains(&gram) {
                grams.push(gram);
            }
        }
    }
    grams
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surnames_split_including_compound_ones() {
        assert_eq!(split_surname("王芳"), ("王", "芳"));
        assert_eq!(split_surname("欧阳娜娜"), ("欧阳", "娜娜"));
        assert_eq!(split_surname("司马相如"), ("司马", "相如"));
        // A two-character name whose characters merely look like a compound surname.
        assert_eq!(split_surname("欧阳"), ("欧", "阳"));
        assert_eq!(split_surname("John Smith"), ("John", "Smith"));
    }

    #[test]
    fn keys_cover_full_spelling_and_initials() {
        let keys = lookup_keys("王芳");
        assert!(keys.contains(&"wangfang".to_string()), "{keys:?}");
        assert!(keys.contains(&"wf".to_string()), "{keys:?}");
        assert!(lookup_keys("欧阳娜娜").contains(&"ouyangnana".to_string()));
    }

    #[test]
    fn surname_readings_are_right_and_the_everyday_one_still_works() {
        for (name, right, everyday) in [
            ("单田芳", "shantianfang", "dantianfang"),
            ("曾国藩", "zengguofan", "cengguofan"),
            ("仇英", "qiuying", "chouying"),
        ] {
            let keys = lookup_keys(name);
            assert!(keys.contains(&right.to_string()), "{name}: {keys:?}");
            assert!(keys.contains(&everyday.to_string()), "{name}: {keys:?}");
        }
        assert!(lookup_keys("单田芳").contains(&"stf".to_string()));
        assert!(lookup_keys("尉迟恭").contains(&"yuchigong".to_string()));
    }

    #[test]
    fn latin_names_give_word_keys() {
        let keys = lookup_keys("John SMITH");
        assert_eq!(keys, ["johnsmith", "john", "smith"]);
        assert_eq!(normalise_key_query("Wang F"), "wangf");
    }

    #[test]
    fn grams_are_the_runs_that_do_not_start_the_name() {
        assert_eq!(name_grams("王小芳"), ["小", "芳", "小芳"]);
        assert_eq!(name_grams("芳芳"), ["芳"]);
        assert!(name_grams("王").is_empty());
        assert!(name_grams("John").is_empty());
    }

    #[test]
    fn key_count_stays_bounded_for_polyphonic_names() {
        let keys = lookup_keys("乐长行重");
        assert!(keys.len() <= 2 * MAX_READINGS, "{keys:?}");
        assert!(keys.contains(&"yuezhanghangzhong".to_string()) || !keys.is_empty());
    }
}
