import type { Client } from "aedes";

// The few places BoCloud reaches into Aedes (pinned at 1.2.0, with its mqtt-packet 9.0.2) for
// what its options do not offer. Each was tested there (see /work/notes/mqtt-research.md) and
// is covered by mqtt-server's tests; check them again when Aedes moves.

interface ClientInternals {
  id: string;
  /** Counts the packets of a socket read still being handled; the next read waits for 0. */
  _parsingBatch: number;
  _parser: {
    _parseLength: () => boolean;
    _emitError: (err: Error) => void;
    packet: { length: number };
  };
  pause(): void;
  resume(): void;
}

const internals = (client: Client) => client as unknown as ClientInternals;

/**
 * Stops reading the client's socket. Packets of the read already made are still handled, so a
 * caller bounds them itself.
 */
export function pauseReading(client: Client): void {
  internals(client).pause();
}

/**
 * Reads the socket again. While paused, Aedes does not count down the packets that finished,
 * and without this reset it would wait for them forever.
 */
export function resumeReading(client: Client): void {
  const c = internals(client);
  c._parsingBatch = 1;
  c.resume();
}

/**
 * Closes the connection of any packet longer than `maxBytes` as soon as its length is read,
 * before its body is buffered (Aedes has no option for this: moscajs/aedes#831).
 */
export function limitPacketSize(
  client: Client,
  maxBytes: number,
  onTooLarge: (bytes: number) => void,
): void {
  const parser = internals(client)._parser;
  const parseLength = parser._parseLength;
  parser._parseLength = function (this: ClientInternals["_parser"]) {
    const complete = parseLength.call(this);
    if (complete && this.packet.length > maxBytes) {
      onTooLarge(this.packet.length);
      this._emitError(new Error(`packet too large: ${this.packet.length} bytes`));
      return false;
    }
    return complete;
  };
}

/**
 * Keeps a client id under its owner's name (set in `authenticate`, before Aedes registers the
 * client), so that a device's id never takes over another device's session or connection.
 */
export function renameClient(client: Client, id: string): void {
  internals(client).id = id;
}
