import ipaddr from "ipaddr.js";
import { z } from "zod";
import { config } from "../config.ts";

// Webhook URLs come from operators, and the worker calls them: a URL must not turn BoCloud into a
// way into its own network (SSRF). Only http(s), no credentials in the URL, and only public
// addresses unless listed in WEBHOOK_ALLOWED_NETWORKS. This check refuses what is plain from the
// URL (an address or localhost); the delivery checks every address a name resolves to when it
// connects (lib/alarms/post-webhook.ts), so a name that resolves inward is refused too.

const MAX_URL_LENGTH = 2048;

/** Whether an IP literal may be called: a public (unicast) address, or one of the allowed networks. */
export function addressAllowed(address: string, allowed: readonly string[]): boolean {
  const parsed = ipaddr.process(address);
  for (const entry of allowed) {
    if (entry.includes("/")) {
      const [net, bits] = ipaddr.parseCIDR(entry);
      if (net.kind() === parsed.kind() && parsed.match([net, bits])) return true;
    } else if (ipaddr.process(entry).toNormalizedString() === parsed.toNormalizedString()) {
      return true;
    }
  }
  return parsed.range() === "unicast";
}

/** A webhook URL, refused when plainly not allowed (see above). */
export const webhookUrl = z
  .string()
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "must not hold a user name or password" });
    } else if (!hostAllowed(url.hostname, config().WEBHOOK_ALLOWED_NETWORKS)) {
      ctx.addIssue({
        code: "custom",
        message:
          "must reach a public address (loopback, private and link-local addresses are refused unless WEBHOOK_ALLOWED_NETWORKS lists them)",
      });
    }
  });

function hostAllowed(hostname: string, allowed: readonly string[]): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (ipaddr.isValid(host)) return addressAllowed(host, allowed);
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost"))
    return addressAllowed("127.0.0.1", allowed);
  return true;
}
