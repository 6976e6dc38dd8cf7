//! Member rows: an enrolment each, and an adjustment for an opening balance brought from
//! the previous system.

use super::rows::{Row, Source};
use super::{Failure, Importer, Landed, Problem, Stopped, field, fingerprint};
use loyalty_core::Event;
use loyalty_core::event::{Adjustment, Date, Enrolment, date_text};
use loyalty_core::ids::{Email, ExternalId, PersonName, Reason, Tag};
use loyalty_core::points::Points;
use serde::Serialize;
use std::collections::BTreeSet;

/// The journal's memo for an opening balance.
const OPENING_BALANCE: &str = "opening balance";

/// A member row, read and checked: what its fingerprint is made of.
#[derive(Debug, Serialize)]
struct MemberRow {
    external_id: ExternalId,
    email: Option<Email>,
    name: Option<PersonName>,
    #[serde(serialize_with = "date_text::serialize")]
    birth_date: Option<Date>,
    tags: BTreeSet<Tag>,
    opening_points: Option<Points>,
}

fn read(row: &Row) -> Result<MemberRow, Problem> {
    let external_id = field("external_id", ExternalId::parse(row.required_text("external_id")?))?;
    let email = row.text("email")?.map(|e| field("email", Email::parse(e))).transpose()?;
    let name = row.text("name")?.map(|n| field("name", PersonName::parse(n))).transpose()?;
    let birth_date = row
        .text("birth_date")?
        .map(|d| date_text::parse(d).map_err(|e| Problem::invalid(format!("birth_date: {e}"))))
        .transpose()?;
    let tags = row
        .list("tags")?
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, t)| field(format!("tags[{i}]"), Tag::parse(t.as_str())))
        .collect::<Result<_, _>>()?;
    // Checked before anything is written, so that a member never lands without it.
    let opening_points = match row.int("opening_points")? {
        None | Some(0) => None,
        Some(points) if points < 0 => {
            return Err(Problem::invalid(format!(
                "opening_points: must not be negative, not {points}; import a debt as an adjustment"
            )));
        }
        Some(points) => Some(Adjustment::parse_points(points)?),
    };
    Ok(MemberRow { external_id, email, name, birth_date, tags, opening_points })
}

pub(crate) async fn import(importer: &mut Importer<'_>, source: &mut Source) -> Result<(), Stopped> {
    while let Some(row) = source.next_row().map_err(|e| (source.next_number(), Failure::Input(e)))? {
        let number = row.number;
        match member(importer, &row).await.map_err(|e| (number, e))? {
            Ok(landed) => importer.landed(1, landed),
            Err(problem) => importer.refuse(number, &problem)?,
        }
        importer.advance(source.position());
    }
    Ok(())
}

/// Enrols the row's member and gives them their opening balance.
async fn member(importer: &Importer<'_>, row: &Row) -> Result<Result<Landed, Problem>, Failure> {
    let parsed = match read(row) {
        Ok(parsed) => parsed,
        Err(problem) => return Ok(Err(problem)),
    };
    let digest = fingerprint(&("import_member", &parsed))?;
    let referral_code = loyalty_server::secrets::new_referral_code()
        .map_err(|_| Failure::Internal("cannot make a referral code"))?;
    let id = parsed.external_id.as_str().to_owned();
    let now = importer.now();
    let enrolment = Event::Enrol(Enrolment {
        member: parsed.external_id.clone(),
        email: parsed.email.clone(),
        name: parsed.name.clone(),
        birth_date: parsed.birth_date,
        tags: parsed.tags.clone(),
        referral_code,
        referred_by: None,
        occurred_at: now,
    });
    let enrolled = match importer.submit(enrolment, &format!("import:member:{id}"), digest.clone()).await? {
        Ok(landed) => landed,
        Err(problem) => return Ok(Err(problem)),
    };
    let Some(points) = parsed.opening_points else { return Ok(Ok(enrolled)) };
    let reason =
        Reason::parse(OPENING_BALANCE).map_err(|_| Failure::Internal("the opening balance's memo"))?;
    let opening = Event::Adjust(Adjustment { member: parsed.external_id, points, reason, occurred_at: now });
    Ok(match importer.submit(opening, &format!("import:opening:{id}"), digest).await? {
        Ok(Landed::Before) => Ok(enrolled),
        Ok(Landed::New) => Ok(Landed::New),
        Err(problem) => Err(Problem::new(
            problem.code,
            format!("enrolled, but the opening balance was refused: {}", problem.message),
        )),
    })
}
