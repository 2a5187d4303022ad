import { Prisma } from "../generated/prisma/client.ts";

/** The columns of a ReadingRow (see lib/reading.ts) of `readings r`, less device and type. */
export const READING_COLUMNS = Prisma.sql`r.id, r.sensor_id, r.num_value, r.text_value, r.bool_value, r.ts`;

/** The columns and joins that make a ReadingRow of `readings r`. */
export const READING_SELECT = Prisma.sql`
  SELECT ${READING_COLUMNS}, d.device_id, s.type AS sensor_type
  FROM readings r
  JOIN sensors s ON s.id = r.sensor_id
  JOIN devices d ON d.id = s.device_key`;
