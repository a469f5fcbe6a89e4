//! Cursor pagination and the one query every list endpoint runs.
//!
//! A cursor names the last row returned by its table sequence, so rows inserted while a
//! client pages never shift a page and are never returned twice. It is base64 so clients
//! treat it as opaque; it carries its list's name so a cursor from another list is refused.
//!
//! A list's filters are written once, on one `QueryBuilder`: the statement counts the
//! matching rows and selects the page from the same `matching` set, so each filter is bound
//! once and the `total` always agrees with the rows (one statement reads one snapshot).
//! Handlers say only what they filter on; reading `cursor` and `limit`, counting, selecting
//! `limit + 1` rows and building the envelope happen here.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use botbat_api::contract::parse_whole;
use botbat_api::{Page, PageParams};
use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Encode, FromRow, QueryBuilder, Row, Sqlite, SqlitePool, Type};

use crate::error::{ApiQuery, Result, SandboxError};
use crate::rules;

pub const DEFAULT_LIMIT: i64 = 25;
pub const MAX_LIMIT: i64 = 100;

#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    /// Continue after this sequence number.
    pub after: Option<i64>,
    pub limit: i64,
}

fn parse(params: &PageParams, list: &str) -> Result<PageRequest> {
    let limit = limit(params.limit.as_deref())?;
    let after = match params.cursor.as_deref() {
        None | Some("") => None,
        Some(cursor) => Some(decode(cursor, list)?),
    };
    Ok(PageRequest { after, limit })
}

/// `?limit=`: a whole number from 1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] when omitted.
pub fn limit(raw: Option<&str>) -> Result<i64> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(raw) => match parse_whole(raw) {
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(SandboxError::field(
                "limit",
                format!("must be a whole number from 1 to {MAX_LIMIT} (got {raw:?})"),
            )),
        },
    }
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

/// `?cursor=&limit=` of a list endpoint, read as the query's other parameters are; checked
/// when the handler names its list, since a cursor belongs to one list.
pub struct Paged(pub PageParams);

impl<S: Send + Sync> FromRequestParts<S> for Paged {
    type Rejection = SandboxError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(params) = ApiQuery::from_request_parts(parts, state).await?;
        Ok(Paged(params))
    }
}

impl Paged {
    /// Starts the page of `list` (the name its cursors carry) over the rows of `select`, a
    /// `SELECT … FROM …` without `WHERE`; filters are added to the listing.
    pub fn list<'a>(&self, list: &'static str, select: &str) -> Result<Listing<'a>> {
        let page = parse(&self.0, list)?;
        // Not materialized: `matching` is read twice, and a materialized copy of a large
        // table (usage) would be written out and sorted without its indexes on every page.
        let mut query = QueryBuilder::new("WITH matching AS NOT MATERIALIZED (");
        query.push(select).push(" WHERE TRUE");
        Ok(Listing {
            list,
            page,
            key: "seq",
            newest_first: true,
            query,
        })
    }
}

/// One list query being built: the filters of `matching`, then [`Listing::page`].
pub struct Listing<'a> {
    list: &'static str,
    page: PageRequest,
    /// The column cursors continue from.
    key: &'static str,
    newest_first: bool,
    query: QueryBuilder<'a, Sqlite>,
}

impl<'a> Listing<'a> {
    /// Keeps the rows where `sql` holds with its one `?` bound to the value; a filter not
    /// given keeps every row.
    pub fn filter<T>(&mut self, sql: &str, value: Option<T>) -> &mut Self
    where
        T: 'a + Encode<'a, Sqlite> + Type<Sqlite>,
    {
        if let Some(value) = value {
            let (before, after) = sql.split_once('?').unwrap_or((sql, ""));
            self.query
                .push(" AND (")
                .push(before)
                .push_bind(value)
                .push(after)
                .push(")");
        }
        self
    }

