use super::*;
use loyalty_store::ProgramOrigin;
use loyalty_testkit::each_backend;

each_backend!(a_changed_definition_becomes_a_new_version, each_version_records_where_it_came_from);

async fn a_changed_definition_becomes_a_new_version(db: TestDb) {
    let store = db.connect().await;
    let mut definition = coffee().definition().clone();
    let first = store.install_program(&definition, now()).await.unwrap();
    assert_eq!((first.version, first.changed), (1, true));
    let same = store.install_program(&definition, now()).await.unwrap();
    assert_eq!((same.id, same.version, same.changed), (first.id, 1, false));

    definition.name = "Bean Counter Coffee & Bakery".to_owned();
    let second = store.install_program(&definition, now()).await.unwrap();
    assert_eq!((second.id, second.version, second.changed), (first.id, 2, true));

    let stored = store.programs().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].version, stored[0].definition.name.as_str()), (2, "Bean Counter Coffee & Bakery"));
    assert_eq!(db.count("program_versions").await, 2);
}

async fn each_version_records_where_it_came_from(db: TestDb) {
    let store = db.connect().await;
    let mut definition = coffee().definition().clone();
    let first = store.install_program(&definition, now()).await.unwrap();
    definition.name = "Bean Counter".to_owned();
    store.install_program_from(&definition, ProgramOrigin::Api, now()).await.unwrap();
    // The same definition again is no new version, whatever its origin.
    let same = store.install_program_from(&definition, ProgramOrigin::File, now()).await.unwrap();
    assert!(!same.changed);
    let origins: Vec<(i64, ProgramOrigin)> =
        store.program_versions(first.id).await.unwrap().iter().map(|v| (v.version, v.origin)).collect();
    assert_eq!(origins, vec![(1, ProgramOrigin::File), (2, ProgramOrigin::Api)]);
    assert_eq!(store.programs().await.unwrap()[0].origin, ProgramOrigin::Api);
}
