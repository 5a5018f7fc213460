/**
 * A mirror's commit graph in memory, read once from `git rev-list --parents --all`: ancestry,
 * distances and merge-bases for every fixture of a repository from one git process instead of
 * three per fixture. Pure: parsing and graph walks only. A question about a commit the graph does
 * not hold (a pin fetched by id, reachable from no ref) is answered `null`, and the mirror asks
 * git instead; so is a merge-base git would have to choose among several (a criss-cross merge).
 */

export type CommitGraph = {
  readonly size: number;
  has(commit: string): boolean;
  /** Commits only `from` reaches, and commits only `to` reaches; null if either is unknown. */
  distance(from: string, to: string): { onlyFrom: number; onlyTo: number } | null;
  /** Commits `to` reaches that `from` does not (`git rev-list --count from..to`), or null. */
  count(from: string, to: string): number | null;
  /**
   * The best common ancestors of `a` and `b` (`git merge-base --all`): [] when they share none,
   * null when either is unknown.
   */
  mergeBases(a: string, b: string): string[] | null;
};

/** Parse `git rev-list --parents`: one commit per line, followed by its parents. */
export function parseParents(output: string): Map<string, readonly string[]> {
  const parents = new Map<string, readonly string[]>();
  for (const line of output.split("\n")) {
    if (line === "") continue;
    const [commit, ...rest] = line.split(" ");
    if (!commit || !/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(commit)) {
      throw new Error(`unexpected rev-list line: ${JSON.stringify(line.slice(0, 100))}`);
    }
    parents.set(commit, rest);
  }
  return parents;
}

/**
 * How many commits the remembered ancestor sets may hold in all (about 100 MB at most): a set is
 * as large as the history, and many fixtures of a large history would otherwise keep one each.
 */
const MAX_REMEMBERED = 1_000_000;

export function createCommitGraph(
  parents: ReadonlyMap<string, readonly string[]>,
  options: { maxRemembered?: number } = {},
): CommitGraph {
  const budget = options.maxRemembered ?? MAX_REMEMBERED;
  const reach = new Map<string, ReadonlySet<string>>();
  let remembered = 0;

  /** `commit` and every commit it reaches (the commits of `git rev-list commit`). */
  function ancestors(commit: string): ReadonlySet<string> {
    const known = reach.get(commit);
    if (known) return known;
    const seen = new Set<string>([commit]);
    const stack = [commit];
    while (stack.length > 0) {
      for (const p of parents.get(stack.pop() as string) ?? []) {
        if (!seen.has(p)) {
          seen.add(p);
          stack.push(p);
        }
      }
    }
    reach.set(commit, seen);
    remembered += seen.size;
    // The oldest sets go first; the one just made stays, whatever its size.
    for (const [old, set] of reach) {
      if (remembered <= budget || old === commit) break;
      reach.delete(old);
      remembered -= set.size;
    }
    return seen;
  }

  const outside = (set: ReadonlySet<string>, other: ReadonlySet<string>) => {
    let n = 0;
    for (const c of set) if (!other.has(c)) n++;
    return n;
  };

  const graph: CommitGraph = {
    size: parents.size,
    has: (commit) => parents.has(commit),

    distance(from, to) {
      if (!parents.has(from) || !parents.has(to)) return null;
      const a = ancestors(from);
      const b = ancestors(to);
      return { onlyFrom: outside(a, b), onlyTo: outside(b, a) };
    },

    count(from, to) {
      if (!parents.has(from) || !parents.has(to)) return null;
      return outside(ancestors(to), ancestors(from));
    },

    mergeBases(a, b) {
      if (!parents.has(a) || !parents.has(b)) return null;
      const ofB = ancestors(b);
      const common = [...ancestors(a)].filter((c) => ofB.has(c));
      // A common ancestor is a best one unless another common ancestor reaches it.
      const dominated = new Set<string>();
      const stack = common.flatMap((c) => [...(parents.get(c) ?? [])]);
      while (stack.length > 0) {
        const c = stack.pop() as string;
        if (dominated.has(c)) continue;
        dominated.add(c);
        stack.push(...(parents.get(c) ?? []));
      }
      return common.filter((c) => !dominated.has(c)).sort();
    },
  };
  return graph;
}