    /// Keeps the rows created from `from` (inclusive) to `to` (exclusive), refused with the
    /// published rule when the range runs backwards.
    pub fn created_between(
        &mut self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<&mut Self> {
        let from = from.map(|t| t.timestamp_millis());
        let to = to.map(|t| t.timestamp_millis());
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(rules::CREATED_RANGE.refuse(rules::CREATED_RANGE.detail()));
            }
        }
        Ok(self
            .filter("created_at >= ?", from)
            .filter("created_at < ?", to))
    }

    /// Keeps the rows where `sql`, which binds nothing, holds.
    pub fn condition(&mut self, sql: &str) -> &mut Self {
        self.query.push(" AND (").push(sql).push(")");
        self
    }

    /// Pages on `column` instead of `seq`.
    pub fn keyed_by(&mut self, column: &'static str) -> &mut Self {
        self.key = column;
        self
    }

    /// Lists oldest first instead of newest first.
    pub fn oldest_first(&mut self) -> &mut Self {
        self.newest_first = false;
        self
    }

    /// Counts the matching rows and reads the page, `limit + 1` rows of it: the extra row
    /// only says whether a next page exists.
    pub async fn fetch<R>(mut self, db: &SqlitePool) -> Result<Listed<R>>
    where
        R: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
    {
        let key = self.key;
        let (op, order, start) = if self.newest_first {
            ("<", "DESC", i64::MAX)
        } else {
            (">", "ASC", i64::MIN)
        };
        // The count is joined to the page so that an empty page still carries it: its one
        // row then has only the count, and no key.
        self.query
            .push(") SELECT page.*, counted.n AS listed_total FROM (SELECT COUNT(*) AS n FROM matching) AS counted")
            .push(format!(" LEFT JOIN (SELECT * FROM matching WHERE {key} {op} "))
            .push_bind(self.page.after.unwrap_or(start))
            .push(format!(" ORDER BY {key} {order} LIMIT "))
            .push_bind(self.page.limit + 1)
            .push(format!(") AS page ON TRUE ORDER BY page.{key} {order}"));
        let found = self.query.build().fetch_all(db).await?;
        let total = match found.first() {
            Some(row) => row.try_get::<i64, _>("listed_total")?,
            None => 0,
        };
        let mut rows = Vec::with_capacity(found.len());
        for row in &found {
            if let Some(seq) = row.try_get::<Option<i64>, _>(key)? {
                rows.push((seq, R::from_row(row)?));
            }
        }
        let more = rows.len() as i64 > self.page.limit;
        rows.truncate(self.page.limit as usize);
        let cursor = if more {
            rows.last().map(|(seq, _)| encode(self.list, *seq))
        } else {
            None
        };
        Ok(Listed {
            rows: rows.into_iter().map(|(_, row)| row).collect(),
            cursor,
            total: total.max(0) as u64,
        })
    }

    /// The page, each row converted for the wire.
    pub async fn page<R, T>(self, db: &SqlitePool, convert: impl Fn(&R) -> T) -> Result<Page<T>>
    where
        R: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
    {
        let listed = self.fetch(db).await?;
        let data = listed.rows.iter().map(convert).collect();
        Ok(listed.with_data(data))
    }
}

/// The rows of one page, with the cursor to the next and the total matching.
pub struct Listed<R> {
    pub rows: Vec<R>,
    cursor: Option<String>,
    total: u64,
}

impl<R> Listed<R> {
    /// The envelope around `data`, the page's rows as the wire shows them.
    pub fn with_data<T>(self, data: Vec<T>) -> Page<T> {
        Page {
            data,
            cursor: self.cursor,
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, FromRow)]
    struct Item {
        seq: i64,
        colour: String,
    }

    /// A real SQLite table of 7 rows, 4 of them red.
    async fn items() -> SqlitePool {
        let db = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("db");
        sqlx::query("CREATE TABLE items (seq INTEGER PRIMARY KEY, colour TEXT NOT NULL)")
            .execute(&db)
            .await
            .expect("table");
        for colour in ["red", "blue", "red", "red", "green", "blue", "red"] {
            sqlx::query("INSERT INTO items (colour) VALUES (?)")
                .bind(colour)
                .execute(&db)
                .await
                .expect("row");
        }
        db
    }

    async fn red_page(db: &SqlitePool, cursor: Option<&str>, limit: &str) -> Page<i64> {
        let paged = Paged(params(cursor, Some(limit)));
        let mut list = paged.list("items", "SELECT * FROM items").expect("list");
        list.filter("colour = ?", Some("red"));
        list.page(db, |item: &Item| {
            assert_eq!(item.colour, "red");
            item.seq
        })
        .await
        .expect("page")
    }

    #[tokio::test]
    async fn a_filtered_list_counts_the_rows_it_pages_through() {
        let db = items().await;
        let first = red_page(&db, None, "3").await;
        assert_eq!(first.data, [7, 4, 3]);
        assert_eq!(first.total, 4);
        let cursor = first.cursor.expect("a second page");
        let second = red_page(&db, Some(&cursor), "3").await;
        assert_eq!(second.data, [1]);
        assert_eq!(second.total, 4);
        assert_eq!(second.cursor, None);
        let all = red_page(&db, None, "100").await;
        assert_eq!(all.data.len() as u64, all.total);
    }

    #[tokio::test]
    async fn an_empty_page_still_carries_the_total() {
        let db = items().await;
        let past_the_end = encode("items", 1);
        let page = red_page(&db, Some(&past_the_end), "10").await;
        assert!(page.data.is_empty());
        assert_eq!(page.total, 4);
        assert_eq!(page.cursor, None);

        let paged = Paged(params(None, None));
        let mut list = paged.list("items", "SELECT * FROM items").expect("list");
        list.filter("colour = ?", Some("purple"));
        let none = list.page(&db, |item: &Item| item.seq).await.expect("page");
        assert!(none.data.is_empty());
        assert_eq!(none.total, 0);
    }

    #[tokio::test]
    async fn oldest_first_pages_forwards_and_unset_filters_keep_every_row() {
        let db = items().await;
        let paged = Paged(params(None, Some("4")));
        let mut list = paged.list("items", "SELECT * FROM items").expect("list");
        list.oldest_first().filter("colour = ?", None::<&str>);
        let first = list.page(&db, |item: &Item| item.seq).await.expect("page");
        assert_eq!(first.data, [1, 2, 3, 4]);
        assert_eq!(first.total, 7);
        let paged = Paged(params(first.cursor.as_deref(), Some("4")));
        let mut list = paged.list("items", "SELECT * FROM items").expect("list");
        list.oldest_first();
        let rest = list.page(&db, |item: &Item| item.seq).await.expect("page");
        assert_eq!(rest.data, [5, 6, 7]);
        assert_eq!(rest.cursor, None);
    }

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
