//! Where an HQ test keeps its consolidated data: HQ's own store, or a PostgreSQL schema of
//! its own (made for the test and dropped after it). `hq_test!` runs one test body on both.
//!
//! The server is `BRANCHDESK_TEST_POSTGRES` (default: the machine's own, trust
//! authentication). Without one, the PostgreSQL half of each test passes having done
//! nothing, and the run says so once; with `BRANCHDESK_REQUIRE_POSTGRES` set (as `.ci/run`
//! sets it) a missing server fails the test instead.

use std::io::Write;
use std::sync::Once;

/// The machine's own server (trust authentication), as root and as postgres.
const DEFAULT_SERVERS: [&str; 2] = [
    "postgres://root@127.0.0.1:5432/test",
    "postgres://postgres@127.0.0.1:5432/test",
];

/// The back end of one run of an HQ test.
pub enum Backend {
    Sqlite,
    Postgres(TestDatabase),
}

impl Backend {
    /// The address `hq init --database` takes (None: HQ's own store).
    pub fn database(&self) -> Option<&str> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres(db) => Some(&db.url),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Backend::Postgres(_))
    }

    /// A schema of its own on the test server, or None (said once) when there is no server.
    pub fn postgres() -> Option<Backend> {
        TestDatabase::new().map(Backend::Postgres)
    }
}

/// A schema made for one test, dropped when it ends.
pub struct TestDatabase {
    pub url: String,
    pub schema: String,
    server: String,
}

impl TestDatabase {
    pub fn new() -> Option<TestDatabase> {
        let servers = match std::env::var("BRANCHDESK_TEST_POSTGRES") {
            Ok(server) => vec![server],
            Err(_) => DEFAULT_SERVERS.iter().map(|s| s.to_string()).collect(),
        };
        let mut first_error = None;
        let mut found = None;
        for server in servers {
            match connect(&server) {
                Ok(client) => {
                    found = Some((server, client));
                    break;
                }
                Err(e) => {
                    first_error.get_or_insert((server, e));
                }
            }
        }
        let (server, mut client) = match (found, first_error) {
            (Some(found), _) => found,
            (None, None) => return None,
            (None, Some((server, e))) => {
                if std::env::var_os("BRANCHDESK_REQUIRE_POSTGRES").is_some() {
                    panic!(
                        "the PostgreSQL tests must run, but there is no server at {server}: {e}"
                    );
                }
                static SAID: Once = Once::new();
                SAID.call_once(|| {
                    if first_to_say_it() {
                        // Straight to the terminal: the test harness captures println!.
                        let _ = writeln!(
                            std::io::stderr(),
                            "note: HQ tests on PostgreSQL skipped: no server at {server} \
                             (set BRANCHDESK_TEST_POSTGRES to one)"
                        );
                    }
                });
                return None;
            }
        };
        let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .expect("create the test schema");
        let separator = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{separator}options=-csearch_path%3D{schema}");
        Some(TestDatabase {
            url,
            schema,
            server,
        })
    }

    /// Another schema holding a copy of this one's tables and rows (a test that starts
    /// several HQs from one state: HQ's store directory is copied, and this with it).
    pub fn copy(&self) -> TestDatabase {
        let copy = TestDatabase::new().expect("the server answered a moment ago");
        let mut client = connect(&self.server).expect("connect to the test server");
        let tables: Vec<String> = client
            .query(
                "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition",
                &[&self.schema],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        for table in tables {
            client
                .batch_execute(&format!(
                    "CREATE TABLE {new}.{table} (LIKE {old}.{table} INCLUDING ALL);
                     INSERT INTO {new}.{table} SELECT * FROM {old}.{table};",
                    new = copy.schema,
                    old = self.schema
                ))
                .unwrap();
        }
        copy
    }

    /// The server's address (the schema's, without the search path).
    pub fn server(&self) -> &str {
        &self.server
    }

    /// A connection to the test's schema, to look at what the consolidation stored.
    pub fn client(&self) -> postgres::Client {
        connect(&self.url).expect("connect to the test schema")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = connect(&self.server) {
            let _ = client.batch_execute(&format!("DROP SCHEMA {} CASCADE", self.schema));
        }
    }
}

/// Whether this test binary is the first of this `cargo test` run (the test binaries share
/// cargo as their parent) to say that the PostgreSQL tests were skipped: one line per run.
fn first_to_say_it() -> bool {
    let marker = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "postgres-skipped-{}",
        std::os::unix::process::parent_id()
    ));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(marker)
        .is_ok()
}

fn connect(url: &str) -> Result<postgres::Client, postgres::Error> {
    let mut config: postgres::Config = url.parse()?;
    config.connect_timeout(std::time::Duration::from_secs(3));
    config.connect(postgres::NoTls)
}

/// One HQ test body, run on HQ's own store (`name::sqlite`) and on PostgreSQL
/// (`name::postgres`): `hq_test! { fn name(backend) { … } }`.
#[macro_export]
macro_rules! hq_test {
    ($(#[$meta:meta])* fn $name:ident($backend:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            fn body($backend: &$crate::common::backend::Backend) $body

            #[test]
            fn sqlite() {
                body(&$crate::common::backend::Backend::Sqlite)
            }

            #[test]
            fn postgres() {
                if let Some(backend) = $crate::common::backend::Backend::postgres() {
                    body(&backend)
                }
            }
        }
    };
}
