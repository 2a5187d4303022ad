import type { z } from "zod";
import type { DeviceCredential } from "../auth/device-principal.ts";
import type { Operator } from "../auth/sessions.ts";
import { MAX_JSON_BODY_BYTES } from "../limits.ts";
import { checkSameOrigin, requestCredential, requestOperator, SAFE_METHODS } from "./access.ts";
import { errorResponse } from "./errors.ts";
import { parseWith, type QueryOptions, queryObject } from "./parse.ts";
import { readJsonBody } from "./read-json-body.ts";

/**
 * Who may call a route: anyone (public), a device or gateway with its token (device; anyone in
 * open mode), a signed-in operator, or an admin.
 */
export type Access = "public" | "device" | "operator" | "admin";

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<A extends Access, P extends Schema, Q extends Schema, B extends Schema> {
  access: A;
  /** The route's dynamic segments (`[deviceId]` …). */
  params?: P;
  /** The query string, as `queryObject` reads it with `queryOptions`. */
  query?: Q;
  queryOptions?: QueryOptions;
  /** The JSON body, read up to `maxBodyBytes` (default MAX_JSON_BODY_BYTES). */
  body?: B;
  maxBodyBytes?: number;
}

export interface RouteContext<
  A extends Access,
  P extends Schema,
  Q extends Schema,
  B extends Schema,
> {
  request: Request;
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  operator: A extends "operator" | "admin" ? Operator : undefined;
  /** The device's token (or nothing, in open mode); resolvePrincipal says whose it is. */
  device: A extends "device" ? DeviceCredential : undefined;
}

type SegmentContext = { params: Promise<Record<string, string | string[]>> };

export type RouteHandler = ((request: Request, segment?: SegmentContext) => Promise<Response>) & {
  readonly access: Access;
};

/**
 * Every route handler under app/api/ is made by this: it checks who may call (CSRF for a
 * browser's state change, the operator's session or the device's token), parses the segments,
 * the query and the body with their schemas, runs the handler, and turns any error into the
 * API's error answer. A handler only does its own work.
 */
export function route<
  const A extends Access,
  P extends Schema = undefined,
  Q extends Schema = undefined,
  B extends Schema = undefined,
>(
  spec: RouteSpec<A, P, Q, B>,
  handler: (ctx: RouteContext<A, P, Q, B>) => Promise<Response>,
): RouteHandler {
  const run = async (request: Request, segment?: SegmentContext): Promise<Response> => {
    try {
      // Devices send no cookies, so there is nothing another site could make them do.
      if (!SAFE_METHODS.has(request.method) && spec.access !== "device") checkSameOrigin(request);
      const operator =
        spec.access === "operator" || spec.access === "admin"
          ? await requestOperator(request, spec.access === "admin" ? "admin" : undefined)
          : undefined;
      const device = spec.access === "device" ? requestCredential(request) : undefined;
      const params = spec.params && parseWith(spec.params, await segment?.params, "path");
      const query =
        spec.query &&
        parseWith(spec.query, queryObject(new URL(request.url), spec.queryOptions), "query");
      const body =
        spec.body &&
        parseWith(spec.body, await readJsonBody(request, spec.maxBodyBytes ?? MAX_JSON_BODY_BYTES));
      return await handler({ request, params, query, body, operator, device } as RouteContext<
        A,
        P,
        Q,
        B
      >);
    } catch (err) {
      return errorResponse(err);
    }
  };
  return Object.assign(run, { access: spec.access });
}
