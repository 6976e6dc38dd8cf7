//! How long finding members takes in a large program: the program is grown with synthetic
//! members written by plain SQL in bulk, then each kind of search is timed many times.

use loyalty_store::{LoadedProgram, MemberSearch, SqlStore, Store};
use sqlx::{AssertSqlSafe, Executor};
use std::time::Instant;

/// Makes the search of one run from the run's number, so that prefixes vary.
type MakeSearch<'a> = Box<dyn Fn(usize) -> MemberSearch + 'a>;

/// Searches of each kind timed.
const RUNS: usize = 200;
const LETTERS: &str = "abcdefghijklmnopqrstuvwxyz";

/// Adds `members` members to the program, then prints p50 and p99 of each kind of search.
pub async fn measure(store: &SqlStore, program: &LoadedProgram, members: usize) -> Result<(), String> {
    let id = program.id.0;
    let began = Instant::now();
    // Names and emails start with three letters spread over 26^3 prefixes; one member in
    // ten is gold and two silver; one in a hundred suspended; one in five tagged `vip`.
    let letter = |expr: &str| format!("substr('{LETTERS}', CAST(1 + ({expr}) % 26 AS INTEGER), 1)");
    let (a, b, c) = (letter("n.i"), letter("n.i / 26"), letter("n.i / 676"));
    let fill = format!(
        "WITH RECURSIVE n (i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {members}) \
         INSERT INTO members (program_id, external_id, email, name, status, available, pending, debt, \
           enrolled_at_us, tier, tags, referral_code) \
         SELECT {id}, 'c-' || CAST(n.i AS TEXT), {c} || {b} || {a} || '.' || CAST(n.i AS TEXT) || '@example.com', \
           upper({a}) || {b} || {c} || 'son Member', \
           CASE WHEN n.i % 100 = 0 THEN 'suspended' ELSE 'active' END, n.i % 1000, 0, 0, 0, \
           CASE WHEN n.i % 10 = 0 THEN 'gold' WHEN n.i % 10 < 3 THEN 'silver' END, \
           CASE WHEN n.i % 5 = 0 THEN '[\"vip\"]' ELSE '[]' END, 'SB' || CAST(n.i AS TEXT) FROM n"
    );
    let mut tx = store.begin_raw_write().await.map_err(|e| e.to_string())?;
    tx.execute(AssertSqlSafe(fill)).await.map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    store.settle_bulk_load().await.map_err(|e| e.to_string())?;
    eprintln!("added {members} members in {:.1} s", began.elapsed().as_secs_f64());

    let letters: Vec<char> = LETTERS.chars().collect();
    let pick = |k: usize| letters[k % 26];
    let searches: Vec<(&str, MakeSearch<'_>)> = vec![
        (
            "name prefix, 3 letters (`abc`: ~57 names and ~57 emails)",
            Box::new(move |k| prefix(format!("{}{}{}", pick(k), pick(k / 3), pick(k / 7)))),
        ),
        (
            "name or email prefix, 2 letters (~3,000 members)",
            Box::new(move |k| prefix(format!("{}{}", pick(k), pick(k / 5)))),
        ),
        (
            "email prefix `cba.1`",
            Box::new(move |k| prefix(format!("{}{}{}.{}", pick(k), pick(k / 3), pick(k / 7), 1 + k % 9))),
        ),
        ("external id prefix `c-4242`", Box::new(|k| prefix(format!("c-{}", 1000 + k * 37)))),
        ("tier = gold", Box::new(|_| MemberSearch { tier: Some("gold".into()), ..MemberSearch::default() })),
        (
            "status = suspended",
            Box::new(|_| MemberSearch { status: Some("suspended".into()), ..MemberSearch::default() }),
        ),
        ("tag = vip", Box::new(|_| MemberSearch { tag: Some("vip".into()), ..MemberSearch::default() })),
        (
            "2-letter prefix and tier = gold",
            Box::new(move |k| MemberSearch {
                tier: Some("gold".into()),
                ..prefix(format!("{}{}", pick(k), pick(k / 5)))
            }),
        ),
    ];
    println!(
        "| search over {} members, first page of 20 | p50 | p99 |",
        super::measure::thousands(members as f64)
    );
    println!("|---|---:|---:|");
    for (label, make) in &searches {
        let mut times = Vec::with_capacity(RUNS);
        for k in 0..RUNS {
            let search = make(k);
            let t = Instant::now();
            store.search_members(program.id, &search, None, 20).await.map_err(|e| e.to_string())?;
            times.push(t.elapsed());
        }
        print_row(label, &mut times);
    }
    // Paging: each run follows the cursor through ten pages of gold members from a
    // different starting point, and times each page.
    let mut times = Vec::with_capacity(RUNS);
    let gold = MemberSearch { tier: Some("gold".into()), ..MemberSearch::default() };
    let mut after = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        let page = store.search_members(program.id, &gold, after, 20).await.map_err(|e| e.to_string())?;
        times.push(t.elapsed());
        after = page.next_after;
    }
    print_row("tier = gold, following the cursor page after page", &mut times);
    println!();
    Ok(())
}

fn prefix(q: String) -> MemberSearch {
    MemberSearch { prefix: Some(q.to_lowercase()), ..MemberSearch::default() }
}

fn print_row(label: &str, times: &mut [std::time::Duration]) {
    times.sort();
    let at = |p: usize| times.get((times.len() * p / 100).min(times.len().saturating_sub(1))).copied();
    let ms = |d: Option<std::time::Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!("| {label} | {:.2} ms | {:.2} ms |", ms(at(50)), ms(at(99)));
}
