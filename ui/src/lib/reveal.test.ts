import { afterEach, describe, expect, it } from "vitest";
import { revealError } from "./reveal";

const original = Element.prototype.scrollIntoView;

afterEach(() => {
  document.body.innerHTML = "";
  Element.prototype.scrollIntoView = original;
});

function scrolled(): Element[] {
  const seen: Element[] = [];
  // jsdom lays nothing out and has no scrollIntoView; record which element asked.
  Element.prototype.scrollIntoView = function (this: Element) {
    seen.push(this);
  };
  return seen;
}

describe("revealError", () => {
  it("brings the first marked field into view and focuses its control", () => {
    const seen = scrolled();
    document.body.innerHTML = `
      <form>
        <div class="field" id="ok"><input id="a" /></div>
        <div class="field" id="bad"><input id="b" aria-invalid="true" /><p class="field-error">Wrong.</p></div>
        <div class="field" id="later"><input id="c" aria-invalid="true" /></div>
      </form>`;
    expect(revealError(document.body)).toBe(true);
    expect(seen.map((e) => e.id)).toEqual(["bad"]);
    expect(document.activeElement?.id).toBe("b");
  });

  it("falls back to a field error without a marked control, then to the failure notice", () => {
    const seen = scrolled();
    document.body.innerHTML = `<fieldset id="scopes"><p class="field-error">Choose one.</p></fieldset><div data-error-code="conflict" id="notice"></div>`;
    expect(revealError(document.body)).toBe(true);
    expect(seen.map((e) => e.id)).toEqual(["scopes"]);

    document.body.innerHTML = `<div class="field"><input /></div><div role="alert" data-error-code="conflict" id="notice"></div>`;
    expect(revealError(document.body)).toBe(true);
    expect(seen.map((e) => e.id)).toEqual(["scopes", "notice"]);
  });

  it("does nothing when there is no error", () => {
    const seen = scrolled();
    document.body.innerHTML = `<div class="field"><input aria-invalid="false" /></div>`;
    expect(revealError(document.body)).toBe(false);
    expect(seen).toEqual([]);
  });
});
