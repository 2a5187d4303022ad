import { randomBytes } from "node:crypto";
import type { z } from "zod";
import type { webhookChangesSchema, webhookSchema } from "../alarms/schemas.ts";
import {
  toWireDelivery,
  toWireWebhook,
  type WireDelivery,
  type WireWebhook,
} from "../alarms/wire.ts";
import { prisma } from "../db.ts";
import { invalid, notFound } from "../errors.ts";
import { writeOrRefuse } from "./prisma-errors.ts";

// Webhooks and their delivery log. The signing secret is made here and returned only by
// createWebhook and rotateWebhookSecret: it is stored as is (HMAC needs it) and never read back
// through the API.

type WebhookInput = z.infer<typeof webhookSchema>;
type WebhookChanges = z.infer<typeof webhookChangesSchema>;

const missingWebhook = (id: bigint) => `There is no webhook ${id}.`;

/** A Standard Webhooks secret: whsec_ and 24 random bytes in base64. */
function newSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

async function ruleKey(ruleId: number | null | undefined): Promise<bigint | null | undefined> {
  if (ruleId === undefined || ruleId === null) return ruleId;
  const rule = await prisma.alarmRule.findUnique({ where: { id: BigInt(ruleId) } });
  if (!rule) throw invalid(`rule_id: there is no alarm rule ${ruleId}.`);
  return rule.id;
}

export async function listWebhooks(): Promise<WireWebhook[]> {
  const webhooks = await prisma.webhook.findMany({ orderBy: { id: "asc" }, take: 1000 });
  return webhooks.map(toWireWebhook);
}

/** A new webhook with its secret, returned this once. */
export async function createWebhook(
  input: WebhookInput,
): Promise<{ webhook: WireWebhook; secret: string }> {
  const secret = newSecret();
  const webhook = await prisma.webhook.create({
    data: {
      name: input.name,
      url: input.url,
      format: input.format ?? "standard",
      ruleId: (await ruleKey(input.rule_id)) ?? null,
      enabled: input.enabled ?? true,
      secret,
    },
  });
  return { webhook: toWireWebhook(webhook), secret };
}

export async function updateWebhook(id: bigint, changes: WebhookChanges): Promise<WireWebhook> {
  const webhook = await writeOrRefuse(
    prisma.webhook.update({
      where: { id },
      data: {
        name: changes.name,
        url: changes.url,
        format: changes.format,
        ruleId: await ruleKey(changes.rule_id),
        enabled: changes.enabled,
      },
    }),
    { missing: missingWebhook(id) },
  );
  return toWireWebhook(webhook);
}

/** Deletes a webhook and its delivery log; what it had not delivered is not sent. */
export async function deleteWebhook(id: bigint): Promise<void> {
  const { count } = await prisma.webhook.deleteMany({ where: { id } });
  if (count === 0) throw notFound(missingWebhook(id));
}

/** A new secret (returned this once); the old one signs nothing more. */
export async function rotateWebhookSecret(id: bigint): Promise<string> {
  const secret = newSecret();
  await writeOrRefuse(prisma.webhook.update({ where: { id }, data: { secret } }), {
    missing: missingWebhook(id),
  });
  return secret;
}

/** The webhook's delivery log, newest first. */
export async function listDeliveries(id: bigint, limit: number): Promise<WireDelivery[]> {
  if (!(await prisma.webhook.findUnique({ where: { id }, select: { id: true } })))
    throw notFound(missingWebhook(id));
  const deliveries = await prisma.webhookDelivery.findMany({
    where: { webhookId: id },
    orderBy: { id: "desc" },
    take: limit,
  });
  return deliveries.map(toWireDelivery);
}
