//! Client lookup: one query string, every way it can match, ranked exact > prefix >
//! substring and this branch's clients before others, each step an index range scan with a
//! limit, so the cost does not grow with the number of clients.
//!
//! - Chinese names: the name index for exact and prefix matches; the gram table (every one-
//!   and two-character run) for names containing the query. Longer queries take the rarest
//!   two-character run and check the rest on the row.
//! - Pinyin and Latin names: prefix ranges on the key table.
//! - Phone and ID tails: prefix ranges on the reversed values.

use crate::domain::client::ClientKind;
use crate::domain::lookup::{MatchedOn, Probe, Rank, probes, reversed};
use crate::domain::mask::{self, Visibility};
use crate::domain::staff::Permission;
use crate::error::Result;
use crate::store::Session;
use rusqlite::params;
use serde::Serialize;
use std::collections::HashSet;

/// The most hits one lookup returns.
pub const MAX_HITS: u32 = 200;

/// Longer queries start from their rarest two-character run; counting stops here (past it,
/// any run will do and counting further only reads pages).
const CHECKED_GRAM_CAP: i64 = 200;

/// One client in a result list, masked for the staff member who looked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    pub client_no: String,
    pub kind: ClientKind,
    /// Surname and `*` unless the staff member may see this client in full.
    pub name: String,
    pub phone: Option<String>,
    /// Enough, with the masked phone and branch, to tell two 王芳 apart.
    pub birth_year: Option<i32>,
    pub home_branch: String,
    pub rank: Rank,
    pub matched_on: MatchedOn,
    pub visibility: Visibility,
}

fn upper_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// This branch's (`?1` = 0) or other branches' clients whose `column` lies strictly
/// between `?2` and `?3` (a prefix and its upper bound), at most `?4` of them.
fn rows_in_range(column: &str) -> String {
    format!(
        "SELECT seq FROM client WHERE foreign_branch = ?1 AND {column} > ?2 AND {column} < ?3
         ORDER BY {column}, seq LIMIT ?4"
    )
}

