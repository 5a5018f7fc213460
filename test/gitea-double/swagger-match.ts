/** Find the Swagger path template and operation a concrete request path belongs to. */
import type { SwaggerOperation, SwaggerParameter, SwaggerSpec } from "./swagger-types.ts";

export type MatchedOperation = {
  template: string;
  operation: SwaggerOperation;
  /** Path-level and operation-level parameters together. */
  parameters: SwaggerParameter[];
  pathParams: Record<string, string>;
};

export type PathMatch =
  | { kind: "operation"; match: MatchedOperation }
  | { kind: "method-not-declared"; template: string; methods: string[] }
  | { kind: "no-path" };

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch"];

/** Splits a raw URL path into decoded segments; null when a segment is not valid percent-encoding. */
export function pathSegments(path: string): string[] | null {
  try {
    return path.split("/").slice(1).map(decodeURIComponent);
  } catch {
    return null;
  }
}

/** A trailing `{filepath}` spans the rest of the path, as Gitea's `*` routes do. */
function matchTemplate(template: string, segments: string[]): Record<string, string> | null {
  const parts = template.split("/").slice(1);
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const param = /^\{(\w+)\}$/.exec(part)?.[1];
    const last = i === parts.length - 1;
    if (param === "filepath" && last && segments.length > i) {
      params[param] = segments.slice(i).join("/");
      return params;
    }
    const segment = segments[i];
    if (segment === undefined || segment === "") return null;
    if (param) params[param] = segment;
    else if (part !== segment) return null;
  }
  return parts.length === segments.length ? params : null;
}

/** The fewer `{param}` segments a template has, the more specific it is (literal beats param). */
const paramCount = (template: string) => (template.match(/\{/g) ?? []).length;

export function matchPath(spec: SwaggerSpec, method: string, apiPath: string): PathMatch {
  const segments = pathSegments(apiPath);
  if (!segments) return { kind: "no-path" };
  const candidates = Object.keys(spec.paths)
    .map((template) => ({ template, params: matchTemplate(template, segments) }))
    .filter((c): c is { template: string; params: Record<string, string> } => c.params !== null)
    .sort((a, b) => paramCount(a.template) - paramCount(b.template));
  if (candidates.length === 0) return { kind: "no-path" };
  const wanted = method.toLowerCase();
  for (const { template, params } of candidates) {
    const item = spec.paths[template];
    const operation = item?.[wanted];
    if (!item || !operation || Array.isArray(operation)) continue;
    const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])];
    return { kind: "operation", match: { template, operation, parameters, pathParams: params } };
  }
  const first = candidates[0];
  const declared = Object.keys(first ? (spec.paths[first.template] ?? {}) : {});
  return {
    kind: "method-not-declared",
    template: first?.template ?? apiPath,
    methods: declared.filter((m) => METHODS.includes(m)).map((m) => m.toUpperCase()),
  };
}
