import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App.svelte";
import { FakeBackend, retryWait } from "../test/backend-fake";
import { editorText, typeInEditor } from "../test/editor";
import { CONTACT_EXAMPLE, response, TryItFake } from "../test/tryit-fake";

async function openTryIt(backend: FakeBackend = new FakeBackend(), fake: TryItFake = new TryItFake()) {
  fake.install(backend);
  backend.install();
  render(App);
  await waitFor(() => expect(screen.getByTestId(`env-${backend.environment}`)).toBeEnabled());
  await fireEvent.click(screen.getByTestId("nav-try-it"));
  await screen.findByTestId("tryit-op-create_contact");
  return { backend, fake };
}

async function choose(id: string) {
  await fireEvent.click(screen.getByTestId(`tryit-op-${id}`));
  return screen.findByTestId("tryit-builder");
}

/** Sends a request whose answer is a 429 with `Retry-After: seconds`. */
async function sendRateLimited(seconds: number): Promise<TryItFake> {
  const fake = new TryItFake();
  fake.queue.push(
    response({
      status: 429,
      status_text: "Too Many Requests",
      meaning: "rate_limited",
      retry_after: seconds,
      retry_wait: retryWait(seconds),
      body: "{}",
      json: {},
    }),
  );
  await openTryIt(new FakeBackend(), fake);
  await choose("create_contact");
  await fireEvent.click(screen.getByTestId("tryit-send"));
  return fake;
}

