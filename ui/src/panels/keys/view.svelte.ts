// How the key list is filtered and sorted. The choices live in the panel, not in the table,
// so they survive a reload or an environment switch that remounts the table.

import type { KeyRow } from "../../lib/bindings/KeyRow";
import type { KeyStatus } from "../../lib/bindings/KeyStatus";

export type SortKey = "name" | "created" | "last_used" | "status";
export type StatusFilter = "all" | "active" | "expiring" | "inactive";

const STATUS_ORDER: Record<KeyStatus, number> = { active: 0, expiring: 1, expired: 2, revoked: 3 };
const SORT_DEFAULT_DIR: Record<SortKey, "asc" | "desc"> = {
  name: "asc",
  created: "desc",
  last_used: "desc",
  status: "asc",
};

function matches(row: KeyRow, text: string): boolean {
  if (text === "") return true;
  const key = row.key;
  return (
    key.name.toLowerCase().includes(text) ||
    key.id.toLowerCase().includes(text) ||
    key.scopes.some((scope) => scope.includes(text))
  );
}

function statusMatches(status: KeyStatus, filter: StatusFilter): boolean {
  if (filter === "all") return true;
  if (filter === "inactive") return status === "revoked" || status === "expired";
  return status === filter;
}

function time(value: string | null): number {
  if (value === null) return Number.NEGATIVE_INFINITY;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

function compare(a: KeyRow, b: KeyRow, key: SortKey): number {
  switch (key) {
    case "name":
      return a.key.name.localeCompare(b.key.name, undefined, { sensitivity: "base" });
    case "created":
      return time(a.key.created_at) - time(b.key.created_at);
    case "last_used": {
      const x = time(a.key.last_used_at);
      const y = time(b.key.last_used_at);
      return x === y ? 0 : x < y ? -1 : 1;
    }
    case "status":
      return STATUS_ORDER[a.key.status] - STATUS_ORDER[b.key.status];
  }
}

export class KeyView {
  query = $state("");
  statusFilter = $state<StatusFilter>("all");
  sortKey = $state<SortKey>("created");
  sortDir = $state<"asc" | "desc">("desc");

  visible(rows: KeyRow[]): KeyRow[] {
    const text = this.query.trim().toLowerCase();
    const sign = this.sortDir === "asc" ? 1 : -1;
    return rows
      .filter((row) => matches(row, text) && statusMatches(row.key.status, this.statusFilter))
      .sort((a, b) => sign * compare(a, b, this.sortKey) || a.key.name.localeCompare(b.key.name));
  }

  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === "asc" ? "desc" : "asc";
    else {
      this.sortKey = key;
      this.sortDir = SORT_DEFAULT_DIR[key];
    }
  }

  ariaSort(key: SortKey): "ascending" | "descending" | "none" {
    if (this.sortKey !== key) return "none";
    return this.sortDir === "asc" ? "ascending" : "descending";
  }

  arrow(key: SortKey): string {
    return this.sortKey === key ? (this.sortDir === "asc" ? "▲" : "▼") : "";
  }

  clear(): void {
    this.query = "";
    this.statusFilter = "all";
  }
}
