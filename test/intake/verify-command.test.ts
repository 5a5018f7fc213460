/**
 * Where `/verify` is a command: the first word of a line of a top-level paragraph, as CommonMark
 * (and so Gitea) renders the comment. One row per case: the comment body, then the names the
 * command carries, or null when the comment holds no command.
 */
import { describe, expect, it } from "vitest";
import { MAX_COMMAND_COMMENT, parseVerifyCommand } from "../../src/intake/gitea-events.ts";

/** "/verify a", a blank line, then filler up to `length` characters. */
const long = (length: number) => "/verify a\n\n".padEnd(length, "x");

const CASES: [string, string, string[] | null][] = [
  // Commands.
  ["plain", "/verify", []],
  ["with names", "/verify bad-backup bad-restore", ["bad-backup", "bad-restore"]],
  ["after a paragraph and a blank line", "LGTM\n\n/verify bad-backup", ["bad-backup"]],
  ["a line inside a paragraph", "Please\n/verify for-pr other\nthanks", ["for-pr", "other"]],
  ["indented by up to 3 spaces", "   /verify   a  ", ["a"]],
  ["names end at the first word that is no name", "/verify a, please", []],
  ["trailing words after the names", "/verify a please!", ["a"]],
  ["a name with an underscore (split by the parser)", "/verify a_b", ["a_b"]],
  ["CRLF line ends", "Please\r\n/verify a\r\nthanks", ["a"]],
  ["after a blank line following a quote", "> quoted\n\n/verify a", ["a"]],
  ["after a closed fence", "```\ncode\n```\n/verify a", ["a"]],
  ["after an HTML comment closes", "<!--\nhidden\n-->\n/verify a", ["a"]],
  ["after a one-line HTML comment", "<!-- hidden -->\n\n/verify a", ["a"]],
  // A paragraph's continuation line is not code however far it is indented (CommonMark).
  ["a continuation line indented by 4 spaces", "Please\n    /verify a", ["a"]],
  ["a comment of MAX_COMMAND_COMMENT characters", long(MAX_COMMAND_COMMENT), ["a"]],

  // Not commands.
  ["empty", "", null],
  ["not the first word", "please /verify", null],
  ["/verifying", "/verifying", null],
  ["/verify glued to more", "/verifyall", null],
  ["in a quote", "> /verify", null],
  ["lazy continuation after a quote", "> quoted\n/verify", null],
  ["in a nested quote's continuation", "> > quoted\n/verify", null],
  ["fenced with backticks", "```\n/verify\n```", null],
  ["fenced with tildes", "~~~\n/verify\n~~~", null],
  ["in an unclosed fence", "```\n/verify", null],
  ["in a fence closed by the other kind only", "~~~\n```\n/verify", null],
  ["indented by 4 spaces", "    /verify", null],
  ["indented by a tab", "\t/verify", null],
  ["indented by 2 spaces + a tab", "  \t/verify", null],
  ["indented code after a blank line", "text\n\n    /verify", null],
  ["inside an HTML comment", "<!--\n/verify\n-->", null],
  ["inside an HTML comment in a paragraph", "text <!--\n/verify\n--> more", null],
  ["inside an HTML block", "<div>\n/verify\n</div>", null],
  ["inline code", "`/verify`", null],
  ["inline code across lines", "text `code\n/verify` more", null],
  ["emphasised", "*/verify*", null],
  ["a heading", "# /verify", null],
  ["a setext heading", "/verify\n---", null],
  // A list item is someone listing or citing the command: never a command (nor was it before).
  ["a list item", "- /verify", null],
  ["an ordered list item", "1. /verify a", null],
  ["a list item's lazy continuation", "- item\n/verify", null],
  // Parsing costs up to ~2 ms per KiB, before the 202: a longer comment is not read at all.
  ["a comment over MAX_COMMAND_COMMENT characters", long(MAX_COMMAND_COMMENT + 1), null],
];

describe("parseVerifyCommand", () => {
  it.each(CASES)("%s -> %j", (_, body, names) => {
    expect(parseVerifyCommand(body)).toEqual(names === null ? null : { names });
  });
});
