//! Reading cases: one case with its history (each look recorded in the audit trail), the
//! list and the board by urgency, the acknowledgement slip, and the contact line it prints.

use super::*;

impl Session {
    /// One case with its history (recorded in the audit trail: who looked at whom).
    pub fn open_complaint(&mut self, key: &str) -> Result<ComplaintDetail> {
        self.require(Permission::ViewComplaints)?;
        let stored = self.find_complaint(key)?;
        self.audit_only(
            AuditEvent::new("complaint.view", "complaint", stored.id.clone())
                .with_detail(json!({ "receipt_no": stored.receipt_no })),
        )?;
        self.detail_of(stored)
    }

    /// The case as it stands after a step this staff member just took (the step is in the
    /// audit trail already, so showing its result is not another look).
    pub(crate) fn case_after_step(&self, key: &str) -> Result<ComplaintDetail> {
        self.require(Permission::ViewComplaints)?;
        self.detail_of(self.find_complaint(key)?)
    }

    fn detail_of(&self, stored: Stored) -> Result<ComplaintDetail> {
        let history = self.history(&stored.id)?;
        let case = replay(&Self::events_of(&history)).map_err(Error::ComplaintRefused)?;
        let visibility = self.complaint_visibility(&stored);
        let phone = stored.complainant_phone.clone().map(|p| match visibility {
            Visibility::Full => p,
            Visibility::Masked => mask::phone(&p),
        });
        Ok(ComplaintDetail {
            row: self.row_for(&stored, &case),
            channel: stored.channel,
            complainant_phone: phone,
            request: stored.request,
            description: stored.description,
            subject_staff: stored.subject_staff,
            limit_days: case.limit_days,
            visibility,
            history,
        })
    }

