/**
 * The one redaction step for a result (issue 8, item 6): every secret form the bot knows is masked
 * wherever a repository can put it (a diff line, a file path, a check message or detail, the
 * fixture's free text), and a diff line keeps its shape so the diff stays readable.
 */
import { describe, expect, it } from "vitest";
import { createRedactor, createSanitizer } from "../../src/shared/redact.ts";
import { type FixtureResult, sanitizeResult } from "../../src/shared/result.ts";

const TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
const WEBHOOK_SECRET = "whsec-7d41c2b9e05a8f36";
const clean = createSanitizer(createRedactor([TOKEN, WEBHOOK_SECRET]), "/data");

/** A result whose repository put `text` in every place a repository can. */
function resultWith(text: string): FixtureResult {
  return {
    name: "bad-backup",
    repo: "recipe-maintainers/custom-html",
    branch: "regression-bad-backup",
    sha: "a".repeat(40),
    base: "main",
    expect: `red at backup (${text})`,
    resolvedSha: "a".repeat(40),
    mergeBase: "b".repeat(40),
    verdict: "fail",
    error: null,
    checks: [
      {
        id: "lines",
        status: "fail",
        message: `compose.yml: 1 of 1 changed line matches no pattern: ${text}`,
        details: [`compose.yml: added:   ${text}`],
      },
    ],
    files: [
      {
        path: `docs/${text} (copy).md`,
        oldPath: `old/${text} (copy).md`,
        status: "renamed",
        added: 1,
        removed: 1,
        binary: false,
        hunks: [
          {
            oldStart: 1,
            oldLines: 2,
            newStart: 1,
            newLines: 2,
            lines: [` ${text}`, `-\t${text}`, `+    ${text}`],
          },
        ],
      },
    ],
  };
}

// [form, text as committed, the secret part, text as shown]
const FORMS: [string, string, string, string][] = [
  [
    "URL credentials",
    "url: https://deploy:hunter2-hunter2@git.example.org/o/r.git",
    "hunter2-hunter2",
    "url: https://***@git.example.org/o/r.git",
  ],
  [
    "URL credentials with an @ in the password",
    "git clone https://deploy:p@ss-w0rd-9@git.example.org/o/r",
    "ss-w0rd-9",
    "git clone https://***@git.example.org/o/r",
  ],
  [
    "Authorization: token",
    "Authorization: token 5e6f7a8b9c0d1e2f",
    "5e6f7a8b9c0d1e2f",
    "Authorization: token ***",
  ],
  [
    "Authorization: Bearer, quoted (JSON)",
    '"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig"',
    "eyJhbGciOiJIUzI1NiJ9",
    '"Authorization": "Bearer ***"',
  ],
  [
    "Bearer outside a header",
    "curl -H 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' https://api.example.org",
    "eyJhbGciOiJIUzI1NiJ9",
    "curl -H 'Bearer ***' https://api.example.org",
  ],
  [
    "Basic",
    "proxy_set_header X-Upstream Basic dXNlcjpwYXNzd29yZA==;",
    "dXNlcjpwYXNzd29yZA",
    "proxy_set_header X-Upstream Basic ***;",
  ],
  ["X-Gitea-Token", "X-Gitea-Token: 9a8b7c6d5e4f3a2b", "9a8b7c6d5e4f3a2b", "X-Gitea-Token: ***"],
  ["PRIVATE-TOKEN", "PRIVATE-TOKEN=glpat-Zx81mQ0pLk", "glpat-Zx81mQ0pLk", "PRIVATE-TOKEN=***"],
  [
    "a token in the query",
    "wget https://git.example.org/api/v1/repos/o/r?token=c0ffee1234abcd&page=2",
    "c0ffee1234abcd",
    "wget https://git.example.org/api/v1/repos/o/r?token=***&page=2",
  ],
  ["the bot's own token", `GITEA_TOKEN=${TOKEN}`, TOKEN, "GITEA_TOKEN=***"],
  [
    "the webhook secret",
    `webhook_secret: "${WEBHOOK_SECRET}"`,
    WEBHOOK_SECRET,
    'webhook_secret: "***"',
  ],
];

describe("sanitizeResult", () => {
  it.each(FORMS)(
    "masks %s in diff lines, paths, messages and details",
    (_, text, secret, shown) => {
      const out = sanitizeResult(resultWith(text), clean);
      expect(JSON.stringify(out)).not.toContain(secret);
      // Each diff line keeps its prefix and its indentation; only the secret is gone.
      expect(out.files[0]?.hunks?.[0]?.lines).toEqual([
        ` ${shown}`,
        `-\t${shown}`,
        `+    ${shown}`,
      ]);
      expect(out.files[0]?.path).toBe(`docs/${shown} (copy).md`);
      expect(out.files[0]?.oldPath).toBe(`old/${shown} (copy).md`);
      expect(out.checks[0]?.details).toEqual([`compose.yml: added:   ${shown}`]);
      expect(out.expect).toBe(`red at backup (${shown})`);
    },
  );

  it("masks the bot's own token in every field a repository or git can fill", () => {
    const raw = resultWith(`x${TOKEN}x`);
    const out = sanitizeResult(
      { ...raw, branch: `fix-${TOKEN}`, error: `git fetch: https://bot:${TOKEN}@git.example.org` },
      clean,
    );
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    expect(out.branch).toBe("fix-***");
    expect(out.error).toBe("git fetch: https://***@git.example.org");
  });

  it("masks a secret a cap cut short (a detail is clipped before it is redacted)", () => {
    const raw = resultWith("x");
    const details = [
      `compose.yml: added: GITEA_TOKEN=${TOKEN.slice(0, 20)}...`,
      "compose.yml: added: url: https://deploy:hunter2-hun...",
    ];
    const out = sanitizeResult(
      { ...raw, checks: [{ id: "lines", status: "fail", message: "m", details }] },
      clean,
    );
    expect(out.checks[0]?.details).toEqual([
      "compose.yml: added: GITEA_TOKEN=***...",
      "compose.yml: added: url: https://***...",
    ]);
  });

  it("leaves this machine's paths to the error: /data in a recipe is the recipe's", () => {
    const raw = resultWith("- postgres:/var/lib/postgresql/data");
    const out = sanitizeResult(
      { ...raw, error: "could not fetch o/database: git: /data/mirrors/o/database.git is locked" },
      clean,
    );
    expect(out.checks[0]?.details).toEqual([
      "compose.yml: added:   - postgres:/var/lib/postgresql/data",
    ]);
    expect(out.files[0]?.hunks?.[0]?.lines[2]).toBe("+    - postgres:/var/lib/postgresql/data");
    expect(out.error).toBe(
      "could not fetch o/database: git: <data>/mirrors/o/database.git is locked",
    );
  });
});

describe("createRedactor", () => {
  const redact = createRedactor([TOKEN]);

  it("masks a credential after Bearer or Basic, not a word, and is idempotent", () => {
    expect(redact("Basic dXNlcjpwYXNzd29yZA== and Bearer abc123def456")).toBe(
      "Basic *** and Bearer ***",
    );
    // Words stay: a comment about auth is not a secret.
    expect(redact("# Basic Auth for the bearer token")).toBe("# Basic Auth for the bearer token");
    for (const [, text] of FORMS) expect(redact(redact(text))).toBe(redact(text));
  });

  it("takes linear time on a long line (every changed line goes through it)", () => {
    const minified = `${"a".repeat(100_000)} https://u:p@h`;
    const started = performance.now();
    expect(redact(minified)).toBe(`${"a".repeat(100_000)} https://***@h`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
