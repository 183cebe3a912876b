//! What a lookup query means. One search box takes names (Chinese, pinyin, Latin), phone
//! numbers or their tails, ID numbers or their tails, and client numbers; this decides which
//! of those a query can be, and the store looks in each.

use super::names::{has_cjk, normalise_key_query};

/// One way a query may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Chinese characters: the name exactly, as a prefix, or anywhere in it.
    Name(String),
    /// Letters: a prefix of a pinyin spelling, pinyin initials, or a Latin name word.
    Key(String),
    /// Digits: the whole mobile number, or its last digits (尾号).
    PhoneTail(String),
    /// The whole ID number, or its last characters.
    IdTail(String),
    /// A client number, whole or its beginning.
    ClientNo(String),
}

/// How a hit matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rank {
    Exact,
    Prefix,
    Substring,
}

/// Which field a hit matched on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedOn {
    Name,
    Pinyin,
    Phone,
    IdNumber,
    ClientNo,
}

/// The shortest tail of digits worth looking up (fewer match half the branch).
pub const MIN_TAIL: usize = 4;

/// The probes for what was typed; empty when it is too short to mean anything yet.
pub fn probes(query: &str) -> Vec<Probe> {
    let mut q = query.trim().to_string();
    let mut tail_only = false;
    for prefix in ["手机尾号", "尾号", "tail:", "tail"] {
        if let Some(rest) = q.strip_prefix(prefix) {
            q = rest.trim().to_string();
            tail_only = true;
            break;
        }
    }
    if q.is_empty() {
        return Vec::new();
    }
    if has_cjk(&q) {
        let name: String = q.chars().filter(|c| !c.is_whitespace()).collect();
        return vec![Probe::Name(name)];
    }
    let compact: String = q
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect::<String>()
        .to_ascii_uppercase();
    let digits = compact.bytes().all(|b| b.is_ascii_digit());
    if digits {
        if compact.len() < MIN_TAIL {
            return Vec::new();
        }
        let mut out = vec![Probe::PhoneTail(compact.clone())];
        if !tail_only {
            out.push(Probe::IdTail(compact.clone()));
            out.push(Probe::ClientNo(compact));
        }
        return out;
    }
    let id_like = compact.len() >= MIN_TAIL
        && compact.ends_with('X')
        && compact[..compact.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_digit());
    if id_like {
        return vec![Probe::IdTail(compact)];
    }
    let has_digit = compact.bytes().any(|b| b.is_ascii_digit());
    let has_letter = compact.bytes().any(|b| b.is_ascii_alphabetic());
    if has_digit && has_letter && compact.is_ascii() {
        // A client number (BJ0101-0000123) or a passport/permit number (E12345678).
        let client_no = q.trim().to_ascii_uppercase().replace(' ', "");
        return vec![Probe::ClientNo(client_no), Probe::IdTail(compact)];
    }
    let key = normalise_key_query(&q);
    if key.is_empty() {
        Vec::new()
    } else {
        vec![Probe::Key(key)]
    }
}

/// The reversed string: tails become prefixes, which an index can find.
pub fn reversed(s: &str) -> String {
    s.chars().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_query_is_recognised() {
        assert_eq!(probes("王芳"), [Probe::Name("王芳".into())]);
        assert_eq!(probes(" 王 芳 "), [Probe::Name("王芳".into())]);
        assert_eq!(probes("wf"), [Probe::Key("wf".into())]);
        assert_eq!(probes("Wang F"), [Probe::Key("wangf".into())]);
        assert_eq!(probes("尾号 5678"), [Probe::PhoneTail("5678".into())]);
        assert_eq!(
            probes("5678"),
            [
                Probe::PhoneTail("5678".into()),
                Probe::IdTail("5678".into()),
                Probe::ClientNo("5678".into())
            ]
        );
        assert_eq!(probes("002x"), [Probe::IdTail("002X".into())]);
        assert_eq!(
            probes("DEMO01-00001"),
            [
                Probe::ClientNo("DEMO01-00001".into()),
                Probe::IdTail("DEMO0100001".into())
            ]
        );
        assert_eq!(
            probes("138 1234 5678")[0],
            Probe::PhoneTail("13812345678".into())
        );
    }

    #[test]
    fn too_short_or_empty_means_no_lookup() {
        for q in ["", "  ", "12", "尾号", "123", "--"] {
            assert!(probes(q).is_empty(), "{q:?}");
        }
    }

    #[test]
    fn reversing_turns_tails_into_prefixes() {
        assert_eq!(reversed("13812345678"), "87654321831");
        assert!(reversed("13812345678").starts_with(&reversed("5678")));
    }
}