    /// Cases, most urgent first (open cases by due date, then the rest newest first).
    pub fn list_complaints(
        &self,
        state: Option<State>,
        overdue_only: bool,
    ) -> Result<Vec<ComplaintRow>> {
        self.require(Permission::ViewComplaints)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, c.receipt_no, cl.client_no, cl.assigned_rm,
                c.complainant_name, c.complainant_phone, c.channel, c.category, c.severity,
                c.request, c.description, c.subject_staff, c.received_on,
                k.state, k.clock_from, k.limit_days, k.paused_days, k.paused_since, k.handler,
                k.stopped_on, k.extensions
             FROM complaint c
             LEFT JOIN client cl ON cl.id = c.client_id
             JOIN complaint_case k ON k.complaint_id = c.id
             WHERE (?1 IS NULL OR k.state = ?1)
             ORDER BY c.received_on DESC, c.receipt_no DESC",
        )?;
        let mut rows = stmt.query(params![state.map(State::code)])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let stored = stored_from_row(r)?;
            let date = |i: usize| -> Result<Option<NaiveDate>> {
                r.get::<_, Option<String>>(i)?
                    .map(|s| s.parse().map_err(|_| Error::DatabaseDamaged))
                    .transpose()
            };
            let case = Case {
                state: State::parse(&r.get::<_, String>(13)?).ok_or(Error::DatabaseDamaged)?,
                clock_from: date(14)?.ok_or(Error::DatabaseDamaged)?,
                limit_days: r.get(15)?,
                paused_days: r.get(16)?,
                paused_since: date(17)?,
                handler: r.get(18)?,
                stopped_on: date(19)?,
                extensions: u8::try_from(r.get::<_, i64>(20)?).unwrap_or(0),
                received_on: stored.received_on,
            };
            let row = self.row_for(&stored, &case);
            if !overdue_only || row.overdue {
                out.push(row);
            }
        }
        out.sort_by_key(|row| (!row.state.open(), row.due_on.is_none(), row.due_on));
        Ok(out)
    }

    /// The overdue board: open cases by urgency, counts by state, ageing of open cases.
    pub fn complaint_board(&self) -> Result<Board> {
        let rows = self.list_complaints(None, false)?;
        let today = self.today();
        let mut by_state: Vec<(State, u64)> = State::ALL.iter().map(|s| (*s, 0)).collect();
        let mut ageing = [0u64; 5];
        for row in &rows {
            if let Some(entry) = by_state.iter_mut().find(|(s, _)| *s == row.state) {
                entry.1 += 1;
            }
            if row.state.open() {
                let age = (today - row.received_on).num_days();
                let bucket = match age {
                    ..=3 => 0,
                    4..=7 => 1,
                    8..=15 => 2,
                    16..=30 => 3,
                    _ => 4,
                };
                ageing[bucket] += 1;
            }
        }
        let overdue = rows.iter().filter(|r| r.overdue).count() as u64;
        let calendar_missing = rows
            .iter()
            .filter_map(|r| r.due_on)
            .map(|d| chrono::Datelike::year(&d))
            .find(|year| !self.calendar.covers(*year));
        Ok(Board {
            rows,
            by_state,
            ageing,
            overdue,
            calendar_missing,
        })
    }

    /// The acknowledgement slip's contents (the printing is recorded in the audit trail).
    pub fn complaint_slip(&mut self, key: &str) -> Result<Slip> {
        // The slip is handed to the complainant: front-office staff print it.
        self.require(Permission::RegisterComplaint)?;
        let stored = self.find_complaint(key)?;
        let case = replay(&Self::events_of(&self.history(&stored.id)?))
            .map_err(Error::ComplaintRefused)?;
        let running = case.stopped_on.is_none() && case.state.open();
        Ok(Slip {
            receipt_no: stored.receipt_no,
            received_on: stored.received_on,
            category: stored.category,
            channel: stored.channel,
            complainant_name: stored.complainant_name,
            complainant_phone: stored.complainant_phone.map(|p| mask::phone(&p)),
            request: stored.request,
            due_on: running.then(|| case.due(&self.calendar, self.today())),
            branch_code: self.branch.code.clone(),
            branch_name: self.branch.name.clone(),
            branch_contact: self.branch.contact.clone(),
            printed_on: self.today(),
            printed_by: self.me.id.to_string(),
            state: case.state,
        })
    }

    /// Records that the slip of `key` was handed out (written to `file`, or printed on the
    /// terminal when None): only once it was, so a refused file is not logged as printed.
    pub fn record_slip_printed(
        &mut self,
        key: &str,
        file: Option<&std::path::Path>,
        printer: Option<&str>,
    ) -> Result<()> {
        self.require(Permission::RegisterComplaint)?;
        let stored = self.find_complaint(key)?;
        let mut detail = json!({ "receipt_no": stored.receipt_no });
        if let Some(file) = file {
            detail["file"] = json!(file.display().to_string());
        }
        // Handed to the print spooler: the command, with the printer when one was named.
        if let Some(printer) = printer {
            detail["printer"] = json!(match printer {
                "" => "lp".to_string(),
                named => format!("lp -d {named}"),
            });
        }
        self.audit_only(
            AuditEvent::new("complaint.slip", "complaint", stored.id.clone()).with_detail(detail),
        )
    }

    /// Sets the contact line printed on complaint slips.
    pub fn set_branch_contact(&mut self, raw: &str) -> Result<String> {
        self.require(Permission::ManageBranch)?;
        let contact = crate::domain::branch::validate_branch_contact(raw)?;
        let exists = self.branch.contact.is_some();
        let event = AuditEvent::new("branch.contact", "settings", "branch_contact");
        self.write(event, |w| {
            let fields = vec![("value", Value::Text(contact.clone()))];
            if exists {
                w.update(Table::Settings, "branch_contact", fields)
            } else {
                w.insert(Table::Settings, "branch_contact", fields)
            }
        })?;
        self.branch.contact = Some(contact.clone());
        Ok(contact)
    }
}
