//! Many clients at once (CSV import, demo data): checked rows written in one transaction,
//! lookup rows sorted and inserted in key order, and a first load into an empty table done
//! on a staged copy without a journal, swapped in when complete. Also the rows every new
//! client makes, however it comes (its card in result lists, its row).

/// The last client serial handed out: past this store's clients and past what a store it
/// replaced in a restore had given out (`client_seq_floor`), so no number is given twice.
macro_rules! client_seq_reached {
    () => {
        "SELECT max(coalesce((SELECT max(seq) FROM client), 0),
            coalesce((SELECT CAST(value AS INTEGER) FROM sync_local
                      WHERE key = 'client_seq_floor'), 0))"
    };
}
const CLIENT_SEQ_REACHED: &str = client_seq_reached!();
pub(super) const NEXT_CLIENT_SEQ: &str = concat!(client_seq_reached!(), " + 1");

use super::*;

impl Session {
    /// Loads many checked clients in one transaction (CSV import, demo data): all or
    /// nothing. Clients whose ID number is already registered (or repeated in the input)
    /// are skipped and reported by their position. `progress` hears the number done so far.
    ///
    /// Loading a million clients must take seconds, not minutes. Lookup rows are collected
    /// and inserted in key order. A branch's first load (an empty client table) runs on a
    /// staged copy of the database without a journal, with the secondary indexes built once
    /// at the end, and the copy is swapped in when it is complete; a crash leaves the store
    /// as it was.
    pub fn load_clients(
        &mut self,
        clients: &mut dyn Iterator<Item = (ClientRecord, String)>,
        source: &str,
        progress: &mut dyn FnMut(u64),
    ) -> Result<LoadSummary> {
        self.require(Permission::ImportClients)?;
        let empty: bool =
            self.conn
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM client)", [], |r| r.get(0))?;
        let summary = if empty {
            self.on_staged_copy(|session| session.load_into(clients, source, true, progress))?
        } else {
            self.conn.execute_batch(&format!(
                "PRAGMA cache_size = -{};",
                crate::store::db::BULK_CACHE_KIB
            ))?;
            let loaded = self.load_into(clients, source, false, progress);
            self.conn.execute_batch(&format!(
                "PRAGMA cache_size = -{};",
                self.cache.pragma_kib()
            ))?;
            loaded?
        };
        progress(summary.added + summary.already_registered.len() as u64);
        Ok(summary)
    }

    fn load_into(
        &mut self,
        clients: &mut dyn Iterator<Item = (ClientRecord, String)>,
        source: &str,
        empty: bool,
        progress: &mut dyn FnMut(u64),
    ) -> Result<LoadSummary> {
        let store_branch = self.branch.code.clone();
        let today = self.today();
        let rules = self.portfolio_rules()?;
        let calendar = self.calendar.clone();
        let event =
            AuditEvent::new("client.import", "client", "").with_detail(json!({ "source": source }));
        self.write(event, |w| {
            if empty {
                w.maintain_schema(DROP_CLIENT_INDEXES)?;
            }
            let mut summary = LoadSummary::default();
            let mut in_this_load: HashMap<(IdType, String), String> = HashMap::new();
            let mut index_rows = IndexRows::default();
            let mut care_rows = care::KeyRows::default();
            let mut seq: i64 = w.read(CLIENT_SEQ_REACHED, [], |r| r.get(0))?.unwrap_or(0);
            let mut range_start = seq + 1;
            for (index, (record, home_branch)) in clients.enumerate() {
                let document = (record.id_type, record.id_number.clone());
                let existing = match in_this_load.get(&document) {
                    Some(client_no) => Some(client_no.clone()),
                    None if empty => None,
                    None => w.read(
                        "SELECT client_no FROM client WHERE id_type = ?1 AND id_number = ?2",
                        params![record.id_type.code(), record.id_number],
                        |r| r.get::<_, String>(0),
                    )?,
                };
                match existing {
                    Some(client_no) => summary.already_registered.push((index, client_no)),
                    None => {
                        seq += 1;
                        let id = uuid::Uuid::now_v7().to_string();
                        let new = insert_client_row(
                            w,
                            &id,
                            seq,
                            &store_branch,
                            &home_branch,
                            &record,
                            true,
                        )?;
                        if seq - range_start + 1 == RANGE_ROWS {
                            w.capture_range(Table::Client, range_start, seq)?;
                            range_start = seq + 1;
                        }
                        index_rows.add(seq, home_branch != store_branch, &record.name);
                        if home_branch == store_branch {
                            care_rows.add(seq, &record, today);
                        }
                        in_this_load.insert(document, new.client_no);
                        summary.added += 1;
                    }
                }
                if index % 1000 == 999 {
                    progress(index as u64 + 1);
                }
            }
            w.capture_range(Table::Client, range_start, seq)?;
            index_rows.write(w)?;
            care_rows.write(w)?;
            if empty {
                w.maintain_schema(CLIENT_INDEXES)?;
            }
            // Each new client is due for their AML rating.
            crate::store::risk::state::fill_missing(w.connection(), &rules.aml, &calendar)?;
            // Fresh statistics for the query planner; sampled, so it takes milliseconds.
            w.maintain_schema("PRAGMA analysis_limit = 1000; ANALYZE;")?;
            Ok(summary)
        })
    }

    /// Which of `clients` are already registered: (position, client number).
    pub fn registered_documents<'a>(
        &self,
        clients: impl Iterator<Item = &'a ClientRecord>,
    ) -> Result<Vec<(usize, String)>> {
        self.require(Permission::ImportClients)?;
        let mut found = Vec::new();
        for (index, client) in clients.enumerate() {
            if let Some((_, client_no)) =
                self.existing_client_no(client.id_type, &client.id_number)?
            {
                found.push((index, client_no));
            }
        }
        Ok(found)
    }
}

