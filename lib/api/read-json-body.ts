import { parseJson } from "../ingest/json.ts";
import { ApiError } from "./errors.ts";

/** JSON media types; a body with no Content-Type at all is taken as JSON too (small devices omit it). */
function isJsonContentType(header: string | null): boolean {
  if (header === null || header.trim() === "") return true;
  const mediaType = header.split(";")[0].trim().toLowerCase();
  return mediaType === "application/json" || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/**
 * Reads a JSON body of at most `maxBytes`, stopping as soon as the limit is passed (also
 * for a chunked body with no Content-Length), and parses it (lib/ingest/json.ts).
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

  return parseJson(await readAtMost(request, maxBytes, tooLarge));
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
