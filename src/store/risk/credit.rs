//! Credit early warnings (`credit_warning`). Each holdings snapshot is compared, loan by
//! loan, with the one it replaces: a loan that became overdue or moved down a category
//! raises a warning — on the risk desk, and as a call on its RM's care agenda (care key
//! kind 9) — which stays, its figures kept current by each snapshot, until the loan is
//! current and normal again or no longer held. Local and derived: HQ holds the extract.

use crate::domain::care::{KeyKind, Reason, date_key};
use crate::domain::portfolio::credit::{CreditMove, LoanClass, LoanStanding, warning};
use crate::error::{Error, Result};
use crate::store::write::Writer;
use chrono::NaiveDate;
use rusqlite::{Connection, params};
use serde::Serialize;
use std::collections::HashMap;

/// A loan of a new snapshot.
pub(crate) struct Loan<'s> {
    pub seq: i64,
    pub account: &'s str,
    pub product: &'s str,
    pub balance: i64,
    pub standing: LoanStanding,
}

/// A warning as the desk shows it (the account masked; the balance only to those who may
/// see the client's portfolio).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditShown {
    pub account: String,
    pub product: String,
    pub name_zh: String,
    pub name_en: String,
    pub balance_fen: Option<i64>,
    pub days_past_due: u32,
    pub class: LoanClass,
    pub moved_from: Option<LoanClass>,
    pub overdue_began: bool,
    /// The day of the snapshot the figures are from.
    pub as_of: NaiveDate,
}

/// Each loan's standing in the snapshot in force, by account (read before a new snapshot
/// replaces it).
pub(crate) fn loans_in_force(conn: &Connection) -> Result<HashMap<String, LoanStanding>> {
    let mut statement =
        conn.prepare("SELECT account, days_past_due, loan_class FROM holding_loan")?;
    let mut rows = statement.query([])?;
    let mut loans = HashMap::new();
    while let Some(r) = rows.next()? {
        let days: Option<u32> = r.get(1)?;
        loans.insert(r.get(0)?, LoanStanding::of(days, class_at(r, 2)?));
    }
    Ok(loans)
}

fn class_at(row: &rusqlite::Row, i: usize) -> Result<Option<LoanClass>> {
    row.get::<_, Option<String>>(i)?
        .map(|code| LoanClass::from_code(&code).ok_or(Error::DatabaseDamaged))
        .transpose()
}

/// Keeps the new snapshot's `loans` (for the next one to be compared with), raises the
/// warnings they give against `before`, keeps the figures of those still open current, and
/// closes those whose loan is sound again or gone. Returns how many it raised.
pub(crate) fn follow_snapshot(
    w: &mut Writer,
    before: &HashMap<String, LoanStanding>,
    loans: &[Loan],
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<u64> {
    let mut open: HashMap<String, String> = {
        let mut statement = w
            .connection()
            .prepare("SELECT account, id FROM credit_warning")?;
        statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    w.maintain_index("DELETE FROM holding_loan", [])?;
    for loan in loans {
        w.maintain_index(
            "INSERT OR REPLACE INTO holding_loan (account, days_past_due, loan_class)
             VALUES (?1, ?2, ?3)",
            params![
                loan.account,
                loan.standing.days_past_due,
                loan.standing.class.code()
            ],
        )?;
    }
    let mut raised = 0;
    for loan in loans {
        let was_open = open.remove(loan.account);
        if loan.standing.is_sound() {
            if let Some(id) = was_open {
                close(w, loan.account, &id)?;
            }
            continue;
        }
        match (
            warning(before.get(loan.account).copied(), loan.standing),
            was_open,
        ) {
            (Some(moved), was_open) => {
                if let Some(id) = was_open {
                    close(w, loan.account, &id)?;
                }
                raise(w, loan, moved, as_of, today)?;
                raised += 1;
            }
            (None, Some(_)) => {
                w.maintain_index(
                    "UPDATE credit_warning SET balance = ?2, days_past_due = ?3, loan_class = ?4,
                         as_of = ?5
                     WHERE account = ?1",
                    params![
                        loan.account,
                        loan.balance,
                        loan.standing.days_past_due,
                        loan.standing.class.code(),
                        as_of.to_string()
                    ],
                )?;
            }
            // Bad before and still bad, with no warning open: its warning was closed with
            // the client's record (a purge), or came before warnings were kept.
            (None, None) => {}
        }
    }
    // Loans no longer held (repaid, written off, moved to another branch).
    for (account, id) in open {
        close(w, &account, &id)?;
    }
    Ok(raised)
}

fn raise(
    w: &mut Writer,
    loan: &Loan,
    moved: CreditMove,
    as_of: NaiveDate,
    today: NaiveDate,
) -> Result<()> {
    let Some((rm, name)) = w.read(
        "SELECT coalesce(assigned_rm, ''), name FROM client WHERE seq = ?1",
        [loan.seq],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
    )?
    else {
        return Ok(());
    };
    let id = uuid::Uuid::now_v7().to_string();
    w.maintain_index(
        "INSERT OR REPLACE INTO credit_warning (account, id, client_seq, rm, product, balance,
             days_past_due, loan_class, overdue_began, moved_from, raised_on, as_of)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            loan.account,
            id,
            loan.seq,
            rm,
            loan.product,
            loan.balance,
            loan.standing.days_past_due,
            loan.standing.class.code(),
            moved.overdue_began,
            moved.moved_from.map(LoanClass::code),
            today.to_string(),
            as_of.to_string(),
        ],
    )?;
    w.maintain_index(
        crate::store::care::INSERT_KEY,
        params![
            KeyKind::CreditWarning as i64,
            date_key(today),
            0,
            loan.seq,
            id,
            rm,
            name
        ],
    )
}

