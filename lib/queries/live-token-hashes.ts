import { prisma } from "../db.ts";

/** Which of these token hashes still belong to a device or a gateway (not revoked or rotated). */
export async function liveTokenHashes(hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await prisma.$queryRaw<{ token_hash: string }[]>`
    SELECT token_hash FROM devices WHERE token_hash = ANY(${hashes}::text[])
    UNION ALL
    SELECT token_hash FROM gateways WHERE token_hash = ANY(${hashes}::text[])`;
  return new Set(rows.map((r) => r.token_hash));
}
