/**
 * Secrets (the Gitea token, the webhook secret) must never reach a log line, a report, a status or
 * an error message. `createRedactor` returns a function that masks every known secret, plus the
 * secrets whose form it recognises wherever they come from (credentials in a URL, the value of an
 * `Authorization`-like header or of a `?token=` parameter), in a piece of text. It is applied at
 * every boundary where text produced by another program (git's stderr, an HTTP error body, a line
 * of a repository) leaves the process. A mask replaces only the secret, so a line keeps its shape.
 */

const MASK = "***";

/** Where a URL's authority (or a header value) ends: whitespace, a path, quotes, markup. */
const STOP = "\\s/?#\"'<>`";

/**
 * A URL scheme. Bounded: an unbounded `[a-z0-9]*` before `://` takes quadratic time on a long line
 * of letters (a minified file), and every changed line goes through here.
 */
const SCHEME = "[a-z][a-z0-9+.-]{0,31}://";

/** `scheme://user:password@host`: everything before the last `@` of the authority. */
const URL_CREDENTIALS = new RegExp(`(${SCHEME})[^${STOP}]+@`, "gi");

/**
 * `Authorization: token X`, `"Authorization": "Bearer X"`, `X-Gitea-Token: X`, `PRIVATE-TOKEN=X`:
 * the header's name, its separator and scheme stay, its value goes.
 */
const HEADER_VALUE =
  /\b((?:proxy-)?authorization|x-gitea-token|x-gogs-token|private-token|x-api-key|x-auth-token)(["']?\s*[:=]\s*["']?)((?:token|bearer|basic|digest)\s+)?[^\s"'`,;()[\]{}<>]+/gi;

/** `Bearer X` or `Basic X` outside a header line, when X looks like a credential. */
const SCHEME_VALUE = /\b(bearer|basic)(\s+)([A-Za-z0-9._~+/-]+=*)/gi;

/** Gitea (and GitLab) accept a token as a query parameter. */
const QUERY_TOKEN = /([?&](?:access_token|token|private_token)=)[^&?\s#"'`()[\]{}<>]+/gi;

/** A text cut short by a cap (`...` or `…`) may end inside a URL's credentials. */
const CLIPPED_AUTHORITY = new RegExp(`(${SCHEME})[^${STOP}@]*(\\.\\.\\.|…)$`, "i");
const CLIP = /(\.\.\.|…)$/;

export type Redact = (text: string) => string;

/** A credential, not a word: `Basic Auth` and `bearer token` stay, `Basic dXNlcjpwYXNz` goes. */
const looksLikeCredential = (value: string) => value.length >= 8 && !/^[A-Za-z][a-z]*$/.test(value);

export function createRedactor(secrets: readonly (string | undefined)[]): Redact {
  // Longest first, so a secret that contains another is masked whole.
  const known = secrets
    .filter((s): s is string => typeof s === "string" && s.length >= 4)
    .sort((a, b) => b.length - a.length);
  // A cap (`...`, `…`) may have cut a secret short, where its whole form no longer matches.
  const maskClipped = (text: string): string => {
    const clip = CLIP.exec(text);
    if (!clip) return text;
    let before = text.slice(0, clip.index);
    search: for (const secret of known) {
      for (let k = secret.length - 1; k >= 4; k--) {
        if (before.endsWith(secret.slice(0, k))) {
          before = `${before.slice(0, -k)}${MASK}`;
          break search;
        }
      }
    }
    return `${before}${clip[0]}`.replace(CLIPPED_AUTHORITY, `$1${MASK}$2`);
  };
  return (text) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join(MASK);
    out = out
      .replace(URL_CREDENTIALS, `$1${MASK}@`)
      .replace(
        HEADER_VALUE,
        (_, name, separator, scheme) => `${name}${separator}${scheme ?? ""}${MASK}`,
      )
      .replace(SCHEME_VALUE, (all, scheme, space, value) =>
        looksLikeCredential(value) ? `${scheme}${space}${MASK}` : all,
      )
      .replace(QUERY_TOKEN, `$1${MASK}`);
    return maskClipped(out);
  };
}

/** A sanitizer, and the redactor it starts with (`secrets`) for text from a repository. */
export type Sanitizer = Redact & { readonly secrets: Redact };

/**
 * Text bound for Gitea or the dashboard: secrets redacted, and nothing that names this machine:
 * the data directory becomes `<data>`, a `file://` URL becomes `<local>`. That second step is for
 * what git or the bot wrote (an error); text from a repository goes through `secrets` alone, since
 * there `/data` (the data directory in the container) is a path of the recipe, not of this machine.
 */
export function createSanitizer(redact: Redact, dataDir: string): Sanitizer {
  // The directory as a whole path, not inside a name (`/data` in `o/database` stays).
  const local =
    dataDir.length > 1
      ? new RegExp(
          `(?<![\\w.~-])${dataDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w.~-])`,
          "g",
        )
      : null;
  const sanitize = (text: string) => {
    const out = redact(text);
    return (local ? out.replace(local, "<data>") : out).replace(/file:\/\/\S+/g, "<local>");
  };
  return Object.assign(sanitize, { secrets: redact });
}

/** The redactor for text from a repository: a sanitizer's `secrets`, or the function itself. */
export function secretsOf(clean: Redact | Sanitizer): Redact {
  return "secrets" in clean ? clean.secrets : clean;
}
