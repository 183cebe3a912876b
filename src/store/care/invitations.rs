//! Branch events on the agenda: each invitation not yet answered, from the day it was made
//! until the event, and each follow-up survey of an event the client came to, until it is
//! answered — read from the invitations' partial indexes (by RM), not from keys.

use super::*;

/// One invitation's row for the agenda.
struct Open {
    client_no: String,
    name: String,
    rm: Option<String>,
    event: String,
    first_on: NaiveDate,
    reason: Reason,
}

impl Session {
    /// The agenda's event items in `window`: the owner's clients', or the branch's.
    pub(super) fn event_items(&self, window: &Window) -> Result<Vec<CareItem>> {
        let mine = window.scope == CareScope::Mine;
        let day = |text: String| crate::store::risk::state::day(&text);
        let mut open = Vec::new();
        {
            let mut statement = self.conn.prepare_cached(
                "SELECT k.client_no, k.name, i.rm, e.code, e.title, e.on_date,
                        substr(i.created_at, 1, 10)
                 FROM event_invitation i INDEXED BY event_invitation_open
                 JOIN branch_event e ON e.id = i.event_id JOIN client k ON k.id = i.client_id
                 WHERE i.reply = 'none' AND i.on_date >= ?1 AND (?2 = 0 OR i.rm = ?3)",
            )?;
            let mut rows =
                statement.query(params![window.today.to_string(), mine, window.owner])?;
            while let Some(r) = rows.next()? {
                let (event, title): (String, String) = (r.get(3)?, r.get(4)?);
                let on = day(r.get(5)?)?;
                open.push(Open {
                    client_no: r.get(0)?,
                    name: r.get(1)?,
                    rm: r.get(2)?,
                    first_on: day(r.get(6)?)?,
                    reason: Reason::EventInvitation {
                        event: event.clone(),
                        title,
                        on,
                    },
                    event,
                });
            }
        }
        {
            let mut statement = self.conn.prepare_cached(
                "SELECT k.client_no, k.name, i.rm, e.code, e.title, e.on_date, e.survey
                 FROM event_invitation i INDEXED BY event_invitation_survey
                 JOIN branch_event e ON e.id = i.event_id JOIN client k ON k.id = i.client_id
                 WHERE i.survey_sent = 1 AND (?1 = 0 OR i.rm = ?2)
                   AND NOT EXISTS (SELECT 1 FROM survey_response r
                                   WHERE r.client_id = i.client_id
                                     AND r.template_code = e.survey
                                     AND r.answered_on >= e.on_date)",
            )?;
            let mut rows = statement.query(params![mine, window.owner])?;
            while let Some(r) = rows.next()? {
                let (event, title): (String, String) = (r.get(3)?, r.get(4)?);
                let on = day(r.get(5)?)?;
                open.push(Open {
                    client_no: r.get(0)?,
                    name: r.get(1)?,
                    rm: r.get(2)?,
                    // The day after the event.
                    first_on: on.succ_opt().unwrap_or(on),
                    reason: Reason::EventSurvey {
                        event: event.clone(),
                        title,
                        survey: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                    },
                    event,
                });
            }
        }
        let mut items = Vec::new();
        for o in open {
            let id = ReminderId {
                reason: o.reason.code().to_string(),
                subject: format!("{}/{}", o.event, o.client_no),
                on: o.first_on,
            };
            let last = window
                .last_actions
                .get(&id.to_string())
                .map(|(action, until, _)| (*action, *until));
            let Some((on, standing)) = care::shows_on(o.first_on, last, window.from, window.to)
            else {
                continue;
            };
            let rm = o.rm.clone().unwrap_or_default();
            items.push(CareItem {
                id: id.to_string(),
                on,
                first_on: o.first_on,
                standing,
                section: care::section(on, window.today),
                client_no: Some(o.client_no),
                name: Some(self.shown_name(&o.name, &rm)),
                rm: o.rm,
                reason: o.reason,
            });
        }
        Ok(items)
    }
}
