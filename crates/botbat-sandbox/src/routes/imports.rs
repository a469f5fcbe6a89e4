//! `POST /v1/contacts/import` and `GET /v1/jobs/{id}`: a CSV of contacts imported in the
//! background. Each row is validated like `POST /v1/contacts`; a row that fails, or that
//! duplicates an existing contact's phone or email, is skipped with its line number and
//! reason, never merged. The job is in SQLite, so progress survives a page reload.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::Json;
use botbat_api::{ContactImportForm, ErrorBody, FieldIssue, Job, JobStatus, RowIssue};
use sqlx::FromRow;

use crate::clock::from_ms;
use crate::error::{unless_duplicate, Result, SandboxError};
use crate::routes::contacts::{self, Fields};
use crate::rows::{self, Table};
use crate::state::AppState;
use crate::{event_log, ids, rules};

/// The largest CSV accepted.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// The largest import request: the file and the multipart framing around it.
pub const MAX_BODY_BYTES: usize = MAX_FILE_BYTES + 64 * 1024;
pub const MAX_ROWS: usize = 50_000;
/// Rejected rows reported per job.
const MAX_REPORTED: usize = 1000;

#[derive(Debug, FromRow)]
struct JobRow {
    id: String,
    kind: String,
    status: JobStatus,
    total_rows: i64,
    processed_rows: i64,
    imported: i64,
    skipped: i64,
    errors: sqlx::types::Json<Vec<RowIssue>>,
    failure_reason: Option<String>,
    created_at: i64,
    completed_at: Option<i64>,
}

impl JobRow {
    fn to_api(&self) -> Job {
        Job {
            id: self.id.clone(),
            kind: self.kind.clone(),
            status: self.status,
            total_rows: self.total_rows.max(0) as u32,
            processed_rows: self.processed_rows.max(0) as u32,
            imported: self.imported.max(0) as u32,
            skipped: self.skipped.max(0) as u32,
            errors: self.errors.0.clone(),
            failure_reason: self.failure_reason.clone(),
            created_at: from_ms(self.created_at),
            completed_at: self.completed_at.map(from_ms),
        }
    }
}

struct Columns {
    name: usize,
    email: Option<usize>,
    phone: Option<usize>,
    segment: Option<usize>,
    tags: Option<usize>,
}

fn columns(header: &csv::StringRecord) -> std::result::Result<Columns, String> {
    let find = |want: &str| {
        header.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(want)
        })
    };
    let name = find("name").ok_or("the header row must name a `name` column")?;
    let (email, phone) = (find("email"), find("phone"));
    if email.is_none() && phone.is_none() {
        return Err("the header row must name a `phone` or an `email` column (or both)".into());
    }
    Ok(Columns {
        name,
        email,
        phone,
        segment: find("segment"),
        tags: find("tags"),
    })
}

fn too_large() -> SandboxError {
    SandboxError::new(
        botbat_api::ErrorCode::PayloadTooLarge,
        "The file exceeds 10 MiB; split it into several imports.",
    )
}

/// The form's one part, `file`; any other part (or a second `file`) is refused, as the
/// published form allows none.
async fn read_file(multipart: &mut Multipart) -> Result<Vec<u8>> {
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            SandboxError::invalid(format!("The multipart body is malformed: {e}"))
        }
    })? {
        if field.name() != Some("file") || file.is_some() {
            let name = field.name().unwrap_or_default().to_string();
            return Err(SandboxError::field(
                &name,
                "is not a part of this form; send one part, `file`, only",
            ));
        }
        let bytes = field.bytes().await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else {
                SandboxError::invalid(format!("The `file` part could not be read: {e}"))
            }
        })?;
        file = Some(bytes.to_vec());
    }
    file.ok_or_else(|| {
        SandboxError::field(
            "file",
            "attach the CSV as a multipart/form-data part named `file`",
        )
    })
}

