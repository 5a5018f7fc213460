/**
 * What can be told of a Go template without rendering it, as Go's text/template lexes and parses
 * it (the engine Docker renders `template_driver: golang` configs with): every `{{` action is
 * closed by `}}` (a `}}` inside a string, a raw string, a character constant or a comment does not
 * close it; a comment is `{{/*` or `{{- /*`), every `if`, `range`, `with`, `define` and `block`
 * has its `{{ end }}` (trim markers `{{- ` and ` -}}` included), an `else` belongs to an `if`,
 * `range` or `with`; at most five problems are listed. One row per case, each problem pinned.
 */
import { describe, expect, it } from "vitest";
import { hasTemplateActions, templateProblems } from "../../src/engine/go-template.ts";

const unclosed = (word: string, line: number) =>
  `{{ ${word} }} on line ${line} is never closed with {{ end }}`;
const strayEnd = (line: number) => `{{ end }} on line ${line} closes nothing`;
const strayElse = (line: number) => `{{ else }} on line ${line} is outside an if, range or with`;
const openAction = (line: number) =>
  `the action opened with {{ on line ${line} is never closed with }}`;

describe("templateProblems: templates Go parses", () => {
  it.each<[string, string]>([
    ["no actions", "server {\n  listen 80;\n}\n"],
    ["a field", "{{ .Service.Name }}"],
    ["no spaces inside the braces", "{{if .A}}x{{end}}"],
    ["if / else / end", "{{ if .A }}x{{ else }}y{{ end }}"],
    ["else if", "{{ if .A }}x{{ else if .B }}y{{ else }}z{{ end }}"],
    ["range / else / end", "{{ range .L }}{{ . }}{{ else }}none{{ end }}"],
    ["with / else / end", "{{ with .A }}{{ . }}{{ else }}none{{ end }}"],
    [
      "define and block, each with its end",
      '{{ define "a" }}x{{ end }}{{ block "b" . }}y{{ end }}',
    ],
    ["nested", "{{ range .L }}{{ if . }}{{ with .X }}{{ . }}{{ end }}{{ end }}{{ end }}"],
    ["adjacent actions", "{{ if .A }}{{ end }}"],
    ["trim markers on both sides", "{{- range .L -}}{{ . }}{{- end -}}"],
    ["a trim marker on the opening only", "{{- if .A }}x{{ end }}"],
    ["a trim marker on the closing only", "{{ if .A -}}x{{ end }}"],
    ["a trim marker with a tab", "{{-\tif .A\t-}}x{{-\tend\t-}}"],
    ["a variable named like a keyword", "{{ $end := 1 }}{{ $end }}"],
    ["a field named like a keyword", "{{ if .A }}{{ .end }}{{ end }}"],
    ["a string holding }}", '{{ "}}" }}'],
    ["a string holding an action", '{{ "}} {{ if" }}'],
    ["a string holding an escaped quote", '{{ "a\\"}} {{ if" }}'],
    ["a string holding a backslash at its end", '{{ if eq .A "\\\\" }}x{{ end }}'],
    ["a string holding a comment opener", '{{ "/*" }}'],
    ["a character constant holding a double quote", "{{ '\"' }}"],
    ["a raw string holding an action", "{{ `}} {{ if` }}"],
    ["a raw string over two lines", "{{ `a\n}} {{ if` }}"],
    ["a comment", "{{/* a comment */}}"],
    ["a comment holding }}", "{{/* a }} comment */}}"],
    ["a comment holding an action", "{{/* a }} {{ if */}}"],
    ["a comment opening with /*/", "{{/*/ }} {{ if */}}"],
    ["a comment with trim markers", "{{- /* a }} {{ if */ -}}"],
    ["a comment, then an if with its end", "{{/* c */}}{{ if .A }}x{{ end }}"],
    ["a comment holding an action, after some text", "server_name x;\n{{/* a }} {{ if */}}"],
    [
      "a swarm config as recipes write it",
      'server_name {{ env "DOMAIN" }};\n{{ if eq (env "HTTPS") "true" }}\nlisten 443 ssl;\n{{ end }}\n',
    ],
  ])("%s", (_name, text) => {
    expect(templateProblems(text)).toEqual([]);
  });
});

