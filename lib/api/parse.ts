import type { z } from "zod";
import { invalid } from "../errors.ts";

/** Validates `data` with `schema`; failures become one 400 that names every problem and where. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  data: unknown,
  where = "body",
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 10).map((issue) => {
    const at = issue.path.length ? issue.path.map(String).join(".") : where;
    return `${at}: ${issue.message}`;
  });
  throw invalid(problems.join("; "));
}

export interface QueryOptions {
  /** The seed's bare form, `?<value>`, stands for `?<bareKey>=<value>`. */
  bareKey?: string;
  /** Keys that may be given several times; they become arrays, in the order given. */
  repeatable?: readonly string[];
}

/**
 * The query string as an object: each key once (a key given twice is refused), except the
 * `repeatable` ones, which are arrays (empty when absent).
 */
export function queryObject(url: URL, opts: QueryOptions = {}): Record<string, string | string[]> {
  const entries = [...url.searchParams.entries()];
  const { bareKey, repeatable = [] } = opts;
  if (bareKey && entries.length === 1 && entries[0][1] === "" && entries[0][0] !== bareKey) {
    return { [bareKey]: entries[0][0] };
  }
  const params: Record<string, string | string[]> = {};
  for (const key of repeatable) params[key] = [];
  for (const [key, value] of entries) {
    const existing = params[key];
    if (Array.isArray(existing)) existing.push(value);
    else if (existing !== undefined) throw invalid(`The parameter "${key}" is given twice.`);
    else params[key] = value;
  }
  return params;
}
