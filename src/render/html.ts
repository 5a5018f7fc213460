/**
 * HTML with escaping by default: every value put into `h\`...\`` is escaped unless it is itself
 * markup made by `h` (hono/html's `html`, which joins arrays of markup too). A page is built from
 * such pieces, never by concatenating strings, so no value can reach a page unescaped.
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Html = HtmlEscapedString;

/** `html` for values known to be synchronous (hono's type allows a Promise for async children). */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const out = html(strings, ...values);
  if (out instanceof Promise) throw new Error("render-html: an asynchronous value in a page");
  return out;
}

/** Markup pieces with `separator` between them, as one piece. */
export function joined(parts: readonly unknown[], separator: Html = h``): Html {
  return parts.reduce<Html>(
    (acc, part, i) => (i === 0 ? h`${part}` : h`${acc}${separator}${part}`),
    h``,
  );
}

export const NEWLINE = h`
`;
