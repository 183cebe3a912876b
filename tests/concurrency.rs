//! Several threads opening their first encrypted stores at the same moment, in a fresh
//! process (this file is its own test binary, so nothing has opened a store before it).
//! SQLCipher's one-time setup is not safe to run concurrently; `store::db` runs it once,
//! on one thread, before any connection. Before that fix this failed in about one process
//! in a hundred; it is cheap enough to run on every `cargo test`.

#[test]
fn six_threads_open_their_first_stores_at_once() {
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
    let threads: Vec<_> = (0..6)
        .map(|i| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let dir = tempfile::tempdir().unwrap();
                let key = branchdesk::store::DbKey::generate();
                barrier.wait();
                let mut errors = Vec::new();
                for j in 0..5 {
                    let path = dir.path().join(format!("store-{i}-{j}.db"));
                    let opened = branchdesk::store::open_db(&path, &key, true).and_then(|conn| {
                        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
                            .map_err(branchdesk::Error::from)
                    });
                    if let Err(e) = opened {
                        errors.push(format!("{e:?}"));
                    }
                }
                errors
            })
        })
        .collect();
    let errors: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
