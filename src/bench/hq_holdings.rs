//! `branchdesk bench hq-holdings`: HQ holding a branch's N clients imports a core-banking
//! extract of three accounts per client on average (a current account, a time deposit for
//! most, wealth, fund and insurance for some), timed from reading the file to the commit;
//! then publishes the branch's snapshot with its client book, and the branch applies it
//! through the file, twice: the first book (every client compared) and the next month's
//! (copies already applied passed over).

use crate::domain::clock::Clock;
use crate::error::Result;
use serde::Serialize;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

/// The target for a 3M-row extract.
pub const TARGET_S: f64 = 60.0;

#[derive(Debug, Clone, Serialize)]
pub struct HqHoldingsReport {
    pub clients: u64,
    pub rows: u64,
    pub added: u64,
    pub file_bytes: u64,
    pub seconds: f64,
    pub publish_s: f64,
    /// The sealed snapshot's size.
    pub snapshot_bytes: u64,
    pub accounts: u64,
    pub book_clients: u64,
    /// The branch applying its first snapshot through the file.
    pub apply_first_s: f64,
    /// And the next one.
    pub apply_next_s: f64,
}

pub fn run(
    clients: u64,
    clock: Arc<dyn Clock>,
    progress: &mut dyn FnMut(&str),
) -> Result<HqHoldingsReport> {
    let (dir, _scratch) = super::sync::scratch("hq-holdings")?;
    let (mut hq, mut branch) = super::sync::hq_and_branch(&dir, clients, clock.clone(), progress)?;
    progress("export");
    if let Some(bundle) = branch.export_bundle(&dir, &mut |_, _| {})?.file {
        progress("import");
        hq.hq_import(&bundle)?;
    }
    drop(branch);
    progress("extract");
    let file = dir.join("extract.csv");
    let as_of = hq.today_local() - chrono::Duration::days(1);
    write_extract(&file, clients, as_of)?;
    let file_bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    progress("hq holdings import");
    let started = Instant::now();
    let report = hq.hq_import_holdings(&file, &as_of.to_string(), false)?;
    let seconds = started.elapsed().as_secs_f64();
    let mut branch = super::sync::login(&dir, "BJ0101", "mgr01", clock)?;
    let mut apply =
        |hq: &mut crate::store::Session, n: usize| -> Result<(f64, f64, u64, u64, u64)> {
            progress("publish");
            let out = dir.join(format!("published-{n}"));
            crate::store::create_private_dir(&out)?;
            let started = Instant::now();
            let published = hq.publish_holdings(&out)?;
            let publish_s = started.elapsed().as_secs_f64();
            let file = published
                .into_iter()
                .next()
                .ok_or_else(|| crate::error::Error::internal("the benchmark published nothing"))?
                .file;
            let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            progress("branch applies");
            let started = Instant::now();
            let applied = branch.import_holdings(&file)?;
            let apply_s = started.elapsed().as_secs_f64();
            Ok((
                publish_s,
                apply_s,
                bytes,
                applied.accounts,
                applied.book.received,
            ))
        };
    let (publish_s, apply_first_s, snapshot_bytes, accounts, book_clients) = apply(&mut hq, 1)?;
    let (_, apply_next_s, _, _, _) = apply(&mut hq, 2)?;
    Ok(HqHoldingsReport {
        clients,
        rows: report.rows,
        added: report.added,
        file_bytes,
        seconds,
        publish_s,
        snapshot_bytes,
        accounts,
        book_clients,
        apply_first_s,
        apply_next_s,
    })
}

/// An extract as core banking writes one (Chinese headers, amounts with two decimals).
fn write_extract(file: &std::path::Path, clients: u64, as_of: chrono::NaiveDate) -> Result<()> {
    let out = crate::store::create_private(file)?;
    let mut out = std::io::BufWriter::new(out);
    let mut line = |text: std::fmt::Arguments| -> Result<()> {
        out.write_fmt(text)
            .map_err(|e| crate::error::Error::internal(format!("bench extract: {e}")))
    };
    line(format_args!(
        "客户号,产品代码,账号,余额,开户日期,到期日,月日均余额\n"
    ))?;
    for seq in 1..=clients as i64 {
        let client = crate::store::client_no_for("BJ0101", seq);
        let yuan = 1_000 + (seq * 7_919) % 300_000;
        line(format_args!(
            "{client},DEP-DEMAND,6222{seq:010}01,{yuan}.50,2019-03-01,,{yuan}\n"
        ))?;
        if seq % 8 != 0 {
            let matures = as_of + chrono::Duration::days(1 + seq % 365);
            line(format_args!(
                "{client},DEP-TIME-1Y,6222{seq:010}02,{}.00,{},{matures},{}\n",
                yuan * 2,
                matures - chrono::Duration::days(365),
                yuan * 2
            ))?;
        }
        if seq % 8 < 1 || seq % 4 == 1 {
            line(format_args!(
                "{client},FUND-BALANCED,6222{seq:010}03,{yuan}.00,2022-06-15,,{yuan}\n"
            ))?;
        }
        if seq % 2 == 0 {
            line(format_args!(
                "{client},WM-CASH,6222{seq:010}04,{yuan}.00,2023-01-10,,{yuan}\n"
            ))?;
        }
        if seq % 4 == 3 {
            line(format_args!(
                "{client},INS-ANNUITY,6222{seq:010}05,{}.00,2021-09-01,,{}\n",
                yuan * 3,
                yuan * 3
            ))?;
        }
    }
    out.flush()
        .map_err(|e| crate::error::Error::internal(format!("bench extract: {e}")))
}
