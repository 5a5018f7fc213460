/** Gitea's list paging: `page` (1-based) and `limit` (default 30, max 50), Link + X-Total-Count. */

export const DEFAULT_PAGING_NUM = 30;
export const MAX_RESPONSE_ITEMS = 50;

export type Paging = { page: number; limit: number };

function int(value: string | null): number {
  const n = value === null ? 0 : Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : 0;
}

export function readPaging(query: URLSearchParams): Paging {
  const page = Math.max(1, int(query.get("page")));
  const asked = int(query.get("limit"));
  const limit = asked <= 0 ? DEFAULT_PAGING_NUM : Math.min(asked, MAX_RESPONSE_ITEMS);
  return { page, limit };
}

export function pageOf<T>(items: readonly T[], paging: Paging): T[] {
  const start = (paging.page - 1) * paging.limit;
  return items.slice(start, start + paging.limit);
}

/**
 * `services/context/api.go` genAPILinks: next, last, first, prev (only those that apply), joined by
 * "," without a space; absolute URLs from ROOT_URL, the query re-encoded with sorted keys like Go.
 */
export function linkHeader(root: string, url: URL, total: number, paging: Paging): string | null {
  const pages = Math.max(1, Math.ceil(total / paging.limit));
  const current = Math.min(paging.page, pages);
  const link = (page: number, rel: string) => {
    const query = new URLSearchParams(url.searchParams);
    query.set("page", String(page));
    query.sort();
    return `<${root}${url.pathname}?${query}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (current < pages) links.push(link(current + 1, "next"), link(pages, "last"));
  if (current > 1) links.push(link(1, "first"), link(current - 1, "prev"));
  return links.length > 0 ? links.join(",") : null;
}

/** Headers for a paged list: X-Total-Count always, Link when there is more than one page. */
export function listHeaders(
  root: string,
  url: URL,
  total: number,
  paging: Paging | null,
): Record<string, string> {
  const headers: Record<string, string> = { "X-Total-Count": String(total) };
  const link = paging ? linkHeader(root, url, total, paging) : null;
  if (link) headers.Link = link;
  headers["Access-Control-Expose-Headers"] = link ? "X-Total-Count, Link" : "X-Total-Count";
  return headers;
}
