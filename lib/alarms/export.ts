import { downloadResponse, fileTime } from "../api/download.ts";
import { log } from "../log.ts";
import { alarmsPage } from "../queries/list-alarms.ts";
import { ALARM_CSV_HEADER, alarmCsvRecord } from "./csv.ts";
import type { AlarmFilters } from "./schemas.ts";

const PAGE = 1000;

/**
 * The matching alarms as a streamed CSV download, newest first, a page per round trip as the
 * client takes them. The first page is read before answering, so a database that is down is a 503.
 */
export async function alarmsCsvResponse(filters: AlarmFilters): Promise<Response> {
  let next = await alarmsPage(filters, undefined, PAGE);
  const encoder = new TextEncoder();
  let header = ALARM_CSV_HEADER;
  return downloadResponse(
    {
      async pull(controller) {
        try {
          const page = next;
          controller.enqueue(encoder.encode(header + page.map(alarmCsvRecord).join("")));
          header = "";
          if (page.length < PAGE) return controller.close();
          next = await alarmsPage(filters, BigInt(page[page.length - 1].id), PAGE);
        } catch (err) {
          log.warn({ err: String(err) }, "alarm export failed part way; download aborted");
          controller.error(err);
        }
      },
    },
    { name: `alarms_${fileTime(new Date())}.csv`, contentType: "text/csv; charset=utf-8" },
  );
}
