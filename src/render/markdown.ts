/**
 * Text from a repository (a file name, a line, a branch name, a fixture's `expect`) made inert in
 * Gitea markdown: it cannot become HTML, a link, a mention or an issue reference, nor end the code
 * span, table cell or line it is put in. Gitea renders comments with goldmark plus its own linkify
 * (`scheme://…`, `www.…`, `user@host`), then links @mentions, #123 and URLs in the HTML text; it
 * leaves code spans and code blocks alone, but a code span here breaks @ and URLs anyway. Pure.
 */

/** Zero-width joiner: breaks a URL or `www.` for linkify, without a visible mark or a line break. */
const ZWJ = "\u200d";
/** Zero-width space after an @: no mention, no email address (as GitHub and Gitea users do it). */
const ZWSP = "\u200b";

/**
 * One visible line: a line break inside a value (a file name may hold one) would end a table row,
 * a list item or a code span and let the rest be read as markdown; control characters are shown.
 */
export function oneLine(text: string): string {
  return (
    text
      .replace(/\r/g, "␍")
      .replace(/[\n\u2028\u2029]/g, "␤")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "�")
  );
}

/** No autolink (`https://…`, `www.…`), no @mention or email address. */
function unlink(text: string): string {
  return text
    .replace(/:\/\//g, `://${ZWJ}`)
    .replace(/(www)\./gi, `$1${ZWJ}.`)
    .replace(/@/g, `@${ZWSP}`);
}

/** Escape text for markdown prose: no HTML, no links or emphasis, no @mentions, no `#123`. */
export function escapeMarkdown(text: string): string {
  return unlink(
    oneLine(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/([\\`*_[\]|#!~])/g, "\\$1"),
  ).replace(/([#!])(?=\d)/g, `$1${ZWJ}`);
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return longest;
}

/**
 * Text as an inline code span: the backtick fence is longer than any run of backticks inside, so
 * nothing in it closes the span early; a space pads it where its first or last character would
 * otherwise join the fence (or lose a space); a line break is shown as ␤; and an @ or a URL is
 * broken, so the text reads the same and no renderer makes it a mention or a link. Backslashes
 * and HTML are inert in a code span. In a table cell, wrap it in `inTableCell`.
 */
export function codeSpan(text: string): string {
  const inner = unlink(oneLine(text));
  const fence = "`".repeat(longestBacktickRun(inner) + 1);
  // CommonMark strips one space from each end when both are spaces (and the text is not all spaces).
  const pad = inner === "" || (/^[` ]|[` ]$/.test(inner) && /[^ ]/.test(inner)) ? " " : "";
  return `${fence}${pad}${inner}${pad}${fence}`;
}

/** GFM splits a table row at every `|`, code spans included: in a cell, `|` is shown as `¦`. */
export function inTableCell(markdown: string): string {
  return markdown.replace(/\|/g, "¦");
}

/**
 * A fenced code block whose fence is longer than any backtick run inside (so no line closes it),
 * each line kept on one line. Gitea shows its content as it is: no links, mentions or HTML.
 */
export function codeBlock(lines: readonly string[], info = ""): string[] {
  const shown = lines.map(oneLine);
  const fence = "`".repeat(Math.max(3, longestBacktickRun(shown.join("\n")) + 1));
  return [`${fence}${info}`, ...shown, fence];
}
