use super::*;
use loyalty_store::{ApiKey, Role};
use loyalty_testkit::each_backend;

each_backend!(bootstrap_keys_are_kept_replaced_and_revoked);

async fn bootstrap_keys_are_kept_replaced_and_revoked(db: TestDb) {
    let store = db.connect().await;
    let program = installed(&store).await.id;
    assert_eq!(store.bootstrap_key(program).await.unwrap(), None);

    store.set_bootstrap_key(program, "hash-generated", Some("lk_generated"), now()).await.unwrap();
    assert_eq!(store.bootstrap_key(program).await.unwrap().as_deref(), Some("lk_generated"));
    let admin = ApiKey { program_id: program, role: Role::Admin, name: "bootstrap admin key".to_owned() };
    assert_eq!(store.api_key("hash-generated").await.unwrap(), Some(admin.clone()));

    // Setting the same key again changes nothing; a key from the environment keeps no plaintext.
    store.set_bootstrap_key(program, "hash-generated", Some("lk_generated"), now()).await.unwrap();
    store.set_bootstrap_key(program, "hash-from-env", None, now()).await.unwrap();
    assert_eq!(store.bootstrap_key(program).await.unwrap(), None);
    assert_eq!(store.api_key("hash-generated").await.unwrap(), None, "the replaced key is revoked");
    assert_eq!(store.api_key("hash-from-env").await.unwrap(), Some(admin));
    assert_eq!(db.count("api_keys").await, 2);

    store.add_api_key(program, Role::Pos, "till", "hash-pos", now()).await.unwrap();
    assert_eq!(store.api_key("hash-pos").await.unwrap().map(|k| k.role), Some(Role::Pos));
    assert!(store.add_api_key(program, Role::Read, "dup", "hash-pos", now()).await.is_err());
    assert_eq!(store.api_key("no-such-hash").await.unwrap(), None);
}
