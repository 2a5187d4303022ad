// Limits of the API, documented in the README; each one breached gets a clear 4xx.

/** POST /api/data (and an MQTT payload): a reading or a gateway's batch. */
export const MAX_BODY_BYTES = 256 * 1024;
/** Operator API bodies: a device, a gateway, a command, an acknowledgement. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;
/** Sign-in, setup and user bodies: a username and a password. */
export const MAX_CREDENTIALS_BODY_BYTES = 4096;
export const MAX_BATCH_ITEMS = 1000;
export const MAX_SENSORS_PER_ITEM = 64;
export const MAX_ID_LENGTH = 64;
export const MAX_STRING_VALUE_LENGTH = 1024;
/** A device clock this far ahead of ours is wrong, not early. */
export const MAX_TS_AHEAD_MS = 24 * 60 * 60 * 1000;
/** Earlier than this is almost always epoch seconds sent where milliseconds belong. */
export const MIN_TS_MS = Date.UTC(2000, 0, 1);
/** Letters, digits and . _ : - ; starting with a letter or digit. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/** Keys that could reach an object's prototype; refused anywhere in a body. */
export const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export const MAX_FETCH_LIMIT = 1000;
export const DEFAULT_FETCH_LIMIT = 100;
