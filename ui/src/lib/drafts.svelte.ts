// A form dialog closed half-filled (Escape, a click on the backdrop, Cancel, the environment
// switching under it) keeps what was typed as a draft, and the same form opened again starts
// from it; only "Discard draft" or a successful submit forgets it. Drafts live in this
// process's memory and nowhere else, so nothing typed reaches the disk, and a field holding
// a secret is left out of the draft altogether. They are kept per environment (and per
// connection), so a Production draft never appears in a Sandbox form or the other way round.

import type { InspectorScope } from "./backend";

/** Where a draft belongs: a BotBat environment, or a connection (`connection:<id>`). */
export type DraftPlace = InspectorScope;

type Fields = Record<string, unknown>;

/** Every draft of this run, by environment and form. */
export class DraftStore {
  #entries = new Map<string, string>();

  #key(place: DraftPlace, form: string): string {
    return `${place}\u0000${form}`;
  }

  /** The kept fields of `form` in `place`, or null when there is no draft. */
  get<T extends Fields>(place: DraftPlace, form: string): Partial<T> | null {
    const kept = this.#entries.get(this.#key(place, form));
    return kept === undefined ? null : (JSON.parse(kept) as Partial<T>);
  }

  /**
   * Keeps `fields` as the draft, without the `secret` ones. Fields equal to `blank` are no
   * draft: the entry is removed instead, so an untouched form leaves nothing behind.
   */
  keep<T extends Fields>(place: DraftPlace, form: string, fields: T, blank: T, secret: readonly (keyof T)[] = []): void {
    const kept = withoutSecrets(fields, secret);
    const encoded = JSON.stringify(kept);
    if (encoded === JSON.stringify(withoutSecrets(blank, secret))) this.discard(place, form);
    else this.#entries.set(this.#key(place, form), encoded);
  }

  discard(place: DraftPlace, form: string): void {
    this.#entries.delete(this.#key(place, form));
  }

  /** Forgets every draft (tests start from none). */
  clear(): void {
    this.#entries.clear();
  }
}

function withoutSecrets<T extends Fields>(fields: T, secret: readonly (keyof T)[]): Partial<T> {
  const kept: Partial<T> = {};
  for (const [name, value] of Object.entries(fields) as [keyof T, T[keyof T]][]) {
    if (!secret.includes(name)) kept[name] = $state.snapshot(value) as T[keyof T];
  }
  return kept;
}

export const drafts = new DraftStore();

/** What a dialog needs of a form's draft to keep it and to offer its discard. */
export interface DraftControl {
  readonly restored: boolean;
  readonly dirty: boolean;
  keep(): void;
  discard(): void;
}

/**
 * One open form's fields, started from its draft when there is one. The dialog binds its
 * inputs to `fields`; FormDialog keeps them when the dialog goes away and offers the
 * discard. A successful submit calls `complete` so the finished form leaves no draft.
 */
export class FormDraft<T extends Fields> implements DraftControl {
  fields = $state<T>() as T;
  /** Whether the form opened from a draft and still shows one. */
  restored = $state(false);
  #done = false;
  readonly #place: DraftPlace;
  readonly #form: string;
  readonly #blank: T;
  readonly #secret: readonly (keyof T)[];
  readonly #store: DraftStore;

  constructor(
    place: DraftPlace,
    form: string,
    blank: T,
    options: { secret?: readonly (keyof T)[]; store?: DraftStore } = {},
  ) {
    this.#place = place;
    this.#form = form;
    this.#blank = structuredClone(blank);
    this.#secret = options.secret ?? [];
    this.#store = options.store ?? drafts;
    const kept = this.#store.get<T>(place, form);
    this.fields = { ...structuredClone(blank), ...(kept ?? {}) };
    this.restored = kept !== null;
  }

  /** Whether anything differs from the blank form, i.e. whether closing would keep a draft. */
  get dirty(): boolean {
    return JSON.stringify(withoutSecrets(this.fields, this.#secret)) !== JSON.stringify(withoutSecrets(this.#blank, this.#secret));
  }

  /** Keeps the fields as this form's draft (nothing once the form was submitted). */
  keep(): void {
    if (this.#done) return;
    this.#store.keep(this.#place, this.#form, $state.snapshot(this.fields) as T, this.#blank, this.#secret);
  }

  /** Forgets the draft and puts the blank form back. */
  discard(): void {
    this.#store.discard(this.#place, this.#form);
    this.fields = structuredClone(this.#blank);
    this.restored = false;
  }

  /** The form did its work: no draft is kept of it. */
  complete(): void {
    this.#done = true;
    this.#store.discard(this.#place, this.#form);
  }
}
