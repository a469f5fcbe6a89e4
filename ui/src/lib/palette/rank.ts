// The command palette's ranking, kept pure so it is tested on its own.
//
// A support engineer pastes ids, so an item whose id equals the query comes first whatever
// its title; then items whose title or id starts with the query; then fuzzy matches, where
// every word of the query must appear in order (not necessarily together) in the item's
// text, scored by how tightly and at which word starts it appears. Equal scores keep the
// order the items were given in (panels in sidebar order, then the rest), so the list
// never reshuffles while the user types.

export interface Rankable {
  /** What the row shows first; prefix and fuzzy matches are scored on it most. */
  title: string;
  /** A second line (path, URL, status); fuzzy matches here count for less. */
  detail?: string;
  /** Ids that an exact (case-insensitive) paste should find: key id, request id, event id. */
  ids?: readonly string[];
  /** Other words that should find the item (a panel's summary, an operation's tag). */
  keywords?: readonly string[];
}

/** Exact id match, prefix match, fuzzy match: the order results are listed in. */
export const TIER = { exact: 0, prefix: 1, fuzzy: 2 } as const;
export type Tier = (typeof TIER)[keyof typeof TIER];

export interface Ranked<T> {
  item: T;
  tier: Tier;
  score: number;
}

const WORD_START = /[\s/_\-.:{}()#·,]/;

/**
 * How well `needle` (lowercase, no spaces) matches `text` (lowercase) as a subsequence,
 * or null when it does not. A contiguous substring scores best, more so at a word start.
 */
export function fuzzyScore(text: string, needle: string): number | null {
  if (needle === "") return 0;
  const at = text.indexOf(needle);
  if (at >= 0) {
    const start = at === 0 || WORD_START.test(text[at - 1]) ? 4 : 0;
    return 10 + needle.length * 3 + start;
  }
  let score = 0;
  let from = 0;
  let previous = -2;
  for (const ch of needle) {
    const found = text.indexOf(ch, from);
    if (found < 0) return null;
    score += 1;
    if (found === previous + 1) score += 2;
    if (found === 0 || WORD_START.test(text[found - 1])) score += 1.5;
    score -= Math.min(found - from, 8) * 0.1;
    previous = found;
    from = found + 1;
  }
  return score;
}

function rankOne<T extends Rankable>(item: T, query: string, words: string[]): Ranked<T> | null {
  const ids = (item.ids ?? []).map((id) => id.toLowerCase());
  const title = item.title.toLowerCase();
  if (ids.includes(query)) return { item, tier: TIER.exact, score: 0 };
  if (title.startsWith(query) || ids.some((id) => id.startsWith(query))) {
    // Shorter titles are closer to what was typed.
    return { item, tier: TIER.prefix, score: -title.length };
  }
  const rest = [item.detail ?? "", ...ids, ...(item.keywords ?? [])].join(" ").toLowerCase();
  let total = 0;
  for (const word of words) {
    const inTitle = fuzzyScore(title, word);
    const inRest = fuzzyScore(rest, word);
    if (inTitle === null && inRest === null) return null;
    total += Math.max(inTitle === null ? -Infinity : inTitle * 2, inRest ?? -Infinity);
  }
  return { item, tier: TIER.fuzzy, score: total };
}

/**
 * The items matching `query`, best first: exact id, then prefix, then fuzzy; ties keep
 * the given order. An empty query returns every item in the given order.
 */
export function rank<T extends Rankable>(items: readonly T[], query: string): Ranked<T>[] {
  const q = query.trim().toLowerCase();
  if (q === "") return items.map((item) => ({ item, tier: TIER.fuzzy, score: 0 }));
  const words = q.split(/\s+/);
  const ranked: { r: Ranked<T>; index: number }[] = [];
  items.forEach((item, index) => {
    const r = rankOne(item, q, words);
    if (r !== null) ranked.push({ r, index });
  });
  ranked.sort((a, b) => a.r.tier - b.r.tier || b.r.score - a.r.score || a.index - b.index);
  return ranked.map(({ r }) => r);
}

/** Whether the text is an id worth looking up across the console's sources. */
export function looksLikeId(text: string): boolean {
  return /^(req|evt)_[A-Za-z0-9_-]{4,}$/.test(text.trim());
}