/// What a bulk load did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LoadSummary {
    pub added: u64,
    /// (position in the input, client number) of clients that were already registered.
    pub already_registered: Vec<(usize, String)>,
}

/// The client's line in result lists (see `client_card` in the schema).
pub(super) fn write_card(
    w: &mut Writer,
    seq: i64,
    record: &ClientRecord,
    store_branch: &str,
    home_branch: &str,
    client_no: &str,
) -> Result<()> {
    use chrono::Datelike;
    let own_number = client_no == client_no_for(store_branch, seq);
    w.maintain_index(
        "INSERT OR REPLACE INTO client_card
         (seq, company, name, phone, birth_year, assigned_rm, home_branch, client_no)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            seq,
            record.kind == ClientKind::Company,
            record.name,
            record.phone,
            record.birth_date.map(|d| d.year()),
            record.assigned_rm,
            (home_branch != store_branch).then_some(home_branch),
            (!own_number).then_some(client_no)
        ],
    )
}

/// Rows per outbox range op of a bulk load (a bundle carries whole ranges).
const RANGE_ROWS: i64 = 10_000;

/// Lookup rows gathered during a bulk load, written sorted at the end (appending to a
/// B-tree in key order is many times faster than inserting at random).
#[derive(Default)]
struct IndexRows {
    grams: Vec<(bool, String, i64)>,
    keys: Vec<(bool, String, i64)>,
}

impl IndexRows {
    fn add(&mut self, seq: i64, foreign: bool, name: &str) {
        self.grams
            .extend(name_grams(name).into_iter().map(|g| (foreign, g, seq)));
        self.keys
            .extend(lookup_keys(name).into_iter().map(|k| (foreign, k, seq)));
    }

    fn write(mut self, w: &mut Writer) -> Result<()> {
        for (rows, sql) in [
            (
                &mut self.grams,
                "INSERT INTO client_gram (foreign_branch, gram, client_seq) VALUES (?1, ?2, ?3)",
            ),
            (
                &mut self.keys,
                "INSERT INTO client_key (foreign_branch, key, client_seq) VALUES (?1, ?2, ?3)",
            ),
        ] {
            rows.sort_unstable();
            rows.dedup();
            w.maintain_index_rows(
                sql,
                rows.iter()
                    .map(|(foreign, text, seq)| (i64::from(*foreign), text.as_str(), *seq)),
            )?;
        }
        Ok(())
    }
}

/// Inserts one client row with its lookup rows. The local sequence number gives the
/// branch's client number (`BJ0101-0000123`).
pub(super) fn insert_client(
    w: &mut Writer,
    id: &str,
    store_branch: &str,
    home_branch: &str,
    record: &ClientRecord,
) -> Result<NewClient> {
    let seq: i64 = w.read(NEXT_CLIENT_SEQ, [], |r| r.get(0))?.unwrap_or(1);
    let new = insert_client_row(w, id, seq, store_branch, home_branch, record, false)?;
    write_index_rows(w, seq, home_branch != store_branch, &record.name)?;
    Ok(new)
}

/// Inserts the client row alone.
fn insert_client_row(
    w: &mut Writer,
    id: &str,
    seq: i64,
    store_branch: &str,
    home_branch: &str,
    record: &ClientRecord,
    in_range: bool,
) -> Result<NewClient> {
    let client_no = client_no_for(store_branch, seq);
    let foreign = home_branch != store_branch;
    let now = w.now_text();
    let mut fields = record_fields(record);
    fields.extend([
        ("client_no", Value::Text(client_no.clone())),
        ("home_branch", Value::Text(home_branch.to_string())),
        ("created_at", Value::Text(now.clone())),
        ("updated_at", Value::Text(now)),
    ]);
    write_card(w, seq, record, store_branch, home_branch, &client_no)?;
    let mut local = local_fields(foreign, record);
    local.push(("seq", Value::Integer(seq)));
    if in_range {
        w.insert_in_range(Table::Client, id, fields, local)?;
    } else {
        w.insert_with_local(Table::Client, id, fields, local)?;
    }
    Ok(NewClient {
        id: id.to_string(),
        client_no,
        seq,
    })
}
