/**
 * yaml-cache.ts: a text is parsed once per process, whoever asks (the same frozen parse comes
 * back), the value can be read by every fixture but changed by none, and the cache holds at most
 * 16 MiB of text, dropping the oldest first. The parses themselves are the `yaml` library's (see
 * yaml-doc.table.test.ts): a text of several documents is a list unless one document is asked for.
 */
import { describe, expect, it } from "vitest";
import { createYamlCache } from "../../src/recipe/yaml-cache.ts";
import type { ParsedYaml } from "../../src/recipe/yaml-doc.ts";
import type { Side } from "../../src/shared/tree.ts";

const text = (t: string): Side => ({ state: "text", text: t, invalidUtf8At: null });
/** The bound the module documents: 16 MiB of text. */
const MAX = 16 * 1024 * 1024;
/** A comment-only YAML text of exactly `n` characters (parses fast, to no document). */
const filler = (n: number, tag: string) => `#${tag}${"x".repeat(n - tag.length - 2)}\n`;

describe("createYamlCache: what a reader gets", () => {
  it.each<[string, Side, { oneDocument?: boolean } | undefined, ParsedYaml | null]>([
    // Several documents are a list (Drone's .drone.yml) unless the reader asks for one.
    [
      "several documents, by default",
      text("a: 1\n---\nb: 2\n"),
      undefined,
      { ok: true, value: [{ a: 1 }, { b: 2 }], documents: 2 },
    ],
    [
      "several documents, one asked for",
      text("a: 1\n---\nb: 2\n"),
      { oneDocument: true },
      {
        ok: false,
        error: "it holds 2 documents (separated by ---), and a compose file must be one",
        line: null,
        errors: 1,
      },
    ],
    ["a side that is not text", { state: "binary" }, undefined, null],
  ])("%s", (_name, side, options, expected) =>
    expect(createYamlCache()(side, options)).toEqual(expected),
  );
});

describe("createYamlCache: one parse per text, per process", () => {
  it("gives every reader, of every cache, the same parse of the same text", () => {
    const first = createYamlCache()(text("shared: once\n"));
    const second = createYamlCache()(text("shared: once\n"));
    expect(second).toBe(first);
  });

  it("freezes the value all the way down, so no reader can change what another sees", () => {
    const parsed = createYamlCache()(text("a:\n  b: [1, {c: null, d: x}]\n  e: {}\nf: text\n"));
    const unfrozen: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (value === null || typeof value !== "object") return;
      if (!Object.isFrozen(value)) unfrozen.push(path);
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    };
    walk(parsed, "");
    expect(unfrozen).toEqual([]);
    expect(parsed).toEqual({
      ok: true,
      value: { a: { b: [1, { c: null, d: "x" }], e: {} }, f: "text" },
      documents: 1,
    });
  });

  it("freezes a value that holds itself (an alias to its own anchor) once, and stops", () => {
    // yaml's toJS resolves `&x [*x]` to a list that contains itself.
    const parsed = createYamlCache()(text("a: &x [*x]\n"));
    const a = parsed?.ok ? (parsed.value as { a: unknown[] }).a : null;
    expect([a?.[0] === a, Object.isFrozen(a), a?.length]).toEqual([true, true, 1]);
  });

  it("holds at most 16 MiB of text: at the bound nothing goes, past it the oldest", () => {
    const yaml = createYamlCache();
    yaml(text(filler(MAX, "F"))); // whatever earlier tests left goes; F alone fills the cache
    const A = "evict: a\n";
    const pA = yaml(text(A)); // F goes
    const B = filler(MAX - A.length, "B");
    const pB = yaml(text(B)); // exactly the bound
    const atBound = yaml(text(A)) === pA;
    const C = "evict: c\n";
    const pC = yaml(text(C)); // past the bound: A, the oldest, goes
    expect([atBound, yaml(text(B)) === pB, yaml(text(C)) === pC, yaml(text(A)) === pA]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });
});
