//! The rules the sandbox checks that a JSON Schema cannot state: a value that must name an
//! existing resource in a given state, a time that must be in the future, a range whose
//! ends are compared, a file's contents.
//!
//! Everything a schema can say is in the published document (from `botbat_api::contract`),
//! so a schema-valid request is refused only by one of these. Each operation lists the
//! ones it applies in `x-runtime-rules` (its description repeats them in prose), and each
//! refusal is built from the same constant, so a client, the console's Try It and the fuzz
//! stage can tell an expected refusal from a contract gap by its status, field and issue.

use botbat_api::FieldIssue;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::SandboxError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuntimeRule {
    pub status: u16,
    /// The field the answer's `details` name; `None` for an answer without details.
    pub field: Option<&'static str>,
    /// How the detail's `issue` (without a field: the `message`) starts; what follows it
    /// names the value at fault.
    pub issue: &'static str,
}

impl RuntimeRule {
    const fn field(status: u16, field: &'static str, issue: &'static str) -> Self {
        Self {
            status,
            field: Some(field),
            issue,
        }
    }

    /// The rule's detail, exactly.
    pub fn detail(&self) -> FieldIssue {
        FieldIssue::new(self.field.unwrap_or("body"), self.issue)
    }

    /// The rule's detail followed by what was at fault.
    pub fn detail_with(&self, what: impl std::fmt::Display) -> FieldIssue {
        FieldIssue::new(
            self.field.unwrap_or("body"),
            format!("{} ({what})", self.issue),
        )
    }

    /// The refusal, with `detail` as its only issue.
    pub fn refuse(&self, detail: FieldIssue) -> SandboxError {
        match self.status {
            400 => {
                let mut error = SandboxError::invalid(format!(
                    "The query parameter {} {}.",
                    detail.field, detail.issue
                ));
                error.details = vec![detail];
                error
            }
            _ => SandboxError::validation(vec![detail]),
        }
    }

    /// Whether `issue` is an answer of this rule.
    #[cfg(test)]
    pub fn covers(&self, issue: &FieldIssue) -> bool {
        self.field == Some(issue.field.as_str()) && issue.issue.starts_with(self.issue)
    }
}

/// Every list's `?cursor=`: a cursor only continues the list that issued it.
pub const CURSOR: RuntimeRule = RuntimeRule::field(
    400,
    "cursor",
    "is not a cursor of this list; pass the `cursor` of the previous page unchanged",
);

/// `?from=` and `?to=` of the usage endpoints.
pub const USAGE_RANGE: RuntimeRule = RuntimeRule::field(422, "from", "must not be after `to`");

/// `?created_from=` and `?created_to=` of the lists that filter by creation time.
pub const CREATED_RANGE: RuntimeRule =
    RuntimeRule::field(422, "created_from", "must not be after created_to");

pub const SEND_AT_FUTURE: RuntimeRule = RuntimeRule::field(
    422,
    "send_at",
    "must be in the future on the sandbox clock; omit it to send now",
);

pub const CONTACT_EXISTS: RuntimeRule =
    RuntimeRule::field(422, "contact_id", "must name an existing contact");

pub const CONTACT_HAS_PHONE: RuntimeRule = RuntimeRule::field(
    422,
    "contact_id",
    "must name a contact with a phone number to message",
);

pub const TEMPLATE_EXISTS: RuntimeRule =
    RuntimeRule::field(422, "template_id", "must name an existing template");

pub const TEMPLATE_APPROVED: RuntimeRule = RuntimeRule::field(
    422,
    "template_id",
    "must name an approved template; only approved templates can be sent",
);

pub const TEMPLATE_VARIABLES: RuntimeRule = RuntimeRule::field(
    422,
    "variables",
    "must give one value per variable of the template",
);

pub const TEMPLATE_NUMBERING: RuntimeRule = RuntimeRule::field(
    422,
    "body",
    "must number its variables {{1}}, {{2}}, … from 1 without gaps",
);

/// An update that leaves a template on a campaign whose channel is (or becomes) SMS.
pub const TEMPLATE_CHANNEL: RuntimeRule = RuntimeRule::field(
    422,
    "template_id",
    "templates are sent on the whatsapp channel only; use body for sms",
);

/// An update that leaves more text than an SMS carries on a campaign whose channel is (or
/// becomes) SMS.
pub const CAMPAIGN_SMS_BODY: RuntimeRule =
    RuntimeRule::field(422, "body", "must be 1 to 1600 characters");

