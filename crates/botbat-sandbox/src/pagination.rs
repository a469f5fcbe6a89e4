//! Cursor pagination shared by every list endpoint.
//!
//! A cursor names the last row returned by its table sequence, so rows inserted while a
//! client pages never shift a page and are never returned twice. It is base64 so clients
//! treat it as opaque; it carries its list's name so a cursor from another list is refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use botbat_api::contract::parse_whole;
use botbat_api::PageParams;

use crate::error::{Result, SandboxError};
use crate::rules;

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    /// Continue after this sequence number.
    pub after: Option<i64>,
    pub limit: i64,
}

pub fn parse(params: &PageParams, list: &str) -> Result<PageRequest> {
    let limit = match params.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(raw) => match parse_whole(raw) {
            Some(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(SandboxError::field(
                    "limit",
                    format!("must be a whole number from 1 to {MAX_LIMIT} (got {raw:?})"),
                ))
            }
        },
    };
    let after = match params.cursor.as_deref() {
        None | Some("") => None,
        Some(cursor) => Some(decode(cursor, list)?),
    };
    Ok(PageRequest { after, limit })
}

pub fn encode(list: &str, seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}:{seq}"))
}

fn decode(cursor: &str, list: &str) -> Result<i64> {
    let invalid = || rules::CURSOR.refuse(rules::CURSOR.detail_with(format!("{cursor:?}")));
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (name, seq) = text.split_once(':').ok_or_else(invalid)?;
    if name != list {
        return Err(invalid());
    }
    seq.parse().map_err(|_| invalid())
}

/// Builds the envelope from `limit + 1` fetched rows: the extra row only says whether a
/// next page exists.
pub fn finish<R, T>(
    mut rows: Vec<R>,
    page: PageRequest,
    list: &str,
    seq: impl Fn(&R) -> i64,
    convert: impl Fn(&R) -> T,
    total: i64,
) -> botbat_api::Page<T> {
    let more = rows.len() as i64 > page.limit;
    rows.truncate(page.limit as usize);
    let cursor = if more {
        rows.last().map(|r| encode(list, seq(r)))
    } else {
        None
    };
    botbat_api::Page {
        data: rows.iter().map(convert).collect(),
        cursor,
        total: total.max(0) as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(cursor: Option<&str>, limit: Option<&str>) -> PageParams {
        PageParams {
            cursor: cursor.map(str::to_string),
            limit: limit.map(str::to_string),
        }
    }

    #[test]
    fn limits_outside_one_to_a_hundred_are_422() {
        for bad in ["0", "101", "-1", "ten", " 5", "2.5"] {
            let err = parse(&params(None, Some(bad)), "keys").expect_err(bad);
            assert_eq!(err.details[0].field, "limit");
        }
        assert_eq!(
            parse(&params(None, None), "keys").expect("default").limit,
            25
        );
        assert_eq!(
            parse(&params(None, Some("40.0")), "keys")
                .expect("a whole number written as a float")
                .limit,
            40
        );
    }

    #[test]
    fn cursors_round_trip_and_belong_to_their_list() {
        let cursor = encode("keys", 42);
        assert_eq!(
            parse(&params(Some(&cursor), None), "keys")
                .expect("ok")
                .after,
            Some(42)
        );
        assert!(parse(&params(Some(&cursor), None), "usage").is_err());
        assert!(parse(&params(Some("!!"), None), "keys").is_err());
    }
}
