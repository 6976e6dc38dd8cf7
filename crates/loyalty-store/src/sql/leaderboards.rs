//! Reading leaderboards from the scores each decision keeps (see `apply`). A board's
//! period, rolling ones too, is one score key: its entries are the first rows of the index
//! `leaderboard_scores_shown`, and a rank is a count over it.

use super::rows::{int, opt_text};
use crate::StoreError;
use crate::types::{BoardQuery, BoardRow, ProgramId};
use loyalty_core::ids::ExternalId;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyPool, AssertSqlSafe};

/// Placeholders and their values, numbered in order.
#[derive(Default)]
struct Args {
    texts: Vec<String>,
}

impl Args {
    /// Placeholders start after the fixed ones (`$1` program, `$2` board, `$3` period key,
    /// `$4` number).
    fn text(&mut self, value: String) -> String {
        self.texts.push(value);
        format!("${}", self.texts.len() + 4)
    }
}

/// The conditions every board read shares: the board's period key and shown scores (of
/// opted-in members not closed: see `apply::shown`), and, for a board scoped to tiers or
/// tags, those of the member `m` (a join the caller adds).
fn conditions(query: &BoardQuery, args: &mut Args) -> String {
    let mut sql = "s.program_id = $1 AND s.board = $2 AND s.period_key = $3 AND s.shown = 1".to_owned();
    if !query.tiers.is_empty() {
        let tiers: Vec<String> = query.tiers.iter().map(|t| args.text(t.clone())).collect();
        sql.push_str(&format!(" AND m.tier IN ({})", tiers.join(", ")));
    }
    if !query.tags.is_empty() {
        // Tags are stored as a JSON array of slugs; `_` is the one character of a slug
        // that LIKE reads as a wildcard.
        let tags: Vec<String> = query
            .tags
            .iter()
            .map(|t| {
                let pattern = format!("%\"{}\"%", t.replace('_', "\\_"));
                format!("m.tags LIKE {} ESCAPE '\\'", args.text(pattern))
            })
            .collect();
        sql.push_str(&format!(" AND ({})", tags.join(" OR ")));
    }
    sql
}

/// The score rows a count reads: the index alone, unless the board's scope needs the
/// member's tier or tags.
fn counted(query: &BoardQuery) -> &'static str {
    if query.tiers.is_empty() && query.tags.is_empty() {
        "leaderboard_scores s"
    } else {
        "leaderboard_scores s JOIN members m ON m.id = s.member_id"
    }
}

fn bind(
    sql: String,
    program: ProgramId,
    query: &BoardQuery,
    number: i64,
    args: Args,
) -> Query<'static, Any, AnyArguments> {
    let mut q = sqlx::query(AssertSqlSafe(sql))
        .bind(program.0)
        .bind(query.board.clone())
        .bind(query.key.clone())
        .bind(number);
    for text in args.texts {
        q = q.bind(text);
    }
    q
}

/// The board's best `query.limit` positive scores, best first, ties in member order.
pub(super) async fn top(
    pool: &AnyPool,
    program: ProgramId,
    query: &BoardQuery,
) -> Result<Vec<BoardRow>, StoreError> {
    let mut args = Args::default();
    let conditions = conditions(query, &mut args);
    let sql = format!(
        "SELECT s.member_id AS member_id, s.score AS score, m.name AS name, m.nickname AS nickname \
         FROM leaderboard_scores s JOIN members m ON m.id = s.member_id \
         WHERE {conditions} AND s.score > 0 \
         ORDER BY s.score DESC, s.member_id LIMIT $4"
    );
    let rows = bind(sql, program, query, i64::from(query.limit), args).fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            Ok(BoardRow {
                member_id: int(row, "member_id")?,
                score: int(row, "score")?,
                name: opt_text(row, "name")?,
                nickname: opt_text(row, "nickname")?,
            })
        })
        .collect()
}

/// A member's score on the board, and how many members shown on it score more. The member
/// is found first (a subquery), so that their score is an index lookup rather than a walk
/// of the board joined to members.
pub(super) async fn standing(
    pool: &AnyPool,
    program: ProgramId,
    member: &ExternalId,
    query: &BoardQuery,
) -> Result<(i64, i64), StoreError> {
    let sql = "SELECT s.score AS score FROM leaderboard_scores s \
         WHERE s.program_id = $1 AND s.board = $2 AND s.period_key = $3 \
         AND s.member_id = (SELECT id FROM members WHERE program_id = $1 AND external_id = $4)";
    let row = sqlx::query(sql)
        .bind(program.0)
        .bind(query.board.clone())
        .bind(query.key.clone())
        .bind(member.as_str())
        .fetch_optional(pool)
        .await?;
    let score = match row {
        Some(row) => int(&row, "score")?,
        None => 0,
    };

    let mut args = Args::default();
    let conditions = conditions(query, &mut args);
    let sql = format!("SELECT COUNT(*) AS ahead FROM {} WHERE {conditions} AND s.score > $4", counted(query));
    let ahead = int(&bind(sql, program, query, score, args).fetch_one(pool).await?, "ahead")?;
    Ok((score, ahead))
}
