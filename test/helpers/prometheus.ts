/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: every line must be
 * a HELP, a TYPE, or a sample of a family whose TYPE came first; label values are unescaped.
 * Throws on the first line that is not valid.
 */
export type Sample = { name: string; labels: Record<string, string>; value: number };

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\]|\\\\[\\\\"n])*)"(?:,|$)/y;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export function parsePrometheus(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const lines = text.split("\n");
  if (lines.at(-1) !== "") throw new Error("the exposition must end with a newline");
  for (const [i, line] of lines.slice(0, -1).entries()) {
    const where = `line ${i + 1}: ${JSON.stringify(line)}`;
    if (line.startsWith("# HELP ")) {
      if (!new RegExp(`^# HELP ${NAME} .*$`).test(line)) throw new Error(`bad HELP, ${where}`);
      continue;
    }
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ");
      if (!name || !type || !TYPES.has(type)) throw new Error(`bad TYPE, ${where}`);
      types.set(name, type);
      continue;
    }
    if (line.startsWith("#") || line.trim() === "") continue; // other comments and blank lines are allowed
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample, ${where}`);
    const [, name, rawLabels, rawValue] = match as unknown as [
      string,
      string,
      string | undefined,
      string,
    ];
    const family = [...types.keys()].find(
      (f) =>
        name === f ||
        (/^_(bucket|sum|count|total|created)$/.test(name.slice(f.length)) && name.startsWith(f)),
    );
    if (!family) throw new Error(`sample of a family without a TYPE, ${where}`);
    const labels: Record<string, string> = {};
    if (rawLabels) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < rawLabels.length) {
        const m = LABEL.exec(rawLabels);
        if (!m) throw new Error(`bad labels, ${where}`);
        labels[m[1] as string] = (m[2] as string).replace(/\\(["\\n])/g, (_, c: string) =>
          c === "n" ? "\n" : c,
        );
      }
    }
    // Prometheus reads values with Go's strconv.ParseFloat: NaN and Inf in any letter case.
    const word = rawValue.toLowerCase();
    const value =
      word === "nan"
        ? Number.NaN
        : /^\+?inf(inity)?$/.test(word)
          ? Number.POSITIVE_INFINITY
          : /^-inf(inity)?$/.test(word)
            ? Number.NEGATIVE_INFINITY
            : Number(rawValue);
    if (Number.isNaN(value) && word !== "nan") throw new Error(`bad value, ${where}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

export function sampleValue(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}