impl Session {
    /// Looks clients up by name, pinyin, phone, ID number or client number.
    pub fn search_clients(&self, query: &str, limit: u32) -> Result<Vec<SearchHit>> {
        self.require(Permission::ViewClients)?;
        let limit = limit.clamp(1, MAX_HITS) as usize;
        let probes = probes(query);
        let mut found: Vec<(i64, Rank, MatchedOn)> = Vec::new();
        let mut seen: HashSet<i64> = HashSet::new();
        'ranks: for rank in [Rank::Exact, Rank::Prefix, Rank::Substring] {
            for probe in &probes {
                for foreign in [0i64, 1] {
                    let room = limit - found.len();
                    if room == 0 {
                        break 'ranks;
                    }
                    // Earlier steps may come back again; ask for enough to skip them.
                    let ask = (room + found.len()) as i64;
                    let (matched_on, seqs) = self.probe(probe, rank, foreign, ask)?;
                    for seq in seqs {
                        if found.len() < limit && seen.insert(seq) {
                            found.push((seq, rank, matched_on));
                        }
                    }
                }
            }
        }
        // Probes read only indexes; removed (tombstoned) clients are dropped here.
        let mut hits = Vec::with_capacity(found.len());
        for (seq, rank, matched_on) in found {
            if let Some(hit) = self.hit(seq, rank, matched_on)? {
                hits.push(hit);
            }
        }
        Ok(hits)
    }

    /// Records a lookup made from the command line (one per command; the workstation's
    /// type-ahead records the clients opened instead of every keystroke).
    pub fn record_search(&mut self, query: &str, hits: usize) -> Result<()> {
        self.audit_only(
            crate::store::write::AuditEvent::new("client.search", "client", "")
                .with_detail(serde_json::json!({ "query": query, "hits": hits })),
        )
    }

    fn seqs(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt
            .query_map(params, |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(rows)
    }

    /// The clients whose phone or ID number ends in `tail`, or (`Prefix`) in something
    /// starting with it: `column` holds the value reversed, so a tail is a prefix there.
    fn tail(
        &self,
        column: &str,
        tail: &str,
        rank: Rank,
        foreign: i64,
        ask: i64,
    ) -> Result<Vec<i64>> {
        let rev = reversed(tail);
        if rank == Rank::Exact {
            let sql = format!(
                "SELECT seq FROM client WHERE foreign_branch = ?1 AND {column} = ?2
                 ORDER BY seq LIMIT ?3"
            );
            self.seqs(&sql, params![foreign, rev, ask])
        } else {
            self.seqs(
                &rows_in_range(column),
                params![foreign, rev, upper_bound(&rev), ask],
            )
        }
    }

    /// The client sequence numbers that match `probe` at `rank` among this branch's
    /// (`foreign` = 0) or other branches' clients.
    fn probe(
        &self,
        probe: &Probe,
        rank: Rank,
        foreign: i64,
        ask: i64,
    ) -> Result<(MatchedOn, Vec<i64>)> {
        use Rank::*;
        Ok(match (probe, rank) {
            (Probe::Name(q), Exact) => (
                MatchedOn::Name,
                self.seqs(
                    "SELECT seq FROM client WHERE foreign_branch = ?1 AND name = ?2
                     ORDER BY seq LIMIT ?3",
                    params![foreign, q, ask],
                )?,
            ),
            (Probe::Name(q), Prefix) => (
                MatchedOn::Name,
                self.seqs(
                    &rows_in_range("name"),
                    params![foreign, q, upper_bound(q), ask],
                )?,
            ),
            (Probe::Name(q), Substring) => {
                (MatchedOn::Name, self.name_containing(q, foreign, ask)?)
            }
            (Probe::Key(q), Exact) => (
                MatchedOn::Pinyin,
                self.seqs(
                    "SELECT client_seq FROM client_key WHERE foreign_branch = ?1 AND key = ?2
                     ORDER BY client_seq LIMIT ?3",
                    params![foreign, q, ask],
                )?,
            ),
            (Probe::Key(q), Prefix) => (
                MatchedOn::Pinyin,
                // A client can have several keys in the range: ask for more, dedupe later.
                self.seqs(
                    "SELECT client_seq FROM client_key WHERE foreign_branch = ?1 AND key > ?2
                     AND key < ?3 ORDER BY key, client_seq LIMIT ?4",
                    params![foreign, q, upper_bound(q), ask * 4],
                )?,
            ),
            (Probe::PhoneTail(q), Exact | Prefix) => (
                MatchedOn::Phone,
                self.tail("phone_rev", q, rank, foreign, ask)?,
            ),
            (Probe::IdTail(q), Exact | Prefix) => (
                MatchedOn::IdNumber,
                self.tail("id_rev", q, rank, foreign, ask)?,
            ),
            (Probe::ClientNo(q), Exact) => {
                // Digits alone are this branch's client number without its prefix.
                let full = if q.bytes().all(|b| b.is_ascii_digit()) {
                    format!("{}-{:0>7}", self.branch.code, q)
                } else {
                    q.clone()
                };
                (
                    MatchedOn::ClientNo,
                    // The number in its own index, then whose it is from the result card
                    // (its home branch is empty for this branch's clients): both are what
                    // the page cache holds, where the client row is not.
                    self.seqs(
                        "SELECT c.seq FROM client_card c
                         WHERE c.seq = (SELECT seq FROM client WHERE client_no = ?1)
                           AND (c.home_branch IS NOT NULL) = ?2",
                        params![full, foreign != 0],
                    )?,
                )
            }
            (Probe::ClientNo(q), Prefix) => (
                MatchedOn::ClientNo,
                self.seqs(
                    "SELECT c.seq FROM client k CROSS JOIN client_card c ON c.seq = k.seq
                     WHERE k.client_no > ?1 AND k.client_no < ?2
                       AND (c.home_branch IS NOT NULL) = ?3
                     ORDER BY k.client_no LIMIT ?4",
                    params![q, upper_bound(q), foreign != 0, ask],
                )?,
            ),
            (
                Probe::Key(_) | Probe::PhoneTail(_) | Probe::IdTail(_) | Probe::ClientNo(_),
                Substring,
            ) => (MatchedOn::Name, Vec::new()),
        })
    }

    /// Names that contain `q` anywhere.
    fn name_containing(&self, q: &str, foreign: i64, ask: i64) -> Result<Vec<i64>> {
        let chars: Vec<char> = q.chars().collect();
        if chars.len() <= 2 {
            return self.seqs(
                "SELECT client_seq FROM client_gram WHERE foreign_branch = ?1 AND gram = ?2
                 ORDER BY client_seq LIMIT ?3",
                params![foreign, q, ask],
            );
        }
        // Longer: start from the rarest two-character run, then check the whole query.
        let mut rarest: Option<(i64, String)> = None;
        for pair in chars.windows(2) {
            let gram: String = pair.iter().collect();
            let count: i64 = self
                .conn
                .prepare_cached(
                    "SELECT count(*) FROM (SELECT 1 FROM client_gram WHERE foreign_branch = ?1
                 AND gram = ?2 LIMIT ?3)",
                )?
                .query_row(params![foreign, gram, CHECKED_GRAM_CAP], |r| r.get(0))?;
            if rarest.as_ref().is_none_or(|(best, _)| count < *best) {
                rarest = Some((count, gram));
            }
        }
        let Some((_, gram)) = rarest else {
            return Ok(Vec::new());
        };
        self.seqs(
            "SELECT g.client_seq FROM client_gram g JOIN client_card c ON c.seq = g.client_seq
             WHERE g.foreign_branch = ?1 AND g.gram = ?2 AND instr(c.name, ?3) > 0
             ORDER BY g.client_seq LIMIT ?4",
            params![foreign, gram, q, ask],
        )
    }

    fn hit(&self, seq: i64, rank: Rank, matched_on: MatchedOn) -> Result<Option<SearchHit>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT client_no, company, name, phone, birth_year, home_branch, assigned_rm
             FROM client_card WHERE seq = ?1",
        )?;
        let row = stmt.query_row([seq], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<i32>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        });
        // A client removed since (its card goes with it) is simply not a hit.
        let (client_no, company, name, phone, birth_year, home_branch, rm) = match row {
            Ok(row) => row,
            Err(rusqlite::Error::QueryReturnedNoRows) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let client_no =
            client_no.unwrap_or_else(|| super::clients::client_no_for(&self.branch.code, seq));
        let home_branch = home_branch.unwrap_or_else(|| self.branch.code.clone());
        let visibility = self.visibility_of(rm.as_deref());
        let full = visibility == Visibility::Full;
        let kind = if company {
            ClientKind::Company
        } else {
            ClientKind::Person
        };
        // A company's name is not personal data; a person's is masked in lists.
        let name = if full || kind == ClientKind::Company {
            name
        } else {
            mask::name(&name)
        };
        Ok(Some(SearchHit {
            client_no,
            kind,
            name,
            phone: phone.map(|p| if full { p } else { mask::phone(&p) }),
            birth_year,
            home_branch,
            rank,
            matched_on,
            visibility,
        }))
    }
}
