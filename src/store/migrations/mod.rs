//! The versioned schema. `PRAGMA user_version` records which migrations have run; a store
//! written by a newer branchdesk refuses to open rather than be damaged by an older one.

mod backfills;

use backfills::backfill_care_keys;
pub(crate) use backfills::{ClientsToKey, client_key_rows};

use crate::error::{Error, Result};
use rusqlite::Connection;

/// The client table's secondary indexes. A bulk load into an empty table drops them and
/// builds them again at the end (sorting once is far cheaper than a million random
/// inserts), so their definition lives here, once.
macro_rules! client_indexes {
    () => {
        "
    CREATE UNIQUE INDEX IF NOT EXISTS client_by_document ON client (id_type, id_number);
    CREATE INDEX IF NOT EXISTS client_by_name ON client (foreign_branch, name);
    CREATE INDEX IF NOT EXISTS client_by_phone ON client (foreign_branch, phone_rev);
    CREATE INDEX IF NOT EXISTS client_by_id_tail ON client (foreign_branch, id_rev);
    CREATE INDEX IF NOT EXISTS client_by_rm ON client (assigned_rm);
    "
    };
}

pub(crate) const CLIENT_INDEXES: &str = client_indexes!();

/// Dropped for a bulk load into an empty table. (`client_by_rm` stays: nearly every key is
/// empty, so rows arrive in order and keeping it costs less than rebuilding it.)
pub(crate) const DROP_CLIENT_INDEXES: &str = "
    DROP INDEX client_by_document;
    DROP INDEX client_by_name;
    DROP INDEX client_by_phone;
    DROP INDEX client_by_id_tail;
";

/// One step of the schema: its statements and, where existing rows need filling in, a
/// backfill in Rust that runs in the same transaction.
#[derive(Clone, Copy)]
pub struct Migration {
    sql: &'static str,
    backfill: Option<Backfill>,
}

type Backfill = fn(&rusqlite::Transaction) -> Result<()>;

impl Migration {
    const fn sql(sql: &'static str) -> Migration {
        Migration {
            sql,
            backfill: None,
        }
    }

    const fn with_backfill(sql: &'static str, backfill: Backfill) -> Migration {
        Migration {
            sql,
            backfill: Some(backfill),
        }
    }
}

