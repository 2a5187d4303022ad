import { Prisma } from "../generated/prisma/client.ts";

/** The columns and joins that make a ReadingRow (see lib/reading.ts) of `readings r`. */
export const READING_SELECT = Prisma.sql`
  SELECT r.id, d.device_id, r.sensor_id, s.type AS sensor_type,
         r.num_value, r.text_value, r.bool_value, r.ts
  FROM readings r
  JOIN sensors s ON s.id = r.sensor_id
  JOIN devices d ON d.id = r.device_key`;
