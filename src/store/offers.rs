//! What staff made of an offer: offered, accepted, declined or later, recorded against the
//! rule that made it (insert-only, sent to HQ, which counts conversion per rule), noted in
//! the client's contact log, and a declined product resting as the offer rules say.

use crate::domain::staff::Permission;
use crate::error::{Error, Result};
use crate::store::Session;
use crate::store::standing;
use crate::store::write::{AuditEvent, Table};
use chrono::NaiveDate;
use rusqlite::types::Value;
use serde::Serialize;

/// What came of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferOutcome {
    /// Put to the client; no answer yet.
    Offered,
    Accepted,
    Declined,
    /// The client will think about it.
    Later,
}

impl OfferOutcome {
    pub const ALL: [OfferOutcome; 4] = [
        OfferOutcome::Offered,
        OfferOutcome::Accepted,
        OfferOutcome::Declined,
        OfferOutcome::Later,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OfferOutcome::Offered => "offered",
            OfferOutcome::Accepted => "accepted",
            OfferOutcome::Declined => "declined",
            OfferOutcome::Later => "later",
        }
    }

    pub fn parse(text: &str) -> Option<OfferOutcome> {
        let text = text.trim().to_lowercase();
        OfferOutcome::ALL.into_iter().find(|o| o.code() == text)
    }
}

/// An outcome as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordedOffer {
    pub client_no: String,
    pub rule: String,
    pub product: String,
    pub outcome: OfferOutcome,
    pub recorded_on: NaiveDate,
    /// A declined product is not offered again before this day.
    pub rests_until: Option<NaiveDate>,
}

impl Session {
    /// Records what the client made of an offer the rules make now (`product` must be one
    /// of them), in the offer log and the contact log (`channel`), in one write.
    pub fn record_offer(
        &mut self,
        key: &str,
        product: &str,
        outcome: OfferOutcome,
        channel: &str,
    ) -> Result<RecordedOffer> {
        self.require(Permission::EditClients)?;
        let product = product.trim().to_ascii_uppercase();
        let (seq, stored) = self.find_portfolio_client(key)?;
        self.check_business(&stored)?;
        let today = self.today();
        let rules = self.portfolio_rules()?;
        let now = self.standing_now()?;
        let mut inputs = self.client_inputs(seq, &stored)?;
        let (_, offers) = standing::client_offers(&rules, &inputs, now, today);
        let Some(offer) = offers.into_iter().find(|o| o.product == product) else {
            return Err(Error::OfferNotMade { product });
        };
        let note = format!(
            "offer {} ({}): {}",
            offer.product,
            offer.rule,
            outcome.code()
        );
        crate::domain::contact::check_note(channel, &note).map_err(Error::ContactRefused)?;
        // The standing's best offer follows the outcome (a declined product rests).
        if outcome == OfferOutcome::Declined {
            inputs.declined.push((offer.product.clone(), today));
        }
        let me = self.me.id.to_string();
        let id = uuid::Uuid::now_v7().to_string();
        let event = AuditEvent::new("offer.record", "client", stored.id.clone()).with_detail(
            serde_json::json!({ "rule": offer.rule, "product": offer.product, "outcome": outcome.code() }),
        );
        self.write(event, |w| {
            let at = w.now_text();
            w.insert(
                Table::OfferOutcome,
                &id,
                vec![
                    ("client_id", Value::Text(stored.id.clone())),
                    ("rule", Value::Text(offer.rule.clone())),
                    ("product", Value::Text(offer.product.clone())),
                    ("outcome", Value::Text(outcome.code().into())),
                    ("recorded_on", Value::Text(today.to_string())),
                    ("recorded_by", Value::Text(me.clone())),
                    ("created_at", Value::Text(at.clone())),
                ],
            )?;
            crate::store::clients::log_contact(w, &stored.id, &me, channel, "offer", &note)?;
            standing::refresh_client(w, seq, &rules, &inputs, now, today)
        })?;
        let rest = i64::from(rules.offers.rest_days_after_decline);
        Ok(RecordedOffer {
            client_no: stored.client_no,
            rule: offer.rule,
            product: offer.product,
            outcome,
            recorded_on: today,
            rests_until: (outcome == OfferOutcome::Declined)
                .then(|| today + chrono::Duration::days(rest)),
        })
    }

    /// The products a client declined, and when.
    pub(crate) fn declined_offers(&self, client_id: &str) -> Result<Vec<(String, NaiveDate)>> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT product, recorded_on FROM offer_outcome
                 WHERE client_id = ?1 AND outcome = 'declined'",
            )?
            .query_map([client_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(product, on)| {
                on.parse()
                    .map(|on| (product, on))
                    .map_err(|_| Error::DatabaseDamaged)
            })
            .collect()
    }
}
