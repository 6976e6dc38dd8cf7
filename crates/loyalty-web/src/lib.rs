//! The screens of the loyalty engine: the admin console at `/console/` and the member
//! portal at `/portal/`, served by `loyalty serve` beside the API.
//!
//! Pages are thin. Every read and every write goes through the API itself, in process
//! ([`api::Api`]) with the signed-in key or the member's token as its bearer: the same
//! roles, rules, rate limits and audit trail as any client's call, and no SQL or rule of
//! the screens' own. What a page adds is the HTML: auto-escaping templates
//! ([`render`]), sealed session cookies with a CSRF token for every form ([`session`]),
//! and inline SVG drawn on the server.

mod api;
mod assets;
mod chart;
mod console;
mod format;
mod page;
mod portal;
mod preview;
mod render;
mod session;

use axum::Router;
use loyalty_server::AppState;
use loyalty_store::Store;

/// How the screens are served.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebSettings {
    /// Mark session cookies `Secure`: set when the server is reached over HTTPS.
    pub secure_cookies: bool,
}

/// The whole server: the console, the portal and their assets in front of `api` (the
/// router `loyalty_server::app` made of `state`), which answers everything else.
pub fn with_screens<S: Store>(state: AppState<S>, api: Router, settings: WebSettings) -> Router {
    let web = web::Web::new(state, api.clone(), settings);
    Router::new()
        .merge(console::router(web.clone()))
        .merge(portal::router(web))
        .merge(assets::router())
        .layer(axum::middleware::map_response(guarded))
        .fallback_service(api)
}

/// What every screen answers with: nothing of another origin may frame it (clickjacking
/// of the console's buttons), load into it or receive its address (the portal's token).
async fn guarded(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::HeaderValue;
    use axum::http::header::{
        CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
    };
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

mod web {
    use crate::WebSettings;
    use crate::api::Api;
    use crate::render::Renderer;
    use axum::Router;
    use loyalty_server::AppState;
    use std::sync::Arc;

    /// What every page handler shares.
    #[derive(Debug)]
    pub struct Web<S> {
        pub state: AppState<S>,
        pub api: Api,
        pub renderer: Arc<Renderer>,
        pub settings: WebSettings,
    }

    impl<S> Clone for Web<S> {
        fn clone(&self) -> Self {
            Web {
                state: self.state.clone(),
                api: self.api.clone(),
                renderer: self.renderer.clone(),
                settings: self.settings,
            }
        }
    }

    impl<S> Web<S> {
        pub fn new(state: AppState<S>, api: Router, settings: WebSettings) -> Web<S> {
            Web { state, api: Api::new(api), renderer: Arc::new(Renderer::new()), settings }
        }
    }
}
