//! HQ's complaint and satisfaction reports, on both back ends with the same expected
//! figures (so the SQLite HQ and PostgreSQL agree): complaints per quarter × branch ×
//! category × state with overdue counts and median days to a decision, NPS/CSAT by branch
//! and month with sample sizes; a corrected survey counted once, a repeated bundle counted
//! once, later steps moving a case, and facts made again from the rows when missing.

mod common;

use branchdesk::domain::complaint::{IntakeInput, PauseReason, Quarter, Step};
use branchdesk::domain::survey::Month;
use branchdesk::store::{ComplaintCell, ComplaintReport, SatisfactionReport, Session, SurveyInput};
use common::hq::{at, hq_with_clients, second_branch};
use serde_json::json;
use std::path::Path;

fn complaint(session: &mut Session, category: &str, received_on: &str) -> String {
    let input = IntakeInput {
        complainant_name: "张伟".into(),
        complainant_phone: "13900001111".into(),
        channel: "counter".into(),
        category: category.into(),
        request: "退还多收的年费".into(),
        description: "客户称其借记卡被重复收取年费 10 元。".into(),
        received_on: received_on.into(),
        ..Default::default()
    };
    session.register_complaint(&input).unwrap().receipt_no
}

fn step(session: &mut Session, receipt: &str, step: Step, on: &str) {
    session
        .advance_complaint(receipt, step, Some(on.parse().unwrap()), None)
        .unwrap();
}

fn accept(session: &mut Session, receipt: &str, on: &str) {
    let handler = session.me().id.to_string();
    step(session, receipt, Step::Accepted { handler }, on);
}

fn decide(session: &mut Session, receipt: &str, on: &str) {
    let decision = "退还年费 10 元".to_string();
    step(session, receipt, Step::Decided { decision }, on);
}

fn survey(session: &mut Session, on: &str, nps: &str, rating: &str, supersedes: &str) -> String {
    let mut answers = std::collections::BTreeMap::new();
    answers.insert("nps".to_string(), nps.to_string());
    answers.insert("speed".to_string(), rating.to_string());
    let input = SurveyInput {
        template: "counter_visit".into(),
        channel: "counter".into(),
        answered_on: on.into(),
        answers,
        supersedes: supersedes.into(),
        ..Default::default()
    };
    session.record_survey(&input).unwrap().id
}

fn send(session: &mut Session, hq: &mut Session, dir: &Path) -> std::path::PathBuf {
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let bundle = session
        .export_bundle(&out, &mut |_, _| {})
        .unwrap()
        .file
        .unwrap();
    hq.hq_import(&bundle).unwrap();
    bundle
}

/// A complaint report's cell: (quarter, branch, category, state, cases, overdue, decided,
/// median days to decision).
type Cell = (String, String, String, String, u64, u64, u64, Option<f64>);

/// A complaint report's cells.
fn cells(report: &ComplaintReport) -> Vec<Cell> {
    report
        .cells
        .iter()
        .map(|c: &ComplaintCell| {
            (
                c.quarter.clone(),
                c.branch.clone(),
                c.category.clone(),
                c.state.clone(),
                c.complaints,
                c.overdue,
                c.decided,
                c.median_days_to_decision,
            )
        })
        .collect()
}

fn complaints(hq: &mut Session) -> ComplaintReport {
    let q = |s: &str| Quarter::parse(s).unwrap();
    hq.hq_complaint_report(q("2026Q3"), q("2026Q4"), None)
        .unwrap()
}

fn satisfaction(hq: &mut Session) -> SatisfactionReport {
    let m = |s: &str| Month::parse(s).unwrap();
    hq.hq_satisfaction_report(m("2026-10"), m("2026-11"), None, None)
        .unwrap()
}

fn row(
    quarter: &str,
    branch: &str,
    category: &str,
    state: &str,
    figures: (u64, u64, u64, Option<f64>),
) -> Cell {
    (
        quarter.into(),
        branch.into(),
        category.into(),
        state.into(),
        figures.0,
        figures.1,
        figures.2,
        figures.3,
    )
}

