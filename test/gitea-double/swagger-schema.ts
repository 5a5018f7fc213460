/**
 * Loose checks of values against Swagger schemas: JSON bodies (types, unknown and required fields,
 * enums) and query/path strings (Go's parsers: strconv for numbers and booleans, RFC 3339 times).
 */
import type { SwaggerParameter, SwaggerSchema, SwaggerSpec } from "./swagger-types.ts";

const GO_BOOLEANS = [
  "1",
  "t",
  "T",
  "TRUE",
  "true",
  "True",
  "0",
  "f",
  "F",
  "FALSE",
  "false",
  "False",
];
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function resolve(spec: SwaggerSpec, schema: SwaggerSchema): SwaggerSchema | string {
  if (!schema.$ref) return schema;
  const name = /^#\/definitions\/(.+)$/.exec(schema.$ref)?.[1];
  const found = name ? spec.definitions?.[name] : undefined;
  return found ?? `unresolvable schema ${schema.$ref}`;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(expected: string, value: unknown): boolean {
  const actual = typeOf(value);
  return actual === expected || (expected === "number" && actual === "integer");
}

/** Go's `binding:"Required"` rejects the zero value, so `""`, 0 and false count as missing. */
const isZero = (value: unknown) =>
  value === undefined || value === null || value === "" || value === 0 || value === false;

export function checkJson(
  spec: SwaggerSpec,
  schemaOrRef: SwaggerSchema,
  value: unknown,
  at: string,
): string[] {
  const schema = resolve(spec, schemaOrRef);
  if (typeof schema === "string") return [`${at}: ${schema}`];
  // Go's decoder leaves a field alone on null: accepted, whatever the type.
  if (value === null) return [];
  const type = schema.type ?? (schema.properties ? "object" : undefined);
  if (type && !typeMatches(type, value)) return [`${at} must be ${type}, got ${typeOf(value)}`];
  if (schema.enum && !schema.enum.includes(value)) {
    return [`${at} ${JSON.stringify(value)} is not one of ${schema.enum.join(", ")}`];
  }
  if (Array.isArray(value)) {
    const items = schema.items;
    return items ? value.flatMap((v, i) => checkJson(spec, items, v, `${at}[${i}]`)) : [];
  }
  if (type === "object" && typeof value === "object") return checkObject(spec, schema, value, at);
  return [];
}

function checkObject(
  spec: SwaggerSpec,
  schema: SwaggerSchema,
  value: object,
  at: string,
): string[] {
  const problems: string[] = [];
  const properties = schema.properties ?? {};
  const extra = schema.additionalProperties;
  for (const [key, field] of Object.entries(value)) {
    const declared = properties[key];
    if (declared) problems.push(...checkJson(spec, declared, field, `${at}.${key}`));
    else if (typeof extra === "object")
      problems.push(...checkJson(spec, extra, field, `${at}.${key}`));
    else if (extra !== true && schema.properties) problems.push(`unknown field ${at}.${key}`);
  }
  for (const key of schema.required ?? []) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined) problems.push(`missing required field ${at}.${key}`);
    else if (isZero(field)) problems.push(`required field ${at}.${key} is empty`);
  }
  return problems;
}

/** One query or path value, as Gitea's form binding would parse it. */
export function checkString(param: SwaggerParameter, raw: string, at: string): string[] {
  const schema: SwaggerSchema = param.type === "array" ? (param.items ?? {}) : param;
  const values =
    param.type === "array" && param.collectionFormat !== "multi" ? raw.split(",") : [raw];
  return values.flatMap((value) => checkScalar(schema, value, at));
}

function checkScalar(schema: SwaggerSchema, value: string, at: string): string[] {
  if (schema.type === "integer" || schema.type === "number") {
    const pattern =
      schema.type === "integer" ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
    if (!pattern.test(value)) return [`${at}=${JSON.stringify(value)} is not ${schema.type}`];
    const n = Number(value);
    if (schema.minimum !== undefined && n < schema.minimum) {
      return [`${at}=${value} is below the minimum ${schema.minimum}`];
    }
    if (schema.maximum !== undefined && n > schema.maximum) {
      return [`${at}=${value} is above the maximum ${schema.maximum}`];
    }
  }
  if (schema.type === "boolean" && !GO_BOOLEANS.includes(value)) {
    return [`${at}=${JSON.stringify(value)} is not a boolean`];
  }
  if (schema.format === "date-time" && !RFC3339.test(value)) {
    return [`${at}=${JSON.stringify(value)} is not an RFC 3339 date-time`];
  }
  if (schema.enum && !schema.enum.map(String).includes(value)) {
    return [`${at}=${JSON.stringify(value)} is not one of ${schema.enum.join(", ")}`];
  }
  return [];
}
