/**
 * A short-syntax volume as docker/cli's ParseVolume reads it (cli/compose/loader/volume.go):
 * expected values from its state machine (isWindowsDrive, populateFieldFromBuffer, populateType).
 */
import { describe, expect, it } from "vitest";
import { parseVolumeSpec } from "../../src/recipe/volume-spec.ts";

const volume = (target: string, source = "", mode: string | null = null) => ({
  type: "volume",
  source,
  target,
  mode,
});
const bind = (source: string, target: string, mode: string | null = null) => ({
  type: "bind",
  source,
  target,
  mode,
});

describe("parseVolumeSpec", () => {
  it.each<[string, unknown]>([
    ["/data", volume("/data")],
    ["cache", volume("cache")],
    // One or two characters are a target, whole (case 1, 2).
    ["/d", volume("/d")],
    ["a:", volume("a:")],
    ["data:/var/lib/data", volume("/var/lib/data", "data")],
    ["data:/var/lib/data:ro", volume("/var/lib/data", "data", "ro")],
    ["data:/d:nocopy,ro", volume("/d", "data", "nocopy,ro")],
    ["./conf:/etc/conf:ro", bind("./conf", "/etc/conf", "ro")],
    ["/srv/x:/x", bind("/srv/x", "/x")],
    ["~/x:/x", bind("~/x", "/x")],
    ["\\\\server\\share:/x", bind("\\\\server\\share", "/x")],
    // A drive letter's colon stays in its field, wherever the field is.
    ["C:\\data:/d", bind("C:\\data", "/d")],
    ["data:C:\\d", volume("C:\\d", "data")],
    // Only one letter makes a drive: two are a volume name.
    ["cd:/d", volume("/d", "cd")],
    // Short specs are never split, even where a split would fail.
    [":", volume(":")],
    ["::", volume("::")],
    [":a", volume(":a")],
    // A digit is no drive letter: "1" is a volume's name.
    ["1:/d", volume("/d", "1")],
    // A one-letter last field is a mode, as written (ParseVolume ignores an unknown option).
    ["data:/d:z", volume("/d", "data", "z")],
    ["", { error: "invalid empty volume spec" }],
    ["data::/d", { error: "invalid spec: data::/d: empty section between colons" }],
    ["data:/d:", { error: "invalid spec: data:/d:: empty section between colons" }],
    ["data:/d:ro:x", { error: "invalid spec: data:/d:ro:x: too many colons" }],
  ])("%j", (spec, expected) => {
    expect(parseVolumeSpec(spec)).toEqual(expected);
  });
});
