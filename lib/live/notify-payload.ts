// A live message (a JSON array) as PostgreSQL NOTIFY payloads, which must be shorter than 8000
// bytes. A message that fits goes as it is; a longer one (a gateway's batch, a command with
// large params) is cut into numbered parts, all sent in one transaction, which PostgreSQL
// delivers together and in order, and put together again by the listener.

/** The longest payload PostgreSQL takes in its default configuration is 7999 bytes. */
export const MAX_PAYLOAD_BYTES = 7999;
/** Room for a part's header (`~<message>:<index>:<count>:`) within the payload's limit. */
const PART_BYTES = MAX_PAYLOAD_BYTES - 64;
const PART = /^~([0-9a-z]+):(\d+):(\d+):/;

/** The payloads that carry `message`; `messageId` tells the parts of one message apart. */
export function notifyPayloads(message: string, messageId: number): string[] {
  if (Buffer.byteLength(message, "utf8") <= MAX_PAYLOAD_BYTES && !message.startsWith("~"))
    return [message];
  const bytes = Buffer.from(message, "utf8");
  const parts: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    let end = Math.min(bytes.length, start + PART_BYTES);
    // Never cut inside a character: back up to the first byte of a UTF-8 sequence.
    while (end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--;
    parts.push(bytes.subarray(start, end));
    start = end;
  }
  const id = messageId.toString(36);
  return parts.map((part, i) => `~${id}:${i}:${parts.length}:${part.toString("utf8")}`);
}

/**
 * Puts messages together from the payloads one listening connection receives. Parts are keyed
 * by the sending backend and message, so parts of messages from different senders may mix.
 */
export class PayloadAssembler {
  private readonly partial = new Map<string, { parts: string[]; received: number }>();

  constructor(private readonly maxPartial = 64) {}

  /** The whole message once its last part has come, else undefined. */
  add(senderPid: number, payload: string): string | undefined {
    const header = PART.exec(payload);
    if (!header) return payload;
    const [prefix, id, index, count] = header;
    const key = `${senderPid}:${id}`;
    let message = this.partial.get(key);
    if (!message) {
      // A sender that died mid-message never finishes it: keep only the newest few.
      if (this.partial.size >= this.maxPartial) {
        this.partial.delete(this.partial.keys().next().value as string);
      }
      message = { parts: new Array(Number(count)), received: 0 };
      this.partial.set(key, message);
    }
    const i = Number(index);
    if (message.parts[i] === undefined) message.received++;
    message.parts[i] = payload.slice(prefix.length);
    if (message.received < message.parts.length) return undefined;
    this.partial.delete(key);
    return message.parts.join("");
  }

  /** Forgets unfinished messages (the connection was lost: their other parts never come). */
  clear(): void {
    this.partial.clear();
  }
}
