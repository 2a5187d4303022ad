import { invalid } from "../errors.ts";
import { FORBIDDEN_KEYS } from "../limits.ts";

const MAYBE_FORBIDDEN = new RegExp(`${[...FORBIDDEN_KEYS].join("|")}|\\\\u`);

/**
 * JSON from a device, the same for every transport (an HTTP body, an MQTT payload): UTF-8 only,
 * not empty, and no prototype keys anywhere. `what` names it in the error ("body", "payload").
 */
/** Refuses bytes that are not UTF-8 (one decoder: it keeps no state between calls). */
const UTF8 = new TextDecoder("utf-8", { fatal: true });

export function parseJson(bytes: Uint8Array, what = "body"): unknown {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw invalid(`The ${what} is not valid UTF-8.`);
  }
  if (text.trim() === "") throw invalid(`The ${what} is empty; send JSON.`);
  try {
    // A reviver doubles the cost of parsing: it runs only when a forbidden key could be there,
    // spelled out or hidden behind a \u escape.
    if (!MAYBE_FORBIDDEN.test(text)) return JSON.parse(text);
    return JSON.parse(text, (key, value) => {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError(key);
      return value;
    });
  } catch (err) {
    if (err instanceof ForbiddenKeyError) {
      throw invalid(`The key "${err.key}" is not allowed anywhere in the ${what}.`);
    }
    throw invalid(`The ${what} is not valid JSON: ${(err as Error).message}`);
  }
}

class ForbiddenKeyError extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}