crate::hq_test! {
    fn both_back_ends_count_the_branches_complaints_and_surveys_alike(backend) {
        let dir = tempfile::tempdir().unwrap();
        let mut hq = hq_with_clients(dir.path(), backend);
        second_branch(dir.path(), &mut hq);
        let mut bj1 = at(dir.path(), "BJ0101", "mgr01", 9);
        // The shipped survey templates, loaded as on the survey screen's first use.
        bj1.survey_templates().unwrap();
        // Q3: decided in 5 days.
        let a = complaint(&mut bj1, "fees", "2026-07-15");
        accept(&mut bj1, &a, "2026-07-16");
        decide(&mut bj1, &a, "2026-07-20");
        // Q4, received 12 October (due 27 October): decided in 8 days, in 29 (late), and
        // decided, told and closed in 8; one withdrawn in time.
        let b = complaint(&mut bj1, "fees", "2026-10-12");
        accept(&mut bj1, &b, "2026-10-13");
        decide(&mut bj1, &b, "2026-10-20");
        let c = complaint(&mut bj1, "fees", "2026-10-12");
        accept(&mut bj1, &c, "2026-10-13");
        decide(&mut bj1, &c, "2026-11-10");
        let h = complaint(&mut bj1, "fees", "2026-10-12");
        accept(&mut bj1, &h, "2026-10-13");
        decide(&mut bj1, &h, "2026-10-20");
        step(&mut bj1, &h, Step::Feedback { satisfied: true }, "2026-10-22");
        step(&mut bj1, &h, Step::Closed, "2026-10-23");
        let g = complaint(&mut bj1, "service_attitude", "2026-10-12");
        step(&mut bj1, &g, Step::Withdrawn, "2026-10-14");
        // Received 2 November (due 17 November): one still open on the 30th (overdue), one
        // paused for an appraisal in time (not overdue); one received on the 25th.
        let d = complaint(&mut bj1, "card_account", "2026-11-02");
        accept(&mut bj1, &d, "2026-11-03");
        let f = complaint(&mut bj1, "card_account", "2026-11-02");
        accept(&mut bj1, &f, "2026-11-03");
        let appraisal = Step::Paused { reason: PauseReason::Appraisal };
        step(&mut bj1, &f, appraisal, "2026-11-05");
        complaint(&mut bj1, "fees", "2026-11-25");
        // Surveys: October 10/5, 9/4, 3/2; November 8/3 and 6/5, the latter corrected to
        // 10/5.
        survey(&mut bj1, "2026-10-15", "10", "5", "");
        survey(&mut bj1, "2026-10-16", "9", "4", "");
        survey(&mut bj1, "2026-10-17", "3", "2", "");
        survey(&mut bj1, "2026-11-02", "8", "3", "");
        let wrong = survey(&mut bj1, "2026-11-03", "6", "5", "");
        survey(&mut bj1, "2026-11-03", "10", "5", &wrong);
        let first_bundle = send(&mut bj1, &mut hq, dir.path());
        let mut bj2 = at(dir.path(), "BJ0102", "mgr02", 9);
        bj2.survey_templates().unwrap();
        let i = complaint(&mut bj2, "fees", "2026-11-02");
        accept(&mut bj2, &i, "2026-11-03");
        decide(&mut bj2, &i, "2026-11-09");
        survey(&mut bj2, "2026-11-20", "0", "1", "");
        send(&mut bj2, &mut hq, dir.path());

        let expected = vec![
            row("2026Q3", "BJ0101", "fees", "decided", (1, 0, 1, Some(5.0))),
            row("2026Q4", "BJ0101", "card_account", "accepted", (1, 1, 0, None)),
            row("2026Q4", "BJ0101", "card_account", "waiting", (1, 0, 0, None)),
            row("2026Q4", "BJ0101", "fees", "closed", (1, 0, 1, Some(8.0))),
            row("2026Q4", "BJ0101", "fees", "decided", (2, 1, 2, Some(18.5))),
            row("2026Q4", "BJ0101", "fees", "registered", (1, 0, 0, None)),
            row("2026Q4", "BJ0101", "service_attitude", "withdrawn", (1, 0, 0, None)),
            row("2026Q4", "BJ0102", "fees", "decided", (1, 0, 1, Some(7.0))),
        ];
        let report = complaints(&mut hq);
        assert_eq!(report.as_of.to_string(), "2026-11-30");
        assert_eq!(cells(&report), expected);
        let expected_satisfaction = json!([
            { "branch": "BJ0101", "month": "2026-10", "responses": 3, "small_sample": true,
              "nps": { "n": 3, "promoters": 2, "passives": 0, "detractors": 1, "nps": 33.3 },
              "csat": { "n": 3, "satisfied": 2, "csat": 66.7 } },
            { "branch": "BJ0101", "month": "2026-11", "responses": 2, "small_sample": true,
              "nps": { "n": 2, "promoters": 1, "passives": 1, "detractors": 0, "nps": 50.0 },
              "csat": { "n": 2, "satisfied": 1, "csat": 50.0 } },
            { "branch": "BJ0102", "month": "2026-11", "responses": 1, "small_sample": true,
              "nps": { "n": 1, "promoters": 0, "passives": 0, "detractors": 1, "nps": -100.0 },
              "csat": { "n": 1, "satisfied": 0, "csat": 0.0 } },
        ]);
        assert_eq!(json!(satisfaction(&mut hq).cells), expected_satisfaction);

        // One branch, one quarter; a month with nothing in it.
        let q4 = Quarter::parse("2026Q4").unwrap();
        let one = hq.hq_complaint_report(q4, q4, Some("bj0102")).unwrap();
        assert_eq!(cells(&one), expected[7..].to_vec());
        let june = Month::parse("2026-06").unwrap();
        assert!(hq.hq_satisfaction_report(june, june, None, None).unwrap().cells.is_empty());

        // HQ's own holiday table (what it publishes) decides the due days: a fortnight of
        // holidays from 17 November moves the open case's due day past the 30th, and the
        // figures are made again with it; the table back as shipped, they are as before.
        let reference = dir.path().join("HQ").join("reference");
        std::fs::create_dir_all(&reference).unwrap();
        let holidays = reference.join("holidays.toml");
        std::fs::write(&holidays, "[2026]\nholidays = [\"2026-11-17..2026-11-30\"]\nworkdays = []\n").unwrap();
        let mut moved_due = expected.clone();
        moved_due[1] = row("2026Q4", "BJ0101", "card_account", "accepted", (1, 0, 0, None));
        assert_eq!(cells(&complaints(&mut hq)), moved_due);
        std::fs::remove_file(&holidays).unwrap();
        assert_eq!(cells(&complaints(&mut hq)), expected);

        // The same bundle again counts nothing twice.
        hq.hq_import(&first_bundle).unwrap();
        assert_eq!(cells(&complaints(&mut hq)), expected);

        // A later bundle moves a case: the open one, decided on the 30th (28 days, late).
        decide(&mut bj1, &d, "2026-11-30");
        send(&mut bj1, &mut hq, dir.path());
        let mut moved = expected.clone();
        moved.remove(1);
        moved.push(row("2026Q4", "BJ0101", "card_account", "decided", (1, 1, 1, Some(28.0))));
        moved.sort_by(|a, b| (&a.0, &a.1, &a.2, &a.3).cmp(&(&b.0, &b.1, &b.2, &b.3)));
        assert_eq!(cells(&complaints(&mut hq)), moved);

        // Facts lost (or made by an older version) are made again from the rows.
        if let common::backend::Backend::Postgres(db) = backend {
            db.client()
                .batch_execute(
                    "DELETE FROM hq_complaint; DELETE FROM hq_complaint_cell; DELETE FROM hq_survey;
                     DELETE FROM hq_meta WHERE key = 'report_facts';",
                )
                .unwrap();
            assert_eq!(cells(&complaints(&mut hq)), moved);
            assert_eq!(json!(satisfaction(&mut hq).cells), expected_satisfaction);
            // ... and vacuumed, so that the report reads the counts' key alone.
            let all_visible: i64 = db
                .client()
                .query_one(
                    "SELECT sum(c.relallvisible)::bigint FROM pg_inherits h
                     JOIN pg_class c ON c.oid = h.inhrelid
                     WHERE h.inhparent = 'hq_complaint_cell'::regclass",
                    &[],
                )
                .unwrap()
                .get(0);
            assert!(all_visible > 0);
            // A consolidation of the first schema (before the reports) is brought up to
            // date when HQ next opens it.
            drop(hq);
            db.client()
                .batch_execute(
                    "DROP TABLE hq_complaint, hq_complaint_cell, hq_survey; DROP INDEX hq_complaint_events;
                     UPDATE hq_meta SET value = '1' WHERE key = 'schema';",
                )
                .unwrap();
            let mut hq = common::hq::at_hq(dir.path());
            assert_eq!(cells(&complaints(&mut hq)), moved);
            let schema: String = db
                .client()
                .query_one("SELECT value FROM hq_meta WHERE key = 'schema'", &[])
                .unwrap()
                .get(0);
            assert_eq!(schema, "3");
            // A consolidation of the second schema gets the cells' counts into their key (the
            // report reads the key alone), keeping the cells.
            drop(hq);
            let mut second_schema = String::from(
                "ALTER TABLE hq_complaint_cell DROP CONSTRAINT hq_complaint_cell_pkey;
                 ALTER TABLE hq_complaint_cell ADD PRIMARY KEY
                     (branch, quarter, category, state, open_due, late, days);
                 UPDATE hq_meta SET value = '2' WHERE key = 'schema';",
            );
            for p in 0..16 {
                second_schema.push_str(&format!(
                    "ALTER TABLE hq_complaint_cell_p{p:02} RESET (autovacuum_vacuum_scale_factor,
                         autovacuum_vacuum_insert_scale_factor);"
                ));
            }
            db.client().batch_execute(&second_schema).unwrap();
            let mut hq = common::hq::at_hq(dir.path());
            assert_eq!(cells(&complaints(&mut hq)), moved);
            // Every partition's key carries the count and is vacuumed sooner.
            let partitions = db
                .client()
                .query(
                    "SELECT pg_get_indexdef(i.indexrelid), c.reloptions
                     FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid
                     JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
                     WHERE h.inhparent = 'hq_complaint_cell'::regclass",
                    &[],
                )
                .unwrap();
            assert_eq!(partitions.len(), 16);
            for p in partitions {
                let (key, options): (String, Vec<String>) = (p.get(0), p.get(1));
                assert!(key.ends_with("INCLUDE (cases)"), "{key}");
                assert_eq!(
                    options,
                    [
                        "autovacuum_vacuum_scale_factor=0.02",
                        "autovacuum_vacuum_insert_scale_factor=0.02"
                    ],
                );
            }
        }

        // Periods that are not quarters or months are refused before anything is read.
        assert!(Quarter::parse("2026-11").is_none() && Month::parse("2026Q4").is_none());
    }
}

#[test]
fn only_hq_runs_hq_reports() {
    let dir = tempfile::tempdir().unwrap();
    let mut hq = hq_with_clients(dir.path(), &common::backend::Backend::Sqlite);
    let q = Quarter::parse("2026Q4").unwrap();
    let m = Month::parse("2026-11").unwrap();
    assert!(hq.hq_complaint_report(q, q, None).unwrap().cells.is_empty());
    let mut mgr = at(dir.path(), "BJ0101", "mgr01", 9);
    let not_hq = |e: branchdesk::Error| {
        matches!(
            e,
            branchdesk::Error::Sync {
                problem: branchdesk::sync::SyncProblem::NotHq,
                ..
            }
        )
    };
    assert!(not_hq(mgr.hq_complaint_report(q, q, None).unwrap_err()));
    assert!(not_hq(
        mgr.hq_satisfaction_report(m, m, None, None).unwrap_err()
    ));
}
