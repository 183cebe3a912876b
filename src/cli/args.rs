//! The command line's grammar: the global options and every command with its arguments
//! (clap derives the parser and `--help` from these).

use super::staff::{AuditCommand, UserCommand};
use super::*;

#[derive(Debug, Parser)]
#[command(
    name = "branchdesk",
    version,
    about = "Terminal workstation for bank branch staff, over an encrypted local store.",
    long_about = "Terminal workstation for bank branch staff, over an encrypted local store.\n\n\
                  Without a command, opens the workstation (TUI) on the store. The passphrase is \
                  read from --passphrase-file, else from the terminal, else (only when there is no \
                  terminal) from BRANCHDESK_PASSPHRASE."
)]
pub struct Cli {
    /// Store directory [default: the platform data directory]
    #[arg(long, global = true, env = "BRANCHDESK_STORE", value_name = "DIR")]
    pub(super) store: Option<PathBuf>,
    /// Staff ID to act as
    #[arg(long, global = true, env = "BRANCHDESK_USER", value_name = "ID")]
    pub(super) user: Option<String>,
    /// Read the passphrase from FILE (its first line)
    #[arg(long, global = true, value_name = "FILE")]
    pub(super) passphrase_file: Option<PathBuf>,
    /// Language of messages and screens [default: from LANG]
    #[arg(long, global = true, value_parser = ["zh", "en"])]
    pub(super) lang: Option<String>,
    /// Configuration file [default: config.toml in the platform config directory]
    #[arg(long, global = true, env = "BRANCHDESK_CONFIG", value_name = "FILE")]
    pub(super) config: Option<PathBuf>,
    #[command(subcommand)]
    pub(super) command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Create a new store for a branch, with its first administrator
    Init {
        /// Branch code (letters, digits, '-'), e.g. BJ0101
        #[arg(long, value_name = "CODE")]
        branch: String,
        /// Branch name as staff know it, e.g. 北京西单支行
        #[arg(long, value_name = "NAME")]
        branch_name: String,
        /// Staff ID of the first administrator
        #[arg(long, value_name = "ID")]
        admin: String,
        /// Administrator's display name [default: the staff ID]
        #[arg(long, value_name = "NAME")]
        admin_name: Option<String>,
        /// HQ's public keys file (from `hq init`), to trust at once
        #[arg(long, value_name = "FILE")]
        hq_keys: Option<PathBuf>,
    },
    /// Clients: lookup, records, registration, import, contact log
    Client {
        #[command(subcommand)]
        action: Box<clients::ClientCommand>,
    },
    /// Risk assessments (风险测评): record the level a client's questionnaire gave
    Assessment {
        #[command(subcommand)]
        action: portfolio::AssessmentCommand,
    },
    /// The AML risk desk: ratings, reviews, restrictions, early-review triggers
    Risk {
        #[command(subcommand)]
        action: risk::RiskCommand,
    },
    /// Loyalty points (积分): balance, earning by rule, redemption, reversal, expiry
    Points {
        #[command(subcommand)]
        action: points::PointsCommand,
    },
    /// Branch events (客户沙龙、理财讲座、客户答谢会): create, invite the audience, replies,
    /// attendance, the follow-up survey
    Event {
        #[command(subcommand)]
        action: events::EventCommand,
    },
    /// A relationship manager's book: clients by segment (tier, moved, falling, expiring,
    /// maturing, offers)
    Book {
        #[command(subcommand)]
        action: portfolio::BookCommand,
    },
    /// Offers: what may be offered to a client now, and why
    Offer {
        #[command(subcommand)]
        action: portfolio::OfferCommand,
    },
    /// Complaints: intake, list and board, history, next step, acknowledgement slip
    Complaint {
        #[command(subcommand)]
        action: Box<complaints::ComplaintCommand>,
    },
    /// Care reminders: birthdays (solar and lunar), life events, expiring IDs, festivals
    Care {
        #[command(subcommand)]
        action: care::CareCommand,
    },
    /// Satisfaction surveys: templates, responses, NPS/CSAT statistics, paper batches
    Survey {
        #[command(subcommand)]
        action: surveys::SurveyCommand,
    },
    /// Sync with HQ: this store's keys, trusting HQ, what is waiting to go
    Sync {
        #[command(subcommand)]
        action: sync::SyncCommand,
    },
    /// Write everything HQ has not acknowledged as a signed, encrypted bundle (managers)
    Export {
        /// Where to write the bundle and its .minisig [default: the store's exports folder]
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Apply HQ's reference data (FILE and FILE.minisig), if newer than what is applied
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// The reference data in force: version, staff directory, survey templates, products
    Reference {
        #[arg(long)]
        json: bool,
    },
    /// HQ mode: create the HQ store, register branches, import their bundles, status
    Hq {
        #[command(subcommand)]
        action: sync::HqCommand,
    },
    /// The branch's details (the contact printed on complaint slips)
    Branch {
        #[command(subcommand)]
        action: complaints::BranchCommand,
    },
    /// Manage staff accounts
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// Write a consistent, encrypted backup of the store to FILE
    Backup {
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Replace the store with a backup, after checking that the backup is sound
    Restore {
        /// A file written by `branchdesk backup`
        file: PathBuf,
        /// Restore even a backup older than the branch's last export to HQ: what was done
        /// after the backup is lost at the branch (HQ keeps what it was sent)
        #[arg(long)]
        force: bool,
    },
    /// Read and verify the audit trail
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Check the store: integrity, encryption, audit chain, schema, key slots
    Doctor {
        #[arg(long)]
        json: bool,
    },
    /// Measure lookup latency per query class on a demo store of N clients, encrypted and
    /// as a plaintext copy (the physical limit)
    Bench {
        #[command(subcommand)]
        what: Option<BenchWhat>,
        /// Clients in the benchmark store (built on first use, then reused)
        #[arg(long, value_name = "N", default_value_t = 1_000_000)]
        clients: u64,
        /// Queries per class
        #[arg(long, value_name = "Q", default_value_t = 2_000)]
        queries: usize,
        #[arg(long)]
        json: bool,
    },
    /// Open a demo store (created on first use) with demo staff and data
    Demo {
        /// Create the demo store and exit without opening the workstation
        #[arg(long)]
        no_tui: bool,
        /// How many synthetic clients a new demo store gets
        #[arg(long, value_name = "N", default_value_t = crate::demo::DEFAULT_CLIENTS)]
        clients: u64,
        /// Language of a new demo store's branch and staff names (whatever the UI's)
        #[arg(long, value_parser = ["zh", "en"], default_value = "zh")]
        data_lang: String,
    },
}

#[derive(Debug, Subcommand)]
pub(super) enum BenchWhat {
    /// Apply a month's holdings snapshot (about three accounts per client) to the benchmark
    /// store, with the standings rebuilt
    Holdings {
        #[arg(long)]
        json: bool,
    },
    /// Re-rate the benchmark store's whole branch with a factor table that changes every
    /// client's result (in one transaction, as after HQ publishes a new table)
    Risk {
        #[arg(long)]
        json: bool,
    },
    /// The record's points line of a client whose ledger holds ten thousand entries
    Points {
        #[arg(long)]
        json: bool,
    },
    /// The points expiry run over every client of the benchmark store, each given a
    /// seven-year history the first time (target: 1M clients, 20M entries, 60 s)
    PointsExpiry {
        /// Entries in each client's history
        #[arg(long, value_name = "N", default_value_t = 20)]
        entries_per_client: u32,
        #[arg(long)]
        json: bool,
    },
    /// HQ holding the benchmark's clients imports a core-banking holdings extract of about
    /// three accounts per client (--clients sets how many)
    HqHoldings {
        #[arg(long)]
        json: bool,
    },
    /// HQ's complaint and satisfaction reports over N facts each (a thousand branches), on
    /// HQ's own store and, with --database, on PostgreSQL (target: 2 s each over 10M)
    Reports {
        #[arg(long, value_name = "N", default_value_t = 10_000_000)]
        rows: u64,
        /// Also on this PostgreSQL database (in a schema of the benchmark's own, dropped
        /// after)
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Export N changes at a branch and import them at HQ, against the raw insert rate
    Sync {
        #[arg(long, value_name = "N", default_value_t = 100_000)]
        ops: u64,
        /// Also import them at an HQ on this PostgreSQL database (in a schema of the
        /// benchmark's own, dropped after), against a raw binary COPY
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// With --database: the changes come from this many branches, imported with
        /// --workers importers on PostgreSQL and one by one on HQ's own store
        #[arg(long, value_name = "N", default_value_t = 1)]
        branches: u64,
        /// Importers at once on PostgreSQL (with --branches)
        #[arg(long, value_name = "N", default_value_t = 2)]
        workers: usize,
        #[arg(long)]
        json: bool,
    },
}
