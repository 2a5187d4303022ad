import type { z } from "zod";
import { ApiError } from "./errors.ts";

/** Validates `data` with `schema`; failures become one 400 that names every problem and where. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 10).map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join(".") : "body";
    return `${where}: ${issue.message}`;
  });
  throw new ApiError("bad_request", problems.join("; "));
}

/** The query string as an object, with the seed's bare form (`?<id>`) mapped to `bareKey`. */
export function queryParams(url: URL, bareKey: string): Record<string, string> {
  const params: Record<string, string> = {};
  const entries = [...url.searchParams.entries()];
  if (entries.length === 1 && entries[0][1] === "" && entries[0][0] !== bareKey) {
    return { [bareKey]: entries[0][0] };
  }
  for (const [key, value] of entries) {
    if (key in params) throw new ApiError("bad_request", `The parameter "${key}" is given twice.`);
    params[key] = value;
  }
  return params;
}
