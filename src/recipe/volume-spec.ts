/**
 * A service's short-syntax volume (`source:target[:mode]`) as docker/cli's ParseVolume reads it
 * (cli/compose/loader/volume.go), without knowledge of the target platform:
 *
 * - a spec of one or two characters is the target of an anonymous volume, whole;
 * - fields are split at `:`, except the `:` of a Windows drive (one letter, then `:`), which
 *   stays in its field (`C:\data:/d` is a source `C:\data` and a target `/d`);
 * - one field is the target of an anonymous volume; two are source and target; a third is the
 *   mode (`ro`, `rw`, `nocopy`, a propagation); an empty field or a fourth fails the deploy;
 * - a source that is a path (`.`, `/`, `~`, `\\`, a drive) is a bind mount, any other a volume.
 *
 * Pure.
 */

export type VolumeSpec = {
  type: "bind" | "volume";
  /** "" for an anonymous volume. */
  source: string;
  target: string;
  mode: string | null;
};

/** Go's unicode.IsLetter, for one code point (the spec is walked code point by code point). */
const isDriveLetter = (c: string | undefined) => c !== undefined && /\p{L}/u.test(c);

/** The volume a short spec describes, or why docker/cli refuses it. */
export function parseVolumeSpec(spec: string): VolumeSpec | { error: string } {
  if (spec === "") return { error: "invalid empty volume spec" };
  if ([...spec].length <= 2) return { type: "volume", source: "", target: spec, mode: null };
  const fields: string[] = [];
  let buffer: string[] = [];
  for (const c of [...spec, null]) {
    if (c === ":" && buffer.length === 1 && isDriveLetter(buffer[0])) {
      buffer.push(c);
    } else if (c === ":" || c === null) {
      if (buffer.length === 0)
        return { error: `invalid spec: ${spec}: empty section between colons` };
      if (c === ":" && fields.length === 2)
        return { error: `invalid spec: ${spec}: too many colons` };
      fields.push(buffer.join(""));
      buffer = [];
    } else {
      buffer.push(c);
    }
  }
  if (fields.length === 1) {
    return { type: "volume", source: "", target: fields[0] as string, mode: null };
  }
  const [source, target, mode] = fields as [string, string, string | undefined];
  return { type: isFilePath(source) ? "bind" : "volume", source, target, mode: mode ?? null };
}

/** docker/cli's isFilePath: a source written as a path makes a bind mount. */
function isFilePath(source: string): boolean {
  if (/^[./~]/.test(source) || source.startsWith("\\\\")) return true;
  const [first, second] = [...source];
  return second === ":" && isDriveLetter(first);
}
