// Try It's commands, in memory, installed on a FakeBackend through its per-command
// overrides: a small catalog, two credentials, validation of the contact body, a history,
// snippets and a paged list.

import { emit } from "@tauri-apps/api/event";
import type { FieldIssue } from "../lib/bindings/FieldIssue";
import type { TryCatalog } from "../lib/bindings/TryCatalog";
import type { TryCredentials } from "../lib/bindings/TryCredentials";
import type { TryHistoryItem } from "../lib/bindings/TryHistoryItem";
import type { TryOperation } from "../lib/bindings/TryOperation";
import type { TryProgress } from "../lib/bindings/TryProgress";
import type { TryRequest } from "../lib/bindings/TryRequest";
import type { TryResponse } from "../lib/bindings/TryResponse";
import type { TrySendOptions } from "../lib/bindings/TrySendOptions";
import { type Args, commandError, type FakeBackend, SANDBOX_URL } from "./backend-fake";

const limitParam = {
  name: "limit",
  location: "query",
  required: false,
  description: "Items per page, 1 to 100; 25 when omitted.",
  kind: "integer",
  format: "int32",
  enum_values: [],
  default: null,
  minimum: 1,
  maximum: 100,
  schema: { type: "integer", minimum: 1, maximum: 100 },
};

function op(overrides: Partial<TryOperation> & Pick<TryOperation, "id" | "method" | "path" | "module" | "summary">): TryOperation {
  return {
    description: "",
    requires_key: true,
    scope: null,
    parameters: [],
    body: null,
    responses: [],
    paginated: false,
    websocket: false,
    ...overrides,
  };
}

export const CONTACT_EXAMPLE = '{\n  "name": "Ada Lovelace",\n  "phone": "+447700900123"\n}';

/** The documented 201 of a create: a contact, as the sandbox's document describes it. */
export const CONTACT_SCHEMA = {
  type: "object",
  description: "A person the organisation messages.",
  required: ["id", "name", "tags"],
  properties: {
    id: { type: "string", description: "`ct_…`" },
    name: { type: "string" },
    channel: { type: "string", enum: ["whatsapp", "sms"] },
    tags: { type: "array", items: { type: "string" } },
  },
};

export function catalog(): TryCatalog {
  const contacts = [
    op({
      id: "list_contacts",
      method: "GET",
      path: "/v1/contacts",
      module: "Contacts",
      summary: "Lists contacts, newest first.",
      scope: "contacts:read",
      paginated: true,
      parameters: [
        { ...limitParam, name: "cursor", description: "The cursor of the previous page.", kind: "string", format: null, minimum: null, maximum: null, schema: { type: "string" } },
        limitParam,
        { ...limitParam, name: "segment", description: "", kind: "string", format: null, minimum: null, maximum: null, schema: { type: "string" } },
      ],
      responses: [{ status: "200", description: "A page of contacts", content_type: "application/json", schema: { type: "object" }, example: {} }],
    }),
    op({
      id: "create_contact",
      method: "POST",
      path: "/v1/contacts",
      module: "Contacts",
      summary: "Creates a contact.",
      description: "Phone numbers are E.164.",
      scope: "contacts:write",
      body: {
        content_type: "application/json",
        required: true,
        schema: { type: "object", required: ["name"] },
        example: CONTACT_EXAMPLE,
        fields: [
          { name: "name", kind: "string", required: true, description: "1 to 200 characters.", enum_values: [] },
          { name: "phone", kind: "string | null", required: false, description: "E.164.", enum_values: [] },
        ],
      },
      responses: [
        {
          status: "201",
          description: "The contact",
          content_type: "application/json",
          schema: CONTACT_SCHEMA,
          example: { id: "ct_…", name: "example name", tags: ["example tags"] },
        },
        {
          status: "422",
          description: "validation_error: the fields in `details` are invalid",
          content_type: "application/json",
          schema: { type: "object", required: ["error"], properties: { error: { type: "object" } } },
          example: { error: {} },
        },
      ],
    }),
    op({
      id: "import_contacts",
      method: "POST",
      path: "/v1/contacts/import",
      module: "Contacts",
      summary: "Imports a CSV of contacts.",
      scope: "contacts:write",
      body: {
        content_type: "multipart/form-data",
        required: true,
        schema: {},
        example: "",
        fields: [{ name: "file", kind: "file", required: true, description: "A CSV file.", enum_values: [] }],
      },
    }),
  ];
  const messages = [
    op({
      id: "send_message",
      method: "POST",
      path: "/v1/messages/send",
      module: "Messages",
      summary: "Sends a message.",
      scope: "messages:send",
      body: {
        content_type: "application/json",
        required: true,
        schema: {},
        example: '{\n  "contact_id": "ct_1",\n  "channel": "whatsapp",\n  "body": "Hi *Ada*, your order is _ready_"\n}',
        fields: [{ name: "body", kind: "string | null", required: false, description: "", enum_values: [] }],
      },
    }),
  ];
  const developer = [op({ id: "me", method: "GET", path: "/v1/me", module: "Developer", summary: "The calling key." })];
  return {
    environment: "sandbox",
    source_url: `${SANDBOX_URL}/openapi.json`,
    fetched_at: new Date().toISOString(),
    stale: false,
    stale_reason: null,
    title: "BotBat Platform API",
    version: "v1",
    modules: [
      { name: "Developer", description: "", operations: developer },
      { name: "Contacts", description: "People you message", operations: contacts },
      { name: "Messages", description: "Send to a contact", operations: messages },
    ],
    operation_count: developer.length + contacts.length + messages.length,
  };
}

