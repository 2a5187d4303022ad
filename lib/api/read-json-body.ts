import { FORBIDDEN_KEYS } from "../limits.ts";
import { ApiError } from "./errors.ts";

/** JSON media types; a body with no Content-Type at all is taken as JSON too (small devices omit it). */
function isJsonContentType(header: string | null): boolean {
  if (header === null || header.trim() === "") return true;
  const mediaType = header.split(";")[0].trim().toLowerCase();
  return mediaType === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/**
 * Reads a JSON body of at most `maxBytes`, stopping as soon as the limit is passed (also
 * for a chunked body with no Content-Length), and parses it, refusing prototype keys.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new ApiError(
      "unsupported_media_type",
      "Send the body as JSON with Content-Type: application/json (or no Content-Type).",
    );
  }
  const tooLarge = new ApiError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
  const declared = Number(request.headers.get("content-length"));
  if (declared > maxBytes) throw tooLarge;

  const bytes = await readAtMost(request, maxBytes, tooLarge);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError("bad_request", "The body is not valid UTF-8.");
  }
  if (text.trim() === "") throw new ApiError("bad_request", "The body is empty; send JSON.");
  try {
    return JSON.parse(text, (key, value) => {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError(key);
      return value;
    });
  } catch (err) {
    if (err instanceof ForbiddenKeyError) {
      throw new ApiError(
        "bad_request",
        `The key "${err.key}" is not allowed anywhere in the body.`,
      );
    }
    throw new ApiError("bad_request", `The body is not valid JSON: ${(err as Error).message}`);
  }
}

class ForbiddenKeyError extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

async function readAtMost(request: Request, maxBytes: number, tooLarge: ApiError) {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
