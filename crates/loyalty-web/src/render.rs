//! Pages from templates: minijinja, with HTML escaping on for every `.html` template, so
//! that nothing a member or a merchant typed can become markup.

use crate::format;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use loyalty_core::money::Currency;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

/// Every template, compiled into the binary.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("console/base.html", include_str!("../templates/console/base.html")),
    ("console/sign_in.html", include_str!("../templates/console/sign_in.html")),
    ("console/dashboard.html", include_str!("../templates/console/dashboard.html")),
    ("console/members.html", include_str!("../templates/console/members.html")),
    ("console/member.html", include_str!("../templates/console/member.html")),
    ("console/campaigns.html", include_str!("../templates/console/campaigns.html")),
    ("console/program.html", include_str!("../templates/console/program.html")),
    ("console/program_check.html", include_str!("../templates/console/program_check.html")),
    ("console/reports.html", include_str!("../templates/console/reports.html")),
    ("console/rewards.html", include_str!("../templates/console/rewards.html")),
    ("console/segments.html", include_str!("../templates/console/segments.html")),
    ("console/engagement.html", include_str!("../templates/console/engagement.html")),
    ("console/keys.html", include_str!("../templates/console/keys.html")),
    ("console/webhooks.html", include_str!("../templates/console/webhooks.html")),
    ("console/audit.html", include_str!("../templates/console/audit.html")),
    ("portal/base.html", include_str!("../templates/portal/base.html")),
    ("portal/home.html", include_str!("../templates/portal/home.html")),
    ("portal/ways.html", include_str!("../templates/portal/ways.html")),
    ("portal/redeemed.html", include_str!("../templates/portal/redeemed.html")),
    ("portal/opening.html", include_str!("../templates/portal/opening.html")),
];

#[derive(Debug)]
pub struct Renderer {
    env: Environment<'static>,
}

impl Default for Renderer {
    fn default() -> Self {
        Renderer::new()
    }
}

impl Renderer {
    pub fn new() -> Renderer {
        let mut env = Environment::new();
        // A value a template names but the page did not give is a bug the tests should
        // see, not an empty cell; `is defined` and `if` still test for optional values.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        for (name, source) in TEMPLATES {
            if let Err(e) = env.add_template(name, source) {
                // The templates are compiled in; a broken one fails every test that renders.
                tracing::error!(template = name, error = %e, "a template does not parse");
            }
        }
        // A figure an answer leaves null (such as money for a program without a point
        // value) reads as a dash.
        env.add_filter("points", |n: Option<i64>| n.map_or_else(|| "–".to_owned(), format::points));
        env.add_filter("money", |minor: Option<i64>, currency: Value| {
            let currency = currency_of(&currency)?;
            Ok::<_, minijinja::Error>(minor.map_or_else(|| "–".to_owned(), |m| format::money(m, currency)))
        });
        // Whole units of the currency as money: `1|money_unit(...)` is `1.00 EUR`.
        env.add_filter("money_unit", |units: i64, currency: Value| {
            let currency = currency_of(&currency)?;
            let minor = units.saturating_mul(format::minor_per_unit(currency));
            Ok::<_, minijinja::Error>(format::money(minor, currency))
        });
        env.add_filter("datetime", |text: String, zone: String| format::datetime(&text, &zone));
        env.add_filter("date", |text: String, zone: String| format::date(&text, &zone));
        Renderer { env }
    }

    /// The HTML of template `name` with `context`.
    pub fn render(&self, name: &str, context: impl Serialize) -> Result<String, minijinja::Error> {
        self.env.get_template(name).and_then(|t| t.render(Value::from_serialize(&context)))
    }

    /// The page `name` with `context`, or a 500 page saying the page could not be drawn.
    pub fn page(&self, status: StatusCode, name: &str, context: impl Serialize) -> Response {
        match self.render(name, context) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(template = name, error = format!("{e:#}"), "a page could not be rendered");
                (StatusCode::INTERNAL_SERVER_ERROR, Html("<!doctype html><title>Error</title><p>This page could not be drawn; the error is in the server's log.</p>"))
                    .into_response()
            }
        }
    }
}

/// The program's currency as the page context gives it (`{"code", "minor_digits"}`).
fn currency_of(value: &Value) -> Result<Currency, minijinja::Error> {
    let code = value.get_attr("code").ok().and_then(|c| c.as_str().map(str::to_owned));
    let digits = value.get_attr("minor_digits").ok().and_then(|d| u8::try_from(d).ok());
    code.and_then(|code| Currency::parse(&code, digits).ok()).ok_or_else(|| {
        minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("{value} is not a program's currency"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rendered(source: &str, currency: serde_json::Value) -> Result<String, minijinja::Error> {
        Renderer::new().env.render_str(source, json!({"program": {"currency": currency}}))
    }

    #[test]
    fn money_reads_with_the_digits_the_program_states() {
        let stated = json!({"code": "XTS", "minor_digits": 3});
        assert_eq!(
            rendered("{{ 1234567|money(program.currency) }}", stated.clone()).unwrap(),
            "1,234.567 XTS"
        );
        assert_eq!(rendered("{{ 2|money_unit(program.currency) }}", stated.clone()).unwrap(), "2.000 XTS");
        assert_eq!(rendered("{{ none|money(program.currency) }}", stated).unwrap(), "–");
        let yen = json!({"code": "JPY", "minor_digits": 0});
        assert_eq!(rendered("{{ 1|money_unit(program.currency) }}", yen).unwrap(), "1 JPY");
    }

    #[test]
    fn money_without_a_currency_is_a_broken_page_not_a_guess() {
        let error = rendered("{{ 5|money(program.currency) }}", json!("EUR")).unwrap_err();
        assert_eq!(error.kind(), minijinja::ErrorKind::InvalidOperation);
    }
}