export function credentials(): TryCredentials {
  return {
    environment: "sandbox",
    note: null,
    credentials: [
      {
        id: "management",
        label: "Management key (Sandbox admin)",
        masked: "bb_test_…9f3c",
        scopes: ["contacts:read", "contacts:write", "messages:send", "keys:manage"],
        source: "management",
        status: "active",
      },
      {
        id: "key_ro",
        label: "Read-only CRM",
        masked: "bb_test_…r0r0",
        scopes: ["contacts:read"],
        source: "keychain",
        status: "active",
      },
    ],
  };
}

export function response(overrides: Partial<TryResponse> = {}): TryResponse {
  return {
    method: "POST",
    url: `${SANDBOX_URL}/contacts`,
    status: 201,
    status_text: "Created",
    meaning: "The contact",
    headers: [
      { name: "content-type", value: "application/json" },
      { name: "x-ratelimit-limit", value: "5" },
      { name: "x-ratelimit-remaining", value: "4" },
      { name: "x-ratelimit-reset", value: String(Math.floor(Date.now() / 1000) + 1) },
      { name: "x-ratelimit-scope", value: "key" },
      { name: "x-request-id", value: "req_fake1" },
    ],
    request_id: "req_fake1",
    rate_limit: { limit: 5, remaining: 4, reset: Math.floor(Date.now() / 1000) + 1, scope: "key" },
    retry_after: null,
    retry_wait: null,
    content_type: "application/json",
    body: '{"id":"ct_new1","name":"Ada Lovelace"}',
    json: { id: "ct_new1", name: "Ada Lovelace" },
    size_bytes: 39,
    elapsed_ms: 3.21,
    next_cursor: null,
    page_items: null,
    total: null,
    error_details: [],
    history_id: 1,
    credential_label: "Management key (Sandbox admin) · bb_test_…9f3c",
    conformance: { documented: "201", checked: true, issues: [] },
    ...overrides,
  };
}

function issuesOf(request: TryRequest): FieldIssue[] {
  if (request.operation_id !== "create_contact") return [];
  try {
    const body = JSON.parse(request.body ?? "") as Record<string, unknown>;
    return "name" in body ? [] : [{ field: "name", issue: "is required (1 to 200 characters)" }];
  } catch {
    return [{ field: "body", issue: "is not valid JSON" }];
  }
}

export class TryItFake {
  sent: { environment: string; request: TryRequest; options: TrySendOptions }[] = [];
  history: { item: TryHistoryItem; request: TryRequest; response: TryResponse }[] = [];
  /** The next responses `tryit_send` gives, before the default. */
  queue: TryResponse[] = [];

