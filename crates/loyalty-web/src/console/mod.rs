//! The admin console at `/console/`: staff sign in with a program's admin or read key and
//! run the program. A read key sees every screen and no button that writes.

mod access;
mod campaigns;
mod dashboard;
mod engagement;
mod members;
mod program;
mod reports;
mod rewards;
mod segments;
mod settings;
mod sign_in;
mod webhooks;

use crate::page::see_other;
use crate::web::Web;
use axum::Router;
use axum::routing::{get, post};
use loyalty_store::Store;

pub(crate) use access::{Change, Staff, after, failed, form_refused, posted};

pub fn router<S: Store>(web: Web<S>) -> Router {
    Router::new()
        .route("/console", get(|| async { see_other("/console/", &[]) }))
        .route("/console/", get(dashboard::show::<S>))
        .route("/console/sign-in", get(sign_in::form::<S>).post(sign_in::submit::<S>))
        .route("/console/sign-out", post(sign_in::sign_out::<S>))
        .route("/console/members", get(members::list::<S>).post(members::enrol::<S>))
        .route("/console/members/{id}", get(members::show::<S>))
        .route("/console/members/{id}/adjust", post(members::adjust::<S>))
        .route("/console/members/{id}/status", post(members::status::<S>))
        .route("/console/members/{id}/review", post(members::review::<S>))
        .route("/console/members/{id}/portal-link", post(members::portal_link::<S>))
        .route("/console/campaigns", get(campaigns::list::<S>).post(campaigns::create::<S>))
        .route("/console/campaigns/{id}", post(campaigns::edit::<S>))
        .route("/console/campaigns/{id}/end", post(campaigns::end::<S>))
        .route("/console/program", get(program::show::<S>).post(program::submit::<S>))
        .route("/console/program/check", post(program::check::<S>))
        .route("/console/rewards", get(rewards::list::<S>).post(rewards::create::<S>))
        .route("/console/rewards/{code}", post(rewards::edit::<S>))
        .route("/console/rewards/{code}/archive", post(rewards::archive::<S>))
        .route("/console/engagement", get(engagement::show::<S>))
        .route("/console/segments", get(segments::show::<S>))
        .route("/console/segments/download", get(segments::download::<S>))
        .route("/console/settings/keys", get(settings::keys::<S>).post(settings::create::<S>))
        .route("/console/settings/keys/{id}/revoke", post(settings::revoke::<S>))
        .route("/console/settings/keys/{id}/rotate", post(settings::rotate::<S>))
        .route("/console/settings/audit", get(settings::audit::<S>))
        .route("/console/settings/webhooks", get(webhooks::show::<S>).post(webhooks::create::<S>))
        .route("/console/settings/webhooks/{id}/end", post(webhooks::end::<S>))
        .route("/console/settings/webhooks/deliveries/{id}/replay", post(webhooks::replay::<S>))
        .route("/console/reports", get(reports::show::<S>))
        .route("/console/reports/download", get(reports::download::<S>))
        .with_state(web)
}
