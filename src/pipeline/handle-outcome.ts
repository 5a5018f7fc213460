/**
 * A `status` delivery from the recipe CI on a canary's pinned commit: read the outcomes of the
 * canaries pinned there again (outcome-watch.ts), which refreshes the dashboard and, when one
 * changed, the `…/outcomes` status. Nothing is posted on the pinned commit itself.
 */
import type { OutcomeJob } from "../queue/job.ts";
import type { JobContext, Outcome } from "./job-context.ts";

export async function handleOutcome(ctx: JobContext<OutcomeJob>): Promise<Outcome> {
  const { job, deps } = ctx;
  if (!deps.outcomes) return { kind: "nothing", reason: "outcomes are not watched here" };
  const read = await deps.outcomes.refresh(job.names, ctx.gitea);
  return {
    kind: "nothing",
    reason: `outcomes read again: ${read.map((o) => `${o.name} ${o.outcome}`).join(", ") || "none (the manifest has no ci: block)"}`,
  };
}
