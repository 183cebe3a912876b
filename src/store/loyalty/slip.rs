//! A redemption's receipt slip: what it says, read back from the ledger (a reprint says
//! the same).

use super::*;

/// What a redemption's receipt slip says: the branch, the client (their own name, the slip
/// is theirs), the item, the points and the balance after, who served them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointsSlip {
    /// The receipt's number: the entry's, shortened to its last twelve characters.
    pub receipt_no: String,
    pub entry: String,
    pub on: NaiveDate,
    pub branch_code: String,
    pub branch_name: String,
    pub client_no: String,
    pub client_name: String,
    pub item_zh: String,
    pub item_en: String,
    pub points: Points,
    /// The client's balance right after this redemption.
    pub balance_after: Points,
    pub printed_on: NaiveDate,
    pub printed_by: String,
}

impl Session {
    /// The receipt slip of a redemption (a reprint says the same). Recorded in the audit
    /// trail.
    pub fn points_slip(&mut self, entry_id: &str) -> Result<PointsSlip> {
        self.require(Permission::UsePoints)?;
        let entry_id = entry_id.trim();
        let not_one = || refused(Refusal::NotARedemption);
        let (entry, client_id) = self.entry(entry_id)?.ok_or_else(not_one)?;
        if entry.kind != EntryKind::Redeem {
            return Err(not_one());
        }
        let (_, stored) = self.find_client(&client_id)?;
        // The balance after it: every entry of the client's up to it.
        let balance_after: Points = self.conn.query_row(
            "SELECT coalesce(sum(points), 0) FROM loyalty_entry
             WHERE client_id = ?1 AND hlc <= (SELECT hlc FROM loyalty_entry WHERE id = ?2)",
            params![client_id, entry.id],
            |r| r.get(0),
        )?;
        let rules = self.loyalty_rules()?;
        let item = rules.loyalty.item(&entry.code);
        let slip = PointsSlip {
            receipt_no: entry
                .id
                .chars()
                .rev()
                .take(12)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
            entry: entry.id.clone(),
            on: entry.on,
            branch_code: self.branch.code.clone(),
            branch_name: self.branch.name.clone(),
            client_no: stored.client_no.clone(),
            client_name: stored.record.name.clone(),
            item_zh: item.map_or_else(|| entry.code.clone(), |i| i.name_zh.clone()),
            item_en: item.map_or_else(|| entry.code.clone(), |i| i.name_en.clone()),
            points: -entry.points,
            balance_after,
            printed_on: self.today(),
            printed_by: self.me.id.to_string(),
        };
        self.audit_only(
            AuditEvent::new("points.slip", "client", stored.id)
                .with_detail(serde_json::json!({ "entry": entry.id })),
        )?;
        Ok(slip)
    }
}
