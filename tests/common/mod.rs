//! Helpers shared by the integration tests.
#![allow(dead_code)]

use branchdesk::domain::clock::FixedClock;
use branchdesk::store::{KdfParams, NewStore, Session, StoreOptions, StorePaths};
use chrono::{TimeZone, Utc};
use secrecy::SecretString;
use std::sync::Arc;

pub const ADMIN: &str = "admin01";
pub const ADMIN_PASS: &str = "correct horse battery";

pub fn options() -> StoreOptions {
    StoreOptions {
        kdf: KdfParams::FOR_TESTS_ONLY,
    }
}

pub fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
    ))
}

pub struct TestStore {
    pub dir: tempfile::TempDir,
    pub paths: StorePaths,
    pub clock: Arc<FixedClock>,
}

impl TestStore {
    /// A fresh store with one administrator, closed again.
    pub fn new() -> TestStore {
        let dir = tempfile::tempdir().unwrap();
        let paths = StorePaths::new(dir.path().join("store"));
        let clock = clock();
        let session = Session::create(
            &paths,
            NewStore {
                branch_code: "BJ0101".into(),
                branch_name: "北京西单支行".into(),
                admin_id: ADMIN.into(),
                admin_name: "管理员甲".into(),
                admin_passphrase: secret(ADMIN_PASS),
                demo: false,
            },
            clock.clone(),
            options(),
        )
        .unwrap();
        drop(session);
        TestStore { dir, paths, clock }
    }

    pub fn login(&self, id: &str, pass: &str) -> branchdesk::Result<Session> {
        Session::unlock(
            &self.paths,
            id,
            &secret(pass),
            self.clock.clone(),
            options(),
        )
    }

    pub fn admin(&self) -> Session {
        self.login(ADMIN, ADMIN_PASS).unwrap()
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.paths.dir().join(name)).unwrap()
    }
}
