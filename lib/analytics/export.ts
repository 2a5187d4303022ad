import { downloadResponse, fileTime } from "../api/download.ts";
import { log } from "../log.ts";
import { exportPage } from "../queries/export-page.ts";
import { readingHorizon } from "../queries/readings-by-id.ts";
import { type ReadingRow, toWire } from "../reading.ts";
import { CSV_HEADER, csvRecord } from "./csv.ts";
import { MergedReadings } from "./merged-readings.ts";

/** Readings per database round trip (about 0.5 MB of CSV). */
const EXPORT_PAGE_SIZE = 5000;

export interface ExportTarget {
  /** One sensor, or every sensor of the device. */
  sensorIds: bigint[];
  deviceId: string;
  /** Set when one sensor is exported. */
  sensorType?: string;
}

export interface ExportOptions {
  from?: Date;
  to?: Date;
  format: "csv" | "json";
}

/**
 * `<device>[_<type>]_<from>_<to>.<csv|json>`, times as 20261129T100000Z ("start" without a
 * `from`; the time of the export without a `to`); only letters, digits, . _ - in it.
 */
function exportFilename(
  target: Pick<ExportTarget, "deviceId" | "sensorType">,
  opts: ExportOptions,
  now: Date,
): string {
  const parts = [
    target.deviceId,
    ...(target.sensorType ? [target.sensorType] : []),
    opts.from ? fileTime(opts.from) : "start",
    fileTime(opts.to ?? now),
  ];
  return `${parts.join("_").replace(/[^A-Za-z0-9._-]/g, "_")}.${opts.format}`;
}

/**
 * The readings of a device or sensor as a streamed CSV or JSON download, oldest first. The
 * body is a pull stream: the next page is read from PostgreSQL only when the previous one
 * has been taken by the client, so memory stays flat however many readings there are. It
 * holds the readings that were final when the export began (ids up to the reading horizon).
 * The first page is read before answering, so an unreachable database is still a 503.
 */
export async function exportResponse(target: ExportTarget, opts: ExportOptions): Promise<Response> {
  const now = new Date();
  const range = { from: opts.from, to: opts.to, upTo: BigInt(await readingHorizon()) };
  const csv = opts.format === "csv";
  const readings = new MergedReadings(
    target.sensorIds,
    (sensorId, last, limit) => exportPage(sensorId, range, last, limit),
    Math.max(500, Math.ceil(EXPORT_PAGE_SIZE / Math.max(1, target.sensorIds.length))),
  );
  let page: ReadingRow[] | null = await readings.next(EXPORT_PAGE_SIZE);
  let first = true;
  let sent = 0;
  let cancelled = false;
  const encoder = new TextEncoder();

  return downloadResponse(
    {
      async pull(controller) {
        try {
          const rows = page ?? (await readings.next(EXPORT_PAGE_SIZE));
          page = null;
          if (cancelled) return;
          let text = first ? (csv ? CSV_HEADER : "[") : "";
          for (const row of rows) {
            const reading = toWire(row);
            text += csv
              ? csvRecord(reading)
              : `${sent === 0 ? "\n" : ",\n"}${JSON.stringify(reading)}`;
            sent++;
          }
          first = false;
          const done = rows.length < EXPORT_PAGE_SIZE;
          if (done && !csv) text += sent === 0 ? "]\n" : "\n]\n";
          if (text) controller.enqueue(encoder.encode(text));
          if (done) controller.close();
        } catch (err) {
          // The status line is gone: all that is left is to break the download off.
          log.warn({ err: String(err), sent }, "export failed part way; download aborted");
          controller.error(err);
        }
      },
      cancel() {
        cancelled = true;
      },
    },
    {
      name: exportFilename(target, opts, now),
      contentType: csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
    },
  );
}
