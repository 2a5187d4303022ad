/**
 * Redis pub/sub channel of stored readings. Each message is a JSON array of WireReading,
 * the readings of one committed request, in id order.
 */
export const READINGS_CHANNEL = "bocloud:readings";