pub const IMPORT_FILE: RuntimeRule = RuntimeRule::field(
    422,
    "file",
    "must be a CSV file: UTF-8, a header row naming `name` and `phone` and/or `email`, at most 50000 rows",
);

/// The tunnel answers plain HTTP requests (with valid parameters) 426.
pub const LISTEN_UPGRADE: RuntimeRule = RuntimeRule {
    status: 426,
    field: None,
    issue: "This endpoint is a WebSocket",
};

/// A host name is checked as an internationalised domain name (IDNA), which no pattern
/// states.
pub const WEBHOOK_HOST: RuntimeRule = RuntimeRule::field(
    422,
    "url",
    "must name a valid host: an internationalised label (xn--…) must be valid punycode",
);

/// Production takes https only; the sandbox's document allows http to this machine.
pub const LIVE_HTTPS: RuntimeRule = RuntimeRule::field(
    422,
    "url",
    "must use https: production delivers to https URLs only",
);

/// The extension each operation lists its rules in.
/// A fault fires only where a route serves that method with a key, so it must name one.
pub const FAULT_ROUTE: RuntimeRule = RuntimeRule::field(
    422,
    "path",
    "must be a route template of an authenticated endpoint for this method",
);

pub const EXTENSION: &str = "x-runtime-rules";

/// Completes an operation's rules: every list takes the cursor rule from its `cursor`
/// parameter, and the description ends with the rules in prose, so a reader of the
/// operation learns what the schema cannot say.
pub fn publish(operation: &mut Value) {
    let has_cursor = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|ps| {
            ps.iter()
                .any(|p| p["name"] == "cursor" && p["in"] == "query")
        });
    if has_cursor {
        let rules = operation
            .as_object_mut()
            .map(|o| o.entry(EXTENSION).or_insert_with(|| json!([])));
        if let Some(Value::Array(rules)) = rules {
            rules.insert(0, json!(CURSOR));
        }
    }
    let Some(rules) = operation.get(EXTENSION).and_then(Value::as_array) else {
        return;
    };
    let lines: Vec<String> = rules
        .iter()
        .map(|rule| {
            let issue = rule["issue"].as_str().unwrap_or_default();
            let status = &rule["status"];
            match rule["field"].as_str() {
                Some(field) => format!("- `{field}` {issue} ({status})."),
                None => format!("- {issue} ({status})."),
            }
        })
        .collect();
    if lines.is_empty() {
        return;
    }
    let prose = format!(
        "Checked when the request arrives, beyond the schema:\n{}",
        lines.join("\n")
    );
    let description = match operation.get("description").and_then(Value::as_str) {
        Some(text) if !text.is_empty() => format!("{text}\n\n{prose}"),
        _ => prose,
    };
    operation["description"] = json!(description);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sms_rule_is_the_sms_body_issue() {
        let issue = botbat_api::SMS_BODY
            .issue(&"x".repeat(1601))
            .expect("too long");
        assert!(CAMPAIGN_SMS_BODY.covers(&FieldIssue::new("body", issue)));
    }

    #[test]
    fn the_upgrade_answer_is_the_listen_rule() {
        assert!(SandboxError::upgrade_required()
            .message
            .starts_with(LISTEN_UPGRADE.issue));
    }

    #[test]
    fn lists_get_the_cursor_rule_and_prose() {
        let mut operation = json!({
            "description": "Lists things.",
            "parameters": [{"name": "cursor", "in": "query"}],
            EXTENSION: [SEND_AT_FUTURE]
        });
        publish(&mut operation);
        assert_eq!(operation[EXTENSION][0]["field"], "cursor");
        assert_eq!(operation[EXTENSION][1]["field"], "send_at");
        let text = operation["description"].as_str().expect("description");
        assert!(text.starts_with("Lists things.\n\n"), "{text}");
        assert!(text.contains("- `send_at` must be in the future"), "{text}");
        let mut plain = json!({"description": "One thing."});
        publish(&mut plain);
        assert_eq!(plain, json!({"description": "One thing."}));
    }

    #[test]
    fn refusals_carry_the_rule() {
        let error = SEND_AT_FUTURE.refuse(SEND_AT_FUTURE.detail());
        assert_eq!(error.status(), 422);
        assert!(SEND_AT_FUTURE.covers(&error.details[0]));
        assert!(!CONTACT_EXISTS.covers(&error.details[0]));
        let error = CURSOR.refuse(CURSOR.detail_with("\"abc\""));
        assert_eq!(error.status(), 400);
        assert!(CURSOR.covers(&error.details[0]));
    }
}
