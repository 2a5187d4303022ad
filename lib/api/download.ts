/** A time in a file name: 20261129T100000Z (milliseconds only when there are some). */
export function fileTime(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "").replace(".000Z", "Z");
}

/**
 * A streamed file download. The body is a pull stream with one chunk waiting at most: the next
 * one is made only when the client has taken the last, so memory stays flat however long it is.
 */
export function downloadResponse(
  source: UnderlyingDefaultSource<Uint8Array>,
  file: { name: string; contentType: string },
): Response {
  return new Response(new ReadableStream<Uint8Array>(source, { highWaterMark: 1 }), {
    headers: {
      "Content-Type": file.contentType,
      "Content-Disposition": `attachment; filename="${file.name}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