describe("templateProblems: templates Go refuses", () => {
  it.each<[string, string, string[]]>([
    ["an if with no end", "{{ if .A }}\nx\n", [unclosed("if", 1)]],
    ["a range with no end", "a\n{{ range .L }}{{ . }}", [unclosed("range", 2)]],
    ["a with with no end", "{{ with .A }}", [unclosed("with", 1)]],
    ["a define with no end", '{{ define "x" }}y', [unclosed("define", 1)]],
    ["a block with no end", '{{ block "x" . }}y', [unclosed("block", 1)]],
    ["an end that closes nothing", "x\n{{ end }}", [strayEnd(2)]],
    ["one end too many", "{{ if .A }}{{ end }}\n{{ end }}", [strayEnd(2)]],
    ["one end too few", "{{ if .A }}\n{{ range .L }}\n{{ end }}", [unclosed("if", 1)]],
    ["an else alone", "{{ else }}", [strayElse(1)]],
    ["an else in a define", '{{ define "x" }}{{ else }}{{ end }}', [strayElse(1)]],
    ["an else in a block", '{{ block "x" . }}{{ else }}{{ end }}', [strayElse(1)]],
    ["an else after the end", "{{ if .A }}{{ end }}{{ else }}", [strayElse(1)]],
    ["an action never closed", "a {{ .B", [openAction(1)]],
    ["an action closed by a single brace", "{{ .B }", [openAction(1)]],
    [
      "an action never closed, inside an if",
      "{{ if .A }}\n{{ .B",
      [openAction(2), unclosed("if", 1)],
    ],
    ["an unterminated string", '{{ "abc', [openAction(1)]],
    ["an unterminated string: its line ends it", '{{ "a\n" }}', [openAction(1)]],
    ["an unterminated raw string", "{{ `abc }}", [openAction(1)]],
    ["an unterminated comment", "{{/* never closed }}", [openAction(1)]],
    ["a comment closed, but no }} after it", "{{/* a }}*/", [openAction(1)]],
    ["an unterminated comment with a trim marker", "{{- /* never closed }}", [openAction(1)]],
    [
      "a dash not followed by a space is not a trim marker",
      "{{ if .A }}x{{ -end }}",
      [unclosed("if", 1)],
    ],
    ["a dash after a space is not a trim marker", "{{ if .A }}x{{ - end }}", [unclosed("if", 1)]],
    ["a comment opener inside an action does not hide it", "{{ if .A /*}}", [unclosed("if", 1)]],
    ["an empty action does not hide the if before it", "{{ if .A }}{{}}", [unclosed("if", 1)]],
    [
      "problems in the order they are met",
      "{{ end }}\n{{ if .A }}\n{{ else }}{{ end }}{{ else }}",
      [strayEnd(1), strayElse(3)],
    ],
    [
      "the unclosed blocks, outermost first",
      "{{ if .A }}\n{{ range .L }}\n{{ with .B }}",
      [unclosed("if", 1), unclosed("range", 2), unclosed("with", 3)],
    ],
  ])("%s", (_name, text, expected) => {
    expect(templateProblems(text)).toEqual(expected);
  });
});

describe("templateProblems: at most five problems", () => {
  const lines = (n: number, action: string) => Array.from({ length: n }, () => action).join("\n");
  it.each<[string, string, string[]]>([
    [
      "five stray ends",
      lines(5, "{{ end }}"),
      [strayEnd(1), strayEnd(2), strayEnd(3), strayEnd(4), strayEnd(5)],
    ],
    [
      "six stray ends: five",
      lines(6, "{{ end }}"),
      [strayEnd(1), strayEnd(2), strayEnd(3), strayEnd(4), strayEnd(5)],
    ],
    [
      "seven unclosed ifs: five",
      lines(7, "{{ if .A }}"),
      [
        unclosed("if", 1),
        unclosed("if", 2),
        unclosed("if", 3),
        unclosed("if", 4),
        unclosed("if", 5),
      ],
    ],
    [
      "three stray ends, then three unclosed ifs: the first two ifs",
      `${lines(3, "{{ end }}")}\n${lines(3, "{{ if .A }}")}`,
      [strayEnd(1), strayEnd(2), strayEnd(3), unclosed("if", 4), unclosed("if", 5)],
    ],
    [
      "an if closed, then five stray ends: the cap stops before the last if",
      `{{ if .A }}\n${lines(6, "{{ end }}")}\n{{ if .B }}`,
      [strayEnd(3), strayEnd(4), strayEnd(5), strayEnd(6), strayEnd(7)],
    ],
  ])("%s", (_name, text, expected) => {
    expect(templateProblems(text)).toEqual(expected);
  });
});

describe("hasTemplateActions", () => {
  it.each<[string, boolean]>([
    ["plain text", false],
    ["{{ .A }}", true],
    ["{{.A}}", true],
    ["{{- .A -}}", true],
    ["{{-.A}}", true],
    ["{{\n  .A\n}}", true],
    ["{{{ .A }}", true],
    ["{{}}", false],
    ["{{ }}", false],
    ["{{- }}", true],
    ["{{ .A", false],
    ["only a closing }}", false],
    ["}} {{", false],
  ])("%j: %s", (text, expected) => {
    expect(hasTemplateActions(text)).toBe(expected);
  });
});