fn close(w: &mut Writer, account: &str, id: &str) -> Result<()> {
    w.maintain_index(
        "DELETE FROM credit_warning WHERE account = ?1",
        params![account],
    )?;
    w.maintain_index(
        "DELETE FROM care_key WHERE kind = ?1 AND ref = ?2",
        params![KeyKind::CreditWarning as i64, id],
    )
}

/// The columns a warning is shown from, after its client's: `credit_at` reads them.
pub(crate) const SHOWN_COLUMNS: &str = "w.account, w.product, w.balance, w.days_past_due,
    w.loan_class, w.moved_from, w.overdue_began, w.as_of";

/// A warning from [`SHOWN_COLUMNS`] at `i`, the product named from `products`.
pub(crate) fn credit_at(
    row: &rusqlite::Row,
    i: usize,
    products: &[crate::sync::reference::Product],
) -> Result<CreditShown> {
    let product: String = row.get(i + 1)?;
    let known = products.iter().find(|p| p.code == product);
    let as_of: String = row.get(i + 7)?;
    Ok(CreditShown {
        account: crate::store::holdings::masked_account(&row.get::<_, String>(i)?),
        name_zh: known.map(|p| p.name_zh.clone()).unwrap_or_default(),
        name_en: known.map(|p| p.name_en.clone()).unwrap_or_default(),
        product,
        balance_fen: Some(row.get(i + 2)?),
        days_past_due: row.get(i + 3)?,
        class: class_at(row, i + 4)?.ok_or(Error::DatabaseDamaged)?,
        moved_from: class_at(row, i + 5)?,
        overdue_began: row.get(i + 6)?,
        as_of: crate::store::risk::state::day(&as_of)?,
    })
}

/// A client's open warnings, newest first (balances only for `with_balances`).
pub(crate) fn of_client(
    conn: &Connection,
    seq: i64,
    products: &[crate::sync::reference::Product],
    with_balances: bool,
) -> Result<Vec<CreditShown>> {
    let sql = format!(
        "SELECT {SHOWN_COLUMNS} FROM credit_warning w INDEXED BY credit_warning_by_client
         WHERE w.client_seq = ?1 ORDER BY w.raised_on DESC, w.account"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query([seq])?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        let mut shown = credit_at(row, 0, products)?;
        if !with_balances {
            shown.balance_fen = None;
        }
        found.push(shown);
    }
    Ok(found)
}

/// The agenda's reason for a warning by its id (none: closed since).
pub(crate) fn reason_of(
    conn: &Connection,
    id: &str,
    products: &[crate::sync::reference::Product],
) -> Result<Option<Reason>> {
    let sql = format!("SELECT {SHOWN_COLUMNS} FROM credit_warning w WHERE w.id = ?1");
    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query([id])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let shown = credit_at(row, 0, products)?;
    Ok(Some(Reason::CreditWarning {
        product: shown.product,
        name_zh: shown.name_zh,
        name_en: shown.name_en,
        balance: shown.balance_fen,
        days_past_due: shown.days_past_due,
        class: shown.class,
        moved_from: shown.moved_from,
        overdue_began: shown.overdue_began,
    }))
}
