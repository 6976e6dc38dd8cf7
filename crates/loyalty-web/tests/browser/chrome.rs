//! A headless Chromium for one test, and the server it looks at.

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use loyalty_server::ConnectionLimits;
use loyalty_testkit::{TestDb, TestServer, retail_path};
use loyalty_web::{WebSettings, with_screens};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Chromium and its driver are: Debian's packages, which `scripts/browser-deps`
/// installs (and `scripts/test` runs); `LOYALTY_CHROMIUM` / `LOYALTY_CHROMEDRIVER` name
/// others.
fn binary(variable: &str, default: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var(variable).unwrap_or_else(|_| default.to_owned()));
    assert!(
        path.exists(),
        "{} is not installed: the browser tests need Debian's chromium and chromium-driver \
         (run scripts/browser-deps, which scripts/test runs), or {variable} naming it",
        path.display()
    );
    path
}

/// A browser window at a size, and the server with the retail program behind the screens.
pub struct Browser {
    pub client: Client,
    pub server: TestServer,
    /// Whether `screenshots` writes: a second run of a walk on another backend would
    /// write the same files at the same time.
    shots: bool,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

pub const DESKTOP: (u32, u32) = (1280, 900);
pub const PHONE: (u32, u32) = (390, 844);
pub const TABLET: (u32, u32) = (820, 1180);

impl Browser {
    pub async fn start() -> Browser {
        Browser::start_with(retail_path()).await
    }

    /// The browser, with `program` served from a SQLite file.
    pub async fn start_with(program: PathBuf) -> Browser {
        Browser { shots: true, ..Browser::start_on(TestDb::sqlite(), program).await }
    }

    /// The browser, with `program` served from `db`; it takes no screenshots.
    pub async fn start_on(db: TestDb, program: PathBuf) -> Browser {
        // The server's errors (a page that could not be drawn) in the test's output.
        let _ = tracing_subscriber::fmt().with_env_filter("warn").with_test_writer().try_init();
        let chromium = binary("LOYALTY_CHROMIUM", "/usr/bin/chromium");
        let chromedriver = binary("LOYALTY_CHROMEDRIVER", "/usr/bin/chromedriver");
        let server = TestServer::start_serving(db, vec![program], ConnectionLimits::default(), |state| {
            let api = loyalty_server::app(state.clone());
            with_screens(state, api, WebSettings::default())
        })
        .await;
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let mut capabilities = Capabilities::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--hide-scrollbars", format!("--user-data-dir={}", profile.path().display()),
                         format!("--window-size={},{}", DESKTOP.0, DESKTOP.1)],
            }),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connected = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match connected {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => panic!("chromedriver did not start a session: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Browser { client, server, shots: false, _driver: Driver(driver), _profile: profile }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base)
    }

    pub async fn open(&self, path: &str) {
        self.client.goto(&self.url(path)).await.unwrap();
    }

    /// The first element `css` finds, waiting for a page still loading.
    pub async fn element(&self, css: &str) -> fantoccini::elements::Element {
        let found = self.client.wait().at_most(Duration::from_secs(30)).for_element(Locator::Css(css)).await;
        match found {
            Ok(element) => element,
            Err(e) => {
                let shown = match self.client.find(Locator::Css("body")).await {
                    Ok(body) => body.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                panic!("no {css} on {}: {e}\nthe page says:\n{shown}", self.path().await)
            }
        }
    }

    /// What the page shown does wrong for people with a screen reader, a keyboard or weak
    /// eyes (see `accessible.js`): names of controls, texts of drawings, focus order, and
    /// the contrast of text.
    pub async fn accessibility_problems(&self) -> Vec<String> {
        let found = self.client.execute(include_str!("accessible.js"), vec![]).await.unwrap();
        serde_json::from_value(found).unwrap()
    }

    /// The text of the first element `css` finds.
    pub async fn text(&self, css: &str) -> String {
        self.element(css).await.text().await.unwrap()
    }

    pub async fn has(&self, css: &str) -> bool {
        !self.client.find_all(Locator::Css(css)).await.unwrap().is_empty()
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.element(css).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.element(css).await.click().await.unwrap();
    }

    /// The page's path and query, as the address bar shows them.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        format!("{}{}", url.path(), url.query().map(|q| format!("?{q}")).unwrap_or_default())
    }

    /// Waits for the address bar to reach `expected` (a path and query, or their start when
    /// it ends with `*`), and returns what it shows.
    pub async fn arrive(&self, expected: &str) -> String {
        let matches = |path: &str| match expected.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == expected,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let path = self.path().await;
            if matches(&path) {
                return path;
            }
            assert!(Instant::now() < deadline, "expected {expected}, still at {path}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Screenshots of the page as it is, at desktop and phone widths, into
    /// `docs/screenshots/<name>-desktop.png` and `-phone.png`.
    pub async fn screenshots(&self, name: &str) {
        if !self.shots {
            return;
        }
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        for (width, (w, h)) in [("phone", PHONE), ("tablet", TABLET), ("desktop", DESKTOP)] {
            // The whole page, not just what fits the window: the window is made as tall as
            // the page at this width (up to a limit a README can show).
            self.client.set_window_size(w, h).await.unwrap();
            let tall =
                self.client.execute("return document.documentElement.scrollHeight", vec![]).await.unwrap();
            let tall = tall.as_u64().and_then(|t| u32::try_from(t).ok()).unwrap_or(h).clamp(h, 4000);
            self.client.set_window_size(w, tall).await.unwrap();
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(dir.join(format!("{name}-{width}.png")), png).unwrap();
        }
        self.client.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();
    }

    /// Signs in to the console with the admin key and waits for the dashboard.
    pub async fn sign_in(&self) {
        self.open("/console/sign-in").await;
        self.fill("#key", &self.server.key).await;
        self.click("form button[type=submit]").await;
        self.arrive("/console/").await;
    }

    pub async fn close(self) {
        self.client.clone().close().await.unwrap();
        self.server.stop().await;
    }
}

/// chromedriver, stopped when the test ends however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A call of the API with `key`, for what a test sets up outside the screens.
pub async fn api(
    browser: &Browser,
    method: reqwest::Method,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let response = reqwest::Client::new()
        .request(method, browser.url(path))
        .bearer_auth(&browser.server.key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let value: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
    assert!(status.is_success(), "{path}: {status} {value}");
    value
}

/// A purchase of one line, `quantity` × `unit_price_minor` of `sku`, by `member`.
pub async fn purchase(
    browser: &Browser,
    member: &str,
    order_id: &str,
    sku: &str,
    quantity: i64,
    unit_price_minor: i64,
) -> serde_json::Value {
    let body = json!({"type": "purchase", "member": member, "order_id": order_id,
                      "lines": [{"sku": sku, "quantity": quantity, "unit_price_minor": unit_price_minor}]});
    api(browser, reqwest::Method::POST, "/v1/events", body).await
}
