/**
 * How docker/cli splits a `command` or `entrypoint` written as one string (loader.go's
 * transformShellCommand calls google/shlex's Split). Used by the merge (an empty command keeps
 * the base's), the swarm model (the words swarm runs) and the problems (a string shlex refuses
 * fails the deploy).
 *
 * Pure.
 */

/**
 * google/shlex's Split, which docker/cli uses for a `command` or `entrypoint` string: words
 * separated by space, tab, CR or LF; `#` where a word could start comments out the line; `'...'`
 * literal; `\` escapes the next character, outside double quotes and in them. Null where shlex
 * fails (an unclosed quote, a `\` at the end), which fails the deploy.
 */
export function shellSplit(text: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      if (word !== null) words.push(word);
      word = null;
      i++;
    } else if (c === "#" && word === null) {
      const eol = text.indexOf("\n", i);
      i = eol === -1 ? text.length : eol;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close === -1) return null;
      word = (word ?? "") + text.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      let quoted = "";
      i++;
      while (text[i] !== '"') {
        if (text[i] === "\\") i++;
        if (i >= text.length) return null;
        quoted += text[i];
        i++;
      }
      word = (word ?? "") + quoted;
      i++;
    } else if (c === "\\") {
      if (i + 1 === text.length) return null;
      word = (word ?? "") + text[i + 1];
      i += 2;
    } else {
      word = (word ?? "") + c;
      i++;
    }
  }
  if (word !== null) words.push(word);
  return words;
}
