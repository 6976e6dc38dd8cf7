//! Restarting with `--program`: the same file keeps what the API changed since; a changed
//! file that would replace API-made versions stops the start, unless told to override.

use super::*;
use loyalty_server::{Settings, StartError, start};
use loyalty_store::{ProgramOrigin, Store};
use loyalty_testkit::{TestDb, coffee_path, each_backend};
use std::path::{Path, PathBuf};

each_backend!(a_restart_with_the_same_file_keeps_the_api_changes_and_a_changed_file_asks_first);

fn file_settings(file: &Path, overrides_api: bool) -> Settings {
    Settings {
        program_files: vec![file.to_owned()],
        program_overrides_api: overrides_api,
        ..Settings::default()
    }
}

async fn versions(app: &TestApp) -> Vec<i64> {
    let got = app.get("/v1/program/versions").await;
    got.body["versions"].as_array().unwrap().iter().map(|v| v["version"].as_i64().unwrap()).collect()
}

async fn a_restart_with_the_same_file_keeps_the_api_changes_and_a_changed_file_asks_first(db: TestDb) {
    let tag = if db.is_postgres() { "postgres" } else { "sqlite" };
    let file: PathBuf =
        std::env::temp_dir().join(format!("loyalty-program-files-{}-{tag}.toml", std::process::id()));
    let text = std::fs::read_to_string(coffee_path()).unwrap();
    std::fs::write(&file, &text).unwrap();
    let app = TestApp::start_with(db, &file).await;
    let muffin = json!({"code": "muffin", "name": "A muffin", "kind": "product", "points_cost": 50});
    let added = app.post("/v1/rewards", muffin).await;
    assert_eq!(added.status, 201, "{:?}", added.body);

    // The same file again: the reward added over the API is still there, no new version.
    let app = app.restart(Some(&file)).await;
    assert_eq!(app.get("/v1/rewards/muffin").await.status, 200);
    assert_eq!(versions(&app).await, vec![1, 2]);
    let origins: Vec<ProgramOrigin> = {
        let id = app.store.programs().await.unwrap()[0].id;
        app.store.program_versions(id).await.unwrap().iter().map(|v| v.origin).collect()
    };
    assert_eq!(origins, vec![ProgramOrigin::File, ProgramOrigin::Api]);

    // A changed file would replace version 2: the start is refused, naming it, and
    // nothing is written.
    assert!(text.contains("name = \"Bean Counter Coffee\""));
    std::fs::write(&file, text.replace("name = \"Bean Counter Coffee\"", "name = \"Bean Counter\"")).unwrap();
    let refused = start(app.store.clone(), &file_settings(&file, false), app.clock.clone()).await;
    let Err(err @ StartError::WouldReplaceApi(_)) = refused else { panic!("not refused: {refused:?}") };
    let message = err.to_string();
    assert!(
        message.contains(&format!(
            "{} changed since version 1 was installed from a file, and program coffee has version 2 made over the API since",
            file.display()
        )),
        "{message}"
    );
    assert!(message.contains("--program-overrides-api"), "{message}");
    assert_eq!(versions(&app).await, vec![1, 2]);

    // Told to override, the file is installed as version 3; the history keeps 1 and 2.
    let app = app.restart_with(file_settings(&file, true)).await;
    assert_eq!(versions(&app).await, vec![1, 2, 3]);
    let now = app.get("/v1/program").await;
    assert_eq!(
        (now.body["version"].as_i64(), now.body["definition"]["name"].as_str()),
        (Some(3), Some("Bean Counter"))
    );
    assert_eq!(app.get("/v1/rewards/muffin").await.code(), "reward_not_found");

    // And the same changed file again is no change.
    let app = app.restart(Some(&file)).await;
    assert_eq!(versions(&app).await, vec![1, 2, 3]);
    std::fs::remove_file(&file).unwrap();
}
