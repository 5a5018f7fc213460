/**
 * What can be checked of a Go template (a swarm config with `template_driver: golang`, a `*.tmpl`
 * file, Traefik's dynamic configuration) without rendering it: every `{{` action is closed, and
 * every `if`, `range`, `with`, `define` and `block` has its `{{ end }}`. Docker renders these files
 * when it creates the config, so a broken action stops the deploy; what the template renders to
 * depends on the deployment's values and cannot be judged here.
 */
import { lineIndex } from "../shared/line-index.ts";

const OPENS = new Set(["if", "range", "with", "define", "block"]);
const MAX_PROBLEMS = 5;

/** Problems with a template's actions, one line each (at most five); empty when they balance. */
export function templateProblems(text: string): string[] {
  const problems: string[] = [];
  const open: { word: string; line: number }[] = [];
  const lineAt = lineIndex(text);
  let i = 0;
  while (problems.length < MAX_PROBLEMS) {
    const start = text.indexOf("{{", i);
    if (start === -1) break;
    const end = actionEnd(text, start + 2);
    const line = lineAt(start);
    if (end === -1) {
      problems.push(`the action opened with {{ on line ${line} is never closed with }}`);
      break;
    }
    const body = text
      .slice(start + 2, end)
      .replace(/^-\s/, "")
      .replace(/\s-$/, "")
      .trim();
    i = end + 2;
    if (body.startsWith("/*")) continue;
    const word = /^[a-z]+/.exec(body)?.[0] ?? "";
    if (OPENS.has(word)) open.push({ word, line });
    else if (word === "end") {
      if (!open.pop()) problems.push(`{{ end }} on line ${line} closes nothing`);
    } else if (word === "else") {
      const top = open.at(-1);
      if (!top || !["if", "range", "with"].includes(top.word)) {
        problems.push(`{{ else }} on line ${line} is outside an if, range or with`);
      }
    }
  }
  for (const { word, line } of open.slice(0, MAX_PROBLEMS - problems.length)) {
    problems.push(`{{ ${word} }} on line ${line} is never closed with {{ end }}`);
  }
  return problems;
}

/** Index of the `}}` that ends the action starting at `from`, skipping strings and comments. */
function actionEnd(text: string, from: number): number {
  let i = from;
  const comment = /^-?\s*\/\*/.exec(text.slice(from, from + 8));
  if (comment) {
    const close = text.indexOf("*/", from + comment[0].length);
    return close === -1 ? -1 : text.indexOf("}}", close + 2);
  }
  while (i < text.length) {
    const c = text[i];
    if (c === "}" && text[i + 1] === "}") return i;
    if (c === '"' || c === "'") {
      i += 1;
      while (i < text.length && text[i] !== c && text[i] !== "\n") i += text[i] === "\\" ? 2 : 1;
    } else if (c === "`") {
      const close = text.indexOf("`", i + 1);
      if (close === -1) return -1;
      i = close;
    }
    i += 1;
  }
  return -1;
}

/** Whether a text holds Go template actions at all. */
export function hasTemplateActions(text: string): boolean {
  return /\{\{-?\s*[^{}\s]/.test(text) && text.includes("}}");
}
