/** Which sensor: by its numeric id, or by its device's id and its type. */
export type SensorRef = { sensorId: bigint } | { deviceId: string; sensorType: string };

/** Whose readings: one sensor, or every sensor of one device. */
export type ReadingsOwner = SensorRef | { deviceId: string };

export function describeSensor(ref: SensorRef): string {
  return "sensorId" in ref ? `${ref.sensorId}` : `${ref.deviceId}/${ref.sensorType}`;
}
