/**
 * Secrets (the Gitea token, the webhook secret) must never reach a log line, a report, a status or
 * an error message. `createRedactor` returns a function that masks every known secret, plus any
 * credentials embedded in a URL, in a piece of text. It is applied at every boundary where text
 * produced by another program (git's stderr, an HTTP error body) leaves the process.
 */

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^/@\s:]+(?::[^/@\s]*)?@/gi;
const AUTH_HEADER = /(authorization:\s*(?:token|bearer|basic)\s+)\S+/gi;

export type Redact = (text: string) => string;

export function createRedactor(secrets: readonly (string | undefined)[]): Redact {
  // Longest first, so a secret that contains another is masked whole.
  const known = secrets
    .filter((s): s is string => typeof s === "string" && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join("***");
    return out.replace(URL_CREDENTIALS, "$1***@").replace(AUTH_HEADER, "$1***");
  };
}

/**
 * Text bound for Gitea or the dashboard: secrets redacted, and nothing that names this machine:
 * the data directory becomes `<data>`, a `file://` URL becomes `<local>`.
 */
export function createSanitizer(redact: Redact, dataDir: string): Redact {
  return (text) =>
    redact(text)
      .split(dataDir)
      .join("<data>")
      .replace(/file:\/\/\S+/g, "<local>");
}
