/** A tiny method + path-template router over decoded path segments. */
import { pathSegments } from "./swagger-match.ts";

export type Route<H> = { method: string; pattern: string; handler: H };

export function route<H>(method: string, pattern: string, handler: H): Route<H> {
  return { method, pattern, handler };
}

export function findRoute<H>(
  routes: readonly Route<H>[],
  method: string,
  path: string,
): { handler: H; params: Record<string, string> } | null {
  const segments = pathSegments(path);
  if (!segments) return null;
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const parts = candidate.pattern.split("/").slice(1);
    // A trailing {filepath} spans the rest of the path, as Gitea's `*` routes do.
    const rest = parts.at(-1) === "{filepath}";
    if (rest ? segments.length < parts.length : parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = parts.every((part, i) => {
      const segment =
        rest && i === parts.length - 1 ? segments.slice(i).join("/") : (segments[i] ?? "");
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name) params[name] = segment;
      return name ? segment !== "" : part === segment;
    });
    if (ok) return { handler: candidate.handler, params };
  }
  return null;
}
