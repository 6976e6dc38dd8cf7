use super::*;
use loyalty_store::{ApiKey, Role};
use loyalty_testkit::each_backend;

each_backend!(bootstrap_keys_are_kept_replaced_and_revoked, bootstrap_keys_are_stored_only_as_hashes);

async fn bootstrap_keys_are_kept_replaced_and_revoked(db: TestDb) {
    let store = db.connect().await;
    let program = installed(&store).await.id;
    assert!(!store.has_bootstrap_key(program).await.unwrap());

    store.set_bootstrap_key(program, "hash-generated", now()).await.unwrap();
    assert!(store.has_bootstrap_key(program).await.unwrap());
    let found = |key: Option<ApiKey>| key.map(|k| (k.program_id, k.role, k.name));
    let admin = Some((program, Role::Admin, "bootstrap admin key".to_owned()));
    assert_eq!(found(store.api_key("hash-generated", now()).await.unwrap()), admin);

    // Setting the same key again changes nothing; another one revokes the first.
    store.set_bootstrap_key(program, "hash-generated", now()).await.unwrap();
    assert_eq!(db.count("api_keys").await, 1);
    store.set_bootstrap_key(program, "hash-rotated", now()).await.unwrap();
    assert!(store.has_bootstrap_key(program).await.unwrap());
    assert_eq!(store.api_key("hash-generated", now()).await.unwrap(), None, "the replaced key is revoked");
    assert_eq!(found(store.api_key("hash-rotated", now()).await.unwrap()), admin);
    assert_eq!(db.count("api_keys").await, 2);

    store.add_api_key(program, Role::Pos, "till", "hash-pos", now()).await.unwrap();
    assert_eq!(store.api_key("hash-pos", now()).await.unwrap().map(|k| k.role), Some(Role::Pos));
    assert!(store.add_api_key(program, Role::Read, "dup", "hash-pos", now()).await.is_err());
    assert_eq!(store.api_key("no-such-hash", now()).await.unwrap(), None);

    // A use is written once a minute at most.
    let pos = store.api_key("hash-pos", now()).await.unwrap().unwrap();
    assert_eq!(pos.last_used_at, None);
    store.touch_api_key(pos.id, now()).await.unwrap();
    let later = now().checked_add_micros(30_000_000).unwrap();
    store.touch_api_key(pos.id, later).await.unwrap();
    assert_eq!(store.api_key("hash-pos", later).await.unwrap().unwrap().last_used_at, Some(now()));
}

/// A generated key's secret is nowhere in the database: not in `bootstrap_keys` (whose
/// plaintext column is gone) nor in any other table; its hash is.
async fn bootstrap_keys_are_stored_only_as_hashes(db: TestDb) {
    let store = db.connect().await;
    let program = installed(&store).await.id;
    let secret = "lk_0123456789abcdef0123456789abcdef0123456789abcdef";
    let hash = "5d1c0f1e9a3b";
    store.set_bootstrap_key(program, hash, now()).await.unwrap();
    let values = db.every_value().await;
    assert!(values.iter().all(|v| !v.contains(secret) && !v.contains("plaintext")), "{values:#?}");
    assert!(values.contains(&format!("api_keys.key_hash: {hash}")), "{values:#?}");
    assert_eq!(
        values.iter().filter(|v| v.starts_with("bootstrap_keys.")).count(),
        2,
        "bootstrap_keys holds the program and the key's id only: {values:#?}"
    );
}
