//! Runs Try It's generated snippets as a developer would: curl in bash, node, Python with
//! requests (from `target/tools/pyrequests`, made by `scripts/setup.sh`), php and Java's
//! single-file source launcher (`java Snippet.java`), each with the credential in the
//! environment variable the snippet names.

use std::path::{Path, PathBuf};

use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn python() -> PathBuf {
    let python = repo_root().join("target/tools/pyrequests/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/setup.sh to install Python requests for the snippet tests",
        python.display()
    );
    python
}

/// Runs a snippet in `dir` with `variable` set to `secret` and returns the status and body
/// it printed. The process is awaited, not waited for: the server it calls may run on this
/// test's runtime.
pub async fn run(
    language: &str,
    code: &str,
    dir: &Path,
    (variable, secret): (&str, &str),
) -> (u16, Value) {
    let mut command = match language {
        "curl" => {
            let mut c = tokio::process::Command::new("bash");
            // The harness adds only what curl needs to report the status.
            c.arg("-c")
                .arg(format!("{code} -sS -w '\\n%{{http_code}}'"));
            c
        }
        "javascript" => {
            std::fs::write(dir.join("snippet.mjs"), code).expect("write");
            let mut c = tokio::process::Command::new("node");
            c.arg("snippet.mjs");
            c
        }
        "python" => {
            std::fs::write(dir.join("snippet.py"), code).expect("write");
            let mut c = tokio::process::Command::new(python());
            c.arg("snippet.py");
            c
        }
        "php" => {
            std::fs::write(dir.join("snippet.php"), code).expect("write");
            let mut c = tokio::process::Command::new("php");
            c.arg("snippet.php");
            c
        }
        "java" => {
            std::fs::write(dir.join("Snippet.java"), code).expect("write");
            let mut c = tokio::process::Command::new("java");
            c.arg("Snippet.java");
            c
        }
        other => panic!("no runner for {other}"),
    };
    let output = command
        .current_dir(dir)
        .env(variable, secret)
        .output()
        .await
        .unwrap_or_else(|e| {
            panic!("cannot run the {language} snippet ({e}); run scripts/setup.sh")
        });
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        output.status.success(),
        "{language} snippet failed: {}\n{stdout}\n{code}",
        String::from_utf8_lossy(&output.stderr)
    );
    let trimmed = stdout.trim();
    let (status, body) = if language == "curl" {
        let (body, status) = trimmed.rsplit_once('\n').unwrap_or(("", trimmed));
        (status, body)
    } else {
        trimmed.split_once('\n').unwrap_or((trimmed, ""))
    };
    let status: u16 = status
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{language}: no status in {stdout:?}"));
    let body: Value = serde_json::from_str(body.trim())
        .unwrap_or_else(|e| panic!("{language}: body is not JSON ({e}): {body}"));
    (status, body)
}

/// Two JSON values have the same shape when their objects have the same keys with values
/// of the same shape, arrays hold items of the same shape, and scalars are of the same
/// kind (`null` matches anything: an optional field may be empty in one run only).
pub fn same_shape(a: &Value, b: &Value) -> Result<(), String> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => Ok(()),
        (Value::Object(x), Value::Object(y)) => {
            let kx: Vec<&String> = x.keys().collect();
            let ky: Vec<&String> = y.keys().collect();
            if kx != ky {
                return Err(format!("keys {kx:?} vs {ky:?}"));
            }
            for (k, v) in x {
                same_shape(v, &y[k]).map_err(|e| format!("{k}: {e}"))?;
            }
            Ok(())
        }
        (Value::Array(x), Value::Array(y)) => match (x.first(), y.first()) {
            (Some(p), Some(q)) => same_shape(p, q).map_err(|e| format!("[0]: {e}")),
            _ => Ok(()),
        },
        (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_)) => Ok(()),
        (x, y) => Err(format!("{x} vs {y}")),
    }
}
