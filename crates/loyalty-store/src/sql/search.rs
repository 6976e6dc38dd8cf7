//! Finding members: a prefix of the external id, email or name, and filters, paged in
//! member id order.

use super::rows::int;
use super::state::{MEMBER_COLUMNS, member as member_of};
use crate::StoreError;
use crate::types::{MemberSearch, MemberSearchPage, ProgramId};
use crate::url::Backend;
use loyalty_core::outcome::MemberView;
use sqlx::{AnyPool, AssertSqlSafe};

/// Sorts after every character, so `prefix + HIGHEST` bounds the strings that start with
/// `prefix` from above (the byte order of UTF-8 is the order of code points).
const HIGHEST: char = '\u{10FFFF}';

/// The fields a prefix is looked for in.
const SEARCHED: [&str; 3] = ["external_id", "email", "name"];

/// The text of the statement and what to bind to it, built up one filter at a time.
struct Builder {
    conditions: Vec<String>,
    binds: Vec<Bind>,
}

enum Bind {
    Int(i64),
    Text(String),
}

impl Builder {
    /// Adds a value to bind and answers its placeholder.
    fn bind(&mut self, value: Bind) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    fn text(&mut self, value: impl Into<String>) -> String {
        self.bind(Bind::Text(value.into()))
    }
}

/// The value of `column` with ASCII letters lower-cased, as its search index holds it.
/// Only ASCII: SQLite's `lower()` folds nothing else, and PostgreSQL's folds by the
/// database's locale, so both backends fold exactly the same letters this way.
fn folded(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("lower({column})"),
        Backend::Postgres => format!(
            "(translate({column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE \"C\")"
        ),
    }
}

/// `value` with LIKE's wildcards and escape character escaped.
fn like_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) async fn search_members(
    pool: &AnyPool,
    backend: Backend,
    program: ProgramId,
    search: &MemberSearch,
    after: Option<i64>,
    limit: u32,
) -> Result<MemberSearchPage, StoreError> {
    let mut b = Builder { conditions: Vec::new(), binds: Vec::new() };
    let p = b.bind(Bind::Int(program.0));
    let prefix = search.prefix.as_deref().filter(|q| !q.is_empty());
    // How the outer query finds its rows. A prefix's ranges already keep to the program,
    // and their ids are looked up by key. A tier or status walks its own index, in id
    // order. Otherwise the table is walked in id order until the page is full: SQLite,
    // without statistics, would rather read one of the program's indexes whole and sort
    // it (seconds at a million members), so its program test is kept off the indexes
    // with a unary plus.
    if prefix.is_none() {
        let walk_by_id = search.tier.is_none() && search.status.is_none() && backend == Backend::Sqlite;
        b.conditions.push(format!("{}program_id = {p}", if walk_by_id { "+" } else { "" }));
    }
    let a = b.bind(Bind::Int(after.unwrap_or(0)));
    b.conditions.push(format!("id > {a}"));
    if let Some(prefix) = prefix {
        let low = b.text(prefix);
        let high = b.text(format!("{prefix}{HIGHEST}"));
        // One index range per field, united: each walks only the members it matches.
        let ranges: Vec<String> = SEARCHED
            .iter()
            .map(|column| {
                let f = folded(backend, column);
                format!("SELECT id FROM members WHERE program_id = {p} AND {f} >= {low} AND {f} < {high}")
            })
            .collect();
        b.conditions.push(format!("id IN ({})", ranges.join(" UNION ")));
    }
    if let Some(tier) = &search.tier {
        let t = b.text(tier.as_str());
        b.conditions.push(format!("tier = {t}"));
    }
    if let Some(status) = &search.status {
        let s = b.text(status.as_str());
        b.conditions.push(format!("status = {s}"));
    }
    if let Some(tag) = &search.tag {
        // Tags are kept as a JSON array of strings; the tag's JSON string is looked for in it.
        let quoted = serde_json::to_string(tag).map_err(|e| StoreError::corrupt(e.to_string()))?;
        let t = b.text(format!("%{}%", like_literal(&quoted)));
        b.conditions.push(format!("tags LIKE {t} ESCAPE '\\'"));
    }
    if let Some(segment) = &search.segment {
        // Walks the segment's index in member order, as the page does.
        let s = b.text(segment.as_str());
        b.conditions.push(format!(
            "id IN (SELECT member_id FROM member_segments WHERE program_id = {p} AND segment = {s})"
        ));
    }
    // One member more than asked tells whether another page follows.
    let n = b.bind(Bind::Int(i64::from(limit) + 1));
    let sql = format!(
        "SELECT {MEMBER_COLUMNS} FROM members WHERE {} ORDER BY id LIMIT {n}",
        b.conditions.join(" AND ")
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for bind in b.binds {
        query = match bind {
            Bind::Int(v) => query.bind(v),
            Bind::Text(v) => query.bind(v),
        };
    }
    let rows = query.fetch_all(pool).await?;
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    let mut members = Vec::with_capacity(rows.len().min(limit));
    let mut last = None;
    for row in rows.iter().take(limit) {
        last = Some(int(row, "id")?);
        members.push(MemberView::of(&member_of(row)?, None));
    }
    Ok(MemberSearchPage { members, next_after: if more { last } else { None } })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_literals_escape_wildcards() {
        assert_eq!(like_literal(r#""a_b%c\d""#), r#""a\_b\%c\\d""#);
    }
}
