import { type DevicePrincipal, principalForToken } from "../lib/auth/device-principal.ts";
import { hashToken } from "../lib/auth/tokens.ts";
import { isDeviceId } from "./topics.ts";

/** Who a connection is: the principal it writes as and the device `me` stands for. */
export interface Identity {
  principal: DevicePrincipal;
  /** The device of v1/devices/me/…: the token's device, or (open mode) the username. */
  me: string | null;
  /** Of the token it signed in with, to notice a revoked or rotated one; null in open mode. */
  tokenHash: string | null;
}

/** What a CONNECT says: a token, perhaps with the id it claims to be, or (open mode) a name. */
export type Credentials = { token: string; claimedId: string | null } | { token: null };

/**
 * MQTT username = the token (ThingsBoard's convention), or username = device_id (or
 * gateway_id) and password = the token.
 */
export function readCredentials(username?: string, password?: Buffer): Credentials {
  const secret = password?.toString("utf8") ?? "";
  if (secret !== "") return { token: secret, claimedId: username ?? null };
  if (username) return { token: username, claimedId: null };
  return { token: null };
}

/**
 * The connection's identity, or null for credentials that must be refused (CONNACK 4). In open
 * mode a username that is not a token names the device, as a first post would.
 */
export async function identify(credentials: Credentials, open: boolean): Promise<Identity | null> {
  if (credentials.token === null) {
    return open ? { principal: { kind: "open" }, me: null, tokenHash: null } : null;
  }
  const { token, claimedId } = credentials;
  const principal = await principalForToken(token);
  if (!principal) {
    if (open && claimedId === null && isDeviceId(token))
      return { principal: { kind: "open" }, me: token, tokenHash: null };
    return null;
  }
  const ownId = principal.kind === "device" ? principal.deviceId : principal.gatewayId;
  if (claimedId !== null && claimedId !== ownId) return null;
  return {
    principal,
    me: principal.kind === "device" ? principal.deviceId : null,
    tokenHash: hashToken(token),
  };
}

/** The name the connection's client id is kept under: one device's ids never meet another's. */
export function ownerKey(identity: Identity): string {
  const { principal, me } = identity;
  if (principal.kind === "gateway") return `gateway:${principal.gatewayId}`;
  return me ? `device:${me}` : "open";
}
