/**
 * The JSON Schema of fixtures.yaml, generated from the zod schema the parser uses (so the two
 * cannot drift: test/config/schema.test.ts also holds the shipped file to this), for editors: a
 * manifest that starts with `# yaml-language-server: $schema=<SCHEMA_URL>` is completed and
 * checked as it is typed. The parser checks more than a schema can say (names unique, patterns
 * that compile, a base with a change or a tier); the schema never refuses what the parser takes.
 */
import { z } from "zod";
import { ManifestInput } from "./manifest.ts";

/** Where the schema is published: the file in this repository, as Gitea serves it raw. */
export const SCHEMA_URL =
  "https://git.coopcloud.tech/coop-cloud/fixture-bot/raw/branch/main/schema/fixtures.schema.json";

/** The comment line that points editors (the YAML language server) at the schema. */
export const SCHEMA_LINE = `# yaml-language-server: $schema=${SCHEMA_URL}`;

export function manifestJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(ManifestInput, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: SCHEMA_URL,
    title: "fixture-bot fixtures.yaml",
    description:
      "The regression-canary fixtures fixture-bot verifies: each a commit pinned on a fixture branch of a recipe repository. See docs/manifest.md.",
    ...rest,
  };
}
