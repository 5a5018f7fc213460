/**
 * Webhook signatures, checked on the raw body bytes before anything else is read. Gitea sends the
 * same HMAC-SHA256 twice: `X-Hub-Signature-256: sha256=<hex>` (1.15+) and `X-Gitea-Signature: <hex>`
 * (all versions); Forgejo sends it a third time as `X-Forgejo-Signature: <hex>` (and the Gitea
 * names too, for now). Verification is @octokit/webhooks' constant-time compare.
 *
 * Every signature header present must carry the same digest: Gitea and Forgejo fill them all from
 * one HMAC, so two that differ mean something rewrote one of them, and a wrong one is never
 * rescued by a right one beside it.
 */
import { Webhooks } from "@octokit/webhooks";

export type SignatureHeaders = {
  hub256?: string | undefined;
  gitea?: string | undefined;
  forgejo?: string | undefined;
};
export type VerifySignature = (payload: string, headers: SignatureHeaders) => Promise<boolean>;

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * The one hex digest the headers agree on, or null: none sent, an empty one (a hook without a
 * secret sends "" and "sha256="), one that is not a SHA-256 hex digest, or two that differ.
 */
export function agreedSignature(headers: SignatureHeaders): string | null {
  const sent = [
    headers.hub256
      ?.trim()
      .toLowerCase()
      .replace(/^sha256=/, ""),
    headers.gitea?.trim().toLowerCase(),
    headers.forgejo?.trim().toLowerCase(),
  ].filter((value) => value !== undefined);
  const [first] = sent;
  if (first === undefined || !HEX_SHA256.test(first)) return null;
  return sent.every((value) => value === first) ? first : null;
}

export function createSignatureVerifier(secret: string): VerifySignature {
  const webhooks = new Webhooks({ secret });
  return async (payload, headers) => {
    const digest = agreedSignature(headers);
    if (digest === null || payload.length === 0) return false;
    return webhooks.verify(payload, `sha256=${digest}`);
  };
}
