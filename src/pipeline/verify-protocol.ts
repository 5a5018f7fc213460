/** The messages between the service and its verification processes (verifier-pool.ts). */
import type { Fixture } from "../config/manifest.ts";
import type { Limits } from "../engine/inspect-files.ts";
import type { FixtureResult } from "../shared/result.ts";

/** What a verification process needs to build its workspace: the service's own settings. */
export type WorkerConfig = {
  dataDir: string;
  giteaUrl: string;
  token: string | null;
  limits: Limits;
  /** Values to mask in everything it sends back (the token, the webhook secret). */
  secrets: string[];
};

export type ToWorker =
  | { type: "init"; config: WorkerConfig }
  | {
      type: "verify";
      id: number;
      fixtures: Fixture[];
      refspecs: Record<string, string[]>;
    };

export type FromWorker =
  | { type: "ready" }
  | { type: "verified"; id: number; result: FixtureResult; ms: number | null }
  | { type: "done"; id: number; results: FixtureResult[] }
  | { type: "failed"; id: number; message: string }
  | {
      type: "log";
      level: "debug" | "info" | "warn" | "error";
      obj: Record<string, unknown>;
      msg: string;
    };
