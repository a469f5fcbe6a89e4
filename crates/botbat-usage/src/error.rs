//! The one error type of the usage cache. Each variant says what to do about it: a
//! database problem names the file, a platform error keeps the platform's code and request
//! id, and a refused argument names the argument.

use botbat_api::ClientError;

#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("the usage cache {path} could not be used: {source}")]
    Database {
        path: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error("could not apply the usage cache's migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Platform(#[from] ClientError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    WrongEnvironment(String),
}

impl UsageError {
    pub fn invalid(message: impl Into<String>) -> Self {
        UsageError::Invalid(message.into())
    }
}

pub type Result<T> = std::result::Result<T, UsageError>;
