/**
 * Repository text in Gitea markdown (issue 8, items 7 and 8): a branch name, a file name or a line
 * cannot end its code span, become HTML, a link or a mention. Each row is parsed back with a
 * CommonMark parser, as Gitea will.
 */
import { describe, expect, it } from "vitest";
import { codeBlock, codeSpan, escapeMarkdown, inTableCell } from "../../src/render/markdown.ts";
import { leaves, linkifiable } from "./gitea-markdown.ts";

const ZWJ = "\u200d";
const ZWSP = "\u200b";

describe("codeSpan", () => {
  // [text from the repository, what the code span shows]
  it.each([
    ["main", "main"],
    ["fix`<img src=x onerror=alert(1)>`@admin", `fix\`<img src=x onerror=alert(1)>\`@${ZWSP}admin`],
    ["``a```b`", "``a```b`"],
    ["`starts", "`starts"],
    ["ends`", "ends`"],
    [" padded ", " padded "],
    ["@admin", `@${ZWSP}admin`],
    ["feature/https://evil.example/x", `feature/https://${ZWJ}evil.example/x`],
    ["www.evil.example", `www${ZWJ}.evil.example`],
    ["user@evil.example", `user@${ZWSP}evil.example`],
    ["line\nbreak\r\n", "line␤break␍␤"],
    ["back\\slash *not* _em_ &amp; <b>", "back\\slash *not* _em_ &amp; <b>"],
  ])("%j is one inert code span", (text, shown) => {
    const parsed = leaves(`before ${codeSpan(text)} after`);
    expect(parsed).toEqual([
      { type: "text", literal: "before " },
      { type: "code", literal: shown },
      { type: "text", literal: " after" },
    ]);
    expect(linkifiable(shown)).toBe(false);
  });

  it("fences only as long as needed, pads only where needed", () => {
    expect(codeSpan("main")).toBe("`main`");
    expect(codeSpan("a`b")).toBe("``a`b``");
    expect(codeSpan("`x`")).toBe("`` `x` ``");
  });

  it("keeps a table cell whole: `|` is shown as ¦", () => {
    expect(inTableCell(codeSpan("a|b`c"))).toBe("``a¦b`c``");
  });
});

describe("escapeMarkdown", () => {
  // [text from the repository, what a reader sees]
  it.each([
    ["<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"],
    ["[x](https://evil.example)", `[x](https://${ZWJ}evil.example)`],
    ["see https://evil.example/a_b?c=d", `see https://${ZWJ}evil.example/a_b?c=d`],
    [
      "see www.evil.example and WWW.evil.example",
      `see www${ZWJ}.evil.example and WWW${ZWJ}.evil.example`,
    ],
    ["@admin, user@evil.example", `@${ZWSP}admin, user@${ZWSP}evil.example`],
    ["fixes #12 and o/r!3", `fixes #${ZWJ}12 and o/r!${ZWJ}3`],
    ["*bold* _em_ `code` | ~~s~~ # h", "*bold* _em_ `code` | ~~s~~ # h"],
    ["a\nb", "a␤b"],
  ])("%j is plain text", (text, shown) => {
    const parsed = leaves(escapeMarkdown(text));
    expect(parsed.every((l) => l.type === "text")).toBe(true);
    const read = parsed.map((l) => l.literal).join("");
    expect(read).toBe(shown);
    expect(linkifiable(read)).toBe(false);
  });
});

describe("codeBlock", () => {
  it("cannot be closed or escaped by a line inside", () => {
    const lines = ["+```", "+````", "````", "+</details>", "+@admin https://evil.example", "a\nb"];
    const parsed = leaves(
      ["<details>", "", ...codeBlock(lines, "diff"), "", "</details>"].join("\n"),
    );
    expect(parsed).toEqual([
      { type: "html_block", literal: "<details>" },
      {
        type: "code_block",
        literal: `${["+```", "+````", "````", "+</details>", "+@admin https://evil.example", "a␤b"].join("\n")}\n`,
      },
      { type: "html_block", literal: "</details>" },
    ]);
  });
});
