//! The audit trail's hash chain. Each row stores the previous row's hash and
//! SHA-256(previous hash ‖ its own content), so changing, removing or reordering a row breaks
//! every hash after it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub type ChainHash = [u8; 32];

/// The hash that precedes the first row.
pub const GENESIS: ChainHash = [0; 32];

/// One audit row's content, everything except the two hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditContent {
    pub id: i64,
    /// RFC 3339 UTC timestamp.
    pub at: String,
    pub hlc: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// JSON object with the details; never secrets.
    pub detail: String,
}

impl AuditContent {
    /// SHA-256 over the previous hash and each field, length-prefixed so that moving bytes
    /// from one field to the next changes the hash.
    pub fn chain_hash(&self, previous: &ChainHash) -> ChainHash {
        let mut hasher = Sha256::new();
        hasher.update(b"branchdesk-audit-v1");
        hasher.update(previous);
        hasher.update(self.id.to_be_bytes());
        hasher.update(self.hlc.to_be_bytes());
        for field in [
            &self.at,
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
            &self.detail,
        ] {
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
        hasher.finalize().into()
    }
}

/// What a walk of the chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChainVerdict {
    Intact {
        rows: u64,
    },
    /// The first row that does not fit, and why.
    Broken {
        row: i64,
        reason: ChainBreak,
    },
    /// Every row fits, but the trail ends before the row anchored beside the store: rows
    /// were cut off, or an older copy of the store was put in its place.
    Shortened {
        rows: u64,
        anchored_rows: i64,
        /// When the trail was seen that long (RFC 3339).
        anchored_at: String,
    },
    /// Every row fits, but the anchored row is another row: the trail was swapped for
    /// another copy.
    Replaced {
        row: i64,
        anchored_at: String,
    },
    /// Every row fits, but the anchor beside the store is missing or was edited, so a
    /// shortened trail cannot be ruled out.
    AnchorLost {
        rows: u64,
    },
}

impl ChainVerdict {
    /// Whether the trail is as long and as unchanged as anything ever seen of it.
    pub fn is_intact(&self) -> bool {
        matches!(self, ChainVerdict::Intact { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChainBreak {
    /// Its stored content no longer produces its stored hash.
    ContentChanged,
    /// Its link to the row before it does not match (a row was removed or reordered).
    LinkBroken,
    /// Row numbers skip: a row was deleted.
    Gap,
}

/// Walks rows in id order, stopping at the first one that does not fit.
pub struct ChainWalker {
    previous: ChainHash,
    expected_id: Option<i64>,
    rows: u64,
}

impl Default for ChainWalker {
    fn default() -> Self {
        Self {
            previous: GENESIS,
            expected_id: None,
            rows: 0,
        }
    }
}

impl ChainWalker {
    pub fn check(
        &mut self,
        content: &AuditContent,
        stored_prev: &[u8],
        stored_hash: &[u8],
    ) -> Result<(), ChainVerdict> {
        let broken = |reason| ChainVerdict::Broken {
            row: content.id,
            reason,
        };
        if self
            .expected_id
            .is_some_and(|expected| content.id != expected)
        {
            return Err(broken(ChainBreak::Gap));
        }
        if stored_prev != self.previous {
            return Err(broken(ChainBreak::LinkBroken));
        }
        let hash = content.chain_hash(&self.previous);
        if stored_hash != hash {
            return Err(broken(ChainBreak::ContentChanged));
        }
        self.previous = hash;
        self.expected_id = Some(content.id + 1);
        self.rows += 1;
        Ok(())
    }

    pub fn finish(self) -> ChainVerdict {
        ChainVerdict::Intact { rows: self.rows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, detail: &str) -> AuditContent {
        AuditContent {
            id,
            at: "2026-11-30T09:00:00Z".into(),
            hlc: id,
            actor: "admin01".into(),
            action: "staff.add".into(),
            entity: "staff".into(),
            entity_id: format!("t{id}"),
            detail: detail.into(),
        }
    }

    fn chain(rows: &[AuditContent]) -> Vec<(ChainHash, ChainHash)> {
        let mut previous = GENESIS;
        rows.iter()
            .map(|r| {
                let hash = r.chain_hash(&previous);
                let link = (previous, hash);
                previous = hash;
                link
            })
            .collect()
    }

    fn walk(rows: &[AuditContent], links: &[(ChainHash, ChainHash)]) -> ChainVerdict {
        let mut walker = ChainWalker::default();
        for (r, (prev, hash)) in rows.iter().zip(links) {
            if let Err(verdict) = walker.check(r, prev, hash) {
                return verdict;
            }
        }
        walker.finish()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let rows: Vec<_> = (1..=4).map(|i| row(i, "{}")).collect();
        let links = chain(&rows);
        assert_eq!(walk(&rows, &links), ChainVerdict::Intact { rows: 4 });
    }

    #[test]
    fn a_changed_row_is_named() {
        let mut rows: Vec<_> = (1..=4).map(|i| row(i, "{}")).collect();
        let links = chain(&rows);
        rows[2].detail = "{ }".into();
        assert_eq!(
            walk(&rows, &links),
            ChainVerdict::Broken {
                row: 3,
                reason: ChainBreak::ContentChanged
            }
        );
    }

    #[test]
    fn a_deleted_row_is_found() {
        let mut rows: Vec<_> = (1..=4).map(|i| row(i, "{}")).collect();
        let mut links = chain(&rows);
        rows.remove(1);
        links.remove(1);
        assert_eq!(
            walk(&rows, &links),
            ChainVerdict::Broken {
                row: 3,
                reason: ChainBreak::Gap
            }
        );
    }

    #[test]
    fn moving_bytes_between_fields_changes_the_hash() {
        let mut a = row(1, "{}");
        let mut b = row(1, "{}");
        a.actor = "ab".into();
        a.action = "c".into();
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(a.chain_hash(&GENESIS), b.chain_hash(&GENESIS));
    }
}
