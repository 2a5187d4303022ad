/**
 * Runs callbacks in the order their slots were taken, however the work behind them finishes:
 * MQTT answers a connection's QoS 1 publishes in the order they came (MQTT-4.6.0-2), while
 * BoCloud stores them concurrently.
 */
export class InOrder {
  private readonly slots: { ready: boolean; run: () => void }[] = [];

  /** Takes the next slot; call what it returns with the callback once that one is ready. */
  add(): (run: () => void) => void {
    const slot = { ready: false, run: () => {} };
    this.slots.push(slot);
    return (run) => {
      slot.ready = true;
      slot.run = run;
      while (this.slots[0]?.ready) this.slots.shift()?.run();
    };
  }
}
