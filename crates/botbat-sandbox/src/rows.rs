//! Reading and deleting one row of a resource table by its public id, the same way for
//! every resource: a missing row is the platform's 404 naming what was looked for.

use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, SqlitePool};

use crate::error::{Result, SandboxError};

/// The resource tables addressed by id. Only these names are ever put into SQL.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    Contacts,
    Templates,
    Messages,
    Webhooks,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Contacts => "contacts",
            Table::Templates => "templates",
            Table::Messages => "messages",
            Table::Webhooks => "webhooks",
        }
    }

    /// How a 404 names one row of the table.
    fn what(self) -> &'static str {
        match self {
            Table::Contacts => "contact",
            Table::Templates => "template",
            Table::Messages => "message",
            Table::Webhooks => "webhook endpoint",
        }
    }
}

pub async fn find<T>(db: &SqlitePool, table: Table, id: &str) -> Result<Option<T>>
where
    T: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
{
    Ok(
        sqlx::query_as(&format!("SELECT * FROM {} WHERE id = ?", table.name()))
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

/// The row, or 404 `not_found` naming the resource and id.
pub async fn get<T>(db: &SqlitePool, table: Table, id: &str) -> Result<T>
where
    T: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
{
    find(db, table, id)
        .await?
        .ok_or_else(|| SandboxError::not_found(table.what(), id))
}

pub async fn delete(db: &SqlitePool, table: Table, id: &str) -> Result<()> {
    sqlx::query(&format!("DELETE FROM {} WHERE id = ?", table.name()))
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}
