/**
 * Webhook signatures, checked on the raw body bytes before anything else is read. Gitea sends the
 * same HMAC-SHA256 twice: `X-Hub-Signature-256: sha256=<hex>` (1.15+) and `X-Gitea-Signature: <hex>`
 * (all versions). Verification is @octokit/webhooks' constant-time compare.
 */
import { Webhooks } from "@octokit/webhooks";

export type SignatureHeaders = { hub256?: string | undefined; gitea?: string | undefined };
export type VerifySignature = (payload: string, headers: SignatureHeaders) => Promise<boolean>;

const HEX_SHA256 = /^[0-9a-f]{64}$/;

export function createSignatureVerifier(secret: string): VerifySignature {
  const webhooks = new Webhooks({ secret });
  return async (payload, headers) => {
    const hub = headers.hub256?.trim().toLowerCase();
    const gitea = headers.gitea?.trim().toLowerCase();
    // Prefer the prefixed header; fall back to Gitea's bare hex. An empty value (a hook without a
    // secret sends "sha256=") is a missing signature.
    const signature =
      hub && HEX_SHA256.test(hub.replace(/^sha256=/, ""))
        ? hub
        : gitea && HEX_SHA256.test(gitea)
          ? `sha256=${gitea}`
          : null;
    if (signature === null || payload.length === 0) return false;
    return webhooks.verify(payload, signature);
  };
}