/// Starts importing a CSV of contacts and returns the job to poll at `GET /v1/jobs/{id}`.
/// The header row names `name` and `phone` and/or `email`, optionally `segment` and `tags`
/// (separated by `;`). Rows that fail validation or duplicate a contact are skipped and
/// reported; `import.completed` is emitted at the end.
#[utoipa::path(
    post, path = "/v1/contacts/import", tag = "Contacts",
    request_body(content = ContactImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, description = "The job, running", body = Job),
        (status = 413, description = "payload_too_large: the file exceeds 10 MiB", body = ErrorBody),
    ),
    security(("bearer_key" = ["contacts:write"])),
    extensions(("x-runtime-rules" = json!([rules::IMPORT_FILE])))
)]
pub async fn import_contacts(
    State(state): State<AppState>,
    multipart: std::result::Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Job>)> {
    let mut multipart = multipart.map_err(|_| {
        SandboxError::invalid(
            "Send the CSV as multipart/form-data with a part named `file` (Content-Type: multipart/form-data; boundary=…).",
        )
    })?;
    let bytes = read_file(&mut multipart).await?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let bad_file = |why: String| rules::IMPORT_FILE.refuse(rules::IMPORT_FILE.detail_with(why));
    let text = String::from_utf8(bytes).map_err(|_| bad_file("it is not UTF-8 text".into()))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| bad_file(format!("the header row cannot be read: {e}")))?
        .clone();
    let columns = columns(&header).map_err(bad_file)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let line = rows.len() as u32 + 2;
        rows.push((line, record.map_err(|e| e.to_string())));
        if rows.len() > MAX_ROWS {
            return Err(bad_file(format!("it has more than {MAX_ROWS} rows")));
        }
    }
    let now = state.clock.now_ms();
    let job: JobRow = sqlx::query_as(
        "INSERT INTO jobs (id, kind, status, total_rows, processed_rows, imported, skipped, errors, created_at)
         VALUES (?, 'contact_import', 'running', ?, 0, 0, 0, '[]', ?) RETURNING *",
    )
    .bind(ids::job_id())
    .bind(rows.len() as i64)
    .bind(now)
    .fetch_one(&state.db)
    .await?;
    let response = job.to_api();
    let job_id = job.id.clone();
    tokio::spawn(async move {
        if let Err(error) = run(&state, &job_id, &columns, rows).await {
            tracing::warn!(%error.message, %job_id, "import failed");
            let _ = sqlx::query(
                "UPDATE jobs SET status = 'failed', failure_reason = ?, completed_at = ? WHERE id = ?",
            )
            .bind(&error.message)
            .bind(state.clock.now_ms())
            .bind(&job_id)
            .execute(&state.db)
            .await;
        }
    });
    Ok((StatusCode::ACCEPTED, Json(response)))
}

type CsvRow = (u32, std::result::Result<csv::StringRecord, String>);

async fn run(state: &AppState, job_id: &str, columns: &Columns, rows: Vec<CsvRow>) -> Result<()> {
    let mut imported = 0i64;
    let mut errors: Vec<RowIssue> = Vec::new();
    let mut skipped = 0i64;
    let total = rows.len();
    for (index, (line, record)) in rows.into_iter().enumerate() {
        match import_row(state, columns, record).await? {
            Ok(()) => imported += 1,
            Err(reason) => {
                skipped += 1;
                if errors.len() < MAX_REPORTED {
                    errors.push(RowIssue { line, reason });
                }
            }
        }
        let processed = index + 1;
        if processed % 500 == 0 || processed == total {
            sqlx::query(
                "UPDATE jobs SET processed_rows = ?, imported = ?, skipped = ?, errors = ? WHERE id = ?",
            )
            .bind(processed as i64)
            .bind(imported)
            .bind(skipped)
            .bind(sqlx::types::Json(&errors))
            .bind(job_id)
            .execute(&state.db)
            .await?;
        }
    }
    let job: JobRow = sqlx::query_as(
        "UPDATE jobs SET status = 'completed', processed_rows = total_rows, imported = ?, skipped = ?,
             errors = ?, completed_at = ? WHERE id = ? RETURNING *",
    )
    .bind(imported)
    .bind(skipped)
    .bind(sqlx::types::Json(&errors))
    .bind(state.clock.now_ms())
    .bind(job_id)
    .fetch_one(&state.db)
    .await?;
    event_log::emit(state, "import.completed", &job.to_api()).await
}

/// Imports one row, or says why not.
async fn import_row(
    state: &AppState,
    columns: &Columns,
    record: std::result::Result<csv::StringRecord, String>,
) -> Result<std::result::Result<(), String>> {
    let record = match record {
        Ok(record) => record,
        Err(e) => return Ok(Err(format!("not a valid CSV row: {e}"))),
    };
    let cell = |i: Option<usize>| {
        i.and_then(|i| record.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mut fields = Fields {
        name: cell(Some(columns.name)).unwrap_or_default(),
        email: cell(columns.email),
        phone: cell(columns.phone),
        segment: cell(columns.segment),
        tags: cell(columns.tags)
            .map(|t| t.split(';').map(|s| s.trim().to_string()).collect())
            .unwrap_or_default(),
    };
    if fields.email.is_none() && fields.phone.is_none() {
        return Ok(Err("needs a phone or an email".into()));
    }
    if let Err(error) = contacts::validate(&mut fields) {
        return Ok(Err(describe(&error.details, &error.message)));
    }
    if unless_duplicate(contacts::insert(state, &fields).await)?.is_none() {
        let error = contacts::duplicate(state, &fields, None).await;
        if error.status() == 409 {
            return Ok(Err(format!(
                "duplicate: {}",
                describe(&error.details, &error.message)
            )));
        }
        return Err(error);
    }
    Ok(Ok(()))
}

fn describe(details: &[FieldIssue], fallback: &str) -> String {
    if details.is_empty() {
        return fallback.to_string();
    }
    details
        .iter()
        .map(|d| format!("{}: {}", d.field, d.issue))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A background job's progress: rows processed, imported and skipped, and why each
/// skipped row was.
#[utoipa::path(
    get, path = "/v1/jobs/{id}", tag = "Contacts",
    params(("id" = String, Path, description = "Job id, `job_…`")),
    responses((status = 200, description = "The job", body = Job)),
    security(("bearer_key" = ["contacts:read"]))
)]
pub async fn get_job(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Job>> {
    let row: JobRow = rows::get(&state.db, Table::Jobs, &id).await?;
    Ok(Json(row.to_api()))
}