  install(backend: FakeBackend): this {
    const ops = () => catalog().modules.flatMap((m) => m.operations);
    backend
      .on("tryit_catalog", () => catalog())
      .on("tryit_credentials", () => credentials())
      .on("tryit_check", (args: Args) => {
        const request = args.request as TryRequest;
        const operation = ops().find((o) => o.id === request.operation_id);
        const credential = credentials().credentials.find((c) => c.id === request.credential);
        const missing =
          operation?.scope && credential && !credential.scopes.includes(operation.scope as never) ? operation.scope : null;
        return { issues: issuesOf(request), missing_scope: missing, url: `${SANDBOX_URL}${request.path.replace(/^\/v1/, "")}` };
      })
      .on("tryit_send", (args: Args) => {
        const request = args.request as TryRequest;
        const options = args.options as TrySendOptions;
        if (args.environment !== backend.environment) {
          throw commandError("environment_changed", "The console switched environments.");
        }
        const issues = issuesOf(request);
        if (issues.length > 0 && !options.force) {
          throw commandError("invalid_input", "Not sent: 1 field is invalid (name).", { details: issues });
        }
        this.sent.push({ environment: args.environment as string, request, options });
        let answer = this.queue.shift();
        if (!answer) {
          answer =
            issues.length > 0
              ? response({
                  status: 422,
                  status_text: "Unprocessable Entity",
                  meaning: "validation_error: the fields in `details` are invalid",
                  body: '{"error":{"code":"validation_error","details":[{"field":"name","issue":"is required"}]}}',
                  json: { error: { code: "validation_error", details: [{ field: "name", issue: "is required" }] } },
                  error_details: [{ field: "name", issue: "is required" }],
                })
              : response({ method: request.method });
        }
        const id = this.history.length + 1;
        this.history.unshift({
          item: {
            id,
            created_at: new Date().toISOString(),
            method: request.method,
            path: request.path,
            url: answer.url,
            status: answer.status,
            elapsed_ms: answer.elapsed_ms,
            size_bytes: answer.size_bytes,
            credential_label: answer.credential_label,
            request_id: answer.request_id,
            operation_id: request.operation_id,
          },
          request,
          response: { ...answer, history_id: id },
        });
        return { ...answer, history_id: id };
      })
      .on("tryit_history", (args: Args) => {
        const query = String(args.query ?? "").toLowerCase();
        return this.history.map((h) => h.item).filter((i) => `${i.method} ${i.path} ${i.status}`.toLowerCase().includes(query));
      })
      .on("tryit_history_entry", (args: Args) => {
        const entry = this.history.find((h) => h.item.id === args.id);
        if (!entry) throw commandError("not_found", "No such entry.");
        return entry;
      })
      .on("tryit_clear_history", () => {
        const n = this.history.length;
        this.history = [];
        return n;
      })
      .on("tryit_snippets", (args: Args) => {
        const request = args.request as TryRequest;
        const key = args.inlineKey ? "bb_test_INLINED" : "$BOTBAT_API_KEY";
        return [
          { language: "curl", label: "cURL", code: `curl -X ${request.method} '${SANDBOX_URL}${request.path.slice(3)}' -H "Authorization: Bearer ${key}"` },
          { language: "javascript", label: "JavaScript (fetch)", code: "await fetch(url)" },
          { language: "python", label: "Python (requests)", code: "requests.get(url)" },
          { language: "php", label: "PHP (curl)", code: "<?php curl_init();" },
          { language: "java", label: "Java (HttpClient)", code: "HttpClient.newHttpClient()" },
        ];
      })
      .on("tryit_parse_curl", (args: Args) => {
        const text = String(args.text);
        if (!text.startsWith("curl")) throw commandError("invalid_input", "This is not a cURL command Try It can read.");
        return {
          request: {
            operation_id: "list_contacts",
            method: "GET",
            path: "/v1/contacts",
            path_params: [],
            query: [{ name: "limit", value: "5" }],
            headers: [],
            body: null,
            form: [],
            credential: args.credential,
          },
          operation_id: "list_contacts",
          warnings: ["The command's Authorization header was left out."],
          files_to_choose: [],
        };
      })
      .on("tryit_fetch_all", async (args: Args) => {
        const runId = args.runId as string;
        const progress = (p: Partial<TryProgress>) =>
          emit("tryit-progress", {
            run_id: runId,
            pages: 0,
            items: 0,
            total: 60,
            waiting_seconds: null,
            wait_note: null,
            ...p,
          });
        await progress({ pages: 1, items: 25 });
        await progress({ pages: 1, items: 25, waiting_seconds: 1 });
        await progress({ pages: 2, items: 50 });
        await progress({ pages: 3, items: 60 });
        return {
          run_id: runId,
          pages: 3,
          items: 60,
          total: 60,
          cancelled: false,
          truncated: false,
          data: Array.from({ length: 60 }, (_, i) => ({ id: `ct_${i}` })),
          elapsed_ms: 1234,
          waited_ms: 800,
          rate_limited: 1,
          failure: null,
          note: null,
        };
      })
      .on("tryit_cancel", () => true);
    return this;
  }
}