describe("Try It", () => {
  it("groups the catalog by module and searches path, summary and scope", async () => {
    await openTryIt();
    expect(screen.getByTestId("tryit-module-Contacts")).toHaveTextContent("/contacts/import");
    expect(screen.getByTestId("tryit-catalog-count")).toHaveTextContent("5 endpoints");

    const search = screen.getByTestId("tryit-search");
    await fireEvent.input(search, { target: { value: "messages:send" } });
    expect(screen.queryByTestId("tryit-op-create_contact")).toBeNull();
    expect(screen.getByTestId("tryit-op-send_message")).toBeInTheDocument();
    expect(screen.getByTestId("tryit-catalog-count")).toHaveTextContent("1 of 5 endpoints");

    await fireEvent.input(search, { target: { value: "import" } });
    expect(screen.getByTestId("tryit-op-import_contacts")).toBeInTheDocument();
    await fireEvent.input(search, { target: { value: "creates contact" } });
    expect(screen.getByTestId("tryit-op-create_contact")).toBeInTheDocument();
    await fireEvent.input(search, { target: { value: "nothing-like-this" } });
    expect(screen.getByTestId("tryit-no-match")).toBeInTheDocument();
  });

  it("sends a create from the example body and shows 201, the body and the history", async () => {
    const { fake } = await openTryIt();
    const builder = await choose("create_contact");
    expect(within(builder).getByTestId("tryit-path")).toHaveTextContent("/v1/contacts");
    expect(within(builder).getByTestId("tryit-scope")).toHaveTextContent("contacts:write");
    expect(await editorText("tryit-body")).toBe(CONTACT_EXAMPLE);

    await fireEvent.click(screen.getByTestId("tryit-send"));
    const result = await screen.findByTestId("tryit-response");
    expect(screen.getByTestId("tryit-status")).toHaveTextContent("201");
    expect(result).toHaveTextContent("Created");
    expect(screen.getByTestId("tryit-meaning")).toHaveTextContent("The contact");
    expect(screen.getByTestId("tryit-request-id")).toHaveTextContent("req_fake1");
    expect(screen.getByTestId("tryit-rate-limit")).toHaveTextContent("4 of 5 left");
    expect(screen.getByTestId("tryit-time")).toHaveTextContent("3.21 ms");
    expect(screen.getByTestId("tryit-body-tree")).toHaveTextContent('"name": "Ada Lovelace"');
    expect(fake.sent[0].request.body).toBe(CONTACT_EXAMPLE);
    expect(fake.sent[0].options).toEqual({ force: false, confirmed: false });

    await fireEvent.click(screen.getByTestId("tryit-view-raw"));
    expect(await editorText("tryit-body-raw")).toBe('{"id":"ct_new1","name":"Ada Lovelace"}');
    expect(screen.getByTestId("tryit-body-raw")).toHaveTextContent('{"id":"ct_new1","name":"Ada Lovelace"}');
    await fireEvent.click(screen.getByTestId("tryit-headers-tab"));
    expect(screen.getByTestId("tryit-headers")).toHaveTextContent("x-ratelimit-remaining");

    await fireEvent.click(screen.getByTestId("tryit-tab-history"));
    const history = await screen.findByTestId("tryit-history");
    expect(history).toHaveTextContent("/contacts");
    expect(history).toHaveTextContent("201");
  });

  it("flags a missing required field, refuses to send, and sends anyway to show the 422", async () => {
    const { fake } = await openTryIt();
    await choose("create_contact");
    await typeInEditor("tryit-body", '{"phone": "+447700900123"}');
    const issues = await screen.findByTestId("tryit-body-issues");
    expect(issues).toHaveTextContent("name is required");

    await fireEvent.click(screen.getByTestId("tryit-send"));
    expect(await screen.findByTestId("tryit-refused")).toHaveTextContent("name is required");
    expect(fake.sent).toHaveLength(0);

    await fireEvent.click(screen.getByTestId("tryit-send-anyway"));
    await waitFor(() => expect(screen.getByTestId("tryit-status")).toHaveTextContent("422"));
    expect(screen.getByTestId("tryit-error-details")).toHaveTextContent("name is required");
    expect(fake.sent[0].options.force).toBe(true);
  });

  it("shows the chosen key's scopes and flags one lacking the endpoint's scope", async () => {
    await openTryIt();
    await choose("create_contact");
    await waitFor(() => expect(screen.getByTestId("tryit-credential-scopes")).toHaveTextContent("contacts:write"));
    expect(screen.queryByTestId("tryit-missing-scope")).toBeNull();

    await fireEvent.change(screen.getByTestId("tryit-credential"), { target: { value: "key_ro" } });
    const flag = await screen.findByTestId("tryit-missing-scope");
    expect(flag).toHaveTextContent("Read-only CRM lacks contacts:write");
    expect(screen.getByTestId("tryit-credential-scopes")).toHaveTextContent("contacts:read");
  });

  it("counts down a 429 and retries by itself when asked", async () => {
    const fake = await sendRateLimited(1);
    const countdown = await screen.findByTestId("tryit-countdown");
    expect(countdown).toHaveTextContent("wait 1 s");
    await fireEvent.click(screen.getByTestId("tryit-auto-retry"));
    await waitFor(() => expect(fake.sent).toHaveLength(2));
    await waitFor(() => expect(screen.getByTestId("tryit-status")).toHaveTextContent("201"));
  });

  it("does not count down a day: an absurd Retry-After shows the cap and nothing retries by itself", async () => {
    const fake = await sendRateLimited(86400);
    const note = await screen.findByTestId("tryit-wait-note");
    expect(note).toHaveTextContent("Retry-After says 86400 s; the console waits at most 60 s — retry later.");
    expect(screen.queryByTestId("tryit-countdown-seconds")).toBeNull();
    expect(screen.getByTestId("tryit-auto-retry")).toBeDisabled();
    expect(screen.getByTestId("tryit-retry")).toBeEnabled();
    expect(fake.sent).toHaveLength(1);
  });

  it("asks before a write in Production, naming it, and sends only when confirmed", async () => {
    const backend = new FakeBackend();
    backend.environment = "production";
    const { fake } = await openTryIt(backend);
    await choose("create_contact");
    await fireEvent.click(screen.getByTestId("tryit-send"));
    const dialog = await screen.findByTestId("confirm-production-dialog");
    expect(dialog).toHaveTextContent("This sends POST /v1/contacts to PRODUCTION.");
    await fireEvent.click(screen.getByTestId("confirm-production-cancel"));
    expect(fake.sent).toHaveLength(0);

    await fireEvent.click(screen.getByTestId("tryit-send"));
    await fireEvent.click(await screen.findByTestId("confirm-production"));
    await waitFor(() => expect(fake.sent).toHaveLength(1));
    expect(fake.sent[0]).toMatchObject({ environment: "production", options: { confirmed: true } });

    // Reads need no confirmation.
    await choose("list_contacts");
    await fireEvent.click(screen.getByTestId("tryit-send"));
    await waitFor(() => expect(fake.sent).toHaveLength(2));
    expect(screen.queryByTestId("confirm-production-dialog")).toBeNull();
  });

  it("previews WhatsApp formatting of a message body", async () => {
    await openTryIt();
    await choose("send_message");
    const preview = await screen.findByTestId("tryit-whatsapp-preview");
    const bold = within(preview).getByText("Ada");
    expect(bold).toHaveClass("bold");
    expect(within(preview).getByText("ready")).toHaveClass("italic");
  });

  it("types query parameters, pages a list and fetches every page with progress", async () => {
    const fake = new TryItFake();
    const page = (cursor: string | null) =>
      response({
        method: "GET",
        status: 200,
        status_text: "OK",
        next_cursor: cursor,
        page_items: 25,
        total: 60,
        body: JSON.stringify({ data: [], cursor, total: 60 }),
        json: { data: [], cursor, total: 60 },
      });
    fake.queue.push(page("c2"), page("c3"));
    await openTryIt(new FakeBackend(), fake);
    await choose("list_contacts");
    const limit = within(screen.getByTestId("tryit-param-limit"));
    expect(limit.getByText(/integer \(int32\) · 1 to 100/)).toBeInTheDocument();
    await fireEvent.input(limit.getByRole("textbox"), { target: { value: "25" } });
    await fireEvent.click(screen.getByTestId("tryit-send"));
    await screen.findByTestId("tryit-paging");
    expect(fake.sent[0].request.query).toContainEqual({ name: "limit", value: "25" });

    await fireEvent.click(screen.getByTestId("tryit-next-page"));
    await waitFor(() => expect(fake.sent).toHaveLength(2));
    expect(fake.sent[1].request.query).toContainEqual({ name: "cursor", value: "c2" });

    await waitFor(() => expect(screen.getByTestId("tryit-next-page")).toBeEnabled());
    await fireEvent.click(screen.getByTestId("tryit-fetch-all"));
    expect(await screen.findByTestId("tryit-fetch-done")).toHaveTextContent(
      "Fetched 60 items in 3 pages",
    );
    expect(screen.getByTestId("tryit-fetch-done")).toHaveTextContent("1 × 429");
  });

  it("shows the request as code with the key as an environment variable unless inlined", async () => {
    await openTryIt();
    await choose("list_contacts");
    await fireEvent.click(screen.getByTestId("tryit-tab-code"));
    expect(await screen.findByTestId("tryit-code-curl")).toHaveTextContent("$BOTBAT_API_KEY");
    await fireEvent.click(screen.getByTestId("tryit-lang-python"));
    expect(await screen.findByTestId("tryit-code-python")).toHaveTextContent("requests.get");
    await fireEvent.click(screen.getByTestId("tryit-lang-java"));
    expect(await screen.findByTestId("tryit-code-java")).toHaveTextContent("HttpClient");
    await fireEvent.click(screen.getByTestId("tryit-lang-curl"));
    await fireEvent.click(screen.getByTestId("tryit-inline-key"));
    await waitFor(() => expect(screen.getByTestId("tryit-code-curl")).toHaveTextContent("bb_test_INLINED"));
    expect(screen.getByTestId("tryit-code")).toHaveTextContent("contains a secret");

    const user = userEvent.setup();
    await user.click(screen.getByTestId("tryit-copy"));
    expect(await navigator.clipboard.readText()).toContain("bb_test_INLINED");
  });

  it("fills the builder from a pasted cURL command and reopens history", async () => {
    const { fake } = await openTryIt();
    await choose("create_contact");
    await fireEvent.click(screen.getByTestId("tryit-paste-curl"));
    await fireEvent.input(screen.getByTestId("tryit-curl-input"), {
      target: { value: "curl 'https://api.botbat.com/v1/contacts?limit=5' -H 'Authorization: Bearer bb_live_x'" },
    });
    await fireEvent.click(screen.getByTestId("tryit-curl-import"));
    await waitFor(() => expect(screen.getByTestId("tryit-builder")).toHaveAttribute("data-operation", "list_contacts"));
    expect(screen.getByTestId("tryit-pasted")).toHaveTextContent("Authorization header was left out");
    expect(within(screen.getByTestId("tryit-param-limit")).getByRole("textbox")).toHaveValue("5");

    await fireEvent.click(screen.getByTestId("tryit-send"));
    await waitFor(() => expect(fake.sent).toHaveLength(1));
    await choose("create_contact");
    await fireEvent.click(screen.getByTestId("tryit-tab-history"));
    const row = await screen.findByTestId("tryit-history-1");
    await fireEvent.click(within(row).getByTitle("Reopen in the builder"));
    await waitFor(() => expect(screen.getByTestId("tryit-builder")).toHaveAttribute("data-operation", "list_contacts"));
    expect(screen.getByTestId("tryit-from-history")).toBeInTheDocument();
    await fireEvent.click(screen.getByTestId("tryit-history-resend-1"));
    await waitFor(() => expect(fake.sent).toHaveLength(2));
  });

  it("sends a chosen CSV file as the multipart import", async () => {
    const { fake } = await openTryIt();
    await choose("import_contacts");
    const csv = "name,phone\nAda Lovelace,+447700900123\nGrace Hopper,+14155550123\n";
    const file = new File([csv], "contacts.csv", { type: "text/csv" });
    await fireEvent.change(screen.getByTestId("tryit-file"), { target: { files: [file] } });
    const chosen = await screen.findByTestId("tryit-file-chosen");
    expect(chosen).toHaveTextContent("contacts.csv");
    expect(chosen).toHaveTextContent("2 rows");
    await fireEvent.click(screen.getByTestId("tryit-send"));
    await waitFor(() => expect(fake.sent).toHaveLength(1));
    expect(fake.sent[0].request.form).toEqual([
      { name: "file", filename: "contacts.csv", content_type: "text/csv", content: csv },
    ]);
    expect(fake.sent[0].request.body).toBeNull();
  });

  it("documents every response with its schema and an example, and opens the one received", async () => {
    await openTryIt();
    await choose("create_contact");
    const docs = await screen.findByTestId("tryit-response-docs");
    expect(within(docs).getByTestId("tryit-doc-201")).toHaveTextContent("The contact");
    expect(within(docs).getByTestId("tryit-doc-422")).toHaveTextContent("validation_error");
    const created = within(docs).getByTestId("tryit-doc-201");
    expect(created.querySelector("details")).toHaveAttribute("open");
    expect(created).toHaveTextContent(/id\s*\*\s*string\s*ct_…/);
    expect(created).toHaveTextContent("whatsapp | sms");
    expect(created).toHaveTextContent(/tags\s*\*\s*array of string/);
    await fireEvent.click(within(docs).getByTestId("tryit-docs-example"));
    expect(within(docs).getByTestId("tryit-doc-example-201")).toHaveTextContent('"name": "example name"');
  });

  it("shows where a response differs from its documented schema, and a status it does not document", async () => {
    const fake = new TryItFake();
    fake.queue.push(
      response({
        body: '{"id":42}',
        json: { id: 42 },
        conformance: {
          documented: "201",
          checked: true,
          issues: [
            { field: "id", issue: "must be a string (got an integer)" },
            { field: "name", issue: "is required" },
          ],
        },
      }),
      response({ status: 418, status_text: "I'm a teapot", conformance: { documented: null, checked: false, issues: [] } }),
    );
    await openTryIt(new FakeBackend(), fake);
    await choose("create_contact");
    await fireEvent.click(screen.getByTestId("tryit-send"));
    const mismatch = await screen.findByTestId("tryit-conformance");
    expect(mismatch).toHaveAttribute("data-state", "mismatch");
    expect(mismatch).toHaveTextContent("2 places differ from the documented 201 schema");
    expect(within(mismatch).getByTestId("tryit-conformance-issues")).toHaveTextContent("id must be a string (got an integer)");
    expect(mismatch).toHaveTextContent("name is required");

    await fireEvent.click(screen.getByTestId("tryit-send"));
    await waitFor(() => expect(screen.getByTestId("tryit-status")).toHaveTextContent("418"));
    const undocumented = screen.getByTestId("tryit-conformance");
    expect(undocumented).toHaveAttribute("data-state", "undocumented");
    expect(undocumented).toHaveTextContent("does not document a 418 response");

    await fireEvent.click(screen.getByTestId("tryit-send"));
    await waitFor(() => expect(screen.getByTestId("tryit-conformance")).toHaveAttribute("data-state", "ok"));
    expect(screen.getByTestId("tryit-conformance")).toHaveTextContent("Matches the documented 201 schema");
  });

  it("sends on Ctrl+Enter, from the panel and from inside the body editor", async () => {
    const { fake } = await openTryIt();
    await choose("create_contact");
    await editorText("tryit-body");
    await fireEvent.keyDown(window, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(fake.sent).toHaveLength(1));
    await screen.findByTestId("tryit-response");

    await typeInEditor("tryit-body", '{"name": "Grace"}');
    const content = screen.getByTestId("tryit-body").querySelector(".cm-content") as HTMLElement;
    await fireEvent.keyDown(content, { key: "Enter", code: "Enter", ctrlKey: true });
    await waitFor(() => expect(fake.sent).toHaveLength(2));
    expect(fake.sent[1].request.body).toBe('{"name": "Grace"}');
    expect(await editorText("tryit-body")).toBe('{"name": "Grace"}');
  });
});
