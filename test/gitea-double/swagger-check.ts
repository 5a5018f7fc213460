/**
 * Would Gitea accept this request? Checks a request against Gitea's Swagger document: the path and
 * method exist, the query only uses declared parameters with valid values, a JSON body fits its
 * definition, and a body comes with `Content-Type: application/json`. Returns the problems found.
 */
import { matchPath } from "./swagger-match.ts";
import { checkJson, checkString } from "./swagger-schema.ts";
import type { SwaggerParameter, SwaggerSpec } from "./swagger-types.ts";

export type { SwaggerSpec } from "./swagger-types.ts";

export type SwaggerRequest = {
  method: string;
  /** The URL path, with or without the spec's basePath (`/api/v1`), without the query string. */
  path: string;
  query?: URLSearchParams | Record<string, string | string[]>;
  headers?: Record<string, string | string[] | undefined>;
  /** The body as sent (a string), or an already-parsed JSON value; undefined or "" for none. */
  body?: unknown;
};

function queryEntries(query: SwaggerRequest["query"]): [string, string][] {
  if (!query) return [];
  if (query instanceof URLSearchParams) return [...query.entries()];
  return Object.entries(query).flatMap(([key, value]) =>
    (Array.isArray(value) ? value : [value]).map((v): [string, string] => [key, v]),
  );
}

function header(headers: SwaggerRequest["headers"], name: string): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1];
  return Array.isArray(value) ? value.join(", ") : value;
}

/** Query parameters every operation accepts: the spec's apiKey-in-query auth (token, sudo, ...). */
function securityQueryNames(spec: SwaggerSpec): string[] {
  return Object.values(spec.securityDefinitions ?? {})
    .filter((d) => d.type === "apiKey" && d.in === "query" && d.name)
    .map((d) => d.name ?? "");
}

function checkQuery(spec: SwaggerSpec, params: SwaggerParameter[], entries: [string, string][]) {
  const problems: string[] = [];
  const declared = new Map(params.filter((p) => p.in === "query").map((p) => [p.name, p]));
  const always = securityQueryNames(spec);
  for (const [key, value] of entries) {
    const param = declared.get(key);
    if (param) problems.push(...checkString(param, value, `query ${key}`));
    else if (!always.includes(key)) problems.push(`undeclared query parameter ${key}`);
  }
  for (const param of declared.values()) {
    if (param.required && !entries.some(([key]) => key === param.name)) {
      problems.push(`missing required query parameter ${param.name}`);
    }
  }
  return problems;
}

function checkBody(spec: SwaggerSpec, params: SwaggerParameter[], request: SwaggerRequest) {
  const bodyParam = params.find((p) => p.in === "body");
  const takesForm = params.some((p) => p.in === "formData");
  const sent = request.body !== undefined && request.body !== "";
  if (takesForm) return [];
  if (!bodyParam) return sent ? ["this operation takes no request body"] : [];
  const schema = bodyParam.schema ?? {};
  if (!sent) {
    // Gitea binds an empty body as the zero struct; its required fields then fail.
    const required = checkJson(spec, schema, {}, "body").filter((p) => p.includes("required"));
    return bodyParam.required ? ["missing required request body"] : required;
  }
  const problems: string[] = [];
  const type = header(request.headers, "content-type");
  const media = type?.split(";")[0]?.trim().toLowerCase();
  if (media !== "application/json") {
    problems.push(`body sent with Content-Type ${type ?? "(none)"}, not application/json`);
  }
  let value = request.body;
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      return [...problems, "body is not valid JSON"];
    }
  }
  return [...problems, ...checkJson(spec, schema, value, "body")];
}

export function checkAgainstSwagger(spec: SwaggerSpec, request: SwaggerRequest): string[] {
  const base = spec.basePath ?? "";
  const apiPath =
    base && request.path.startsWith(`${base}/`) ? request.path.slice(base.length) : request.path;
  const found = matchPath(spec, request.method, apiPath);
  if (found.kind === "no-path") return [`no such path in Gitea's API: ${apiPath}`];
  if (found.kind === "method-not-declared") {
    return [`${found.template} has no ${request.method} (declared: ${found.methods.join(", ")})`];
  }
  const { parameters, pathParams, template } = found.match;
  const problems: string[] = [];
  for (const param of parameters.filter((p) => p.in === "path")) {
    const value = pathParams[param.name];
    if (value === undefined) problems.push(`${template}: path parameter ${param.name} is missing`);
    else problems.push(...checkString(param, value, `path ${param.name}`));
  }
  problems.push(...checkQuery(spec, parameters, queryEntries(request.query)));
  problems.push(...checkBody(spec, parameters, request));
  return problems;
}