/// Each entry moves the schema from version `i` to `i + 1`. Never edit a shipped entry: add
/// a new one.
const MIGRATIONS: &[Migration] = &[
    // 1: settings, staff, audit trail and outbox.
    Migration::sql(
        r#"
    CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE staff (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        role       TEXT NOT NULL CHECK (role IN ('teller', 'rm', 'manager', 'auditor', 'admin')),
        status     TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        hlc        INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        hlc       INTEGER NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        entity    TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        detail    TEXT NOT NULL,
        prev_hash BLOB NOT NULL,
        hash      BLOB NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

    CREATE TABLE outbox (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        op_id          TEXT NOT NULL,
        tbl            TEXT NOT NULL,
        row_id         TEXT NOT NULL,
        -- insert_range: rows first_seq..=last_seq of a table's local sequence, inserted by
        -- one bulk load; the export reads the rows (a million-client load would otherwise
        -- keep every row twice).
        op             TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete', 'insert_range')),
        fields         TEXT NOT NULL,
        hlc            INTEGER NOT NULL,
        schema_version INTEGER NOT NULL
    );
    "#,
    ),
    // 2: clients, their lookup indexes, and the contact log.
    Migration::sql(concat!(
        r#"
    CREATE TABLE client (
        seq               INTEGER PRIMARY KEY,
        id                TEXT NOT NULL UNIQUE,
        client_no         TEXT NOT NULL UNIQUE,
        kind              TEXT NOT NULL CHECK (kind IN ('person', 'company')),
        name              TEXT NOT NULL,
        gender            TEXT CHECK (gender IN ('male', 'female')),
        birth_date        TEXT,
        birth_calendar    TEXT NOT NULL CHECK (birth_calendar IN ('solar', 'lunar')),
        id_type           TEXT NOT NULL,
        id_number         TEXT NOT NULL,
        id_expiry         TEXT,
        phone             TEXT,
        email             TEXT,
        address           TEXT,
        occupation        TEXT,
        home_branch       TEXT NOT NULL,
        assigned_rm       TEXT,
        tier              TEXT NOT NULL,
        risk_level        INTEGER,
        tags              TEXT NOT NULL,
        consent_marketing INTEGER NOT NULL,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        hlc               INTEGER NOT NULL,
        deleted           INTEGER NOT NULL DEFAULT 0,
        -- Derived for lookup; not synchronised (HQ derives its own).
        foreign_branch    INTEGER NOT NULL,
        phone_rev         TEXT,
        id_rev            TEXT NOT NULL
    ) STRICT;
    "#,
        client_indexes!(),
        r#"

    -- One- and two-character runs of Chinese names (the trigram tokenizer finds nothing
    -- under three characters, and most Chinese names are two or three).
    CREATE TABLE client_gram (
        foreign_branch INTEGER NOT NULL,
        gram           TEXT NOT NULL,
        client_seq     INTEGER NOT NULL,
        PRIMARY KEY (foreign_branch, gram, client_seq)
    ) STRICT, WITHOUT ROWID;

    -- What a result list shows of each client, kept dense (a fifteenth of a client row) so
    -- that a lookup's hits are mostly in the page cache. home_branch and client_no are
    -- empty when they are this branch's and the number derived from seq.
    CREATE TABLE client_card (
        seq         INTEGER PRIMARY KEY,
        company     INTEGER NOT NULL,
        name        TEXT NOT NULL,
        phone       TEXT,
        birth_year  INTEGER,
        assigned_rm TEXT,
        home_branch TEXT,
        client_no   TEXT
    ) STRICT;

    -- Pinyin spellings and initials, and Latin name words, for prefix lookup.
    CREATE TABLE client_key (
        foreign_branch INTEGER NOT NULL,
        key            TEXT NOT NULL,
        client_seq     INTEGER NOT NULL,
        PRIMARY KEY (foreign_branch, key, client_seq)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE interaction (
        id        TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES client (id),
        staff_id  TEXT NOT NULL,
        channel   TEXT NOT NULL,
        kind      TEXT NOT NULL,
        note      TEXT NOT NULL,
        at        TEXT NOT NULL,
        hlc       INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX interaction_by_client ON interaction (client_id, at);
    "#,
    )),
    // 3: complaints, their event history, and the board (derived from the history).
    Migration::sql(
        r#"
    CREATE TABLE complaint (
        id                TEXT PRIMARY KEY,
        receipt_no        TEXT NOT NULL UNIQUE,
        client_id         TEXT REFERENCES client (id),
        complainant_name  TEXT NOT NULL,
        complainant_phone TEXT,
        channel           TEXT NOT NULL,
        category          TEXT NOT NULL,
        severity          TEXT NOT NULL,
        request           TEXT NOT NULL,
        description       TEXT NOT NULL,
        subject_staff     TEXT,
        received_on       TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        created_by        TEXT NOT NULL,
        hlc               INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX complaint_by_client ON complaint (client_id);

    -- Append-only: the state of a case is what its events say.
    CREATE TABLE complaint_event (
        id           TEXT PRIMARY KEY,
        complaint_id TEXT NOT NULL REFERENCES complaint (id),
        on_date      TEXT NOT NULL,
        at           TEXT NOT NULL,
        by_staff     TEXT NOT NULL,
        step         TEXT NOT NULL,
        data         TEXT NOT NULL,
        note         TEXT,
        hlc          INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX complaint_event_by_case ON complaint_event (complaint_id, at);
    CREATE TRIGGER complaint_event_append_only_update BEFORE UPDATE ON complaint_event
        BEGIN SELECT RAISE(ABORT, 'complaint_event is append-only'); END;
    CREATE TRIGGER complaint_event_append_only_delete BEFORE DELETE ON complaint_event
        BEGIN SELECT RAISE(ABORT, 'complaint_event is append-only'); END;

    -- Each case's state replayed from its events, for the board (local, never sent).
    CREATE TABLE complaint_case (
        complaint_id TEXT PRIMARY KEY REFERENCES complaint (id),
        state        TEXT NOT NULL,
        clock_from   TEXT NOT NULL,
        limit_days   INTEGER NOT NULL,
        paused_days  INTEGER NOT NULL,
        paused_since TEXT,
        handler      TEXT,
        stopped_on   TEXT,
        extensions   INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX complaint_case_by_state ON complaint_case (state);
    "#,
    ),
    // 4: care reminders: life events, what was done about reminders, and the keys they are
    // found by (filled for existing clients by `backfill_care_keys`).
    Migration::with_backfill(
        r#"
    CREATE TABLE client_event (
        id         TEXT PRIMARY KEY,
        client_id  TEXT NOT NULL REFERENCES client (id),
        kind       TEXT NOT NULL,
        on_date    TEXT NOT NULL,
        yearly     INTEGER NOT NULL,
        label      TEXT,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        deleted    INTEGER NOT NULL DEFAULT 0,
        hlc        INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX client_event_by_client ON client_event (client_id);

    CREATE TABLE care_task (
        id        TEXT PRIMARY KEY,
        reminder  TEXT NOT NULL,
        first_on  TEXT NOT NULL,
        client_id TEXT REFERENCES client (id),
        action    TEXT NOT NULL CHECK (action IN ('done', 'snoozed', 'dismissed')),
        channel   TEXT,
        note      TEXT,
        until     TEXT,
        why       TEXT,
        detail    TEXT NOT NULL,
        by_staff  TEXT NOT NULL,
        at        TEXT NOT NULL,
        hlc       INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX care_task_by_day ON care_task (first_on);
    CREATE INDEX care_task_snoozed ON care_task (until) WHERE action = 'snoozed';

    -- Derived from clients and their events (local, never sent): what a day of the agenda
    -- looks up. `name` and `rm` are copied so that the agenda reads this table alone.
    CREATE TABLE care_key (
        kind       INTEGER NOT NULL,
        key        INTEGER NOT NULL,
        since      INTEGER NOT NULL,
        client_seq INTEGER NOT NULL,
        ref        TEXT NOT NULL,
        rm         TEXT NOT NULL,
        name       TEXT NOT NULL,
        PRIMARY KEY (kind, key, since, client_seq, ref)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX care_key_by_rm ON care_key (rm, kind, key, since);
    CREATE INDEX care_key_by_client ON care_key (client_seq);
    "#,
        backfill_care_keys,
    ),
    // 5: survey templates (each version kept) and responses (insert-only; a correction is a
    // new row that supersedes the old one).
    Migration::sql(
        r#"
    CREATE TABLE survey_template (
        id         TEXT PRIMARY KEY,
        code       TEXT NOT NULL,
        version    INTEGER NOT NULL,
        body       TEXT NOT NULL,
        digest     TEXT NOT NULL,
        source     TEXT NOT NULL,
        created_at TEXT NOT NULL,
        hlc        INTEGER NOT NULL,
        UNIQUE (code, version)
    ) STRICT;

    CREATE TABLE survey_response (
        id               TEXT PRIMARY KEY,
        template_code    TEXT NOT NULL,
        template_version INTEGER NOT NULL,
        client_id        TEXT REFERENCES client (id),
        channel          TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'sms', 'paper')),
        staff_id         TEXT NOT NULL,
        answered_on      TEXT NOT NULL,
        answers          TEXT NOT NULL,
        follow_up        TEXT,
        supersedes       TEXT REFERENCES survey_response (id),
        created_at       TEXT NOT NULL,
        hlc              INTEGER NOT NULL,
        FOREIGN KEY (template_code, template_version) REFERENCES survey_template (code, version)
    ) STRICT;
    CREATE INDEX survey_response_by_day ON survey_response (template_code, answered_on);
    CREATE INDEX survey_response_by_supersedes ON survey_response (supersedes);
    CREATE TRIGGER survey_response_insert_only_update BEFORE UPDATE ON survey_response
        BEGIN SELECT RAISE(ABORT, 'survey_response is insert-only'); END;
    CREATE TRIGGER survey_response_insert_only_delete BEFORE DELETE ON survey_response
        BEGIN SELECT RAISE(ABORT, 'survey_response is insert-only'); END;
    "#,
    ),
    // 6: sync. This store's own keys and what it knows of its peers (never in the outbox),
    // and, in an HQ store, the consolidation: every op applied once per (branch, seq, part),
    // the merged rows with a stamp per field, identity claims for review, and quarantine.
    // Plain SQL (no STRICT-only types, no SQLite functions) so that it ports to PostgreSQL.
    Migration::sql(
        r#"
    CREATE TABLE sync_local (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE hq_branch (
        code        TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        key_id      TEXT NOT NULL UNIQUE,
        sign_public TEXT NOT NULL,
        recipient   TEXT NOT NULL,
        high_water  INTEGER NOT NULL DEFAULT 0,
        last_import TEXT,
        last_bundle TEXT
    ) STRICT;

    CREATE TABLE hq_op (
        branch TEXT NOT NULL,
        seq    INTEGER NOT NULL,
        part   INTEGER NOT NULL,
        op_id  TEXT NOT NULL,
        hlc    INTEGER NOT NULL,
        PRIMARY KEY (branch, seq, part)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE hq_row (
        tbl     TEXT NOT NULL,
        row_id  TEXT NOT NULL,
        branch  TEXT NOT NULL,
        fields  TEXT NOT NULL,
        stamps  TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (tbl, row_id)
    ) STRICT;

    -- What each branch wrote to a client's identity fields ('' when an op left one out).
    CREATE TABLE hq_claim (
        tbl       TEXT NOT NULL,
        row_id    TEXT NOT NULL,
        branch    TEXT NOT NULL,
        name      TEXT NOT NULL,
        id_number TEXT NOT NULL,
        PRIMARY KEY (tbl, row_id, branch, name, id_number)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE hq_import (
        bundle_sha256 TEXT PRIMARY KEY,
        branch        TEXT NOT NULL,
        from_seq      INTEGER NOT NULL,
        to_seq        INTEGER NOT NULL,
        outcome       TEXT NOT NULL,
        at            TEXT NOT NULL
    ) STRICT;

    CREATE TABLE hq_quarantine (
        bundle_sha256 TEXT PRIMARY KEY,
        branch        TEXT NOT NULL,
        from_seq      INTEGER NOT NULL,
        to_seq        INTEGER NOT NULL,
        missing_from  INTEGER NOT NULL,
        missing_to    INTEGER NOT NULL,
        file          TEXT NOT NULL,
        at            TEXT NOT NULL
    ) STRICT;
    "#,
    ),
    // 7: why HQ keeps a bundle aside: a gap before it, changes it declares void that HQ
    // does not hold yet, changes under numbers HQ holds for other changes (a branch
    // restored from a backup older than what it sent: `forked` when the bundle is the
    // newer history, `orphaned` when it is the older one); and each change is applied once
    // whatever number it comes under.
    Migration::sql(
        r#"
    ALTER TABLE hq_quarantine ADD COLUMN reason TEXT NOT NULL DEFAULT 'gap'
        CHECK (reason IN ('gap', 'void', 'forked', 'orphaned'));
    CREATE UNIQUE INDEX hq_op_once ON hq_op (branch, op_id);
    "#,
    ),
    // 8: HQ's holdings extracts (持仓明细): one row per account or contract per extract day,
    // the client as HQ's consolidated row and its home branch. Amounts in fen.
    Migration::sql(
        r#"
    CREATE TABLE hq_holding (
        as_of       TEXT NOT NULL,
        account     TEXT NOT NULL,
        client_row  TEXT NOT NULL,
        branch      TEXT NOT NULL,
        product     TEXT NOT NULL,
        balance     INTEGER NOT NULL,
        opened_on   TEXT NOT NULL,
        matures_on  TEXT,
        avg_balance INTEGER,
        PRIMARY KEY (as_of, account)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX hq_holding_by_branch ON hq_holding (branch, as_of);
    "#,
    ),
    // 9: a branch's holdings, as HQ's latest snapshot has them (replaced whole by the next),
    // and each client's monthly-average AUM, kept month by month for tiers and trends.
    // Amounts in fen.
    Migration::sql(
        r#"
    CREATE TABLE holding (
        account     TEXT PRIMARY KEY,
        client_seq  INTEGER NOT NULL,
        product     TEXT NOT NULL,
        balance     INTEGER NOT NULL,
        opened_on   TEXT NOT NULL,
        matures_on  TEXT,
        avg_balance INTEGER
    ) STRICT;
    CREATE INDEX holding_by_client ON holding (client_seq);
    CREATE INDEX holding_by_maturity ON holding (matures_on) WHERE matures_on IS NOT NULL;
    CREATE TABLE client_aum (
        client_seq INTEGER NOT NULL,
        month      TEXT NOT NULL,
        avg_aum    INTEGER NOT NULL,
        PRIMARY KEY (client_seq, month)
    ) STRICT, WITHOUT ROWID;
    "#,
    ),
    // 10: risk assessments (风险测评): the level the client's questionnaire gave, how it was
    // filled (by the client on the counter pad, or read out to them — never by staff for
    // them), who keyed it, and whether the client confirmed a changed result. Insert-only:
    // a new assessment supersedes, nothing is edited.
    Migration::sql(
        r#"
    CREATE TABLE assessment (
        id          TEXT PRIMARY KEY,
        client_id   TEXT NOT NULL REFERENCES client (id),
        level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
        assessed_on TEXT NOT NULL,
        filled      TEXT NOT NULL CHECK (filled IN ('client_pad', 'read_out')),
        keyed_by    TEXT NOT NULL,
        confirmed   INTEGER NOT NULL,
        created_at  TEXT NOT NULL,
        hlc         INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX assessment_by_client ON assessment (client_id, assessed_on);
    CREATE TRIGGER assessment_insert_only_update BEFORE UPDATE ON assessment
        BEGIN SELECT RAISE(ABORT, 'assessment is insert-only'); END;
    CREATE TRIGGER assessment_insert_only_delete BEFORE DELETE ON assessment
        BEGIN SELECT RAISE(ABORT, 'assessment is insert-only'); END;
    "#,
    ),
    // 11: what staff made of an offer (offered, accepted, declined, later: insert-only, sent
    // to HQ for conversion per rule), and what HQ's latest snapshot makes of each client,
    // derived and local (rebuilt whole with each snapshot): tier, latest AUM and a fall,
    // value score with its parts and RFM quintiles, the best offer, and the calls the
    // snapshot puts on the care agenda; holdings keyed by account alone.
    Migration::sql(
        r#"
    CREATE TABLE offer_outcome (
        id          TEXT PRIMARY KEY,
        client_id   TEXT NOT NULL REFERENCES client (id),
        rule        TEXT NOT NULL,
        product     TEXT NOT NULL,
        outcome     TEXT NOT NULL CHECK (outcome IN ('offered', 'accepted', 'declined', 'later')),
        recorded_on TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        hlc         INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX offer_outcome_by_client ON offer_outcome (client_id, recorded_on);
    CREATE TRIGGER offer_outcome_insert_only_update BEFORE UPDATE ON offer_outcome
        BEGIN SELECT RAISE(ABORT, 'offer_outcome is insert-only'); END;
    CREATE TRIGGER offer_outcome_insert_only_delete BEFORE DELETE ON offer_outcome
        BEGIN SELECT RAISE(ABORT, 'offer_outcome is insert-only'); END;

    CREATE TABLE client_standing (
        client_seq    INTEGER PRIMARY KEY,
        tier          TEXT NOT NULL,
        tier_since    TEXT,
        moved         TEXT NOT NULL CHECK (moved IN ('', 'up', 'down')),
        aum           INTEGER NOT NULL,
        fall_percent  INTEGER,
        value         INTEGER NOT NULL,
        value_parts   TEXT NOT NULL,
        recency       INTEGER NOT NULL,
        frequency     INTEGER NOT NULL,
        monetary      INTEGER NOT NULL,
        best_rule     TEXT,
        best_product  TEXT,
        best_priority INTEGER,
        next_maturity TEXT,
        assessed_until TEXT
    ) STRICT;
    CREATE TABLE portfolio_call (
        ref        TEXT PRIMARY KEY,
        client_seq INTEGER NOT NULL,
        reason     TEXT NOT NULL,
        matures_on TEXT
    ) STRICT;
    CREATE INDEX portfolio_call_maturity ON portfolio_call (client_seq, matures_on)
        WHERE matures_on IS NOT NULL;
    CREATE INDEX client_card_by_rm ON client_card (assigned_rm);

    -- Holdings keyed by account alone: one B-tree where a rowid table kept two (a month of
    -- millions of accounts is written whole).
    CREATE TABLE holding_by_account (
        account     TEXT PRIMARY KEY,
        client_seq  INTEGER NOT NULL,
        product     TEXT NOT NULL,
        balance     INTEGER NOT NULL,
        opened_on   TEXT NOT NULL,
        matures_on  TEXT,
        avg_balance INTEGER
    ) STRICT, WITHOUT ROWID;
    INSERT INTO holding_by_account
        SELECT account, client_seq, product, balance, opened_on, matures_on, avg_balance
        FROM holding;
    DROP TABLE holding;
    ALTER TABLE holding_by_account RENAME TO holding;
    CREATE INDEX holding_by_client ON holding (client_seq);
    CREATE INDEX holding_by_maturity ON holding (matures_on) WHERE matures_on IS NOT NULL;
    "#,
    ),
    // 12: the client book HQ sends down with each snapshot. A branch keeps a digest of the
    // copy of each client it last applied (unchanged copies are passed over), and the
    // fields where its own edit and another branch's crossed (the review list; a resolved
    // entry is kept, with who resolved it). HQ finds a branch's book by home branch and by
    // the branch that registered the client. Holdings are keyed by client; standings
    // carry the RM.
    Migration::sql(
        r#"
    CREATE TABLE client_hq (
        id     TEXT PRIMARY KEY,
        digest TEXT NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE client_review (
        client_seq  INTEGER NOT NULL,
        field       TEXT NOT NULL,
        kept        TEXT NOT NULL,
        kept_branch TEXT NOT NULL,
        lost        TEXT NOT NULL,
        lost_branch TEXT NOT NULL,
        noted_at    TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by TEXT,
        PRIMARY KEY (client_seq, field, lost)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX hq_client_home ON hq_row (json_extract(fields, '$.home_branch'))
        WHERE tbl = 'client';
    CREATE INDEX hq_client_owner ON hq_row (branch) WHERE tbl = 'client';

    -- Holdings keyed by client, then account: a client's accounts are one range (the
    -- portfolio) and a snapshot is written in that order without a second B-tree to
    -- build (the index by maturity was read by nothing).
    CREATE TABLE holding_new (
        client_seq  INTEGER NOT NULL,
        account     TEXT NOT NULL,
        product     TEXT NOT NULL,
        balance     INTEGER NOT NULL,
        opened_on   TEXT NOT NULL,
        matures_on  TEXT,
        avg_balance INTEGER,
        PRIMARY KEY (client_seq, account)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO holding_new
        SELECT client_seq, account, product, balance, opened_on, matures_on, avg_balance
        FROM holding ORDER BY client_seq, account;
    DROP TABLE holding;
    ALTER TABLE holding_new RENAME TO holding;

    -- A standing keeps its client's RM, and an RM's book is one range of an index holding
    -- everything its segments are cut by (a book of thousands was as many lookups).
    ALTER TABLE client_standing ADD COLUMN rm TEXT;
    UPDATE client_standing
        SET rm = (SELECT assigned_rm FROM client_card WHERE seq = client_seq);
    CREATE INDEX client_standing_by_rm ON client_standing (rm, tier, aum, moved,
        fall_percent, assessed_until, next_maturity, best_priority);
    "#,
    ),
    // 13: the AML risk desk. What staff record (sent to HQ): the facts a rating needs that
    // the record does not hold, the ratings and reviews, the events that ask for an early
    // review, a manager's lifting of a restriction for a day, and the end of a
    // relationship — all insert-only but the profile. What the desk reads (local, derived
    // from those and the record): one row per client of this branch with the level, the
    // next thing due and when, and the day an expired document restricts the client.
    Migration::with_backfill(
        r#"
    CREATE TABLE aml_profile (
        id          TEXT PRIMARY KEY REFERENCES client (id),
        pep         TEXT NOT NULL CHECK (pep IN ('none', 'pep', 'associate')),
        nationality TEXT NOT NULL,
        cash        TEXT NOT NULL CHECK (cash IN ('low', 'medium', 'high')),
        remote      INTEGER NOT NULL,
        updated_at  TEXT NOT NULL,
        hlc         INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE aml_rating (
        id            TEXT PRIMARY KEY,
        client_id     TEXT NOT NULL REFERENCES client (id),
        kind          TEXT NOT NULL CHECK (kind IN ('rating', 'review', 'rerate')),
        outcome       TEXT CHECK (outcome IN ('kept', 'raised', 'lowered')),
        computed      TEXT NOT NULL,
        score         INTEGER NOT NULL,
        factors       TEXT NOT NULL,
        level         TEXT NOT NULL,
        note          TEXT NOT NULL,
        rated_on      TEXT NOT NULL,
        next_review   TEXT NOT NULL,
        by_staff      TEXT NOT NULL,
        approved_by   TEXT,
        table_version TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        hlc           INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX aml_rating_by_client ON aml_rating (client_id, hlc);
    CREATE TRIGGER aml_rating_insert_only_update BEFORE UPDATE ON aml_rating
        BEGIN SELECT RAISE(ABORT, 'aml_rating is insert-only'); END;
    CREATE TRIGGER aml_rating_insert_only_delete BEFORE DELETE ON aml_rating
        BEGIN SELECT RAISE(ABORT, 'aml_rating is insert-only'); END;

    CREATE TABLE aml_trigger (
        id         TEXT PRIMARY KEY,
        client_id  TEXT NOT NULL REFERENCES client (id),
        kind       TEXT NOT NULL,
        raised_on  TEXT NOT NULL,
        detail     TEXT NOT NULL,
        created_at TEXT NOT NULL,
        hlc        INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX aml_trigger_by_client ON aml_trigger (client_id, hlc);
    CREATE TRIGGER aml_trigger_insert_only_update BEFORE UPDATE ON aml_trigger
        BEGIN SELECT RAISE(ABORT, 'aml_trigger is insert-only'); END;
    CREATE TRIGGER aml_trigger_insert_only_delete BEFORE DELETE ON aml_trigger
        BEGIN SELECT RAISE(ABORT, 'aml_trigger is insert-only'); END;

    CREATE TABLE restriction_override (
        id         TEXT PRIMARY KEY,
        client_id  TEXT NOT NULL REFERENCES client (id),
        on_date    TEXT NOT NULL,
        reason     TEXT NOT NULL,
        by_staff   TEXT NOT NULL,
        created_at TEXT NOT NULL,
        hlc        INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX restriction_override_by_client ON restriction_override (client_id, on_date);
    CREATE TRIGGER restriction_override_insert_only_update BEFORE UPDATE ON restriction_override
        BEGIN SELECT RAISE(ABORT, 'restriction_override is insert-only'); END;
    CREATE TRIGGER restriction_override_insert_only_delete BEFORE DELETE ON restriction_override
        BEGIN SELECT RAISE(ABORT, 'restriction_override is insert-only'); END;

    CREATE TABLE client_closure (
        id         TEXT PRIMARY KEY REFERENCES client (id),
        closed_on  TEXT NOT NULL,
        reason     TEXT NOT NULL,
        by_staff   TEXT NOT NULL,
        created_at TEXT NOT NULL,
        hlc        INTEGER NOT NULL
    ) STRICT;
    CREATE TRIGGER client_closure_insert_only_update BEFORE UPDATE ON client_closure
        BEGIN SELECT RAISE(ABORT, 'client_closure is insert-only'); END;
    CREATE TRIGGER client_closure_insert_only_delete BEFORE DELETE ON client_closure
        BEGIN SELECT RAISE(ABORT, 'client_closure is insert-only'); END;

    CREATE TABLE aml_state (
        client_seq    INTEGER PRIMARY KEY,
        rm            TEXT NOT NULL,
        registered_on TEXT NOT NULL,
        updated_on    TEXT NOT NULL,
        id_expiry     TEXT,
        -- The latest rating ('' and NULLs: not rated), and the latest review's day.
        level         TEXT NOT NULL,
        rank          INTEGER,
        computed      TEXT,
        factors       TEXT,
        rated_on      TEXT,
        next_review   TEXT,
        reviewed_on   TEXT,
        -- The earliest early-review trigger since the latest rating or review by staff.
        trigger_on    TEXT,
        closed        INTEGER NOT NULL,
        -- Derived from the above: what falls due next and when.
        due_kind      TEXT NOT NULL CHECK (due_kind IN ('rate', 'review', 'trigger')),
        due_on        TEXT NOT NULL,
        restricted_on TEXT,
        kyc_due_on    TEXT NOT NULL
    ) STRICT;
    "#,
        crate::store::risk::backfill_state,
    ),
    // 14: credit early warning and KYC confirmations. A loan's days past due and
    // five-category classification (五级分类) as HQ's extract gives them, at HQ and for the
    // branch's loans of the snapshot in force; the branch's open credit warnings, local and derived from one
    // snapshot to the next (a loan that became overdue or moved down a category, until it
    // is current and normal again or no longer held), one per loan; and a client's KYC
    // confirmations (a KYC refresh marked done on the care agenda), found per client.
    Migration::sql(
        r#"
    ALTER TABLE hq_holding ADD COLUMN days_past_due INTEGER;
    ALTER TABLE hq_holding ADD COLUMN loan_class TEXT;
    -- The standing of each loan of the snapshot in force (what the next one is compared
    -- with), apart from the millions of other accounts: a table of holdings with an index
    -- on it is no longer emptied at once by the next snapshot.
    CREATE TABLE holding_loan (
        account       TEXT PRIMARY KEY,
        days_past_due INTEGER,
        loan_class    TEXT
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE credit_warning (
        account       TEXT PRIMARY KEY,
        id            TEXT NOT NULL UNIQUE,
        client_seq    INTEGER NOT NULL,
        rm            TEXT NOT NULL,
        product       TEXT NOT NULL,
        balance       INTEGER NOT NULL,
        days_past_due INTEGER NOT NULL,
        loan_class    TEXT NOT NULL,
        overdue_began INTEGER NOT NULL,
        moved_from    TEXT,
        raised_on     TEXT NOT NULL,
        as_of         TEXT NOT NULL
    ) STRICT;
    CREATE INDEX credit_warning_on ON credit_warning (raised_on);
    CREATE INDEX credit_warning_by_rm ON credit_warning (rm, raised_on);
    CREATE INDEX credit_warning_by_client ON credit_warning (client_seq);
    CREATE INDEX care_task_kyc ON care_task (client_id, at)
        WHERE action = 'done' AND reminder LIKE 'kyc_refresh:%';
    "#,
    ),
    // 15: loyalty points. The ledger (sent to HQ, insert-only): earns, redemptions,
    // expiries, reversals and adjustments, each with its points (credits positive), the
    // rule or catalogue item and the catalogue's version (a gift's stock is counted per
    // version), the entry a reversal reverses, and the buckets a debit took from. What the
    // balance is read from (local): each credit's bucket with its last day and what is
    // left of it, changed in the transaction of the entry that changes it.
    Migration::sql(
        r#"
    CREATE TABLE loyalty_entry (
        id         TEXT PRIMARY KEY,
        client_id  TEXT NOT NULL REFERENCES client (id),
        kind       TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'expire', 'reverse', 'adjust')),
        points     INTEGER NOT NULL,
        on_date    TEXT NOT NULL,
        last_day   TEXT,
        code       TEXT NOT NULL,
        version    TEXT NOT NULL,
        reverses   TEXT,
        taken      TEXT NOT NULL,
        note       TEXT NOT NULL,
        by_staff   TEXT NOT NULL,
        created_at TEXT NOT NULL,
        hlc        INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX loyalty_entry_by_client ON loyalty_entry (client_id, on_date);
    CREATE INDEX loyalty_entry_by_code ON loyalty_entry (code, version) WHERE kind = 'redeem';
    CREATE UNIQUE INDEX loyalty_entry_reversed ON loyalty_entry (reverses)
        WHERE reverses IS NOT NULL;
    CREATE TRIGGER loyalty_entry_insert_only_update BEFORE UPDATE ON loyalty_entry
        BEGIN SELECT RAISE(ABORT, 'loyalty_entry is insert-only'); END;
    CREATE TRIGGER loyalty_entry_insert_only_delete BEFORE DELETE ON loyalty_entry
        BEGIN SELECT RAISE(ABORT, 'loyalty_entry is insert-only'); END;

    CREATE TABLE loyalty_bucket (
        entry      TEXT PRIMARY KEY,
        client_seq INTEGER NOT NULL,
        earned_on  TEXT NOT NULL,
        last_day   TEXT,
        credited   INTEGER NOT NULL,
        remaining  INTEGER NOT NULL CHECK (remaining BETWEEN 0 AND credited)
    ) STRICT;
    -- A client's buckets with points left: what a balance sums and a debit draws from (a
    -- client of ten thousand entries has thousands of spent buckets).
    CREATE INDEX loyalty_bucket_live ON loyalty_bucket (client_seq, last_day, remaining)
        WHERE remaining > 0;
    CREATE INDEX loyalty_bucket_lapsing ON loyalty_bucket (last_day, client_seq)
        WHERE remaining > 0 AND last_day IS NOT NULL;
    "#,
    ),
    // 16: points from HQ. A holdings snapshot brings each client's buckets as HQ
    // consolidated them (credits made at other branches among them); a bucket another
    // branch credited lapses by that branch's expiry run, not by this one's (two runs
    // would write its points off twice).
    Migration::sql(
        r#"
    ALTER TABLE loyalty_bucket ADD COLUMN from_hq INTEGER NOT NULL DEFAULT 0;
    DROP INDEX loyalty_bucket_lapsing;
    CREATE INDEX loyalty_bucket_lapsing ON loyalty_bucket (last_day, client_seq)
        WHERE remaining > 0 AND last_day IS NOT NULL AND from_hq = 0;
    "#,
    ),
    // 17: branch events (客户沙龙、理财讲座、客户答谢会) and their invitations, sent to HQ.
    // An invitation is keyed by event and client; its reply, attendance, the points it
    // earned and the follow-up survey are updates of that row. The open ones are read by
    // RM for the agendas.
    Migration::sql(
        r#"
    CREATE TABLE branch_event (
        id          TEXT PRIMARY KEY,
        code        TEXT NOT NULL,
        title       TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('salon', 'seminar', 'appreciation')),
        on_date     TEXT NOT NULL,
        place       TEXT NOT NULL,
        capacity    INTEGER NOT NULL CHECK (capacity > 0),
        audience    TEXT NOT NULL,
        points_rule TEXT,
        survey      TEXT,
        created_by  TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        hlc         INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX branch_event_by_day ON branch_event (on_date);
    CREATE INDEX branch_event_by_code ON branch_event (code);

    CREATE TABLE event_invitation (
        id           TEXT PRIMARY KEY,
        event_id     TEXT NOT NULL REFERENCES branch_event (id),
        client_id    TEXT NOT NULL REFERENCES client (id),
        rm           TEXT,
        on_date      TEXT NOT NULL,
        reply        TEXT NOT NULL CHECK (reply IN ('yes', 'no', 'none')),
        replied_at   TEXT,
        attended     INTEGER NOT NULL,
        attended_at  TEXT,
        points_entry TEXT,
        survey_sent  INTEGER NOT NULL,
        created_at   TEXT NOT NULL,
        hlc          INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX event_invitation_by_event ON event_invitation (event_id, reply);
    CREATE INDEX event_invitation_by_client ON event_invitation (client_id);
    CREATE INDEX event_invitation_open ON event_invitation (rm, on_date)
        WHERE reply = 'none';
    CREATE INDEX event_invitation_survey ON event_invitation (rm, on_date)
        WHERE survey_sent = 1;
    "#,
    ),
    // 18: HQ's consolidated rows carry what the PostgreSQL consolidation needs too, so that
    // one statement text serves both: a sealed part of the fields (always NULL here, where
    // the whole file is encrypted) and the lookup keys of a client's ID number and phone.
    Migration::sql(
        r#"
    ALTER TABLE hq_row ADD COLUMN sealed BLOB;
    ALTER TABLE hq_row ADD COLUMN id_index TEXT;
    ALTER TABLE hq_row ADD COLUMN phone_index TEXT;
    ALTER TABLE hq_claim ADD COLUMN sealed BLOB;
    UPDATE hq_row SET id_index = upper(replace(json_extract(fields, '$.id_number'), ' ', '')),
                      phone_index = upper(replace(json_extract(fields, '$.phone'), ' ', ''))
    WHERE tbl = 'client';
    CREATE INDEX hq_client_id_index ON hq_row (id_index) WHERE id_index IS NOT NULL;
    CREATE INDEX hq_client_phone_index ON hq_row (phone_index) WHERE phone_index IS NOT NULL;
    "#,
    ),
    // 19: what HQ's complaint and satisfaction reports count, derived at import (codes,
    // days and scores: `store::hq::facts`; quarters as 20263, months as 202611, days as
    // 20261130, so that millions of them group and compare as numbers), the version of that
    // derivation, and a complaint's events found by the complaint.
    Migration::sql(
        r#"
    CREATE TABLE hq_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    CREATE TABLE hq_complaint (
        branch        TEXT NOT NULL,
        complaint_id  TEXT NOT NULL,
        quarter       INTEGER NOT NULL,
        category      TEXT NOT NULL,
        state         TEXT NOT NULL,
        due_on        INTEGER NOT NULL,
        judged_on     INTEGER,
        decision_days INTEGER,
        PRIMARY KEY (branch, complaint_id)
    ) STRICT, WITHOUT ROWID;
    -- The complaints counted by cell, as the report reads them: running cases by due day,
    -- stopped or paused ones by whether they were late, decided ones by days taken.
    CREATE TABLE hq_complaint_cell (
        branch   TEXT NOT NULL,
        quarter  INTEGER NOT NULL,
        category TEXT NOT NULL,
        state    TEXT NOT NULL,
        open_due INTEGER NOT NULL,
        late     INTEGER NOT NULL,
        days     INTEGER NOT NULL,
        cases    INTEGER NOT NULL,
        PRIMARY KEY (branch, quarter, category, state, open_due, late, days)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE hq_survey (
        branch        TEXT NOT NULL,
        response_id   TEXT NOT NULL,
        template_code TEXT NOT NULL,
        month         INTEGER NOT NULL,
        nps           INTEGER,
        csat          INTEGER,
        supersedes    TEXT,
        superseded    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (branch, response_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX hq_survey_corrections ON hq_survey (branch, supersedes)
        WHERE supersedes IS NOT NULL;
    CREATE INDEX hq_complaint_events ON hq_row (branch, json_extract(fields, '$.complaint_id'))
        WHERE tbl = 'complaint_event';
    "#,
    ),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the schema up to [`SCHEMA_VERSION`], each step in its own transaction.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    migrate_with(conn, MIGRATIONS)
}

fn migrate_with(conn: &mut Connection, migrations: &[Migration]) -> Result<()> {
    let found = schema_version(conn)?;
    let supported = migrations.len() as i64;
    if found > supported {
        return Err(Error::NewerSchema { found, supported });
    }
    for (index, step) in migrations.iter().enumerate().skip(found.max(0) as usize) {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(step.sql)?;
        if let Some(backfill) = step.backfill {
            backfill(&tx)?;
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
