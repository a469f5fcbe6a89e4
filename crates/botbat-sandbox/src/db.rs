//! The sandbox's SQLite file: WAL so reads never wait for the metering writer, a busy
//! timeout instead of `database is locked` errors, and migrations run at every start.

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

pub const DB_FILE: &str = "sandbox.sqlite";

pub async fn open(data_dir: &Path) -> anyhow::Result<SqlitePool> {
    open_file(data_dir, DB_FILE, &sqlx::migrate!("./migrations")).await
}

/// Opens `file` in `data_dir` with the settings above and runs `migrations` on it: the
/// sandbox's own file, and each stand-in platform's.
pub async fn open_file(
    data_dir: &Path,
    file: &str,
    migrations: &sqlx::migrate::Migrator,
) -> anyhow::Result<SqlitePool> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| anyhow::anyhow!("cannot create the data dir {}: {e}", data_dir.display()))?;
    let path = data_dir.join(file);
    // A path, never a `sqlite://` URL: a data dir may hold `?`, `#`, `%` or spaces.
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
    migrations.run(&pool).await?;
    Ok(pool)
}

pub async fn get_meta(db: &SqlitePool, key: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
        .bind(key)
        .fetch_optional(db)
        .await
}

pub async fn set_meta(db: &SqlitePool, key: &str, value: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO meta (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(db)
    .await
    .map(|_| ())
}

/// How far the sandbox clock was moved ahead, in milliseconds; 0 until it is moved. A stored
/// value that is not a whole number is an error, not a clock silently set back to now.
pub async fn clock_offset_ms(db: &SqlitePool) -> anyhow::Result<i64> {
    match get_meta(db, CLOCK_OFFSET).await? {
        None => Ok(0),
        Some(value) => value.parse().map_err(|_| {
            anyhow::anyhow!(
                "the stored sandbox clock offset {value:?} (meta key {CLOCK_OFFSET:?}) is not a whole number of milliseconds"
            )
        }),
    }
}

/// The meta key of the sandbox clock's offset.
pub const CLOCK_OFFSET: &str = "clock_offset_ms";
