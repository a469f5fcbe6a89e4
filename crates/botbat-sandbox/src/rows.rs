//! Reading and deleting one row of a resource table by its public id, the same way for
//! every resource: a missing row is the platform's 404 naming what was looked for. Handlers
//! name a [`Table`], never a table in SQL, so the 404 wording and the query cannot drift
//! from one resource to the next.

use sqlx::sqlite::SqliteRow;
use sqlx::{Executor, FromRow, Sqlite};

use crate::error::{Result, SandboxError};

/// The resource tables addressed by id. Only these names are ever put into SQL.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    ApiKeys,
    Campaigns,
    Contacts,
    Conversations,
    Events,
    Jobs,
    Messages,
    Templates,
    Webhooks,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::ApiKeys => "api_keys",
            Table::Campaigns => "campaigns",
            Table::Contacts => "contacts",
            Table::Conversations => "conversations",
            Table::Events => "events",
            Table::Jobs => "jobs",
            Table::Messages => "messages",
            Table::Templates => "templates",
            Table::Webhooks => "webhooks",
        }
    }

    /// How a 404 names one row of the table.
    fn what(self) -> &'static str {
        match self {
            Table::ApiKeys => "API key",
            Table::Campaigns => "campaign",
            Table::Contacts => "contact",
            Table::Conversations => "conversation",
            Table::Events => "event",
            Table::Jobs => "job",
            Table::Messages => "message",
            Table::Templates => "template",
            Table::Webhooks => "webhook endpoint",
        }
    }
}

/// The row, or `None`; `db` is the pool or an open transaction.
pub async fn find<'e, T, E>(db: E, table: Table, id: &str) -> Result<Option<T>>
where
    T: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
    E: Executor<'e, Database = Sqlite>,
{
    Ok(
        sqlx::query_as(&format!("SELECT * FROM {} WHERE id = ?", table.name()))
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

/// The row, or 404 `not_found` naming the resource and id.
pub async fn get<'e, T, E>(db: E, table: Table, id: &str) -> Result<T>
where
    T: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
    E: Executor<'e, Database = Sqlite>,
{
    find(db, table, id)
        .await?
        .ok_or_else(|| SandboxError::not_found(table.what(), id))
}

pub async fn delete<'e, E>(db: E, table: Table, id: &str) -> Result<()>
where
    E: Executor<'e, Database = Sqlite>,
{
    sqlx::query(&format!("DELETE FROM {} WHERE id = ?", table.name()))
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}
