/**
 * Which compose files abra deploys from a recipe tree, and which it could: its deployments.
 *
 * - **The default deployment** is what the recipe CI deploys: the files `COMPOSE_FILE` names in
 *   the app's env (`.env.sample` read as godotenv reads it, so `"$COMPOSE_FILE:compose.smtp.yml"`
 *   chains onto the value set above it; an `export` in abra.sh wins), colon-separated, paths from
 *   the recipe root (subfolders allowed), merged in that order. With no `COMPOSE_FILE`, abra
 *   deploys `compose.yml`, and only that name (not `compose.yaml`, not `docker-compose.yml`).
 * - **Optional deployments** are what an operator can switch on: each commented
 *   `#COMPOSE_FILE=...` line of `.env.sample`, switched on in place; and each `compose.*.yml` at
 *   the root that no `COMPOSE_FILE` line names, on top of the default.
 *
 * Pure.
 */
import { resolveRepoPath } from "../shared/tree.ts";
import { createAppEnv } from "./app-env.ts";
import { commentedComposeFileLines, parseEnvFile, withLine } from "./env-file.ts";

export type DeploymentSpec = {
  /** Stable within a tree: "default", ".env.sample:7" (a commented line), "overlay:compose.x.yml". */
  id: string;
  /** The compose files, from the recipe root, in the order they are merged. */
  files: string[];
  optional: boolean;
  /** Where it comes from, in words. */
  origin: string;
  /** Why abra cannot use `COMPOSE_FILE` as written; empty when it can. */
  problems: string[];
};

export const DEFAULT_COMPOSE_FILE = "compose.yml";

/** `compose.smtp.yml`: a file that is, by its name, an overlay for compose.yml. */
export function isOverlayName(name: string): boolean {
  return /^compose\.[^/]+\.ya?ml$/i.test(name);
}

/** A spec's files as people read them: `compose.yml + compose.smtp.yml`. */
export function specLabel(spec: Pick<DeploymentSpec, "files">): string {
  return spec.files.join(" + ");
}

type Resolved = { files: string[]; problems: string[]; from: string | null };

/** abra's reading of COMPOSE_FILE: unset is compose.yml; otherwise split on ":". */
function composeFilesOf(value: string | undefined): Resolved {
  if (value === undefined) return { files: [DEFAULT_COMPOSE_FILE], problems: [], from: null };
  if (value === "") {
    return {
      files: [],
      problems: ["COMPOSE_FILE is set but empty: abra has no file to deploy"],
      from: null,
    };
  }
  const files: string[] = [];
  const problems: string[] = [];
  for (const name of value.split(":")) {
    const path = name === "" ? null : resolveRepoPath("", name);
    if (path === null) {
      problems.push(
        name === ""
          ? `COMPOSE_FILE ${JSON.stringify(value)} has an empty name between its colons`
          : `COMPOSE_FILE names ${JSON.stringify(name)}, which is outside the recipe`,
      );
    } else files.push(path);
  }
  return { files, problems, from: null };
}

export function deploymentSpecs(
  envSample: string | null,
  abraSh: string | null,
  rootNames: readonly string[],
): DeploymentSpec[] {
  const sample = envSample === null ? null : parseEnvFile(envSample);
  const env = createAppEnv(sample, abraSh);
  const set = env.get("COMPOSE_FILE");
  const resolved = composeFilesOf(set?.value);
  const origin =
    set === undefined
      ? `${DEFAULT_COMPOSE_FILE}, abra's default (.env.sample sets no COMPOSE_FILE)`
      : set.from === "abra.sh"
        ? "COMPOSE_FILE exported by abra.sh"
        : `COMPOSE_FILE on line ${sample?.lines.get("COMPOSE_FILE") ?? "?"} of .env.sample`;
  const defaults: DeploymentSpec = {
    id: "default",
    files: resolved.files,
    optional: false,
    origin,
    problems: [
      ...(sample?.error ? [`.env.sample line ${sample.error.line}: ${sample.error.message}`] : []),
      ...resolved.problems,
    ],
  };
  const specs: DeploymentSpec[] = [defaults];
  const named = new Set(defaults.files);
  const seen = new Set([defaults.files.join(":")]);
  if (envSample !== null && set?.from !== "abra.sh") {
    for (const { line, text } of commentedComposeFileLines(envSample)) {
      const switched = parseEnvFile(withLine(envSample, line, text));
      const value = createAppEnv(switched, abraSh).get("COMPOSE_FILE")?.value;
      const files = composeFilesOf(value);
      for (const f of files.files) named.add(f);
      const key = files.files.join(":");
      if (seen.has(key) && files.problems.length === 0 && !switched.error) continue;
      seen.add(key);
      specs.push({
        id: `.env.sample:${line}`,
        files: files.files,
        optional: true,
        origin: `COMPOSE_FILE on line ${line} of .env.sample, commented out`,
        problems: [
          ...(switched.error
            ? [
                `.env.sample line ${switched.error.line}, once switched on: ${switched.error.message}`,
              ]
            : []),
          ...files.problems,
        ],
      });
    }
  }
  for (const name of [...rootNames].filter(isOverlayName).sort()) {
    if (named.has(name)) continue;
    const files = [...defaults.files, name];
    const key = files.join(":");
    if (seen.has(key)) continue;
    seen.add(key);
    specs.push({
      id: `overlay:${name}`,
      files,
      optional: true,
      origin: `${name}, which no COMPOSE_FILE line names`,
      problems: [],
    });
  }
  return specs;
}
