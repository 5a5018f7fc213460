/**
 * Where verifications run. The service runs them in child processes (verifier-pool.ts), so that
 * the HTTP thread does only the intake, the pages and the queue's bookkeeping, and a heavy
 * fixture's YAML parsing, diffing and checks never delay a delivery's 202; the CLI, and tests of
 * the pipeline, run them in process. Either way one call is "these fixtures, each repository
 * fetched once (with these extra refspecs)", and its answer the fixtures' results.
 */
import type { Fixture } from "../config/manifest.ts";
import type { Limits } from "../engine/inspect-files.ts";
import { BotError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";
import type { FixtureResult } from "../shared/result.ts";
import type { Workspace } from "../workspace/workspace.ts";
import { verifyFixtures } from "./verify-fixture.ts";

export type VerifyRequest = {
  fixtures: readonly Fixture[];
  /** Extra refspecs to fetch per repository (a pull request's head). */
  refspecs?: Readonly<Record<string, readonly string[]>>;
};

export type VerifyOptions = {
  /** The job's deadline: when it aborts, the verification ends (its process is killed). */
  signal?: AbortSignal | undefined;
  /** Told of each fixture's result as it comes, and how long it took (metrics). */
  onVerified?: ((result: FixtureResult, ms: number | null) => void) | undefined;
  log?: Logger;
};

export type Verifier = {
  verify(request: VerifyRequest, options?: VerifyOptions): Promise<FixtureResult[]>;
  /** Ends what it runs (the pool's processes); in process, nothing. */
  close(): Promise<void>;
};

/** A verification process ended before it answered (killed from outside, out of memory, a bug). */
export class VerifierDied extends BotError {
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  constructor(code: number | null, signal: NodeJS.Signals | null) {
    super(`the verification process died (${signal ?? `exit code ${code}`}) before it answered`);
    this.signal = signal;
    this.code = code;
  }
}

export function createInProcessVerifier(deps: {
  workspace: Workspace;
  limits: Limits;
  log: Logger;
}): Verifier {
  return {
    verify: (request, options = {}) =>
      verifyFixtures(request.fixtures, {
        workspace: deps.workspace,
        limits: deps.limits,
        log: options.log ?? deps.log,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(request.refspecs ? { refspecs: request.refspecs } : {}),
        ...(options.onVerified ? { onVerified: options.onVerified } : {}),
      }),
    close: async () => undefined,
  };
}
